import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus, RosterStatus
from notices.selectors import round_dashboards
from tests import factories

pytestmark = pytest.mark.django_db


def test_dashboard_counts_each_stage_and_charts_by_day(client_for):
    round_ = factories.RoundFactory()
    for status in (
        [ApplicationStatus.CITY_REVIEW] * 3 + [ApplicationStatus.PASSED] * 2 + [ApplicationStatus.DRAFT]
    ):
        factories.ApplicationFactory(
            roster_entry__round=round_,
            status=status,
            submitted_at=None if status == ApplicationStatus.DRAFT else timezone.now(),
        )
    factories.RosterEntryFactory(round=round_, status=RosterStatus.ABSENT)
    [board] = round_dashboards(city_id=round_.city_id)
    stages = dict(board.stages)
    assert (
        stages["名单人数"],
        stages["已申报"],
        stages["人工核查中"],
        stages["通过"],
        stages["未按期参加"],
    ) == (7, 5, 3, 2, 1)
    assert sum(bar.value for bar in board.submissions_by_day) == 5
    widest = max(board.stage_bars, key=lambda bar: bar.width)
    assert widest.label == "名单人数"
    page = client_for(factories.UserFactory(is_superuser=True, is_staff=True)).get(
        reverse("notices:dashboard")
    )
    html = page.content.decode()
    assert "<svg" in html and round_.name in html and "人工核查中" in html


def test_manage_page_counts_each_round(client_for):
    round_ = factories.RoundFactory()
    factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.PASSED)
    factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.FAILED)
    factories.RosterEntryFactory(round=round_, status=RosterStatus.ABSENT)
    response = client_for(factories.UserFactory(is_superuser=True, is_staff=True)).get(
        reverse("notices:manage")
    )
    [row] = response.context["rows"]
    assert (row["roster"], row["submitted"], row["passed"], row["failed"], row["absent"]) == (3, 2, 1, 1, 1)


def test_deadlines_from_the_score_release_and_the_cases_at_risk(client_for):
    """Seed 003: results within 15 days of the score release, appeals and the supplementary
    round within two months; the dashboard shows both with what is not finished."""
    import datetime

    from dateutil.relativedelta import relativedelta

    today = timezone.localdate()
    round_ = factories.RoundFactory(score_released_on=today - datetime.timedelta(days=13))
    for status in (
        ApplicationStatus.CITY_REVIEW,
        ApplicationStatus.SUPPLEMENT,
        ApplicationStatus.PASSED,
        ApplicationStatus.FAILED,
        ApplicationStatus.APPEALED,
    ):
        factories.ApplicationFactory(
            roster_entry__round=round_, roster_entry__status=RosterStatus.APPLIED, status=status
        )
    factories.RosterEntryFactory(round=round_)  # on the roster, not yet declared
    [board] = round_dashboards(city_id=round_.city_id)
    report, final = board.deadlines
    assert (report.due, report.days_left, report.at_risk, report.urgent) == (
        today + datetime.timedelta(days=2),
        2,
        3,
        True,
    )
    assert (final.due, final.at_risk) == (round_.score_released_on + relativedelta(months=2), 4)
    page = client_for(factories.UserFactory(is_superuser=True, is_staff=True)).get(
        reverse("notices:dashboard")
    )
    html = page.content.decode()
    assert "成绩发布后 15 日内" in html and "剩 2 天" in html and "成绩发布后两个月内" in html
    # Past the date, the unfinished cases are to be reported as 报考条件待核查.
    round_.score_released_on = today - datetime.timedelta(days=20)
    round_.save()
    html = (
        client_for(factories.UserFactory(is_superuser=True, is_staff=True))
        .get(reverse("notices:dashboard"))
        .content.decode()
    )
    assert "已过 5 天" in html and "逾期未办结的按“报考条件待核查”上报" in html
    # A round without a score-release date shows no deadlines.
    round_.score_released_on = None
    round_.save()
    assert round_dashboards(city_id=round_.city_id)[0].deadlines == []
