from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "初审与人工核查"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from candidates.auth import account_changed
        from candidates.models import Application, City, VerificationRound
        from reviews import tasks  # noqa: F401  (registers the tasks enqueued by name)
        from reviews.models import CityReviewer
        from reviews.selectors import forget_queue_exams, queue_changed

        # What the queue page keeps is kept per version of the city's queue; an application
        # saved or deleted changes it (at once and on commit: version_changed).
        def application_changed(sender, instance, **kwargs):
            queue_changed(city_id=instance.city_id)

        # A reviewer's row and city are part of the signed-in user kept with their roles
        # (candidates.auth).
        def reviewer_changed(sender, instance, **kwargs):
            account_changed(user_id=instance.user_id)

        def city_changed(sender, instance, **kwargs):
            for user_id in CityReviewer.objects.filter(city_id=instance.pk).values_list("user_id", flat=True):
                account_changed(user_id=user_id)
            queue_changed(city_id=instance.pk)  # the kept queue names its city

        for sender, receiver in ((CityReviewer, reviewer_changed), (City, city_changed)):
            post_save.connect(receiver, sender=sender, dispatch_uid=f"account-{sender.__name__}-saved")
            post_delete.connect(receiver, sender=sender, dispatch_uid=f"account-{sender.__name__}-gone")

        post_save.connect(application_changed, sender=Application, dispatch_uid="queue-version-saved")
        post_delete.connect(application_changed, sender=Application, dispatch_uid="queue-version-gone")

        # The queue's exam filter is kept per city; a round set up or changed drops it.
        def round_changed(sender, instance, pk_set=None, **kwargs):
            if isinstance(instance, VerificationRound):
                city_ids = [instance.city_id]
            else:  # an exam's rounds changed from the exam's side
                city_ids = VerificationRound.objects.filter(pk__in=pk_set or ()).values_list(
                    "city_id", flat=True
                )
            for city_id in city_ids:
                forget_queue_exams(city_id=city_id)
                queue_changed(city_id=city_id)  # the kept pages show the exams

        post_save.connect(round_changed, sender=VerificationRound, dispatch_uid="queue-exams-round")
        post_delete.connect(round_changed, sender=VerificationRound, dispatch_uid="queue-exams-round-gone")
        m2m_changed.connect(
            round_changed, sender=VerificationRound.exams.through, dispatch_uid="queue-exams-m2m"
        )
