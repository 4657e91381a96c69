from django.core.management.base import BaseCommand, CommandError

from verification_portal.shared.audit import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail: the keyed chain and the anchors written outside the database; "
        "exits non-zero naming the first bad sequence number when a row was changed or removed."
    )

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if report.problem:
            raise CommandError(
                f"Audit chain broken at event {report.first_bad_sequence} after {report.checked} good events:"
                f" {report.problem}"
            )
        self.stdout.write(
            f"Audit chain intact: {report.checked} events, {report.anchors_checked} anchors agree."
        )
