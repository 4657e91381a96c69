import time

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the periodic jobs of CELERY_BEAT_SCHEDULE in this process, at their intervals. "
        "For the embedded default (no Redis); with Redis, run `celery worker -B` instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args, once=False, **options):
        schedule = {name: entry for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
        due = dict.fromkeys(schedule, 0.0)
        while True:
            now = time.monotonic()
            for name, entry in schedule.items():
                if now >= due[name]:
                    try:
                        current_app.tasks[entry["task"]].apply(throw=True)
                    except Exception as error:  # keep the loop alive; the next run retries
                        self.stderr.write(f"{entry['task']} failed: {error}")
                    due[name] = now + float(entry["schedule"])
            if once:
                return
            time.sleep(5)
