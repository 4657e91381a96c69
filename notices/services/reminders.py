"""Reminders before deadlines, by email and SMS, each sent once.

For every person and deadline the job finds the latest offset whose time has come
(default 3 days and 1 day before, and 08:00 on the last day). It records the
(person, kind, deadline, offset, channel) row, unique, together with its delivery job in
the outbox, in one transaction: a second run or a second worker finds the row and queues
nothing, and a delivery lost with the broker is sent by the catch-up. The delivery sends
only while the row is unsent.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.enums import ApplicationStatus, RosterStatus
from candidates.models import Application, CandidateProfile, EmployerHR, RosterEntry
from notices.enums import Channel, ReminderKind
from notices.models import ReminderSent
from notices.sms import send_sms
from verification_portal.shared.jobs import enqueue_on_commit


@dataclass(frozen=True)
class Reminder:
    user_id: int
    email: str
    phone: str
    kind: str
    deadline: datetime.datetime
    text: str


def _offsets(deadline: datetime.datetime) -> list[tuple[str, datetime.datetime]]:
    result = []
    for offset in settings.PORTAL_REMINDER_OFFSETS:
        if offset == "morning":
            local = timezone.localtime(deadline)
            at = local.replace(hour=8, minute=0, second=0, microsecond=0)
            if at >= local:
                at -= datetime.timedelta(days=1)
        elif offset.endswith("d"):
            at = deadline - datetime.timedelta(days=int(offset[:-1]))
        elif offset.endswith("h"):
            at = deadline - datetime.timedelta(hours=int(offset[:-1]))
        else:
            continue
        result.append((offset, at))
    return result


def due_offset(deadline: datetime.datetime, now: datetime.datetime) -> str | None:
    """The latest offset whose time has come, while the deadline has not passed."""
    due = [(at, label) for label, at in _offsets(deadline) if at <= now < deadline]
    return max(due)[1] if due else None


def _when(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _not_submitted(now) -> list[Reminder]:
    entries = RosterEntry.objects.filter(
        status=RosterStatus.EXPECTED, round__opens_at__lte=now, round__closes_at__gt=now
    ).select_related("round", "exam")
    profiles = {
        p.id_number: p
        for p in CandidateProfile.objects.filter(id_number__in=entries.values("id_number")).select_related(
            "user"
        )
    }
    submitted = set(
        Application.objects.filter(roster_entry__in=entries)
        .exclude(status=ApplicationStatus.DRAFT)
        .values_list("roster_entry_id", flat=True)
    )
    reminders = []
    for entry in entries:
        profile = profiles.get(entry.id_number)
        if profile is None or entry.pk in submitted:
            continue
        reminders.append(
            Reminder(
                profile.user_id,
                profile.user.email,
                profile.phone,
                ReminderKind.NOT_SUBMITTED,
                entry.round.closes_at,
                _("{name}，您的{exam}考后人工核查尚未申报，截止时间 {when}，逾期视为未按期参加。").format(
                    name=profile.real_name, exam=entry.exam.name, when=_when(entry.round.closes_at)
                ),
            )
        )
    return reminders


def _employer_pending(now) -> list[Reminder]:
    waiting = (
        Application.objects.filter(status=ApplicationStatus.EMPLOYER_REVIEW, round__closes_at__gt=now)
        .values_list("employer_id", "round__closes_at")
        .distinct()
    )
    reminders = []
    for employer_id, deadline in waiting:
        count = Application.objects.filter(
            status=ApplicationStatus.EMPLOYER_REVIEW, employer_id=employer_id, round__closes_at=deadline
        ).count()
        for hr in EmployerHR.objects.filter(organisation_id=employer_id).select_related("user"):
            reminders.append(
                Reminder(
                    hr.user_id,
                    hr.user.email,
                    "",
                    ReminderKind.EMPLOYER_PENDING,
                    deadline,
                    _("贵单位有 {count} 份考后人工核查申请待单位资格初审，请于 {when} 前办理。").format(
                        count=count, when=_when(deadline)
                    ),
                )
            )
    return reminders


def _supplement_due(now) -> list[Reminder]:
    applications = Application.objects.filter(
        status__in=[ApplicationStatus.SUPPLEMENT, ApplicationStatus.EMPLOYER_RETURNED], fix_deadline__gt=now
    ).select_related("candidate__user")
    return [
        Reminder(
            a.candidate.user_id,
            a.candidate.user.email,
            a.candidate.phone,
            ReminderKind.SUPPLEMENT_DUE,
            a.fix_deadline,
            _("{name}，您的申请需要修改或补正，请于 {when} 前重新提交。").format(
                name=a.candidate.real_name, when=_when(a.fix_deadline)
            ),
        )
        for a in applications
    ]


def _claims_going_stale(now) -> list[Reminder]:
    soon = now + datetime.timedelta(minutes=settings.PORTAL_CLAIM_STALE_MINUTES)
    applications = Application.objects.filter(claimed_until__gt=now, claimed_until__lte=soon).select_related(
        "claimed_by"
    )
    return [
        Reminder(
            a.claimed_by_id,
            a.claimed_by.email,
            "",
            ReminderKind.CLAIM_STALE,
            a.claimed_until,
            _("您领取的申请 {reference} 将于 {when} 到期释放，请尽快处理或放回队列。").format(
                reference=a.reference, when=_when(a.claimed_until)
            ),
        )
        for a in applications.select_related("round")
    ]


def reminders_due(*, now: datetime.datetime) -> list[tuple[Reminder, str]]:
    items = [*_not_submitted(now), *_employer_pending(now), *_supplement_due(now)]
    due = [(reminder, due_offset(reminder.deadline, now)) for reminder in items]
    due = [(reminder, offset) for reminder, offset in due if offset]
    due.extend((reminder, "stale") for reminder in _claims_going_stale(now))
    return due


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Send what is due and not yet sent. Returns how many messages went out."""
    now = now or timezone.now()
    sent = 0
    for reminder, offset in reminders_due(now=now):
        channels = []
        if reminder.email:
            channels.append(Channel.EMAIL)
        if reminder.phone:
            channels.append(Channel.SMS)
        for channel in channels:
            try:
                with transaction.atomic():
                    record = ReminderSent.objects.create(
                        user_id=reminder.user_id,
                        kind=reminder.kind,
                        deadline=reminder.deadline,
                        offset=offset,
                        channel=channel,
                        recipient=reminder.email if channel == Channel.EMAIL else reminder.phone,
                        text=reminder.text,
                        created_at=now,
                    )
                    enqueue_on_commit("notices.deliver_reminder", reminder_id=record.pk)
            except IntegrityError:
                continue  # already queued for this deadline and offset
            sent += 1
    return sent


def reminder_deliver(*, reminder: ReminderSent) -> bool:
    """Send one recorded reminder unless it went already. Returns whether it was sent now."""
    with transaction.atomic():
        locked = ReminderSent.objects.select_for_update().get(pk=reminder.pk)
        if locked.sent_at is not None:
            return False
        if locked.channel == Channel.EMAIL:
            send_mail(
                subject=_("[考后人工核查] 办理提醒"),
                message=locked.text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[locked.recipient],
            )
        else:
            send_sms(locked.recipient, locked.text)
        locked.sent_at = timezone.now()
        locked.save(update_fields=["sent_at"])
    return True
