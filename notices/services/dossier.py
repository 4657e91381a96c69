"""One candidate's whole file, for an investigation: a ZIP with a manifest.

Everything the portal holds on the person: the profile, every application with its
declaration, status history, employer reviews, verdicts, decisions, appeals and messages,
every file version ever uploaded (retired ones too), the generated documents, and the
audit events. ``manifest.json`` lists each entry with its size and SHA-256.
"""

import datetime
import hashlib
import json
import tempfile
import zipfile

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from candidates.models import Application, AuditEvent, CandidateProfile, MaterialVersion, Message
from candidates.permissions import is_administrator
from candidates.services.applications import DECLARATION_FIELDS
from notices.models import DossierExport
from reviews.models import Appeal, Decision, EmployerReview, MaterialVerdict
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue_on_commit


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _rows(queryset, fields: list[str]) -> list[dict]:
    return [dict(zip(fields, row, strict=True)) for row in queryset.values_list(*fields)]


def dossier_request(*, candidate: CandidateProfile, user) -> DossierExport:
    """Ask for the export; a task builds it (a person's file may hold many scans)."""
    if not is_administrator(user):
        raise PermissionDenied
    with transaction.atomic():
        export = DossierExport.objects.create(candidate=candidate, requested_by=user)
        audit_record(actor=user, action="candidate.export", target=candidate, data={"export": export.pk})
    enqueue_on_commit("notices.render_dossier", export_id=export.pk)
    return export


def dossier_render(*, export: DossierExport) -> DossierExport:
    """Build and store the ZIP. Idempotent: a stored export is left as it is."""
    if export.file:
        return export
    with candidate_dossier(candidate=export.candidate, user=export.requested_by) as archive:
        export.file.save(f"dossier-{export.candidate.id_number}.zip", File(archive), save=False)
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "finished_at"])
    return export


def candidate_dossier(*, candidate: CandidateProfile, user):
    """Write the ZIP to a temporary file and return it (open, at position 0)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115  (returned open; the caller closes it)
    entries = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(path: str, data: bytes) -> None:
            archive.writestr(path, data)
            entries.append({"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})

        def add_json(path: str, value) -> None:
            add(path, json.dumps(value, ensure_ascii=False, indent=2, default=_jsonable).encode())

        add_json(
            "profile.json",
            {
                "real_name": candidate.real_name,
                "id_number": candidate.id_number,
                "phone": candidate.phone,
                "gender": candidate.gender,
                "birth_date": candidate.birth_date,
                "email": candidate.user.email,
                "registered_at": candidate.created_at,
            },
        )
        applications = Application.objects.filter(candidate=candidate).select_related(
            "round", "exam", "employer", "roster_entry"
        )
        for application in applications:
            base = f"applications/{application.reference}"
            add_json(
                f"{base}/application.json",
                {
                    "round": application.round.name,
                    "exam": application.exam.name,
                    "status": application.status,
                    "submitted_at": application.submitted_at,
                    "stamped_on_paper": application.stamped_on_paper,
                    "employer": application.employer.name if application.employer else None,
                    "employer_credit_code": application.employer.credit_code
                    if application.employer
                    else None,
                    "declaration": {
                        field: getattr(application, field) for field in (*DECLARATION_FIELDS, "declared_at")
                    },
                    "roster_entry": {
                        "name": application.roster_entry.name,
                        "reason": application.roster_entry.reason,
                    },
                },
            )
            add_json(
                f"{base}/employer_reviews.json",
                _rows(
                    EmployerReview.objects.filter(application=application),
                    [
                        "created_at",
                        "organisation__name",
                        "reviewer__username",
                        "outcome",
                        "checks",
                        "reasons",
                    ],
                ),
            )
            add_json(
                f"{base}/verdicts.json",
                _rows(
                    MaterialVerdict.objects.filter(material__application=application),
                    [
                        "created_at",
                        "material__kind",
                        "reviewer__username",
                        "ok",
                        "reason",
                        "note",
                        "versions",
                    ],
                ),
            )
            add_json(
                f"{base}/decisions.json",
                _rows(
                    Decision.objects.filter(application=application),
                    ["created_at", "reviewer__username", "kind", "reason_code", "reason", "deadline"],
                ),
            )
            add_json(
                f"{base}/appeals.json",
                _rows(
                    Appeal.objects.filter(application=application),
                    ["submitted_at", "statement", "handled_by__username", "outcome", "reason", "decided_at"],
                ),
            )
            add_json(
                f"{base}/messages.json",
                _rows(
                    Message.objects.filter(application=application),
                    ["created_at", "subject", "body", "emailed_at"],
                ),
            )
            for version in MaterialVersion.objects.filter(material__application=application).select_related(
                "material"
            ):
                with version.file.open("rb") as handle:
                    data = handle.read()
                state = "current" if version.retired_at is None else "retired"
                extension = version.file.name.rsplit(".", 1)[-1]
                add(f"{base}/materials/{version.material.kind}/v{version.number}-{state}.{extension}", data)
            for document in application.documents.all():
                with document.file.open("rb") as handle:
                    add(f"{base}/documents/{document.kind}-{document.pk}.pdf", handle.read())
        events = AuditEvent.objects.filter(
            Q(application__candidate=candidate)
            | Q(target_type="candidates.candidateprofile", target_id=str(candidate.pk))
        ).order_by("sequence")
        add_json(
            "audit_events.json",
            _rows(
                events,
                [
                    "sequence",
                    "created_at",
                    "actor__username",
                    "action",
                    "target_type",
                    "target_id",
                    "data",
                    "hash",
                ],
            ),
        )
        manifest = {
            "candidate": candidate.id_number,
            "generated_at": timezone.now(),
            "generated_by": user.username,
            "entries": entries,
        }
        archive.writestr(
            "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, default=_jsonable)
        )
    out.seek(0)
    return out
