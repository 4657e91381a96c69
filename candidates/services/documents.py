"""PDFs the portal renders for a candidate: the pre-filled form (报名表) and the receipt (回执).

Rendered by WeasyPrint in a Celery task, stored once per version of their content
(``source_digest``), and served as files. Chinese is real text in a CJK font.
"""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from candidates import rules
from candidates.enums import ApplicationStatus, DocumentKind
from candidates.models import Application, GeneratedDocument
from candidates.validators import mask_id_number

from .applications import declaration_digest, material_manifest

TEMPLATES = {
    DocumentKind.APPLICATION_FORM: "candidates/pdf/application_form.html",
    DocumentKind.RECEIPT: "candidates/pdf/receipt.html",
    DocumentKind.RESULT_NOTICE: "candidates/pdf/result_notice.html",
}
# The outcomes a result notice (核查结果告知书) is issued for.
NOTICE_STATUSES = (ApplicationStatus.PASSED, ApplicationStatus.FAILED)


def document_source_digest(*, application: Application, kind: str) -> str:
    if kind == DocumentKind.RESULT_NOTICE:
        # One notice per outcome: a fail upheld on appeal, then passed on report, gets a new one.
        raw = f"{application.pk}:{application.status}:{application.status_changed_at.isoformat()}"
        return hashlib.sha256(raw.encode()).hexdigest()
    if kind == DocumentKind.RECEIPT:
        raw = f"{application.pk}:{application.submitted_at.isoformat() if application.submitted_at else ''}"
        return hashlib.sha256(raw.encode()).hexdigest()
    # The form's footer says how it is stamped, which changes when the employer opens an account.
    return hashlib.sha256(
        f"{declaration_digest(application)}:{application.employer_reviews_online}".encode()
    ).hexdigest()


def document_current(*, application: Application, kind: str) -> GeneratedDocument | None:
    if kind == DocumentKind.WORK_YEARS_PROOF:
        # Issued by the employer on approval; the latest issue is the one that counts.
        return application.documents.filter(kind=kind).first()
    digest = document_source_digest(application=application, kind=kind)
    return application.documents.filter(kind=kind, source_digest=digest).first()


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_family": settings.PORTAL_PDF_FONT_FAMILY})
    return HTML(string=html).write_pdf()


def document_render(*, application: Application, kind: str) -> GeneratedDocument | None:
    """Render and store the document if its current version is missing. Idempotent."""
    if kind == DocumentKind.RECEIPT and application.submitted_at is None:
        return None
    if kind == DocumentKind.RESULT_NOTICE and application.status not in NOTICE_STATUSES:
        return None
    existing = document_current(application=application, kind=kind)
    if existing is not None:
        return existing
    candidate = application.candidate
    context = {
        "application": application,
        "candidate": candidate,
        "entry": application.roster_entry,
        "round": application.round,
        "requirements": application.required_materials(),
        "manifest": material_manifest(application) if kind == DocumentKind.RECEIPT else [],
        "masked_id": mask_id_number(candidate.id_number),
        "generated_at": timezone.localtime(),
        "commitment": rules.COMMITMENT,
        "stamp_instruction": rules.stamp_instruction(application),
        "employer_online": application.employer_reviews_online,
        **(_result_context(application) if kind == DocumentKind.RESULT_NOTICE else {}),
    }
    pdf = render_pdf(TEMPLATES[kind], context)
    digest = document_source_digest(application=application, kind=kind)
    return document_store(application=application, kind=kind, pdf=pdf, source_digest=digest)


def _result_context(application: Application) -> dict:
    from candidates.selectors import failure_notice_for

    return {
        "passed": application.status == ApplicationStatus.PASSED,
        "failure": failure_notice_for(application),
        "decided_at": timezone.localtime(application.status_changed_at),
    }


def document_store(
    *, application: Application, kind: str, pdf: bytes, source_digest: str
) -> GeneratedDocument:
    """Store a rendered PDF once per (application, kind, source)."""
    document = GeneratedDocument(
        application=application,
        kind=kind,
        sha256=hashlib.sha256(pdf).hexdigest(),
        source_digest=source_digest,
    )
    document.file.save(f"{kind}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Another worker stored the same version first; keep theirs.
        return application.documents.get(kind=kind, source_digest=source_digest)
    return document
