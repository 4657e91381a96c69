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
