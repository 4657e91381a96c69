"""The candidate's dashboard is kept between views (deadline day: everyone reloads it), but
shows every change on the next view: a message, a decision, a roster imported, a round
edited, a window opening; its start buttons carry the viewer's own CSRF token."""

import datetime
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus, Event
from candidates.models import Application
from candidates.selectors import dashboard_kept_seconds, roster_options_for_candidate
from candidates.services.applications import application_transition
from candidates.services.messages import message_send, phrase
from notices.services.roster_import import roster_import_confirm
from tests import factories
from tests.html import without_csrf_tokens
from tests.roster import uploaded_and_validated

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("candidates:dashboard")


@pytest.fixture
def candidate():
    return factories.CandidateFactory(real_name="王小明")


def page(client) -> str:
    return client.get(DASHBOARD).content.decode()


def test_a_kept_dashboard_costs_no_query(candidate, client_for, django_assert_num_queries):
    factories.RosterEntryFactory(id_number=candidate.id_number, name=candidate.real_name)
    client = client_for(candidate.user)
    first = page(client)
    with django_assert_num_queries(0):  # the account is kept with its roles, the page with its versions
        again = page(client)
    assert without_csrf_tokens(again) == without_csrf_tokens(first) and "开始申报" in again


def test_a_message_a_transition_and_a_profile_change_show_on_the_next_view(candidate, client_for):
    application = factories.ApplicationFactory(candidate=candidate, roster_entry__name=candidate.real_name)
    client = client_for(candidate.user)
    assert "查看申请（草稿）" in page(client)
    message_send(recipient=candidate.user, subject=phrase("核查结果通知"), body=phrase("请登录查看。"))
    assert "核查结果通知" in page(client)
    moved = application_transition(
        application=application, event=Event.SUBMIT_TO_EMPLOYER, actor=candidate.user
    )
    assert moved.status == ApplicationStatus.EMPLOYER_REVIEW
    assert "查看申请（待单位初审）" in page(client)
    candidate.phone = "13800000001"
    candidate.save(update_fields=["phone"])
    assert "13800000001" in page(client)


def test_a_roster_import_and_a_round_edit_show_on_the_next_view(
    candidate, client_for, django_capture_on_commit_callbacks
):
    client = client_for(candidate.user)
    assert "您的身份证号不在任何核查名单中" in page(client)
    exam = factories.ExamFactory(name="经济专业技术资格")
    round_ = factories.RoundFactory(name="2026年度经济考后核查", exams=[exam])
    admin = factories.UserFactory(is_superuser=True)
    checked = uploaded_and_validated(round_, admin, [[candidate.real_name, candidate.id_number, "1"]])
    assert "您的身份证号不在任何核查名单中" in page(client)  # kept again since the round was made
    with django_capture_on_commit_callbacks(execute=True):  # inserted in SQL: no row signals
        roster_import_confirm(roster_import=checked, user=admin)
    html = page(client)
    assert "2026年度经济考后核查" in html and "开始申报" in html
    round_.name = "2026年度经济专业考后核查（更正）"
    round_.save(update_fields=["name"])
    assert "2026年度经济专业考后核查（更正）" in page(client)


def test_the_start_button_carries_each_sessions_own_token(candidate, client_for):
    entry = factories.RosterEntryFactory(id_number=candidate.id_number, name=candidate.real_name)
    client_for(candidate.user)
    first = Client(enforce_csrf_checks=True)
    first.force_login(candidate.user, backend="candidates.auth.IdNumberOrPhoneBackend")
    page(first)  # rendered and kept with this session's token
    second = Client(enforce_csrf_checks=True)
    second.force_login(candidate.user, backend="candidates.auth.IdNumberOrPhoneBackend")
    html = page(second)  # served from what the first view kept
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    started = second.post(reverse("candidates:start", args=[entry.pk]), {"csrfmiddlewaretoken": token})
    assert started.status_code == 302
    assert Application.objects.filter(candidate=candidate, roster_entry=entry).count() == 1


def test_a_dashboard_is_kept_no_later_than_the_next_opening_it_shows(candidate, settings):
    now = timezone.now()
    settings.PORTAL_DASHBOARD_KEPT_SECONDS = 60
    upcoming = factories.RoundFactory(
        opens_at=now + datetime.timedelta(seconds=20), closes_at=now + datetime.timedelta(days=5)
    )
    factories.RosterEntryFactory(round=upcoming, id_number=candidate.id_number, name=candidate.real_name)
    options = roster_options_for_candidate(candidate=candidate, now=now)
    assert dashboard_kept_seconds(options=options, now=now) == 21
    assert dashboard_kept_seconds(options=options, now=now + datetime.timedelta(seconds=30)) == 60


def test_the_window_opening_shows_the_start_button(candidate, client_for, settings):
    settings.PORTAL_DASHBOARD_KEPT_SECONDS = 60
    now = timezone.now()
    upcoming = factories.RoundFactory(
        opens_at=now + datetime.timedelta(seconds=1), closes_at=now + datetime.timedelta(days=5)
    )
    factories.RosterEntryFactory(round=upcoming, id_number=candidate.id_number, name=candidate.real_name)
    client = client_for(candidate.user)
    assert "本轮申报尚未开始" in page(client)
    # Kept for at most the 2 seconds until it opens, then rendered afresh.
    deadline = timezone.now() + datetime.timedelta(seconds=5)
    while "本轮申报尚未开始" in (html := page(client)) and timezone.now() < deadline:
        time.sleep(0.1)
    assert "开始申报" in html and "本轮申报尚未开始" not in html


def test_each_candidate_is_served_their_own_dashboard(candidate, own_client_for):
    other = factories.CandidateFactory(real_name="李小红")
    mine, theirs = own_client_for(candidate.user), own_client_for(other.user)
    assert "王小明" in page(mine)
    html = page(theirs)
    assert "李小红" in html and "王小明" not in html and candidate.id_number not in html
    assert "王小明" in page(mine) and "李小红" not in page(mine)


def test_a_page_kept_by_a_process_with_another_secret_key_is_not_served(candidate, client_for, monkeypatch):
    """While a new SECRET_KEY rolls out, processes differ in their CSRF mark: a page kept by
    one is never served by another, which would leave the other's mark in its forms."""
    from verification_portal.shared import kept

    factories.RosterEntryFactory(id_number=candidate.id_number, name=candidate.real_name)
    client = client_for(candidate.user)
    page(client)
    monkeypatch.setattr(kept, "CSRF_MARK", "keptcsrf" + "0" * 24)
    html = page(client)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert "keptcsrf" not in html and len(token) == 64


def test_a_page_kept_by_the_previous_release_in_its_shape_is_not_read(candidate, client_for):
    """A release rolling out runs beside the last one: the pages the last one kept (plain
    HTML then, the HTML and what its context kept now) are under other keys, never read as
    this release's and never a 500."""
    from django.core.cache import cache

    from verification_portal.shared.kept import KEPT_SHAPE

    client = client_for(candidate.user)
    page(client)
    (key,) = cache.keys(f"kept-page:dashboard:{candidate.user.pk}:*")
    tokens, _kept = cache.get(key)
    cache.delete(key)
    cache.set(key.removesuffix(f":{KEPT_SHAPE}"), (tokens, "<p>kept by the previous release</p>"))
    response = client.get(DASHBOARD)
    assert response.status_code == 200 and "王小明" in response.content.decode()
