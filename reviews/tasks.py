from celery import shared_task

from reviews.models import EmployerReview, StaffInvitation
from reviews.services.documents import invitation_email, work_years_proof_render


@shared_task(
    name="reviews.render_work_years_proof", autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def task_render_work_years_proof(*, review_id: int) -> None:
    review = (
        EmployerReview.objects.select_related("application", "organisation", "reviewer")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        return
    work_years_proof_render(review=review)


@shared_task(name="reviews.send_invitation", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def task_send_invitation(*, invitation_id: int) -> None:
    invitation = (
        StaffInvitation.objects.select_related("organisation", "city", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return
    invitation_email(invitation=invitation)


@shared_task(name="reviews.fraud_signals", acks_late=True)
def task_fraud_signals(*, version_id: int) -> None:
    from candidates.models import MaterialVersion
    from reviews.services.fraud import fraud_signals_for_version

    version = (
        MaterialVersion.objects.select_related("material__application__candidate")
        .filter(pk=version_id)
        .first()
    )
    if version is not None:
        fraud_signals_for_version(version=version)


@shared_task(name="reviews.ocr_crosscheck")
def task_ocr_crosscheck(*, application_id: int) -> None:
    from candidates.models import Application
    from reviews.services.ocr import ocr_check_compute

    application = (
        Application.objects.select_related("candidate", "roster_entry", "employer")
        .filter(pk=application_id)
        .first()
    )
    if application is not None:
        ocr_check_compute(application=application)
