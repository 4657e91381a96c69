"""单位资格初审: the employer's HR approves (stamp as attestation, work-years proof) or returns."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.enums import ApplicationStatus, Event
from candidates.models import Application
from candidates.services.applications import application_transition
from reviews.enums import EmployerCheck, EmployerOutcome
from reviews.models import EmployerReview
from reviews.permissions import is_employer_hr_for
from verification_portal.shared.jobs import enqueue_on_commit


def _check_hr(*, application: Application, user) -> None:
    if not is_employer_hr_for(user, application):
        raise PermissionDenied
    if application.status != ApplicationStatus.EMPLOYER_REVIEW:
        raise ValidationError(
            _("该申请当前状态为“{status}”，不在单位初审中。").format(status=application.get_status_display()),
            code="status",
        )


def employer_approve(
    *, application: Application, user, checks: list[str], now: datetime.datetime | None = None
) -> EmployerReview:
    """Approve: the organisation's stamp is applied as an attestation naming the HR user and
    the time, the application goes to the city, and the work-years proof is issued."""
    now = now or timezone.now()
    _check_hr(application=application, user=user)
    missing = [label for value, label in EmployerCheck.choices if value not in checks]
    if missing:
        raise ValidationError([_("请确认：{item}").format(item=label) for label in missing], code="checks")
    with transaction.atomic():
        review = EmployerReview.objects.create(
            application=application,
            organisation=user.employer_hr.organisation,
            reviewer=user,
            outcome=EmployerOutcome.APPROVED,
            checks=sorted(checks),
            created_at=now,
        )
        application_transition(
            application=application,
            event=Event.EMPLOYER_APPROVE,
            actor=user,
            now=now,
            data={
                "employer_review": review.pk,
                "attestation": {
                    "organisation": review.organisation.name,
                    "credit_code": review.organisation.credit_code,
                    "hr_user": user.get_full_name() or user.username,
                    "at": now.isoformat(),
                },
                "checks": review.checks,
            },
        )
    enqueue_on_commit("reviews.render_work_years_proof", review_id=review.pk)
    return review


REASONS_MAX = 2000


def employer_return(
    *, application: Application, user, reasons: str, now: datetime.datetime | None = None
) -> EmployerReview:
    """Return to the candidate with reasons; they may fix and resubmit until the deadline."""
    now = now or timezone.now()
    _check_hr(application=application, user=user)
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError(_("请填写退回原因，告诉申请人需要修改什么。"), code="reasons")
    if len(reasons) > REASONS_MAX:
        raise ValidationError(
            _("退回原因不能超过 {limit} 字（现有 {count} 字）。").format(
                limit=REASONS_MAX, count=len(reasons)
            ),
            code="reasons_length",
        )
    deadline = max(application.round.closes_at, now + datetime.timedelta(days=settings.PORTAL_FIX_DAYS))
    with transaction.atomic():
        review = EmployerReview.objects.create(
            application=application,
            organisation=user.employer_hr.organisation,
            reviewer=user,
            outcome=EmployerOutcome.RETURNED,
            reasons=reasons,
            fix_deadline=deadline,
            created_at=now,
        )
        application_transition(
            application=application,
            event=Event.EMPLOYER_RETURN,
            actor=user,
            now=now,
            reason=reasons,
            changes={"fix_deadline": deadline},
            data={"employer_review": review.pk},
            message={"deadline": deadline},
        )
    return review


def employer_bulk_approve(
    *, applications: list[Application], user, checks: list[str]
) -> tuple[list[Application], list[str]]:
    """Approve many at once; each goes through ``employer_approve`` on its own, so one
    refusal (e.g. somebody else was faster) does not undo the others."""
    approved, errors = [], []
    for application in applications:
        try:
            employer_approve(application=application, user=user, checks=checks)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [_("无权处理。")]
            errors.append(f"{application.candidate.real_name}：{' '.join(messages)}")
        else:
            approved.append(application)
    return approved, errors
