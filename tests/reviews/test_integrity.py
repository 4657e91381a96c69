"""诚信档案 and the five-year bar (seeds 001, 004): recorded when a fail for false material is
confirmed; a start is refused until the bar ends and allowed on that day; the roster import
flags the person; the reviewer sees the record and the reading is audited."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from candidates.models import Application, AuditEvent, IntegrityRecord
from candidates.services.applications import application_start
from notices.models import RosterStagingRow
from notices.services.roster_import import roster_import_confirm
from reviews.services.claims import application_claim
from reviews.services.decisions import application_decide
from tests import factories
from tests.reviews.test_decisions import judge
from tests.roster import uploaded_and_validated

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(make_submitted):
    """A fail for false material, proposed by one reviewer and confirmed by another."""
    application = make_submitted()
    first = factories.CityReviewerFactory(city=application.city).user
    second = factories.CityReviewerFactory(city=application.city).user
    judge(application, first)
    application_decide(
        application=application,
        user=first,
        kind="fail",
        reason_code="false_material",
        reason="工作年限证明系伪造",
    )
    application.refresh_from_db()
    application_claim(application=application, user=second)
    application_decide(application=application, user=second, kind="fail_confirm", reason="同意")
    return application, IntegrityRecord.objects.get(id_number=application.candidate.id_number)


def test_a_confirmed_fail_for_false_material_is_recorded(recorded):
    application, record = recorded
    today = timezone.localdate()
    assert (record.kind, record.decided_on, record.bar_until) == (
        "false_material",
        today,
        today + relativedelta(years=5),
    )
    assert record.description == "工作年限证明系伪造" and record.application == application
    assert AuditEvent.objects.filter(action="integrity.record", target_id=str(record.pk)).exists()


def test_the_bar_refuses_a_start_until_five_years_have_passed(recorded):
    application, record = recorded
    candidate = application.candidate
    later_round = factories.RoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=3000),
    )
    entry = factories.RosterEntryFactory(
        round=later_round, id_number=candidate.id_number, name=candidate.real_name
    )
    last_barred_day = (
        record.decided_on + relativedelta(years=5) - datetime.timedelta(days=1)
    )  # 4 years 364 days
    noon = lambda day: timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))  # noqa: E731
    with pytest.raises(ValidationError) as refused:
        application_start(candidate=candidate, entry=entry, now=noon(last_barred_day))
    assert "不得参加专业技术人员资格考试" in refused.value.messages[0]
    started = application_start(candidate=candidate, entry=entry, now=noon(record.bar_until))
    assert started.roster_entry == entry


def test_the_reviewer_sees_the_record_and_the_reading_is_audited(recorded, client_for):
    application, record = recorded
    later = factories.ApplicationFactory(
        candidate=application.candidate, roster_entry__id_number=application.candidate.id_number
    )
    Application.objects.filter(pk=later.pk).update(status="city_review")
    reviewer = factories.CityReviewerFactory(city=later.city).user
    page = client_for(reviewer).get(reverse("reviews:review", args=[later.pk])).content.decode()
    assert "诚信档案" in page and "工作年限证明系伪造" in page and record.bar_until.isoformat() in page
    assert AuditEvent.objects.filter(action="integrity.read", actor=reviewer, application=later).exists()


def test_the_roster_import_flags_a_barred_person_and_the_administrator_decides(recorded):
    application, _record = recorded
    exam = factories.ExamFactory(name="经济专业技术资格")
    round_ = factories.RoundFactory(city=application.city, exams=[exam])
    admin = factories.UserFactory(is_superuser=True)
    result = uploaded_and_validated(
        round_,
        admin,
        [
            [application.candidate.real_name, application.candidate.id_number, "1"],
            ["清白人", factories.make_id_number(), "1"],
        ],
    )
    assert result.valid_rows == 2 and [row[2] for row in result.flagged] == [application.candidate.id_number]
    assert "诚信档案" in result.flagged[0][3]
    done = roster_import_confirm(roster_import=result, user=admin, skip_flagged=True)
    assert done.imported_rows == 1 and not RosterStagingRow.objects.exists()


def test_an_administrator_records_one_found_elsewhere(client_for):
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    id_number = factories.make_id_number()
    response = admin.post(
        reverse("admin:candidates_integrityrecord_add"),
        {
            "id_number": id_number.lower(),
            "name": "赵替考",
            "kind": "impersonation",
            "description": "考场核验发现他人代考",
            "found_by": "考务违纪处理决定〔2026〕3号",
            "decided_on": "2026-05-24",
            "bar_years": "5",
        },
    )
    assert response.status_code == 302
    record = IntegrityRecord.objects.get(id_number=id_number)
    assert (
        record.bar_until == datetime.date(2031, 5, 24)
        and AuditEvent.objects.filter(action="integrity.record").exists()
    )
    change = admin.get(reverse("admin:candidates_integrityrecord_change", args=[record.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content  # view only
    assert (
        admin.post(
            reverse("admin:candidates_integrityrecord_delete", args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert IntegrityRecord.objects.filter(pk=record.pk).exists()
