from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "考生申报"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from candidates import (
            models,
            tasks,  # noqa: F401  (registers the tasks enqueued by name)
        )
        from candidates.auth import account_changed
        from candidates.selectors import dashboard_changed, rounds_changed

        User = get_user_model()

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

        # The kept home page lists the rounds, their exams and cities.
        def rounds_shown_changed(sender, **kwargs):
            rounds_changed()

        for sender in (models.VerificationRound, models.Exam, models.City):
            post_save.connect(
                rounds_shown_changed, sender=sender, dispatch_uid=f"rounds-{sender.__name__}-saved"
            )
            post_delete.connect(
                rounds_shown_changed, sender=sender, dispatch_uid=f"rounds-{sender.__name__}-gone"
            )
        m2m_changed.connect(
            rounds_shown_changed,
            sender=models.VerificationRound.exams.through,
            dispatch_uid="rounds-round-exams",
        )

        # The signed-in user kept with their roles (candidates.auth) is stale once one of its
        # rows changes, or the organisation an HR account carries (a reviewer's city: reviews.apps).
        def account_row_changed(sender, instance, **kwargs):
            account_changed(user_id=instance.pk if sender is User else instance.user_id)

        def organisation_changed(sender, instance, **kwargs):
            for user_id in models.EmployerHR.objects.filter(organisation_id=instance.pk).values_list(
                "user_id", flat=True
            ):
                account_changed(user_id=user_id)

        for sender, receiver in (
            (User, account_row_changed),
            (models.CandidateProfile, account_row_changed),
            (models.EmployerHR, account_row_changed),
            (TOTPDevice, account_row_changed),
            (models.Organisation, organisation_changed),
        ):
            post_save.connect(receiver, sender=sender, dispatch_uid=f"account-{sender.__name__}-saved")
            post_delete.connect(receiver, sender=sender, dispatch_uid=f"account-{sender.__name__}-gone")
