"""Messages to users: a row on their message list, and an email sent after commit."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from candidates.models import Application, Message
from verification_portal.shared.jobs import enqueue_on_commit


def message_send(*, recipient, subject: str, body: str, application: Application | None = None) -> Message:
    """Record the message (inside the caller's transaction) and email it once committed."""
    message = Message.objects.create(recipient=recipient, application=application, subject=subject, body=body)
    if recipient.email:
        enqueue_on_commit("candidates.email_message", message_id=message.pk)
    return message


def message_email(*, message: Message) -> bool:
    """Send the email unless it went already. Returns whether it was sent now."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().select_related("recipient").get(pk=message.pk)
        if locked.emailed_at is not None or not locked.recipient.email:
            return False
        send_mail(
            subject=f"[考后人工核查] {locked.subject}",
            message=locked.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[locked.recipient.email],
        )
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])
    return True


def message_mark_read(*, message: Message) -> None:
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
