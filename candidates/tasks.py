"""Thin, idempotent tasks: fetch by id, return if gone, call a service."""

from celery import shared_task

from candidates.models import Application, MaterialVersion, Message
from candidates.services.documents import document_render
from candidates.services.materials import material_preview_render
from candidates.services.messages import message_email
from verification_portal.shared.jobs import outbox_flush


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
    """Periodic: send the jobs whose sending failed (the broker was down)."""
    outbox_flush()


@shared_task(name="candidates.email_message", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def task_email_message(*, message_id: int) -> None:
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return
    message_email(message=message)


@shared_task(name="candidates.send_phone_code", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def task_send_phone_code(*, code_id: int, code: str) -> None:
    from candidates.models import PhoneCode
    from candidates.services.accounts import phone_code_deliver

    issued = PhoneCode.objects.filter(pk=code_id).first()
    if issued is None:
        return
    phone_code_deliver(issued=issued, code=code)


@shared_task(
    name="candidates.anchor_audit_chain", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def task_anchor_audit_chain(*, reason: str = "hourly") -> None:
    from verification_portal.shared.audit import audit_anchor_write

    audit_anchor_write(reason=reason)


@shared_task(name="candidates.ocr_page", acks_late=True)
def task_ocr_page(*, page_id: int) -> None:
    """One page per task, on the ``ocr`` queue (a worker of its own can be scaled)."""
    from candidates.models import MaterialPage
    from candidates.services.ocr import page_text_read

    page = MaterialPage.objects.select_related("version__material__application").filter(pk=page_id).first()
    if page is not None:
        page_text_read(page=page)


@shared_task(name="candidates.ocr_sweep")
def task_ocr_sweep() -> None:
    """Periodic: pages waiting for OCR (read here with eager tasks; sent again when lost)."""
    from candidates.services.ocr import ocr_sweep

    ocr_sweep()
