"""The API: tokens (hashed, scoped, revocable, rate-limited, every call audited), a 10,000-row
roster pushed and the outcomes pulled back by cursor, and one city's token kept out of
another's."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from candidates.enums import ApplicationStatus
from candidates.models import Application, CandidateProfile, RosterEntry
from notices.enums import ApiScope, PassListStatus
from notices.models import ApiClient, PassList, PassListEntry
from notices.services.api_clients import api_client_create, api_client_revoke
from tests import factories
from verification_portal.shared.audit import AuditEvent

pytestmark = pytest.mark.django_db
ALL_SCOPES = list(ApiScope.values)


@pytest.fixture(autouse=True)
def settled_at_once(settings):
    settings.PORTAL_API_FEED_SETTLE_SECONDS = 0


@pytest.fixture
def admin():
    return factories.UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def exam():
    return factories.ExamFactory(code="social_work", name="社会工作者职业资格考试")


@pytest.fixture
def changsha(exam):
    return factories.RoundFactory(city=factories.CityFactory(code="changsha", name="长沙"), exams=[exam])


@pytest.fixture
def zhuzhou(exam):
    return factories.RoundFactory(city=factories.CityFactory(code="zhuzhou", name="株洲"), exams=[exam])


def token_for(admin, *, scopes=ALL_SCOPES, cities=(), all_cities=False, rounds=(), per_minute=600):
    client, token = api_client_create(
        user=admin,
        name="全国考试系统",
        scopes=scopes,
        cities=list(cities),
        all_cities=all_cities,
        rounds=list(rounds),
        per_minute=per_minute,
    )
    return client, {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def id_numbers(count: int) -> list[str]:
    numbers = []
    for index in range(count):
        day = datetime.date(1990, 1, 1) + datetime.timedelta(days=index // 900)
        body = f"430102{day:%Y%m%d}{index % 900 + 100:03d}"
        numbers.append(body + ric.calc_check_digit(body + "0"))
    return numbers


def test_a_token_is_stored_hashed_works_until_revoked_and_each_call_is_audited(client, admin, changsha):
    api_client, headers = token_for(admin, cities=[changsha.city])
    token = headers["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    stored = ApiClient.objects.get(pk=api_client.pk)
    assert token not in (stored.token_hash, stored.token_prefix) and len(stored.token_hash) == 64

    response = client.get("/api/v1/rounds", **headers)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [changsha.pk]
    event = AuditEvent.objects.filter(action="api.rounds.list").get()
    assert (
        event.data["client"] == "全国考试系统" and event.data["records"] == 1 and event.data["status"] == 200
    )

    api_client_revoke(user=admin, client=api_client)
    refused = client.get("/api/v1/rounds", **headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert client.get("/api/v1/rounds").status_code == 401  # no token at all
    assert client.get("/api/v1/rounds", HTTP_AUTHORIZATION="Bearer vp_0000000000guess").status_code == 401


def test_a_client_without_the_scope_is_refused_with_403_in_the_one_error_shape(client, admin, changsha):
    _api_client, headers = token_for(admin, scopes=[ApiScope.PASS_LISTS_READ], cities=[changsha.city])
    response = client.get("/api/v1/outcomes", **headers)
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "forbidden",
            "message": "This client lacks the scope results:read.",
            "details": None,
        }
    }
    assert AuditEvent.objects.filter(action="api.outcomes.list", data__status=403).exists()
    invalid = client.get("/api/v1/pass-lists?round=abc", **headers)
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "invalid" and invalid.json()["error"]["details"][0]["field"]
    # A filter given twice is refused, not one of its values taken (schemathesis found it).
    twice = client.get(f"/api/v1/pass-lists?round={changsha.pk}&round={changsha.pk + 1}", **headers)
    assert twice.status_code == 422
    assert twice.json()["error"]["details"] == [{"field": "round", "message": "given more than once"}]


def test_a_city_token_cannot_read_another_citys_rounds_outcomes_or_lists(client, admin, changsha, zhuzhou):
    _api_client, headers = token_for(admin, cities=[changsha.city])
    own = factories.ApplicationFactory(roster_entry__round=changsha, status=ApplicationStatus.PASSED)
    other = factories.ApplicationFactory(roster_entry__round=zhuzhou, status=ApplicationStatus.PASSED)
    PassList.objects.create(round=zhuzhou, status=PassListStatus.PUBLISHED, published_at=timezone.now())

    assert client.get(f"/api/v1/rounds/{zhuzhou.pk}", **headers).status_code == 404
    assert client.get(f"/api/v1/rounds/{changsha.pk}", **headers).status_code == 200
    outcomes = client.get("/api/v1/outcomes", **headers).json()["items"]
    assert [item["application_id"] for item in outcomes] == [own.pk]
    assert other.pk not in [item["application_id"] for item in outcomes]
    refused = client.get("/api/v1/outcomes?city=zhuzhou", **headers)
    assert refused.status_code == 403
    assert client.get("/api/v1/pass-lists", **headers).json() == []
    foreign_list = PassList.objects.get(round=zhuzhou)
    assert client.get(f"/api/v1/pass-lists/{foreign_list.pk}/entries", **headers).status_code == 404
    pushed = client.post(
        f"/api/v1/rounds/{zhuzhou.pk}/roster", {"rows": []}, content_type="application/json", **headers
    )
    assert pushed.status_code == 404


def test_a_10000_row_roster_pushed_and_its_outcomes_pulled_back_by_cursor(client, admin, changsha):
    _api_client, headers = token_for(admin, cities=[changsha.city])
    numbers, spare = id_numbers(10_001)[:-1], id_numbers(10_001)[-1]
    rows = [
        {"name": f"考生{index}", "id_number": number, "reason": "1"} for index, number in enumerate(numbers)
    ]
    rows.append({"name": "错号", "id_number": "430102198001011234", "reason": "1"})
    rows.append({"name": "别的考试", "id_number": spare, "exam": "会计", "reason": "1"})
    response = client.post(
        f"/api/v1/rounds/{changsha.pk}/roster", {"rows": rows}, content_type="application/json", **headers
    )
    assert response.status_code == 200
    result = response.json()
    assert (result["received"], result["imported"], result["unchanged"]) == (10_002, 10_000, 0)
    wrong_number, other_exam = result["refused"]
    assert (wrong_number["row"], other_exam["row"]) == (10_001, 10_002)
    assert "身份证号" in wrong_number["reason"] and "会计" in other_exam["reason"]
    assert RosterEntry.objects.filter(round=changsha).count() == 10_000

    # The same rows again: nothing added, and the answer says so.
    again = client.post(
        f"/api/v1/rounds/{changsha.pk}/roster",
        {"rows": rows[:100]},
        content_type="application/json",
        **headers,
    ).json()
    assert (again["imported"], again["unchanged"]) == (0, 100)

    # Each entry declared and decided (as the portal's steps leave them), then read back.
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"api-{number}") for number in numbers
    )
    entries = {entry.id_number: entry for entry in RosterEntry.objects.filter(round=changsha)}
    profiles = CandidateProfile.objects.bulk_create(
        CandidateProfile(
            user=user,
            real_name=entries[number].name,
            id_number=number,
            phone="13800000000",
            gender="M",
            birth_date=datetime.date(1980, 1, 1),
        )
        for user, number in zip(users, numbers, strict=True)
    )
    moment = timezone.now() - datetime.timedelta(hours=2)
    statuses = [ApplicationStatus.PASSED, ApplicationStatus.FAILED, ApplicationStatus.CITY_REVIEW]
    Application.objects.bulk_create(
        Application(
            candidate=profile,
            round=changsha,
            city=changsha.city,
            exam_id=entries[profile.id_number].exam_id,
            roster_entry=entries[profile.id_number],
            status=statuses[index % 3],
            status_changed_at=moment + datetime.timedelta(seconds=index // 2),  # ties in time
        )
        for index, profile in enumerate(profiles)
    )
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/outcomes?limit=1000" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, **headers).json()
        if not page["items"]:
            break
        seen += page["items"]
        cursor, pages = page["next_cursor"], pages + 1
    assert (pages, len(seen)) == (10, 10_000)
    assert len({item["application_id"] for item in seen}) == 10_000
    assert [item["id_number"] for item in seen] == numbers  # oldest change first, ties by id
    assert {item["status"] for item in seen[:3]} == {"passed", "failed", "city_review"}
    # The feed: polling from the last cursor gives only what changed since.
    assert client.get(f"/api/v1/outcomes?cursor={cursor}", **headers).json()["items"] == []
    changed = Application.objects.get(candidate__id_number=numbers[2])
    Application.objects.filter(pk=changed.pk).update(
        status=ApplicationStatus.PASSED, status_changed_at=timezone.now()
    )
    [update] = client.get(f"/api/v1/outcomes?cursor={cursor}", **headers).json()["items"]
    assert (update["application_id"], update["status"]) == (changed.pk, "passed")
    assert AuditEvent.objects.filter(action="api.outcomes.list").count() == pages + 3


def test_the_feed_holds_back_changes_still_settling(client, admin, changsha, settings):
    settings.PORTAL_API_FEED_SETTLE_SECONDS = 5
    _api_client, headers = token_for(admin, cities=[changsha.city])
    application = factories.ApplicationFactory(roster_entry__round=changsha, status=ApplicationStatus.PASSED)
    assert client.get("/api/v1/outcomes", **headers).json() == {"items": [], "next_cursor": None}
    Application.objects.filter(pk=application.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(seconds=6)
    )
    assert len(client.get("/api/v1/outcomes", **headers).json()["items"]) == 1


def test_an_idempotency_key_replays_the_answer_or_refuses_other_rows(client, admin, changsha):
    _api_client, headers = token_for(admin, cities=[changsha.city], rounds=[changsha])
    rows = [{"name": "张三", "id_number": number, "reason": "1"} for number in id_numbers(3)]
    url = f"/api/v1/rounds/{changsha.pk}/roster"
    first = client.post(
        url, {"rows": rows}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers
    )
    replay = client.post(
        url, {"rows": rows}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers
    )
    assert first.json()["imported"] == 3 and replay.json() == first.json()
    conflict = client.post(
        url, {"rows": rows[:1]}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers
    )
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"
    other_round = factories.RoundFactory(city=changsha.city, exams=list(changsha.exams.all()))
    refused = client.post(
        f"/api/v1/rounds/{other_round.pk}/roster", {"rows": rows}, content_type="application/json", **headers
    )
    assert refused.status_code == 403  # the client may push to the round it was given only
    malformed = client.post(url, "{not json", content_type="application/json", **headers)
    assert malformed.status_code in (400, 422) and "error" in malformed.json()


def test_a_client_over_its_rate_gets_429_with_retry_after(client, admin, changsha):
    _api_client, headers = token_for(admin, cities=[changsha.city], per_minute=3)
    answers = [client.get("/api/v1/rounds", **headers) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] == "60"
    assert answers[-1].json()["error"]["code"] == "rate_limited"


def test_pass_list_entries_are_masked_unless_the_client_may_read_results(client, admin, changsha):
    application = factories.ApplicationFactory(roster_entry__round=changsha, status=ApplicationStatus.PASSED)
    pass_list = PassList.objects.create(
        round=changsha, status=PassListStatus.PUBLISHED, published_at=timezone.now(), entry_count=1
    )
    PassListEntry.objects.create(
        pass_list=pass_list,
        position=1,
        application=application,
        name="张三",
        gender="男",
        exam="社会工作者",
        employer="单位",
        masked_id="430102********1234",
    )
    _public, public_headers = token_for(admin, scopes=[ApiScope.PASS_LISTS_READ], cities=[changsha.city])
    _full, full_headers = token_for(admin, cities=[changsha.city])
    url = f"/api/v1/pass-lists/{pass_list.pk}/entries"
    assert client.get(url, **public_headers).json()["items"][0]["id_number"] == "430102********1234"
    assert client.get(url, **full_headers).json()["items"][0]["id_number"] == application.candidate.id_number


def test_administrators_register_a_client_see_its_token_once_and_revoke_it(client_for, admin, changsha):
    page = client_for(admin)
    url = reverse("notices:api_clients")
    response = page.post(
        url,
        {
            "name": "证书平台",
            "scopes": [ApiScope.CERTIFICATES_READ],
            "cities": [changsha.city.pk],
            "per_minute": "60",
        },
    )
    assert response.status_code == 200
    token = response.context["token"]
    assert token.startswith("vp_") and token in response.content.decode()
    assert token not in page.get(url).content.decode()  # shown once
    api_client = ApiClient.objects.get(name="证书平台")
    assert api_client.scopes == ["certificates:read"] and list(api_client.cities.all()) == [changsha.city]
    refused = page.post(url, {"name": "", "scopes": []})
    assert refused.status_code == 400 and "请填写系统名称" in refused.content.decode()
    page.post(reverse("notices:api_client_revoke", args=[api_client.pk]))
    assert ApiClient.objects.get(pk=api_client.pk).revoked_at is not None
    assert client_for(factories.UserFactory()).get(url).status_code == 404  # as every management page


def test_the_api_docs_are_served_from_the_portal(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert {"401", "403", "422", "429"} <= set(schema["paths"]["/api/v1/outcomes"]["get"]["responses"])
