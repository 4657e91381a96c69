"""申辩: a failed candidate's appeal with a statement and new files."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.enums import ApplicationStatus, Event
from candidates.models import Application
from candidates.services.applications import application_transition
from candidates.services.materials import material_store
from reviews.models import Appeal


def appeal_submit(
    *, application: Application, user, statement: str, files: list, now: datetime.datetime | None = None
) -> Appeal:
    """Only the applicant, only after a fail, only inside the round's appeal period."""
    now = now or timezone.now()
    if application.candidate.user_id != user.pk:
        raise PermissionDenied
    if application.status != ApplicationStatus.FAILED:
        raise ValidationError(_("只有核查未通过的申请可以申辩。"), code="status")
    if not application.round.appeals_open(now):
        raise ValidationError(_("本轮不受理申辩，或申辩期限已过。"), code="period")
    statement = (statement or "").strip()
    if len(statement) < 10:
        raise ValidationError({"statement": _("请写明申辩理由（至少 10 个字）。")})
    with transaction.atomic():
        if files:
            material_store(application=application, kind="appeal_evidence", files=files, actor=user)
        appeal = Appeal.objects.create(application=application, statement=statement, submitted_at=now)
        application_transition(
            application=application,
            event=Event.APPEAL,
            actor=user,
            now=now,
            reason=statement,
            data={"appeal": appeal.pk, "files": len(files)},
        )
    return appeal
