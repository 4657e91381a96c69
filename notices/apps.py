from django.apps import AppConfig

# A list's fields no public page shows: saved chunk by chunk while its files are built.
NOT_ON_THE_PAGE = {"pdf_chunks", "pdf", "xlsx", "heartbeat_at"}


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "公告与公示"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from candidates.models import City, VerificationRound
        from notices import tasks  # noqa: F401  (registers the tasks enqueued by name)
        from notices.models import Notice, PassList
        from notices.selectors import pass_lists_changed
        from notices.services.notices import notices_changed

        # A kept page of a public list names the round and its other lists: a list of the
        # round or the round saved makes it stale.
        def changed(sender, instance, update_fields=None, **kwargs):
            if update_fields and set(update_fields) <= NOT_ON_THE_PAGE:
                return  # a list's files as publication builds them: no public page changes
            pass_lists_changed(round_id=instance.round_id if isinstance(instance, PassList) else instance.pk)

        # A city's name is shown with every public list.
        def city_changed(sender, **kwargs):
            pass_lists_changed(round_id=None)

        post_save.connect(city_changed, sender=City, dispatch_uid="pass-list-pages-City-saved")
        post_delete.connect(city_changed, sender=City, dispatch_uid="pass-list-pages-City-gone")

        for sender in (PassList, VerificationRound):
            post_save.connect(changed, sender=sender, dispatch_uid=f"pass-list-pages-{sender.__name__}-saved")
            post_delete.connect(
                changed, sender=sender, dispatch_uid=f"pass-list-pages-{sender.__name__}-gone"
            )

        # The kept list of notices.
        def notice_changed(sender, **kwargs):
            notices_changed()

        post_save.connect(notice_changed, sender=Notice, dispatch_uid="notices-saved")
        post_delete.connect(notice_changed, sender=Notice, dispatch_uid="notices-gone")
