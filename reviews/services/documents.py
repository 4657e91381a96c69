"""Documents the employer issues through the portal, and the invitation mail."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from candidates.enums import DocumentKind
from candidates.models import GeneratedDocument
from candidates.services.documents import document_store, render_pdf
from reviews import eligibility
from reviews.enums import EmployerCheck
from reviews.models import EmployerReview, StaffInvitation


def work_years_proof_render(*, review: EmployerReview) -> GeneratedDocument:
    """工作年限证明 from the declared work history, attested by the approving HR user. Idempotent."""
    application = review.application
    source = f"employer-review:{review.pk}"
    existing = application.documents.filter(kind=DocumentKind.WORK_YEARS_PROOF, source_digest=source).first()
    if existing:
        return existing
    cutoff = application.round.work_cutoff_date
    # Counted to the day of the attestation at the latest: HR cannot attest months not yet worked.
    attested_on = timezone.localtime(review.created_at).date()
    periods = eligibility.declared_periods(
        work_history=application.work_history,
        work_start=application.work_start_date,
        cutoff=cutoff,
        today=attested_on,
    )
    pdf = render_pdf(
        "reviews/pdf/work_years_proof.html",
        {
            "application": application,
            "candidate": application.candidate,
            "review": review,
            "duration": eligibility.work_duration(periods, cutoff=cutoff),
            "cutoff": eligibility.counted_until(cutoff, attested_on),
            "attested_at": timezone.localtime(review.created_at),
            "checks": [EmployerCheck(check).label for check in review.checks],
        },
    )
    return document_store(
        application=application, kind=DocumentKind.WORK_YEARS_PROOF, pdf=pdf, source_digest=source
    )


def invitation_email(*, invitation: StaffInvitation) -> None:
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse("reviews:invitation", args=[invitation.token])
    inviter = invitation.invited_by.get_full_name() or invitation.invited_by.username
    expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
    if invitation.for_reviewer:
        role = f"{invitation.city}人社局人工核查人员，在考后人工核查系统中办理人工核查。\n"
        subject = f"[考后人工核查] 邀请您使用{invitation.city}人工核查账号"
    else:
        role = (
            f"“{invitation.organisation}”人事（人力资源）部门人员，在考后人工核查系统中办理单位资格初审。\n"
        )
        subject = f"[考后人工核查] {invitation.organisation} 邀请您使用单位初审账号"
    body = (
        f"{invitation.name}，您好：\n\n"
        f"{inviter} 邀请您作为{role}"
        f"请在 {expires} 前打开以下链接设置用户名和密码：\n{link}\n"
    )
    send_mail(
        subject=subject,
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
