"""Claiming queue items: a lock that expires, won by exactly one reviewer."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.enums import BACKLOG_STATUSES
from candidates.models import Application
from reviews.permissions import holds_claim, is_city_reviewer_for, may_handle, not_for, reviewer_city_id
from reviews.selectors import queue_changed
from verification_portal.shared.audit import audit_record

CLAIMABLE = BACKLOG_STATUSES


def _ttl() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.PORTAL_CLAIM_MINUTES)


def _free_or_mine(user, now) -> Q:
    return Q(claimed_by__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=user)


def application_claim(*, application: Application, user, now: datetime.datetime | None = None) -> Application:
    """Take the item for ``PORTAL_CLAIM_MINUTES``. One conditional UPDATE decides: of two
    reviewers claiming at once, exactly one changes the row."""
    now = now or timezone.now()
    if not is_city_reviewer_for(user, application):
        raise PermissionDenied
    if not may_handle(user, application):
        raise ValidationError(_("不通过的复核和申辩须由另一名核查人员处理。"), code="same_reviewer")
    with transaction.atomic():
        won = (
            Application.objects.filter(pk=application.pk, status__in=CLAIMABLE)
            .filter(_free_or_mine(user, now))
            .update(claimed_by=user, claimed_at=now, claimed_until=now + _ttl())
        )
        current = Application.objects.select_related("claimed_by").get(pk=application.pk)
        if not won:
            if current.status not in CLAIMABLE:
                raise ValidationError(
                    _("该申请已处理（当前状态：{status}），无需领取。").format(
                        status=current.get_status_display()
                    ),
                    code="stale",
                )
            raise ValidationError(
                _("该申请已被 {name} 领取，至 {until} 前由其处理。").format(
                    name=current.claimed_by.get_full_name() or current.claimed_by.username,
                    until=timezone.localtime(current.claimed_until).strftime("%H:%M"),
                ),
                code="claimed",
            )
        audit_record(
            actor=user,
            action="review.claim",
            target=current,
            data={"until": current.claimed_until.isoformat()},
        )
        queue_changed(city_id=current.city_id)
    application.claimed_by, application.claimed_until = current.claimed_by, current.claimed_until
    return current


def application_release(*, application: Application, user) -> None:
    with transaction.atomic():
        released = Application.objects.filter(pk=application.pk, claimed_by=user).update(
            claimed_by=None, claimed_at=None, claimed_until=None
        )
        if released:
            audit_record(actor=user, action="review.release", target=application)
            queue_changed(city_id=application.city_id)


def application_claim_next(*, user, now: datetime.datetime | None = None) -> Application | None:
    """Claim the longest-waiting item this reviewer may take, skipping rows others are
    claiming right now."""
    now = now or timezone.now()
    city_id = reviewer_city_id(user)
    if city_id is None:
        raise PermissionDenied
    with transaction.atomic():
        candidate = (
            Application.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(city_id=city_id, status__in=CLAIMABLE)
            .filter(Q(claimed_by__isnull=True) | Q(claimed_until__lte=now))
            .exclude(not_for(user))
            .order_by("status_changed_at", "pk")
            .first()
        )
        if candidate is None:
            return None
        candidate.claimed_by, candidate.claimed_at, candidate.claimed_until = user, now, now + _ttl()
        candidate.save(update_fields=["claimed_by", "claimed_at", "claimed_until"])
        audit_record(
            actor=user,
            action="review.claim",
            target=candidate,
            data={"until": candidate.claimed_until.isoformat()},
        )
    return candidate


def require_claim(*, application: Application, user, now: datetime.datetime | None = None) -> None:
    """Deciding needs the item claimed by this reviewer, not expired."""
    now = now or timezone.now()
    if holds_claim(user, application, now):
        return
    if application.is_claimed_by_other(user, now):
        raise ValidationError(_("该申请正由其他核查人员处理，本次操作未生效。"), code="claimed")
    raise ValidationError(_("请先领取该申请再作出决定（领取已过期的，请重新领取）。"), code="not_claimed")
