"""Every page tells the candidate where they stand: a closed window, a recorded absence, a
failed result with its reason and the appeal route."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus, RosterStatus
from candidates.models import MaterialVersion
from candidates.services.materials import material_upload
from notices.services.rounds import round_close_windows
from reviews.enums import DecisionKind, FailReason
from reviews.models import Decision
from tests import factories
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_draft():
    """A draft whose round's window closed an hour ago, with two items still missing."""
    application = factories.ApplicationFactory()
    type(application.round).objects.filter(pk=application.round_id).update(
        opens_at=timezone.now() - datetime.timedelta(days=7),
        closes_at=timezone.now() - datetime.timedelta(hours=1),
    )
    application.refresh_from_db()
    return application


def test_after_the_window_closes_pages_say_so_and_uploads_and_edits_are_refused(closed_draft, client_for):
    client = client_for(closed_draft.candidate.user)
    page = client.get(reverse("candidates:application", args=[closed_draft.pk])).content.decode()
    assert "申报已截止" in page and "不能再修改或上传" in page
    assert "还缺" not in page and "提交补正" not in page and 'name="files"' not in page
    assert "未申报（已截止）" in page and "本次记为未按期参加" in page
    with pytest.raises(ValidationError, match="本轮申报已于"):
        material_upload(
            application=closed_draft,
            kind="application_form",
            files=[upload("a.pdf", pdf_bytes(1))],
            actor=closed_draft.candidate.user,
        )
    response = client.post(
        reverse("candidates:upload", args=[closed_draft.pk, "application_form"]),
        {"files": [upload("a.pdf", pdf_bytes(1))]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400 and "本轮申报已于" in response.json()["errors"][0]
    assert not MaterialVersion.objects.exists()
    declare = client.get(reverse("candidates:declare", args=[closed_draft.pk]), follow=True)
    assert "本轮申报已于" in declare.content.decode()
    dashboard = client.get(reverse("candidates:dashboard")).content.decode()
    assert "本轮申报已于" in dashboard and "在截止时间前点击" not in dashboard


def test_a_recorded_absence_is_shown_not_a_draft(closed_draft, client_for):
    round_close_windows()
    closed_draft.roster_entry.refresh_from_db()
    assert closed_draft.roster_entry.status == RosterStatus.ABSENT
    page = client_for(closed_draft.candidate.user).get(
        reverse("candidates:application", args=[closed_draft.pk])
    )
    html = page.content.decode()
    assert 'class="status status-draft">未按期参加<' in html
    assert "在截止时间前点击" not in html and "草稿" not in html


def test_the_supplementary_round_is_named_when_there_is_one(closed_draft, client_for):
    from notices.services.rounds import supplementary_round_create

    now = timezone.now()
    _round, _carried, _excluded = supplementary_round_create(
        round_=closed_draft.round,
        user=factories.UserFactory(is_superuser=True),
        name="2026年度补办",
        opens_at=now + datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=5),
    )
    page = client_for(closed_draft.candidate.user).get(
        reverse("candidates:application", args=[closed_draft.pk])
    )
    assert "您已列入补办轮次“2026年度补办”" in page.content.decode()


def test_a_failed_result_is_shown_as_failed_with_the_reason_and_the_appeal_route(client_for):
    application = factories.ApplicationFactory(status=ApplicationStatus.FAILED)
    type(application.round).objects.filter(pk=application.round_id).update(
        appeal_closes_at=timezone.now() + datetime.timedelta(days=3)
    )
    reviewer = factories.CityReviewerFactory(city=application.city).user
    Decision.objects.create(
        application=application,
        reviewer=reviewer,
        kind=DecisionKind.FAIL,
        reason_code=FailReason.WORK_YEARS,
        reason="截至 2026 年底相关工作年限 2 年 4 个月，不足 3 年。",
    )
    client = client_for(application.candidate.user)
    html = client.get(reverse("candidates:application", args=[application.pk])).content.decode()
    assert "核查结论：不通过" in html
    assert "从事相关专业工作年限不足：截至 2026 年底相关工作年限 2 年 4 个月" in html
    assert (
        "可在" in html and "前提出申辩" in html and reverse("reviews:appeal", args=[application.pk]) in html
    )
    assert 'class="step step-failed"' in html and "剩余" not in html
    # Once the appeal period is over, the page says so and offers no appeal.
    type(application.round).objects.filter(pk=application.round_id).update(
        appeal_closes_at=timezone.now() - datetime.timedelta(days=1)
    )
    html = client.get(reverse("candidates:application", args=[application.pk])).content.decode()
    assert "申辩期已于" in html and reverse("reviews:appeal", args=[application.pk]) not in html
