"""Messages to users: a row on their message list, and an email sent after commit."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from candidates.models import Application, Message
from verification_portal.shared.jobs import enqueue_on_commit


@dataclass(frozen=True)
class Phrase:
    """Words to translate when shown: a message id (marked with ``gettext_noop``) and the
    values it is formatted with (data: names, dates, reasons as written)."""

    msgid: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> list:
        return [self.msgid, {key: str(value) for key, value in self.params.items()}]


def phrase(msgid: str, **params) -> Phrase:
    return Phrase(msgid, params)


def render_phrases(parts: list) -> str:
    """The phrases in the active language, one after another."""
    return "".join(gettext(msgid).format(**params) for msgid, params in parts)


def message_send(
    *,
    recipient,
    subject: Phrase,
    body: Phrase | list[Phrase],
    application: Application | None = None,
) -> Message:
    """Record the message (inside the caller's transaction) and email it once committed.
    The list shows it in the reader's language; the mail goes in the portal's language."""
    phrases = body if isinstance(body, list) else [body]
    parts = {"subject": subject.as_json(), "body": [item.as_json() for item in phrases]}
    with translation.override(settings.LANGUAGE_CODE):
        subject_text, body_text = render_phrases([parts["subject"]]), render_phrases(parts["body"])
    message = Message.objects.create(
        recipient=recipient, application=application, subject=subject_text[:200], body=body_text, parts=parts
    )
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
