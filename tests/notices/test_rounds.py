import datetime
import io

import pytest
from django.core.exceptions import ValidationError
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
    factories.ApplicationFactory(roster_entry__round=closed_round, status=ApplicationStatus.CITY_REVIEW)
    export = results_export_request(round_=closed_round, user=factories.UserFactory(is_superuser=True))
    results_export_render(export=export)
    sheet = load_workbook(io.BytesIO(export.file.open("rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADERS
    assert len(rows) == 2
    assert rows[1][1] == passed.candidate.real_name and rows[1][3] == passed.candidate.id_number
    assert rows[1][10] == "核查通过"


def test_periodic_jobs_run_once_from_the_command(closed_round):
    from django.core.management import call_command

    entry = factories.RosterEntryFactory(round=closed_round)
    call_command("run_periodic", "--once")
    assert RosterEntry.objects.get(pk=entry.pk).status == RosterStatus.ABSENT
