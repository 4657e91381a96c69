"""Limits that hold: the login lockout follows the account whichever alias was typed, and
throttles key on the real client address behind the configured proxies."""

import pytest
from django.core.cache import caches
from django.test import RequestFactory, TestCase
from django.urls import reverse
from django.utils import timezone

from candidates.models import PhoneCode
from notices.enums import PassListStatus
from notices.models import PassList, PassListEntry, Report
from tests import factories
from tests.factories import make_id_number
from verification_portal.client import client_address

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-42"


def id_number_ending_in_x() -> str:
    while True:
        number = make_id_number()
        if number.endswith("X"):
            return number


def test_lockout_follows_the_account_not_the_typed_alias(client, settings):
    id_number = id_number_ending_in_x()
    candidate = factories.CandidateFactory(id_number=id_number)
    aliases = [id_number, candidate.phone, id_number.lower(), f" {id_number} ", candidate.phone]
    assert len(aliases) == settings.AXES_FAILURE_LIMIT
    warnings = []
    for alias in aliases:
        failed = client.post(reverse("candidates:login"), {"username": alias, "password": "wrong-password"})
        page = failed.content.decode()
        warnings.append(next((n for n in (2, 1) if f"再输错 {n} 次" in page), None))
    # Warned before the lockout, not from the first mistake; then locked with whom to call.
    assert warnings[:4] == [None, None, 2, 1]
    for alias in (id_number, candidate.phone, id_number.lower()):
        locked = client.post(reverse("candidates:login"), {"username": alias, "password": PASSWORD})
        assert locked.status_code == 429, alias
    assert "各市州咨询电话" in locked.content.decode() and "联系所在市州人社局" in locked.content.decode()
    assert client.get(reverse("candidates:dashboard")).status_code == 302
    # Another account from the same address is not locked.
    other = factories.CandidateFactory()
    assert (
        client.post(reverse("candidates:login"), {"username": other.phone, "password": PASSWORD}).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy: a forged header is ignored
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the proxy's own entry, not the forged one
        (1, "203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "", "10.0.0.1"),
    ],
)
def test_client_address_behind_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.PORTAL_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


@pytest.fixture
def published_entry():
    application = factories.ApplicationFactory(status="passed")
    pass_list = PassList.objects.create(
        round=application.round,
        version=1,
        status=PassListStatus.PUBLISHED,
        published_at=timezone.now(),
        objection_ends_at=timezone.now() + timezone.timedelta(days=5),
    )
    return PassListEntry.objects.create(
        pass_list=pass_list,
        application=application,
        position=1,
        name="王小明",
        gender="男",
        exam="社会工作者",
        employer="测试单位",
        masked_id="430102********1234",
    )


def test_report_throttle_keys_on_the_client_behind_the_proxy(client, settings, published_entry):
    settings.PORTAL_PROXY_COUNT = 1
    settings.PORTAL_REPORTS_PER_HOUR = 2
    url = reverse("notices:report", args=[published_entry.pass_list_id, published_entry.pk])
    form = {"contact": "13800000000", "text": "此人工作年限不足，请核实其工作经历。"}

    def send(forwarded):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(url, form, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    # The same client forging a new left-most address each time is still one client.
    assert send("1.1.1.1, 203.0.113.7").status_code == 302
    assert send("2.2.2.2, 203.0.113.7").status_code == 302
    third = send("3.3.3.3, 203.0.113.7")
    assert third.status_code == 200 and "提交过于频繁" in third.content.decode()
    # Another client behind the same proxy is not throttled.
    assert send("203.0.113.8").status_code == 302
    assert Report.objects.count() == 3


def test_report_form_works_with_redis_down(client, settings, published_entry):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    caches._settings = None
    try:
        url = reverse("notices:report", args=[published_entry.pass_list_id, published_entry.pk])
        response = client.post(
            url, {"contact": "13800000000", "text": "此人工作年限不足，请核实其工作经历。"}
        )
        assert response.status_code == 302
        assert Report.objects.count() == 1
    finally:
        caches._settings = None


def test_sms_codes_are_limited_per_client_behind_the_proxy(client, settings):
    settings.PORTAL_PROXY_COUNT = 1
    settings.PORTAL_SMS_CODES_PER_ADDRESS_HOUR = 3
    for n in range(4):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(
                reverse("candidates:password_reset"),
                {"phone": f"1370000{n:04d}"},
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"{n}.{n}.{n}.{n}, 203.0.113.9",
            )
    assert "网络获取验证码过于频繁" in response.content.decode()
    assert set(PhoneCode.objects.values_list("client_address", flat=True)) == {"203.0.113.9"}
    assert PhoneCode.objects.count() == 3
