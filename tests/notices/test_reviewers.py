"""Administrators manage the cities' reviewers in /manage/: invite one (the mail's link
follows PORTAL_BASE_URL), say who may confirm fails and handle appeals, close an account."""

import re

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from candidates.enums import ApplicationStatus
from candidates.models import AuditEvent
from reviews.models import CityReviewer
from reviews.permissions import may_handle
from reviews.selectors import stuck_applications
from tests import factories

pytestmark = pytest.mark.django_db


def test_invite_a_reviewer_who_then_sets_up_the_account(client_for, settings):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8123"
    city = factories.CityFactory(name="株洲")
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin.post(
            reverse("notices:reviewers"),
            {"name": "周核查", "email": "Zhou@Example.com", "city": city.pk},  # second checks left unticked
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert "株洲人社局人工核查人员" in message.body
    link = re.search(r"http://127\.0\.0\.1:8123(/\S+)", message.body).group(1)
    page = admin.get(reverse("notices:reviewers")).content.decode()
    assert "已邀请、尚未设置账号" in page and "zhou@example.com" in page
    Client().post(
        link, {"username": "zhou_rev", "password1": "Strong-Pass-2026", "password2": "Strong-Pass-2026"}
    )
    reviewer = CityReviewer.objects.get(user__username="zhou_rev")
    assert reviewer.city == city and reviewer.handles_second_checks is False
    assert reviewer.user.first_name == "周核查" and reviewer.user.email == "zhou@example.com"
    assert AuditEvent.objects.filter(action="reviewer.join").exists()


def test_who_may_confirm_fails_and_handle_appeals(make_submitted, client_for):
    application = make_submitted()
    proposer = factories.CityReviewerFactory(city=application.city).user
    other = factories.CityReviewerFactory(city=application.city)
    type(application).objects.filter(pk=application.pk).update(status=ApplicationStatus.FAIL_PROPOSED)
    application.refresh_from_db()
    from reviews.models import Decision

    Decision.objects.create(application=application, reviewer=proposer, kind="fail", reason="年限不足")
    assert may_handle(other.user, application)
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    # Unticked: the other reviewer may no longer confirm it, and the case shows as stuck.
    admin.post(reverse("notices:reviewer_change", args=[other.pk]), {"active": "on"})
    other.refresh_from_db()
    assert other.handles_second_checks is False and other.user.is_active
    assert not may_handle(other.user, application)
    assert stuck_applications() == [application]
    event = AuditEvent.objects.get(action="reviewer.update")
    assert event.data == {
        "before": {"second_checks": True, "active": True},
        "after": {"second_checks": False, "active": True},
    }
    # Closed: the account can no longer log in.
    admin.post(reverse("notices:reviewer_change", args=[other.pk]), {"handles_second_checks": "on"})
    other.user.refresh_from_db()
    assert other.user.is_active is False
    page = admin.get(reverse("notices:reviewers")).content.decode()
    assert other.user.username in page
