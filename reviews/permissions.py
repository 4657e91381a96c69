"""Predicates for the employer's and the city's reviewers."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from candidates.enums import BACKLOG_STATUSES, ApplicationStatus
from candidates.permissions import is_city_reviewer_for, is_employer_hr_for
from reviews.enums import DecisionKind

__all__ = [
    "can_claim",
    "handles_second_checks",
    "holds_claim",
    "hr_organisation_id",
    "is_city_reviewer_for",
    "is_employer_hr_for",
    "may_handle",
    "not_for",
    "reviewer_city_id",
]


def reviewer_city_id(user) -> int | None:
    reviewer = getattr(user, "city_reviewer", None) if user.is_authenticated else None
    return reviewer.city_id if reviewer else None


def hr_organisation_id(user) -> int | None:
    hr = getattr(user, "employer_hr", None) if user.is_authenticated else None
    return hr.organisation_id if hr else None


def handles_second_checks(user) -> bool:
    """Whether this reviewer may confirm a fail or handle an appeal (the administrator's choice)."""
    reviewer = getattr(user, "city_reviewer", None) if user.is_authenticated else None
    return bool(reviewer and reviewer.handles_second_checks)


def failed_by(application) -> set[int]:
    """Reviewers who proposed or confirmed this application's fail."""
    return set(
        application.decisions.filter(kind__in=[DecisionKind.FAIL, DecisionKind.FAIL_CONFIRM]).values_list(
            "reviewer_id", flat=True
        )
    )


# The four-eyes rule: a fail is confirmed by a second reviewer, and an appeal is handled by a
# reviewer who took no part in the fail. ``may_handle`` says it for one application,
# ``not_for`` (its queryset twin) for the queue.


def may_handle(user, application) -> bool:
    """A fail is confirmed by a second reviewer, and an appeal is handled by a reviewer
    who did not fail the candidate."""
    if not is_city_reviewer_for(user, application):
        return False
    second_check = application.status in (ApplicationStatus.FAIL_PROPOSED, ApplicationStatus.APPEALED)
    if second_check and not handles_second_checks(user) and application.assigned_reviewer_id != user.pk:
        return False  # the administrator has not trusted this reviewer with it (and did not assign it)
    if application.status == ApplicationStatus.FAIL_PROPOSED:
        proposer = (
            application.decisions.filter(kind=DecisionKind.FAIL).values_list("reviewer_id", flat=True).first()
        )
        return proposer != user.pk
    if application.status == ApplicationStatus.APPEALED:
        return user.pk not in failed_by(application)
    return True


def not_for(user) -> Q:
    """Items this reviewer may not take: their own proposed fail, or an appeal of a fail
    they proposed or confirmed (``may_handle`` as a filter)."""
    from reviews.models import Decision

    own_fail = Decision.objects.filter(application=OuterRef("pk"), reviewer=user, kind=DecisionKind.FAIL)
    failed = Decision.objects.filter(
        application=OuterRef("pk"), reviewer=user, kind__in=[DecisionKind.FAIL, DecisionKind.FAIL_CONFIRM]
    )
    if not handles_second_checks(user):
        return Q(status__in=[ApplicationStatus.FAIL_PROPOSED, ApplicationStatus.APPEALED]) & ~Q(
            assigned_reviewer=user
        )
    return (Q(status=ApplicationStatus.FAIL_PROPOSED) & Exists(own_fail)) | (
        Q(status=ApplicationStatus.APPEALED) & Exists(failed)
    )


def holds_claim(user, application, now=None) -> bool:
    """This reviewer has the item claimed, and the claim has not expired."""
    now = now or timezone.now()
    return bool(
        application.claimed_by_id == user.pk and application.claimed_until and application.claimed_until > now
    )


def can_claim(user, application, now=None) -> bool:
    """A reviewer of the item who may take its step, while it waits and nobody else holds it."""
    return (
        is_city_reviewer_for(user, application)
        and application.status in BACKLOG_STATUSES
        and may_handle(user, application)
        and not application.is_claimed_by_other(user, now)
    )
