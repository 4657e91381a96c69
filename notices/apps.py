from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "公告与公示"

    def ready(self):
        from notices import tasks  # noqa: F401  (registers the tasks enqueued by name)
