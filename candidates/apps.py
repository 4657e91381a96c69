from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "考生申报"

    def ready(self):
        from candidates import tasks  # noqa: F401  (registers the tasks enqueued by name)
