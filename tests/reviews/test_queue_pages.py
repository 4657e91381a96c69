"""The queue pages by keyset: next and previous continue from the row shown, so every row is
seen once, ties in time included, and a deep page runs the query page 1 runs (no OFFSET)."""

import datetime
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Application
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(client_for, monkeypatch):
    monkeypatch.setattr(importlib.import_module("reviews.views.queue"), "PAGE_SIZE", 5)
    first = factories.ApplicationFactory(status="city_review")
    applications = [first] + [
        factories.ApplicationFactory(status="city_review", roster_entry__round=first.round) for _ in range(11)
    ]
    moment = timezone.now() - datetime.timedelta(days=3)
    for index, application in enumerate(applications):
        # Pairs share a moment: the id breaks the tie.
        Application.objects.filter(pk=application.pk).update(
            status_changed_at=moment + datetime.timedelta(minutes=index // 2)
        )
    reviewer = client_for(factories.CityReviewerFactory(city=first.city).user)
    ordered = list(
        Application.objects.filter(city=first.city)
        .order_by("status_changed_at", "pk")
        .values_list("pk", flat=True)
    )
    return reviewer, [Application.objects.get(pk=pk).reference for pk in ordered]


def walk(reviewer, params: dict, link: str = "next_query"):
    seen, pages, url = (
        [],
        [],
        reverse("reviews:queue") + "?" + "&".join(f"{k}={v}" for k, v in params.items()),
    )
    while True:
        response = reviewer.get(url)
        page = response.context["table"].page
        seen += [row.reference for row in response.context["table"].rows]
        pages.append((page.number, page.paginator.num_pages))
        query = getattr(page, link)
        if not query:
            return seen, pages, response
        url = reverse("reviews:queue") + "?" + query


def test_next_walks_every_row_once_in_order(queue):
    reviewer, expected = queue
    seen, pages, last = walk(reviewer, {})
    assert seen == expected
    assert pages == [(1, 3), (2, 3), (3, 3)]
    assert "第 3 / 3 页" in last.content.decode()


def test_previous_comes_back_the_same_way(queue):
    reviewer, expected = queue
    _seen, _pages, last = walk(reviewer, {})
    back = reviewer.get(reverse("reviews:queue") + "?" + last.context["table"].page.previous_query)
    assert [row.reference for row in back.context["table"].rows] == expected[5:10]
    assert back.context["table"].page.number == 2
    first = reviewer.get(reverse("reviews:queue") + "?" + back.context["table"].page.previous_query)
    assert [row.reference for row in first.context["table"].rows] == expected[:5]
    assert first.context["table"].page.number == 1 and not first.context["table"].page.has_previous


def test_newest_first_and_filters_travel_with_the_cursor(queue):
    reviewer, expected = queue
    seen, _pages, _last = walk(reviewer, {"sort": "newest"})
    assert seen == list(reversed(expected))
    seen, pages, _last = walk(reviewer, {"waiting": "1"})  # three days old: all of them, counted
    assert seen == expected and pages[-1] == (3, 3)


def test_a_deep_page_has_no_offset_and_a_bad_cursor_starts_at_the_top(queue):
    reviewer, expected = queue
    first = reviewer.get(reverse("reviews:queue"))
    with CaptureQueriesContext(connection) as captured:
        deep = reviewer.get(reverse("reviews:queue") + "?" + first.context["table"].page.next_query)
    assert not any("OFFSET" in query["sql"] for query in captured.captured_queries)
    assert [row.reference for row in deep.context["table"].rows] == expected[5:10]
    garbage = reviewer.get(reverse("reviews:queue"), {"after": "not-a-cursor", "page": "7"})
    assert garbage.status_code == 200
    assert [row.reference for row in garbage.context["table"].rows] == expected[:5] and garbage.context[
        "table"
    ].page.number == 1


def test_the_city_counts_are_shared_but_a_transition_shows_at_once(
    own_client_for, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from candidates.services.applications import application_transition

    applications = [factories.ApplicationFactory(status="city_review")]
    applications.append(
        factories.ApplicationFactory(status="city_review", roster_entry__round=applications[0].round)
    )
    city = applications[0].city
    first, second = (own_client_for(factories.CityReviewerFactory(city=city).user) for _ in range(2))

    def waiting(reviewer) -> int:
        counts = dict(
            (status, n) for status, _label, n in reviewer.get(reverse("reviews:queue")).context["counts"]
        )
        return counts["city_review"]

    assert waiting(first) == 2
    # The second reviewer reads the count the first one's page kept: no COUNT over the city.
    with CaptureQueriesContext(connection) as queries:
        assert waiting(second) == 2
    assert not any('"status" AS "status", COUNT(' in query["sql"] for query in queries.captured_queries)

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            application=applications[0], event="decide_pass", actor=factories.UserFactory()
        )
    assert waiting(second) == 1
    assert waiting(first) == 1


def test_a_kept_table_shows_a_claim_and_a_release_on_the_next_view(
    client_for, django_capture_on_commit_callbacks
):
    from reviews.services.claims import application_claim, application_release

    application = factories.ApplicationFactory(status="city_review")
    other = factories.CityReviewerFactory(city=application.city, user__first_name="领取人甲").user
    watcher = client_for(factories.CityReviewerFactory(city=application.city).user)
    url = reverse("reviews:queue")
    assert "领取人甲" not in watcher.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        application_claim(application=application, user=other)
    assert "领取人甲" in watcher.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        application_release(application=application, user=other)
    assert "领取人甲" not in watcher.get(url).content.decode()
    # Nothing changed: the kept table is served (no query reads the city's applications).
    with CaptureQueriesContext(connection) as queries:
        watcher.get(url)
    assert not any("candidates_application" in query["sql"] for query in queries.captured_queries)


def test_a_message_shows_once_on_the_queue_and_is_never_kept(client_for):
    city = factories.CityFactory()
    reviewer = client_for(factories.CityReviewerFactory(city=city).user)
    url = reverse("reviews:queue")
    reviewer.get(url)  # the page is kept without a message
    answered = reviewer.post(reverse("reviews:claim_next"), follow=True)  # nothing to claim
    assert answered.redirect_chain[-1][0] == url
    assert "队列中暂时没有可领取的申请。" in answered.content.decode()
    assert "队列中暂时没有可领取的申请。" not in reviewer.get(url).content.decode()
