"""Thin, idempotent tasks: fetch by id, return if gone, call a service."""

import datetime

from celery import shared_task
from django.utils import timezone

from candidates.enums import PreviewStatus
from candidates.models import Application, MaterialVersion, Message
from candidates.services.documents import document_render
from candidates.services.materials import material_preview_render
from candidates.services.messages import message_email


@shared_task(name="candidates.material_preview", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def task_material_preview(*, version_id: int) -> None:
    version = MaterialVersion.objects.filter(pk=version_id).first()
    if version is None:
        return
    material_preview_render(version=version)


@shared_task(name="candidates.render_document", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def task_render_document(*, application_id: int, kind: str) -> None:
    application = (
        Application.objects.select_related("candidate", "round", "roster_entry__exam", "employer")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return
    document_render(application=application, kind=kind)


@shared_task(name="candidates.catch_up")
def task_catch_up() -> None:
    """Periodic: finish work whose enqueueing was lost (e.g. Redis was down)."""
    stale = timezone.now() - datetime.timedelta(minutes=2)
    for version_id in MaterialVersion.objects.filter(
        preview_status=PreviewStatus.PENDING, uploaded_at__lt=stale
    ).values_list("pk", flat=True)[:500]:
        task_material_preview.delay(version_id=version_id)
    submitted = Application.objects.filter(submitted_at__isnull=False, submitted_at__lt=stale).exclude(
        documents__kind="receipt"
    )
    for application_id in submitted.values_list("pk", flat=True)[:500]:
        task_render_document.delay(application_id=application_id, kind="receipt")


@shared_task(name="candidates.email_message", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def task_email_message(*, message_id: int) -> None:
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return
    message_email(message=message)
