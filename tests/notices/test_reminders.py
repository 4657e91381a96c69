import datetime

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from candidates.enums import ApplicationStatus
from notices.models import ReminderSent
from notices.services.reminders import due_offset
from notices.services.reminders import reminders_send as record_reminders
from notices.sms import MemorySmsBackend
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outboxes(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_SMS_BACKEND = "notices.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()


def reminders_send(*, now):
    """A reminder run, and the delivery jobs it queues once its transactions commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return record_reminders(now=now)


def test_offsets():
    deadline = timezone.make_aware(datetime.datetime(2026, 8, 19, 17, 0))
    at = lambda *args: timezone.make_aware(datetime.datetime(*args))  # noqa: E731
    assert due_offset(deadline, at(2026, 8, 15, 12)) is None
    assert due_offset(deadline, at(2026, 8, 16, 17, 0)) == "3d"
    assert due_offset(deadline, at(2026, 8, 18, 17, 1)) == "1d"
    assert due_offset(deadline, at(2026, 8, 19, 8, 0)) == "morning"
    assert due_offset(deadline, at(2026, 8, 19, 17, 0)) is None  # deadline passed


def test_candidate_who_has_not_submitted_is_reminded_once_per_offset_and_channel():
    now = timezone.make_aware(datetime.datetime(2026, 8, 19, 18, 0))
    closes = timezone.make_aware(datetime.datetime(2026, 8, 20, 17, 0))
    round_ = factories.RoundFactory(opens_at=now - datetime.timedelta(days=5), closes_at=closes)
    candidate = factories.CandidateFactory(user__email="c@example.com")
    factories.RosterEntryFactory(round=round_, id_number=candidate.id_number, name=candidate.real_name)
    factories.RosterEntryFactory(round=round_)  # not registered: nobody to write to
    assert reminders_send(now=now) == 2
    assert reminders_send(now=now) == 0  # the job running twice sends nothing more
    assert len(mail.outbox) == 1 and "尚未申报" in mail.outbox[0].body
    assert MemorySmsBackend.outbox == [(candidate.phone, mail.outbox[0].body)]
    assert set(ReminderSent.objects.values_list("offset", "channel")) == {("1d", "email"), ("1d", "sms")}


def test_submitted_candidates_are_not_reminded():
    now = timezone.now()
    application = factories.ApplicationFactory(
        status=ApplicationStatus.CITY_REVIEW,
        roster_entry__round__closes_at=now + datetime.timedelta(hours=20),
    )
    application.candidate.user.email = "c@example.com"
    application.candidate.user.save()
    assert reminders_send(now=now) == 0


def test_employer_supplement_and_claim_reminders():
    now = timezone.now()
    closes = now + datetime.timedelta(hours=10)
    hr = factories.EmployerHRFactory(user__email="hr@example.com")
    factories.ApplicationFactory(
        employer=hr.organisation,
        status=ApplicationStatus.EMPLOYER_REVIEW,
        roster_entry__round__closes_at=closes,
    )
    supplement = factories.ApplicationFactory(
        status=ApplicationStatus.SUPPLEMENT, fix_deadline=now + datetime.timedelta(hours=30)
    )
    reviewer = factories.CityReviewerFactory(user__email="r@example.com").user
    factories.ApplicationFactory(
        status=ApplicationStatus.CITY_REVIEW,
        claimed_by=reviewer,
        claimed_until=now + datetime.timedelta(minutes=5),
    )
    reminders_send(now=now)
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "待单位资格初审" in bodies["hr@example.com"]
    assert "将于" in bodies["r@example.com"]
    assert (supplement.candidate.phone,) == tuple(
        p for p, _ in MemorySmsBackend.outbox if p == supplement.candidate.phone
    )
    sent = len(mail.outbox) + len(MemorySmsBackend.outbox)
    reminders_send(now=now + datetime.timedelta(minutes=1))
    assert len(mail.outbox) + len(MemorySmsBackend.outbox) == sent
