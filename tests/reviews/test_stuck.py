"""Nobody stuck: in a city with two reviewers, the one who proposed a fail and the one who
confirmed it may not handle the appeal; the pages say who can act, and an administrator
assigns the appeal to a reviewer of another city or decides it, audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus
from candidates.models import AuditEvent, Message
from reviews.services.appeals import appeal_submit
from reviews.services.claims import application_claim
from reviews.services.decisions import application_decide
from tests import factories
from tests.reviews.test_decisions import judge

pytestmark = pytest.mark.django_db


@pytest.fixture
def appealed_in_a_two_reviewer_city(make_submitted):
    application = make_submitted()
    type(application.round).objects.filter(pk=application.round_id).update(
        appeal_closes_at=timezone.now() + datetime.timedelta(days=5)
    )
    application.refresh_from_db()
    first = factories.CityReviewerFactory(city=application.city, user__first_name="甲").user
    second = factories.CityReviewerFactory(city=application.city, user__first_name="乙").user
    judge(application, first)
    application_decide(
        application=application, user=first, kind="fail", reason_code="work_years", reason="年限不足"
    )
    application.refresh_from_db()
    application_claim(application=application, user=second)
    application_decide(application=application, user=second, kind="fail_confirm", reason="同意")
    application.refresh_from_db()
    appeal_submit(
        application=application,
        user=application.candidate.user,
        statement="我另有一段工作经历未计入。",
        files=[],
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPEALED
    return application, first, second


def test_the_pages_say_nobody_in_the_city_can_act(appealed_in_a_two_reviewer_city, client_for):
    application, first, second = appealed_in_a_two_reviewer_city
    for reviewer in (first, second):
        with pytest.raises(ValidationError):
            application_claim(application=application, user=reviewer)
    page = client_for(first).get(reverse("reviews:review", args=[application.pk])).content.decode()
    assert "本市没有可以处理的核查人员" in page
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    manage = admin.get(reverse("notices:manage")).content.decode()
    assert (
        "无人可处理的复核和申辩" in manage
        and reverse("notices:application_handle", args=[application.pk]) in manage
    )


def test_the_administrator_assigns_the_appeal_to_a_reviewer_of_another_city(
    appealed_in_a_two_reviewer_city, client_for
):
    application, first, _second = appealed_in_a_two_reviewer_city
    elsewhere = factories.CityReviewerFactory(user__first_name="丙").user
    admin_user = factories.UserFactory(is_superuser=True, is_staff=True)
    admin = client_for(admin_user)
    url = reverse("notices:application_handle", args=[application.pk])
    refused = admin.post(url, {"action": "assign", "reviewer": first.pk, "reason": "x"})
    assert refused.status_code == 200 and "选择一个有效的选项" in refused.content.decode()  # not offered
    response = admin.post(
        url, {"action": "assign", "reviewer": elsewhere.pk, "reason": "本市两名核查人员均参与了不通过"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.assigned_reviewer == elsewhere
    event = AuditEvent.objects.get(action="review.assign")
    assert event.actor == admin_user and event.data["reviewer"] == elsewhere.username
    assert Message.objects.filter(recipient=elsewhere, application=application).exists()
    # The assigned reviewer sees it, claims it and decides; the assignment ends with the step.
    reviewer = client_for(elsewhere)
    assert application.reference in reviewer.get(reverse("reviews:queue")).content.decode()
    assert reviewer.get(reverse("reviews:review", args=[application.pk])).status_code == 200
    application_claim(application=application, user=elsewhere)
    application_decide(
        application=application, user=elsewhere, kind="appeal_overturned", reason="另一段经历属实"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PASSED and application.assigned_reviewer is None
    assert reviewer.get(reverse("reviews:review", args=[application.pk])).status_code == 404


def test_the_administrator_decides_the_appeal(appealed_in_a_two_reviewer_city, client_for):
    application, _first, _second = appealed_in_a_two_reviewer_city
    admin_user = factories.UserFactory(is_superuser=True, is_staff=True)
    response = client_for(admin_user).post(
        reverse("notices:application_handle", args=[application.pk]),
        {"action": "decide", "kind": "appeal_upheld", "reason": "所述经历与申报专业无关"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FAILED
    event = AuditEvent.objects.filter(action="application.transition").latest("sequence")
    assert event.actor == admin_user and event.data["by"] == "administrator"
    assert Message.objects.filter(
        recipient=application.candidate.user, body__contains="所述经历与申报专业无关"
    ).exists()


def test_a_fail_in_a_one_reviewer_city_is_confirmed_by_an_assigned_reviewer(make_submitted, client_for):
    application = make_submitted()
    only = factories.CityReviewerFactory(city=application.city).user
    judge(application, only)
    application_decide(
        application=application, user=only, kind="fail", reason_code="education", reason="学历不符"
    )
    application.refresh_from_db()
    page = client_for(only).get(reverse("reviews:review", args=[application.pk])).content.decode()
    assert "本市没有可以处理的核查人员" in page
    from reviews.selectors import stuck_applications
    from reviews.services.decisions import application_assign

    assert stuck_applications() == [application]
    elsewhere = factories.CityReviewerFactory().user
    application_assign(
        application=application,
        user=factories.UserFactory(is_superuser=True),
        reviewer=elsewhere,
        reason="本市仅一名核查人员",
    )
    application.refresh_from_db()
    application_claim(application=application, user=elsewhere)
    application_decide(application=application, user=elsewhere, kind="fail_confirm", reason="同意")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FAILED and stuck_applications() == []
