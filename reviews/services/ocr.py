"""The application's OCR cross-check, stored for the review page and the queue filter."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from candidates.enums import OcrStatus
from candidates.models import Application, MaterialPage
from reviews.crosscheck import Facts, PageReading, material_findings, page_label, wrong_document_hint
from reviews.models import OcrCheck


def application_facts(application: Application) -> Facts:
    return Facts(
        name=application.roster_entry.name or application.candidate.real_name,
        id_number=application.candidate.id_number,
        school=application.school,
        graduation=application.graduation_date,
        employer=application.employer.name if application.employer_id else "",
        work_start=application.work_start_date,
        today=timezone.localdate(),
    )


def ocr_check_compute(*, application: Application) -> OcrCheck:
    """Compare what was read on every current file with the application. Idempotent: the
    stored check is replaced by the one computed from the stored state."""
    pages = (
        MaterialPage.objects.filter(
            version__material__application=application, version__retired_at__isnull=True
        )
        .select_related("version__material", "text")
        .order_by("version__material_id", "version__number", "number")
    )
    facts = application_facts(application)
    by_kind: dict[str, tuple[str, list[PageReading]]] = {}
    read = waiting = unreadable = 0
    for page in pages:
        material = page.version.material
        label, readings = by_kind.setdefault(material.kind, (str(material.get_kind_display()), []))
        text = getattr(page, "text", None)
        if text is None:
            waiting += 1
            continue
        if text.status == OcrStatus.FAILED:
            continue
        read += 1
        unreadable += text.is_unreadable
        readings.append(
            PageReading(
                page_id=page.pk,
                number=page.number,
                version_label=page.version.version_label,
                lines=tuple(text.lines),
                unreadable=text.is_unreadable,
            )
        )
    items, counts = {}, {"match": 0, "differs": 0, "not_found": 0}
    for kind, (label, readings) in by_kind.items():
        findings = material_findings(kind, readings, facts)
        for finding in findings:
            counts[finding.outcome] += 1
        items[kind] = {
            "findings": [finding.as_json() for finding in findings],
            "hint": wrong_document_hint(kind, readings, label),
            "unreadable": [page_label(r) for r in readings if r.unreadable],
        }
    values = {
        "mismatches": counts["differs"],
        "matches": counts["match"],
        "not_found": counts["not_found"],
        "pages_read": read,
        "pages_waiting": waiting,
        "pages_unreadable": unreadable,
        "items": items,
        "checked_at": timezone.now(),
    }
    with transaction.atomic():
        check, _created = OcrCheck.objects.update_or_create(application=application, defaults=values)
    return check
