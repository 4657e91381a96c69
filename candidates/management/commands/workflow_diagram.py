from django.core.management.base import BaseCommand

from candidates.enums import EVENTS, ApplicationStatus, Event


class Command(BaseCommand):
    help = "Print the application's workflow, generated from the event table, as a Mermaid diagram."

    def handle(self, *args, **options):
        lines = ["```mermaid", "stateDiagram-v2"]
        for status in ApplicationStatus:
            lines.append(f"    {status.value}: {status.label}")
        for event, move in EVENTS.items():
            if event == Event.VOID_IDENTITY:
                continue  # from every status; stated once below
            for source in sorted(move.sources):
                lines.append(f"    {source} --> {move.target}: {Event(event).label}")
        lines.append(
            f"    note right of {ApplicationStatus.VOID.value}: {Event.VOID_IDENTITY.label}（任何状态）"
        )
        lines.append("```")
        self.stdout.write("\n".join(lines))
