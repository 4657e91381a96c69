from django.core.management.base import BaseCommand, CommandError

from candidates.services.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero when a row was changed or removed."

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if report.problem:
            raise CommandError(f"Audit chain broken after {report.checked} good events: {report.problem}")
        self.stdout.write(f"Audit chain intact: {report.checked} events.")
