"""Who may see what: plain ``(user, obj) -> bool`` predicates.

Lists are scoped by the selectors; single objects and files are checked here.
"""

from .enums import ApplicationStatus, Event, events_from

# The events by which the applicant sends the application on.
SUBMIT_EVENTS = frozenset(
    {Event.SUBMIT_TO_EMPLOYER, Event.SUBMIT_TO_CITY, Event.RESUBMIT_TO_EMPLOYER, Event.SUBMIT_SUPPLEMENT}
)


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_staff_member(user) -> bool:
    """Reviewers, employer HR and administrators: the accounts that need a second factor."""
    if not user.is_authenticated:
        return False
    return bool(
        user.is_staff
        or user.is_superuser
        or getattr(user, "city_reviewer", None)
        or getattr(user, "employer_hr", None)
    )


def candidate_of(user):
    if not user.is_authenticated:
        return None
    return getattr(user, "candidate", None)


def is_applicant(user, application) -> bool:
    profile = candidate_of(user)
    return profile is not None and application.candidate_id == profile.pk


def _submitted(application) -> bool:
    return application.status != ApplicationStatus.DRAFT


def is_employer_hr_for(user, application) -> bool:
    """HR of the declared employer, once the candidate has submitted."""
    hr = getattr(user, "employer_hr", None) if user.is_authenticated else None
    return hr is not None and application.employer_id == hr.organisation_id and _submitted(application)


def is_city_reviewer_for(user, application) -> bool:
    """A reviewer of the round's city ("哪里报名哪里审核"), once submitted; or the reviewer of
    another city an administrator assigned to the step at hand."""
    reviewer = getattr(user, "city_reviewer", None) if user.is_authenticated else None
    if reviewer is None or not _submitted(application):
        return False
    return application.city_id == reviewer.city_id or application.assigned_reviewer_id == user.pk


def can_view_application(user, application) -> bool:
    return (
        is_applicant(user, application)
        or is_employer_hr_for(user, application)
        or is_city_reviewer_for(user, application)
        or is_administrator(user)
    )


def can_edit_application(user, application) -> bool:
    return is_applicant(user, application) and application.is_editable


def can_submit(user, application) -> bool:
    """The applicant, while a submitting event may fire (申报, 重新提交, 提交补正)."""
    return is_applicant(user, application) and bool(
        SUBMIT_EVENTS.intersection(events_from(application.status))
    )


def can_appeal(user, application, now=None) -> bool:
    """The applicant of a failed application, inside the round's appeal period."""
    return (
        is_applicant(user, application)
        and Event.APPEAL in events_from(application.status)
        and application.round.appeals_open(now)
    )
