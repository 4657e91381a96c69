import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from candidates.enums import ApplicationStatus, RosterStatus
from candidates.models import RosterEntry
from notices.services.rounds import (
    EXPORT_HEADERS,
    results_export_render,
    results_export_request,
    round_close_windows,
    supplementary_round_create,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_round():
    now = timezone.now()
    return factories.RoundFactory(
        opens_at=now - datetime.timedelta(days=10), closes_at=now - datetime.timedelta(days=1)
    )


def test_closing_marks_entries_without_submission_absent(closed_round):
    silent = factories.RosterEntryFactory(round=closed_round)
    drafted = factories.ApplicationFactory(roster_entry__round=closed_round)  # started but never submitted
    submitted = factories.ApplicationFactory(
        roster_entry__round=closed_round, status=ApplicationStatus.CITY_REVIEW
    )
    open_round_entry = factories.RosterEntryFactory()
    assert round_close_windows() == 2
    assert round_close_windows() == 0  # idempotent
    status = lambda entry: RosterEntry.objects.get(pk=entry.pk).status  # noqa: E731
    assert status(silent) == RosterStatus.ABSENT
    assert status(drafted.roster_entry) == RosterStatus.ABSENT
    assert status(submitted.roster_entry) == RosterStatus.EXPECTED
    assert status(open_round_entry) == RosterStatus.EXPECTED


def test_supplementary_round_excludes_those_who_failed_the_conditions(closed_round):
    exam = factories.ExamFactory()
    closed_round.exams.set([exam])
    absent = factories.RosterEntryFactory(round=closed_round, exam=exam, exam_year=2026)
    failed_before = factories.ApplicationFactory(
        roster_entry__exam=exam, roster_entry__exam_year=2026, status=ApplicationStatus.FAILED
    )
    factories.RosterEntryFactory(
        round=closed_round, exam=exam, exam_year=2026, id_number=failed_before.candidate.id_number
    )
    admin = factories.UserFactory(is_superuser=True)
    now = timezone.now()
    new_round, carried, excluded = supplementary_round_create(
        round_=closed_round,
        user=admin,
        name="补办",
        opens_at=now,
        closes_at=now + datetime.timedelta(days=5),
    )
    assert (carried, excluded) == (1, 1)
    assert new_round.kind == "supplementary" and new_round.parent == closed_round
    assert list(new_round.roster.values_list("id_number", flat=True)) == [absent.id_number]
    assert list(new_round.exams.all()) == [exam]


def test_supplementary_round_needs_a_closed_window():
    admin = factories.UserFactory(is_superuser=True)
    now = timezone.now()
    with pytest.raises(ValidationError):
        supplementary_round_create(
            round_=factories.RoundFactory(),
            user=admin,
            name="x",
            opens_at=now,
            closes_at=now + datetime.timedelta(days=1),
        )


def test_results_export_for_the_province(closed_round):
    passed = factories.ApplicationFactory(roster_entry__round=closed_round, status=ApplicationStatus.PASSED)
    pending = factories.ApplicationFactory(
        roster_entry__round=closed_round, status=ApplicationStatus.PENDING_CONDITIONS
    )
    factories.ApplicationFactory(roster_entry__round=closed_round, status=ApplicationStatus.CITY_REVIEW)
    export = results_export_request(round_=closed_round, user=factories.UserFactory(is_superuser=True))
    results_export_render(export=export)
    sheet = load_workbook(io.BytesIO(export.file.open("rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADERS
    assert len(rows) == 3  # the header, the passed one, and the one whose conditions are still open
    by_id = {row[3]: row for row in rows[1:]}
    assert by_id[passed.candidate.id_number][1] == passed.candidate.real_name
    assert by_id[passed.candidate.id_number][10] == "核查通过"
    assert by_id[pending.candidate.id_number][10] == "报考条件待核查"


def test_periodic_jobs_run_once_from_the_command(closed_round):
    from django.core.management import call_command

    entry = factories.RosterEntryFactory(round=closed_round)
    call_command("run_periodic", "--once")
    assert RosterEntry.objects.get(pk=entry.pk).status == RosterStatus.ABSENT


# The supplementary round is the last (seed 003)


@pytest.fixture
def supplementary_round(closed_round):
    absent = factories.CandidateFactory(user__email="absent@example.com")
    factories.RosterEntryFactory(round=closed_round, id_number=absent.id_number, name=absent.real_name)
    admin = factories.UserFactory(is_superuser=True)
    now = timezone.now()
    supplementary, carried, _excluded = supplementary_round_create(
        round_=closed_round,
        user=admin,
        name="补办",
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=2),
    )
    assert carried == 1
    return supplementary, absent, admin


def test_no_round_is_created_from_a_supplementary_round(supplementary_round, client_for):
    supplementary, _absent, admin = supplementary_round
    type(supplementary).objects.filter(pk=supplementary.pk).update(
        closes_at=timezone.now() - datetime.timedelta(hours=1)
    )
    supplementary.refresh_from_db()
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        supplementary_round_create(
            round_=supplementary,
            user=admin,
            name="再补办",
            opens_at=now,
            closes_at=now + datetime.timedelta(days=1),
        )
    assert error.value.code == "last"
    page = client_for(admin).get(reverse("notices:round_supplementary", args=[supplementary.pk]), follow=True)
    assert "当年度最后一次资格核查" in page.content.decode()


def test_missing_the_supplementary_round_is_giving_up(supplementary_round, client_for, settings):
    from django.core import mail
    from django.test import TestCase

    from candidates.models import AuditEvent, Message
    from candidates.services.applications import application_start

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    supplementary, absent, _admin = supplementary_round
    entry = supplementary.roster.get()
    after = supplementary.closes_at + datetime.timedelta(minutes=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert round_close_windows(now=after) == 1
        assert round_close_windows(now=after) == 0  # once
    entry.refresh_from_db()
    assert entry.status == RosterStatus.GAVE_UP
    message = Message.objects.get(recipient=absent.user)
    assert "视为放弃" in message.subject and "不再受理资格核查申请" in message.body
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="roster.gave_up", target_id=str(entry.pk)).exists()
    # Refused later, on this entry and on any other round of the same exam and year.
    with pytest.raises(ValidationError, match="视为放弃考试资格，不再受理资格核查申请"):
        application_start(candidate=absent, entry=entry)
    later_round = factories.RoundFactory(exams=[entry.exam])
    elsewhere = factories.RosterEntryFactory(
        round=later_round,
        id_number=absent.id_number,
        name=absent.real_name,
        exam=entry.exam,
        exam_year=entry.exam_year,
    )
    with pytest.raises(ValidationError, match="视为放弃"):
        application_start(candidate=absent, entry=elsewhere)
    dashboard = client_for(absent.user).get(reverse("candidates:dashboard")).content.decode()
    assert "视为放弃考试资格" in dashboard and "请关注补办" not in dashboard


def test_the_close_button_closes_only_its_own_round(closed_round, client_for):
    other = factories.RoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=10),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    mine = factories.RosterEntryFactory(round=closed_round)
    theirs = factories.RosterEntryFactory(round=other)
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    page = admin.post(reverse("notices:round_close", args=[closed_round.pk]), follow=True).content.decode()
    assert "1 条未申报记录" in page
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (RosterStatus.ABSENT, RosterStatus.EXPECTED)


@pytest.mark.parametrize(
    ("half", "name", "opens", "closes"),
    [
        ("first", "2026年度核查", "2026-12-21T09:00", "2026-12-27T17:00"),
        ("", "2026年度下半年资格考试考后人工核查", "2027-04-21T09:00", "2027-04-27T17:00"),
    ],
)
def test_supplementary_dates_default_to_changsha_timing(closed_round, client_for, half, name, opens, closes):
    """Seed 002: first-half exams → late December; second-half → late April of the next year."""
    closed_round.exam_half, closed_round.name, closed_round.exam_year = half, name, 2026
    closed_round.save()
    client = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("notices:round_supplementary", args=[closed_round.pk])).content.decode()
    assert f'value="{opens}"' in page and f'value="{closes}"' in page
    assert "具体以届时发布的公告为准" in page


def test_supplementary_dates_without_a_known_half(closed_round, client_for):
    client = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("notices:round_supplementary", args=[closed_round.pk])).content.decode()
    assert "无法按惯例预填日期" in page
