"""The SMS backend interface. The default logs the message; a gateway plugs in through
``PORTAL_SMS_BACKEND`` (a class with ``send(phone, text)``)."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("notices.sms")


class LogSmsBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class MemorySmsBackend:
    """Keeps messages in ``outbox`` (tests, demonstrations)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    import_string(settings.PORTAL_SMS_BACKEND)().send(phone, text)
