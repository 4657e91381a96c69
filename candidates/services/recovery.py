"""Catching up work whose job was lost (the broker was down when it was queued)."""

import datetime

from celery import current_app
from django.utils import timezone

from candidates.enums import DocumentKind, PreviewStatus
from candidates.models import Application, MaterialVersion
from candidates.services.documents import document_source_digest

GRACE = datetime.timedelta(minutes=2)
BATCH = 500


def recover_missing_work(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queue again the previews and receipts that should exist by now and do not."""
    now = now or timezone.now()
    before = now - GRACE
    pending = MaterialVersion.objects.filter(preview_status=PreviewStatus.PENDING, uploaded_at__lt=before)
    previews = list(pending.values_list("pk", flat=True)[:BATCH])
    for version_id in previews:
        current_app.tasks["candidates.material_preview"].apply_async(kwargs={"version_id": version_id})
    receipts = 0
    submitted = Application.objects.filter(submitted_at__lt=before).select_related("candidate")
    for application in submitted.iterator(chunk_size=BATCH):
        digest = document_source_digest(application=application, kind=DocumentKind.RECEIPT)
        if not application.documents.filter(kind=DocumentKind.RECEIPT, source_digest=digest).exists():
            current_app.tasks["candidates.render_document"].apply_async(
                kwargs={"application_id": application.pk, "kind": DocumentKind.RECEIPT}
            )
            receipts += 1
    return {"previews": len(previews), "receipts": receipts}
