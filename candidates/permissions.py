"""Who may see what: plain ``(user, obj) -> bool`` predicates.

Lists are scoped by the selectors; single objects and files are checked here.
"""

from .enums import ApplicationStatus


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
