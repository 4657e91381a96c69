from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from notices.signing import make_signing_pair


class Command(BaseCommand):
    help = "Write a self-signed demo key and certificate for signing e-certificates (unless present)."

    def handle(self, *args, **options):
        key_file, cert_file = Path(settings.PORTAL_SIGNING_KEY_FILE), Path(settings.PORTAL_SIGNING_CERT_FILE)
        if key_file.exists() and cert_file.exists():
            self.stdout.write(f"Signing pair present: {cert_file}")
            return
        if key_file.parent != cert_file.parent:
            raise SystemExit(
                "PORTAL_SIGNING_KEY_FILE and PORTAL_SIGNING_CERT_FILE must share a folder to be made here."
            )
        made_key, made_cert = make_signing_pair(key_file.parent)
        made_key.rename(key_file)
        made_cert.rename(cert_file)
        self.stdout.write(f"Demo signing pair written (self-signed, not for production): {cert_file}")
