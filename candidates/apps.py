from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "考生申报"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from candidates import (
            models,
            tasks,  # noqa: F401  (registers the tasks enqueued by name)
        )
        from candidates.selectors import dashboard_changed

        # A kept dashboard (candidates.selectors.dashboard_versions) is stale once what it shows
        # changes.
        def application_changed(sender, instance, **kwargs):
            try:
                user_id = instance.candidate.user_id
            except models.CandidateProfile.DoesNotExist:  # deleted with its candidate
                return
            dashboard_changed(user_id=user_id)

        def message_changed(sender, instance, **kwargs):
            dashboard_changed(user_id=instance.recipient_id)

        def profile_changed(sender, instance, **kwargs):
            dashboard_changed(user_id=instance.user_id)

        def everyones_changed(sender, **kwargs):
            dashboard_changed(user_id=None)

        for sender, receiver in (
            (models.Application, application_changed),
            (models.Message, message_changed),
            (models.CandidateProfile, profile_changed),
            (models.RosterEntry, everyones_changed),
            (models.VerificationRound, everyones_changed),
            (models.Exam, everyones_changed),
            (models.City, everyones_changed),
            (models.IntegrityRecord, everyones_changed),
        ):
            post_save.connect(receiver, sender=sender, dispatch_uid=f"dashboard-{sender.__name__}-saved")
            post_delete.connect(receiver, sender=sender, dispatch_uid=f"dashboard-{sender.__name__}-gone")
        m2m_changed.connect(
            everyones_changed,
            sender=models.VerificationRound.exams.through,
            dispatch_uid="dashboard-round-exams",
        )
