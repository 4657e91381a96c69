"""List pages make the same number of queries for 1 item as for 3 (no N+1), pinned as
literals, as pretalx does."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus
from notices.enums import PassListStatus
from notices.models import PassList, PassListEntry, Report
from tests import factories

pytestmark = pytest.mark.django_db


def make_queue_items(city, n):
    employer = factories.OrganisationFactory()
    for _ in range(n):
        factories.ApplicationFactory(
            roster_entry__round__city=city,
            status=ApplicationStatus.CITY_REVIEW,
            employer=employer,
            submitted_at=timezone.now(),
        )


PAGES = {}


def page(name):
    def register(function):
        PAGES[name] = function
        return function

    return register


@page("queue")
def queue_page(client_for, n):
    city = factories.CityFactory()
    reviewer = factories.CityReviewerFactory(city=city).user
    make_queue_items(city, n)
    return client_for(reviewer), reverse("reviews:queue")


@page("employer_home")
def employer_home(client_for, n):
    hr = factories.EmployerHRFactory()
    for _ in range(n):
        factories.ApplicationFactory(
            employer=hr.organisation, status=ApplicationStatus.EMPLOYER_REVIEW, submitted_at=timezone.now()
        )
    return client_for(hr.user), reverse("reviews:employer_home")


@page("dashboard")
def dashboard(client_for, n):
    candidate = factories.CandidateFactory()
    for _ in range(n):
        factories.ApplicationFactory(candidate=candidate, roster_entry__name=candidate.real_name)
    return client_for(candidate.user), reverse("candidates:dashboard")


@page("manage")
def manage(client_for, n):
    for _ in range(n):
        factories.ApplicationFactory(status=ApplicationStatus.CITY_REVIEW)
    return client_for(factories.UserFactory(is_superuser=True, is_staff=True)), reverse("notices:manage")


@page("pass_list")
def pass_list(client_for, n):
    round_ = factories.RoundFactory()
    pass_list = PassList.objects.create(
        round=round_,
        status=PassListStatus.PUBLISHED,
        published_at=timezone.now(),
        objection_ends_at=timezone.now() + datetime.timedelta(days=5),
    )
    for position in range(1, n + 1):
        PassListEntry.objects.create(
            pass_list=pass_list,
            position=position,
            application=factories.ApplicationFactory(roster_entry__round=round_, status="passed"),
            name=f"人员{position}",
            gender="男",
            exam="考试",
            employer="单位",
            masked_id="430102********1234",
        )
    client = client_for(factories.UserFactory())
    client.logout()
    return client, reverse("notices:pass_list", args=[pass_list.pk])


@page("reports")
def reports(client_for, n):
    pass_list(client_for, n)
    pass_list_obj = PassList.objects.latest("id")
    for entry in pass_list_obj.entries.all():
        Report.objects.create(
            pass_list=pass_list_obj, entry=entry, reporter_contact="c", text="t" * 12, address_hash="x"
        )
    return client_for(factories.UserFactory(is_superuser=True, is_staff=True)), reverse("notices:reports")


@page("candidates_search")
def candidates_search(client_for, n):
    for _ in range(n):
        factories.CandidateFactory(real_name="同名考生")
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    return admin, reverse("notices:candidates") + "?q=同名考生"


# Queries each page makes, whatever the number of items it lists.
# Authenticated pages read the session from the cache (cached_db); on a first view the user
# comes with their roles (reviewer, HR, candidate) in one query, their second-factor devices in
# another, then both are kept (candidates.auth).
EXPECTED = {
    "queue": 9,  # a first view: the city's exams, counts and the reviewer's figures, then kept
    "employer_home": 8,
    "dashboard": 6,
    "manage": 8,
    "pass_list": 4,  # the stored count: no COUNT over the list
    "reports": 4,
    "candidates_search": 3,
}


@pytest.mark.parametrize("items", [1, 3])
@pytest.mark.parametrize("name", list(PAGES))
def test_list_pages_make_the_same_queries_for_1_and_3_items(
    name, items, client_for, django_assert_num_queries
):
    client, url = PAGES[name](client_for, items)
    with django_assert_num_queries(EXPECTED[name]):
        response = client.get(url)
    assert response.status_code == 200
