from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "初审与人工核查"

    def ready(self):
        from reviews import tasks  # noqa: F401  (registers the tasks enqueued by name)
