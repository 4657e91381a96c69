"""Staff accounts: invitations (an HR user invites a colleague; an administrator invites a
city's reviewer), their acceptance, and the administrator's changes to a reviewer."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import City, EmployerHR
from candidates.permissions import is_administrator
from reviews.models import CityReviewer, StaffInvitation
from reviews.permissions import hr_organisation_id
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue_on_commit


def _invite(*, user, email: str, name: str, now: datetime.datetime, **target) -> StaffInvitation:
    invitation = StaffInvitation.objects.create(
        email=email.strip().lower(),
        name=name.strip(),
        token=secrets.token_urlsafe(32),
        invited_by=user,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.PORTAL_INVITATION_DAYS),
        **target,
    )
    enqueue_on_commit("reviews.send_invitation", invitation_id=invitation.pk)
    return invitation


def employer_invite(*, user, email: str, name: str, now: datetime.datetime | None = None) -> StaffInvitation:
    """An HR user invites a colleague of the same organisation."""
    now = now or timezone.now()
    organisation_id = hr_organisation_id(user)
    if organisation_id is None:
        raise PermissionDenied
    with transaction.atomic():
        invitation = _invite(user=user, email=email, name=name, now=now, organisation_id=organisation_id)
        audit_record(
            actor=user, action="employer.invite", target=invitation, data={"email": invitation.email}
        )
    return invitation


def reviewer_invite(
    *,
    user,
    city: City,
    email: str,
    name: str,
    handles_second_checks: bool = True,
    now: datetime.datetime | None = None,
) -> StaffInvitation:
    """An administrator invites a city's reviewer (市人社局人工核查人员)."""
    if not is_administrator(user):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _invite(
            user=user, email=email, name=name, now=now, city=city, handles_second_checks=handles_second_checks
        )
        audit_record(
            actor=user,
            action="reviewer.invite",
            target=invitation,
            data={"email": invitation.email, "city": city.code, "second_checks": handles_second_checks},
        )
    return invitation


def staff_invitation_accept(
    *, token: str, username: str, password: str, now: datetime.datetime | None = None
):
    """Create the account from a valid, unused invitation: an employer's HR user or a city's
    reviewer, as the invitation says."""
    now = now or timezone.now()
    User = get_user_model()
    with transaction.atomic():
        invitation = StaffInvitation.objects.select_for_update().filter(token=token).first()
        if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
            raise ValidationError(
                _("邀请链接无效、已使用或已过期，请联系邀请人重新发送。"), code="invitation"
            )
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("该用户名已被使用。")})
        user = User(username=username, email=invitation.email, first_name=invitation.name)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        if invitation.for_reviewer:
            CityReviewer.objects.create(
                user=user, city=invitation.city, handles_second_checks=invitation.handles_second_checks
            )
        else:
            EmployerHR.objects.create(user=user, organisation=invitation.organisation)
        invitation.accepted_at = now
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit_record(
            actor=user,
            action="reviewer.join" if invitation.for_reviewer else "employer.join",
            target=invitation,
            data={"username": username},
        )
    return user


def reviewer_update(
    *, user, reviewer: CityReviewer, handles_second_checks: bool, active: bool
) -> CityReviewer:
    """An administrator changes what a reviewer may do, or closes (reopens) the account."""
    if not is_administrator(user):
        raise PermissionDenied
    with transaction.atomic():
        locked = CityReviewer.objects.select_for_update().select_related("user").get(pk=reviewer.pk)
        before = {"second_checks": locked.handles_second_checks, "active": locked.user.is_active}
        locked.handles_second_checks = handles_second_checks
        locked.save(update_fields=["handles_second_checks"])
        if locked.user.is_active != active:
            locked.user.is_active = active
            locked.user.save(update_fields=["is_active"])
        after = {"second_checks": handles_second_checks, "active": active}
        if after != before:
            audit_record(
                actor=user, action="reviewer.update", target=locked, data={"before": before, "after": after}
            )
    return locked
