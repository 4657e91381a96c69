"""诚信档案 and the bar from the exams (seeds 001, 004): recorded when a fail for false
material is confirmed or a result is revoked for fraud; enforced when a person starts an
application and flagged in the roster import; shown (and the reading audited) to reviewers."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Application, IntegrityRecord
from verification_portal.shared.audit import audit_record


def integrity_record(
    *,
    application: Application,
    kind: str,
    description: str,
    found_by: str,
    actor,
    decided_on: datetime.date | None = None,
    bar_years: int | None = None,
) -> IntegrityRecord:
    """Record it (inside the caller's transaction): the bar runs from the decision date."""
    decided_on = decided_on or timezone.localdate()
    years = settings.PORTAL_INTEGRITY_BAR_YEARS if bar_years is None else bar_years
    record = IntegrityRecord.objects.create(
        id_number=application.candidate.id_number,
        name=application.candidate.real_name,
        kind=kind,
        description=description[:1000],
        application=application,
        found_by=found_by[:200],
        decided_on=decided_on,
        bar_years=years,
        bar_until=decided_on + relativedelta(years=years),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="integrity.record",
        target=record,
        application=application,
        data={"kind": kind, "bar_until": record.bar_until.isoformat(), "found_by": record.found_by},
    )
    return record


def integrity_bar(id_number: str, today: datetime.date | None = None) -> IntegrityRecord | None:
    """The record that bars this person today, if any (the bar ends on ``bar_until``)."""
    today = today or timezone.localdate()
    return (
        IntegrityRecord.objects.filter(id_number=id_number.upper(), bar_until__gt=today)
        .order_by("-bar_until")
        .first()
    )


def bar_refusal(record: IntegrityRecord) -> str:
    return _(
        "因{kind}（{when} 认定），{until} 前不得参加专业技术人员资格考试及资格核查（诚信档案）。"
        "如有异议，请联系所在市州人社局。"
    ).format(
        kind=record.get_kind_display(),
        when=record.decided_on.isoformat(),
        until=record.bar_until.isoformat(),
    )


def integrity_records_read(
    *, id_number: str, actor, application: Application | None = None
) -> list[IntegrityRecord]:
    """A person's records for staff; each reading is audited."""
    records = list(IntegrityRecord.objects.filter(id_number=id_number.upper()))
    if records:
        audit_record(
            actor=actor,
            action="integrity.read",
            target=records[0],
            application=application,
            data={"records": [r.pk for r in records]},
        )
    return records
