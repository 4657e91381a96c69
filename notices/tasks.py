"""Thin, idempotent tasks for the administrators' side and the scheduled jobs."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from candidates.enums import ApplicationStatus
from candidates.models import VerificationRound
from notices.models import DossierExport, ExportFile, PassList, RosterImport
from notices.services.dossier import dossier_render
from notices.services.publication import (
    pass_list_complete_if_ready,
    pass_list_finalize_due,
    pass_list_publish,
    pass_list_publish_supplementary,
    pass_list_render_pdf_chunk,
    pass_list_render_xlsx,
    pass_list_resume_stale,
)
from notices.services.reminders import reminders_send
from notices.services.roster_import import roster_import_inspect, roster_import_validate
from notices.services.rounds import results_export_render, round_close_windows


@shared_task(name="notices.inspect_roster_import", acks_late=True)
def task_inspect_roster_import(*, import_id: int) -> None:
    roster_import = RosterImport.objects.filter(pk=import_id).first()
    if roster_import is None:
        return
    roster_import_inspect(roster_import=roster_import)


@shared_task(name="notices.validate_roster_import", acks_late=True)
def task_validate_roster_import(*, import_id: int) -> None:
    roster_import = RosterImport.objects.select_related("round__city").filter(pk=import_id).first()
    if roster_import is None:
        return
    roster_import_validate(roster_import=roster_import)


@shared_task(name="notices.publish_due")
def task_publish_due() -> None:
    """Periodic: publish every round that is due, finalise lists whose objection period
    ended, and resume lists whose worker stopped."""
    now = timezone.now()
    due = VerificationRound.objects.filter(publication_at__lte=now, pass_lists__isnull=True)
    for round_ in due:
        with transaction.atomic():
            pass_list_publish(round_=round_, now=now)
    # Those passed since a round's lists were made: a supplementary list, at most daily.
    waiting = VerificationRound.objects.filter(
        pass_lists__isnull=False, applications__status=ApplicationStatus.PASSED
    ).distinct()
    for round_ in waiting:
        pass_list_publish_supplementary(round_=round_, now=now)
    pass_list_finalize_due(now=now)
    pass_list_resume_stale(now=now)


@shared_task(name="notices.render_pass_list_xlsx", acks_late=True)
def task_render_pass_list_xlsx(*, pass_list_id: int) -> None:
    pass_list = PassList.objects.select_related("round").filter(pk=pass_list_id).first()
    if pass_list is not None:
        pass_list_render_xlsx(pass_list=pass_list)


@shared_task(name="notices.render_pass_list_pdf_chunk", acks_late=True)
def task_render_pass_list_pdf_chunk(*, pass_list_id: int, chunk: int) -> None:
    pass_list = PassList.objects.select_related("round").filter(pk=pass_list_id).first()
    if pass_list is not None:
        pass_list_render_pdf_chunk(pass_list=pass_list, chunk=chunk)


@shared_task(name="notices.complete_pass_list", acks_late=True)
def task_complete_pass_list(*, pass_list_id: int) -> None:
    if PassList.objects.filter(pk=pass_list_id).exists():
        pass_list_complete_if_ready(pass_list_id)


@shared_task(name="notices.send_reminders")
def task_send_reminders() -> None:
    reminders_send()


@shared_task(name="notices.close_windows")
def task_close_windows() -> None:
    round_close_windows()


@shared_task(name="notices.render_dossier", acks_late=True)
def task_render_dossier(*, export_id: int) -> None:
    export = (
        DossierExport.objects.select_related("candidate__user", "requested_by").filter(pk=export_id).first()
    )
    if export is not None:
        dossier_render(export=export)


@shared_task(name="notices.render_export", acks_late=True)
def task_render_export(*, export_id: int) -> None:
    export = ExportFile.objects.select_related("round").filter(pk=export_id).first()
    if export is not None:
        results_export_render(export=export)


@shared_task(name="notices.deliver_reminder", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def task_deliver_reminder(*, reminder_id: int) -> None:
    from notices.models import ReminderSent
    from notices.services.reminders import reminder_deliver

    reminder = ReminderSent.objects.filter(pk=reminder_id).first()
    if reminder is None:
        return
    reminder_deliver(reminder=reminder)


@shared_task(name="notices.issue_certificates", acks_late=True)
def task_issue_certificates(*, pass_list_id: int) -> None:
    from notices.services.certificates import certificates_issue

    pass_list = PassList.objects.select_related("round__city").filter(pk=pass_list_id).first()
    if pass_list is not None:
        certificates_issue(pass_list=pass_list)


@shared_task(name="notices.render_certificate_export", acks_late=True)
def task_render_certificate_export(*, export_id: int) -> None:
    from notices.services.certificates import certificate_register_render

    export = ExportFile.objects.select_related("round__city").filter(pk=export_id).first()
    if export is not None:
        certificate_register_render(export=export)


@shared_task(name="notices.certificate_custody")
def task_certificate_custody() -> None:
    """Periodic: unclaimed certificates go into custody when their booking window ends."""
    from notices.services.certificates import certificates_into_custody

    certificates_into_custody()


@shared_task(name="notices.render_e_certificate", acks_late=True)
def task_render_e_certificate(*, certificate_id: int) -> None:
    from notices.models import Certificate
    from notices.services.certificates import certificate_render_electronic

    certificate = Certificate.objects.select_related("round__city").filter(pk=certificate_id).first()
    if certificate is not None:
        certificate_render_electronic(certificate=certificate)
