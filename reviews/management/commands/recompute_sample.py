from pathlib import Path

from django.core.management.base import BaseCommand

from reviews import sampling


class Command(BaseCommand):
    help = "Recompute a published sample from its frozen case list and seed (no database needed)."

    def add_arguments(self, parser):
        parser.add_argument("case_list", help="the published case list (one 'id,stratum' a line)")
        parser.add_argument("--seed", required=True)
        parser.add_argument("--rate", type=int, required=True, help="percent per stratum")

    def handle(self, *args, case_list, seed, rate, **options):
        text = Path(case_list).read_text(encoding="utf-8")
        self.stdout.write(f"list sha256 {sampling.case_lines_digest(text)}")
        for case_id, stratum in sampling.select(text, seed=seed, rate_percent=rate):
            self.stdout.write(f"{case_id},{stratum}")
