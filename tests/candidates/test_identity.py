"""Only the real person can act on a roster entry: a phone verified by SMS code, the account's
name against the roster's, the release of an ID number held by the wrong person, password
reset without revealing who is registered, and the identity documents the national systems
accept."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from candidates.enums import ApplicationStatus, IdType, PhoneCodePurpose, RosterStatus
from candidates.identity import IdentityCheck
from candidates.models import Application, AuditEvent, CandidateProfile, PhoneCode
from candidates.services.accounts import (
    candidate_identity_release,
    candidate_phone_verify,
    candidate_register,
    phone_code_check,
    phone_code_issue,
)
from candidates.services.applications import application_start
from candidates.validators import name_key, parse_id_number
from tests import factories
from tests.conftest import sms_code_for
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db
PASSWORD = "Qualified-Candidate-2026"


def with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def register(client, *, id_number, name, phone, verify=True):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("candidates:register"),
            {
                "real_name": name,
                "id_number": id_number,
                "phone": phone,
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    if verify and response.status_code == 302:
        response = client.post(reverse("candidates:verify_phone"), {"code": sms_code_for(phone)})
    return response


@pytest.fixture
def roster_entry():
    """王小明 on the roster of an open round."""
    return factories.RosterEntryFactory(id_number=make_id_number("19900307"), name="王小明")


# Registration verifies the phone


def test_account_is_inactive_until_the_phone_is_verified(client):
    id_number = make_id_number()
    response = register(client, id_number=id_number, name="王小明", phone="13712345678", verify=False)
    assert response["Location"] == reverse("candidates:verify_phone")
    profile = CandidateProfile.objects.get()
    assert profile.phone_verified_at is None and not profile.user.is_active
    assert client.get(reverse("candidates:dashboard")).status_code == 302  # no session
    code = PhoneCode.objects.get(phone="13712345678")
    sent = sms_code_for("13712345678")
    assert sent not in code.code_hash and len(code.code_hash) == 64  # only a keyed hash is stored
    wrong = client.post(
        reverse("candidates:verify_phone"), {"code": "000000" if sent != "000000" else "111111"}
    )
    assert "验证码不正确或已过期" in wrong.content.decode()
    done = client.post(reverse("candidates:verify_phone"), {"code": sent})
    assert done["Location"] == reverse("candidates:dashboard")
    profile.refresh_from_db()
    assert profile.phone_verified_at is not None and profile.user.is_active
    assert client.get(reverse("candidates:dashboard")).status_code == 200


def test_login_of_an_unverified_account_sends_a_code_and_asks_for_it(client):
    id_number = make_id_number()
    register(client, id_number=id_number, name="王小明", phone="13712345678", verify=False)
    PhoneCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    client.logout()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("candidates:login"), {"username": id_number, "password": PASSWORD})
    assert response["Location"] == reverse("candidates:verify_phone")
    assert client.get(reverse("candidates:dashboard")).status_code == 302
    client.post(reverse("candidates:verify_phone"), {"code": sms_code_for("13712345678")})
    assert client.get(reverse("candidates:dashboard")).status_code == 200


def test_a_code_lasts_five_minutes_and_five_attempts():
    now = timezone.now()
    phone = "13712345678"
    with TestCase.captureOnCommitCallbacks(execute=True):
        phone_code_issue(phone=phone, purpose=PhoneCodePurpose.REGISTER, client_address="10.0.0.1", now=now)
    code = sms_code_for(phone)
    with pytest.raises(ValidationError, match="验证码不正确或已过期"):
        phone_code_check(
            phone=phone, purpose=PhoneCodePurpose.REGISTER, code=code, now=now + datetime.timedelta(minutes=5)
        )
    later = now + datetime.timedelta(minutes=10)
    with TestCase.captureOnCommitCallbacks(execute=True):
        phone_code_issue(phone=phone, purpose=PhoneCodePurpose.REGISTER, client_address="10.0.0.1", now=later)
    code = sms_code_for(phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError, match="验证码不正确"):
            phone_code_check(phone=phone, purpose=PhoneCodePurpose.REGISTER, code=wrong, now=later)
    with pytest.raises(ValidationError, match="错误次数过多"):
        phone_code_check(phone=phone, purpose=PhoneCodePurpose.REGISTER, code=code, now=later)
    assert PhoneCode.objects.get(created_at=later).attempts == 5


def test_codes_are_limited_per_number_and_per_address():
    start = timezone.now()
    phone = "13712345678"

    def issue(minutes: float, address: str = "10.0.0.1", number: str = phone):
        return phone_code_issue(
            phone=number,
            purpose=PhoneCodePurpose.REGISTER,
            client_address=address,
            now=start + datetime.timedelta(minutes=minutes),
        )

    issue(0)
    with pytest.raises(ValidationError, match="1 分钟后再试"):
        issue(0.5)
    for minute in (1.1, 2.2, 3.3, 4.4):
        issue(minute)
    with pytest.raises(ValidationError, match="1 小时内获取验证码已达 5 次"):
        issue(5.5)
    for hour in (2, 3, 4, 5, 6):
        issue(hour * 60)
    with pytest.raises(ValidationError, match="今日获取验证码已达 10 次上限"):
        issue(7 * 60)
    assert PhoneCode.objects.filter(phone=phone).count() == 10
    # Per client address: 20 an hour whatever the numbers.
    for n in range(20):
        issue(2000 + n * 0.01, address="10.9.9.9", number=f"1390000{n:04d}")
    with pytest.raises(ValidationError, match="网络获取验证码过于频繁"):
        issue(2001, address="10.9.9.9", number="13911112222")


# The name must match the roster


def test_an_impostor_with_another_name_cannot_start_and_is_audited(client, client_for, roster_entry):
    register(client, id_number=roster_entry.id_number, name="李冒名", phone="13700000001")
    impostor = CandidateProfile.objects.get(real_name="李冒名")
    assert impostor.holds_identity
    dashboard = client.get(reverse("candidates:dashboard")).content.decode()
    assert "姓名与核查名单上该身份证号对应的姓名不一致" in dashboard
    response = client.post(reverse("candidates:start", args=[roster_entry.pk]), follow=True)
    page = response.content.decode()
    assert "联系" in page and "人社局" in page and "王小明" not in page  # the roster name is not revealed
    assert not Application.objects.exists()
    event = AuditEvent.objects.get(action="identity.start_refused")
    assert event.data["account_name"] == "李冒名" and event.data["roster_name"] == "王小明"
    assert event.actor == impostor.user


@pytest.mark.parametrize(
    ("account", "roster"),
    [
        ("艾力·买买提", "艾力・买买提"),
        ("艾力 买买提", "艾力•买买提"),
        ("ＡＮＮＡ　李", "anna李"),
        ("王小明", " 王小明 "),
    ],
)
def test_names_are_compared_normalised(account, roster):
    assert name_key(account) == name_key(roster)


def test_the_real_person_starts_with_the_roster_name(candidate):
    entry = factories.RosterEntryFactory(id_number=candidate.id_number, name=f" {candidate.real_name} ")
    application = application_start(candidate=candidate, entry=entry)
    assert application.status == ApplicationStatus.DRAFT


def test_an_account_that_never_verified_does_not_block_the_real_person(client, roster_entry):
    register(client, id_number=roster_entry.id_number, name="李冒名", phone="13700000001", verify=False)
    squatter = CandidateProfile.objects.get()
    client.logout()
    response = register(client, id_number=roster_entry.id_number, name="王小明", phone="13700000002")
    assert response["Location"] == reverse("candidates:dashboard")
    real = CandidateProfile.objects.get(real_name="王小明")
    assert real.holds_identity
    # The squatter can no longer verify: the ID number is held.
    PhoneCode.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    with TestCase.captureOnCommitCallbacks(execute=True):
        phone_code_issue(phone=squatter.phone, purpose=PhoneCodePurpose.REGISTER, client_address=None)
    with pytest.raises(ValidationError, match="该身份证号已注册"):
        candidate_phone_verify(profile=squatter, code=sms_code_for(squatter.phone))
    squatter.refresh_from_db()
    assert squatter.phone_verified_at is None and not squatter.user.is_active


def test_a_verified_id_number_is_refused_to_a_second_account(client, roster_entry):
    register(client, id_number=roster_entry.id_number, name="王小明", phone="13700000002")
    client.logout()
    response = register(client, id_number=roster_entry.id_number, name="王小明", phone="13700000003")
    assert "该身份证号已注册" in response.content.decode()
    assert CandidateProfile.objects.count() == 1


def test_an_administrator_releases_an_id_number_held_by_the_wrong_person(client, client_for, roster_entry):
    # The impostor knows the name and the number, verifies their own phone and starts.
    register(client, id_number=roster_entry.id_number, name="王小明", phone="13700000001")
    impostor = CandidateProfile.objects.get()
    taken = application_start(candidate=impostor, entry=roster_entry)
    client.logout()
    # The real person is refused and goes to the bureau.
    refused = register(client, id_number=roster_entry.id_number, name="王小明", phone="13700000002")
    assert "该身份证号已注册" in refused.content.decode()
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    admin_client = client_for(admin)
    blank = admin_client.post(reverse("notices:candidate_release", args=[impostor.pk]), {"reason": ""})
    assert blank.status_code == 200 and CandidateProfile.objects.get(pk=impostor.pk).released_at is None
    response = admin_client.post(
        reverse("notices:candidate_release", args=[impostor.pk]),
        {"reason": "本人持身份证到场核实，该账号系冒用"},
    )
    assert response.status_code == 302
    impostor.refresh_from_db()
    taken.refresh_from_db()
    roster_entry.refresh_from_db()
    assert impostor.released_at is not None and impostor.released_by == admin and not impostor.user.is_active
    assert taken.status == ApplicationStatus.VOID
    assert roster_entry.status == RosterStatus.EXPECTED
    event = AuditEvent.objects.get(action="candidate.identity_release")
    assert event.actor == admin and event.data["reason"] == "本人持身份证到场核实，该账号系冒用"
    assert event.data["voided_applications"] == [taken.pk]
    # The real person now registers and starts on the same roster entry.
    admin_client.logout()
    client.logout()
    PhoneCode.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    register(client, id_number=roster_entry.id_number, name="王小明", phone="13700000002")
    real = CandidateProfile.objects.get(phone="13700000002", phone_verified_at__isnull=False)
    started = client.post(reverse("candidates:start", args=[roster_entry.pk]))
    assert started.status_code == 302
    live = Application.objects.exclude(status=ApplicationStatus.VOID).get(roster_entry=roster_entry)
    assert live.candidate == real
    # The impostor cannot log in any more.
    client.logout()
    login = client.post(reverse("candidates:login"), {"username": "13700000001", "password": PASSWORD})
    assert login.status_code == 200 and client.get(reverse("candidates:dashboard")).status_code == 302


def test_only_an_administrator_releases(candidate):
    reviewer = factories.CityReviewerFactory().user
    with pytest.raises(Exception) as error:
        candidate_identity_release(profile=candidate, actor=reviewer, reason="x")
    assert error.type.__name__ == "PermissionDenied"


# The roster's phone


def test_a_roster_phone_that_differs_is_shown_to_the_reviewer(candidate, client_for):
    entry = factories.RosterEntryFactory(
        id_number=candidate.id_number, name=candidate.real_name, phone="13911112222"
    )
    application = application_start(candidate=candidate, entry=entry)
    event = AuditEvent.objects.get(action="application.start")
    assert event.data["identity_flags"]["phone_mismatch"] == {
        "roster": "13911112222",
        "account": candidate.phone,
    }
    from reviews.selectors import review_facts

    facts = review_facts(application=application)
    assert facts.roster_phone_mismatch == "13911112222"
    page = client_for(factories.CityReviewerFactory(city=application.city).user)
    application.status = ApplicationStatus.CITY_REVIEW
    application.save(update_fields=["status"])
    html = page.get(reverse("reviews:review", args=[application.pk])).content.decode()
    assert "名单为 13911112222" in html and candidate.phone in html


def test_a_roster_phone_that_agrees_raises_no_flag(candidate):
    entry = factories.RosterEntryFactory(
        id_number=candidate.id_number, name=candidate.real_name, phone=candidate.phone
    )
    application_start(candidate=candidate, entry=entry)
    assert "identity_flags" not in AuditEvent.objects.get(action="application.start").data


# Password reset


def test_candidate_password_reset_by_sms_reveals_nothing(client, candidate, sms_outbox):
    def ask(phone):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(reverse("candidates:password_reset"), {"phone": phone}, follow=True)

    known = ask(candidate.phone)
    unknown = ask("13999990000")
    assert known.redirect_chain == unknown.redirect_chain
    strip = lambda page: page.content.decode().replace(candidate.phone[:3], "").replace("1399999", "")  # noqa: E731
    assert "如该号码已注册" in strip(known) and "如该号码已注册" in strip(unknown)
    # Both were counted against the limits, only the registered number got an SMS.
    assert PhoneCode.objects.filter(purpose=PhoneCodePurpose.RESET).count() == 2
    assert [to for to, _ in sms_outbox] == [candidate.phone]
    # A code for the unknown number: the same answer as a wrong code.
    response = client.post(
        reverse("candidates:password_reset_code"),
        {"code": "123456", "password1": "New-Secret-2026", "password2": "New-Secret-2026"},
    )
    assert "验证码不正确或已过期" in response.content.decode()
    # The registered number resets its password.
    PhoneCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    ask(candidate.phone)
    done = client.post(
        reverse("candidates:password_reset_code"),
        {
            "code": sms_code_for(candidate.phone),
            "password1": "New-Secret-2026",
            "password2": "New-Secret-2026",
        },
    )
    assert done["Location"] == reverse("candidates:login")
    ok = client.post(
        reverse("candidates:login"), {"username": candidate.id_number, "password": "New-Secret-2026"}
    )
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(action="candidate.password_reset", actor=candidate.user).exists()


def test_staff_reset_by_email_link_and_the_same_answer_for_anyone(client):
    reviewer = factories.CityReviewerFactory(user__email="reviewer@bureau.example").user
    candidate = factories.CandidateFactory(user__email="cand@example.com")
    pages = []
    for email in ("reviewer@bureau.example", "cand@example.com", "nobody@example.com"):
        response = client.post(reverse("candidates:staff_password_reset"), {"email": email}, follow=True)
        pages.append((response.redirect_chain, response.status_code))
    assert pages[0] == pages[1] == pages[2]
    assert [message.to for message in mail.outbox] == [["reviewer@bureau.example"]]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/staff/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Reviewer-New-2026", "new_password2": "Reviewer-New-2026"},
    )
    assert done.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.check_password("Reviewer-New-2026")
    assert candidate.user.check_password("Correct-Horse-42")


# The identity documents the national systems accept


@pytest.mark.parametrize(
    ("body", "id_type", "birth"),
    [
        ("81000019900307123", IdType.HMT_RESIDENCE, datetime.date(1990, 3, 7)),
        ("82000019851231002", IdType.HMT_RESIDENCE, datetime.date(1985, 12, 31)),
        ("83000020000101456", IdType.HMT_RESIDENCE, datetime.date(2000, 1, 1)),
        ("93115619880512001", IdType.FOREIGN_PERMANENT, datetime.date(1988, 5, 12)),
    ],
)
def test_residence_permits_and_permanent_residence_cards_are_accepted(client, body, id_type, birth):
    number = body + ric.calc_check_digit(body + "0")
    identity = parse_id_number(number)
    assert (identity.id_type, identity.birth_date) == (id_type, birth)
    assert identity.gender == ("M" if int(body[16]) % 2 else "F")
    register(client, id_number=number, name="陈大文", phone="13712345678")
    profile = CandidateProfile.objects.get()
    assert (profile.id_type, profile.birth_date, profile.gender) == (id_type, birth, identity.gender)


def test_permanent_residence_card_with_an_unknown_province_is_refused():
    body = "99915619880512001"
    with pytest.raises(ValidationError) as error:
        parse_id_number(body + ric.calc_check_digit(body + "0"))
    assert error.value.code == "id_component"


# The verifier is pluggable


class RefuseEveryone:
    def account_verified(self, profile):
        return True

    def check_start(self, *, profile, entry):
        return IdentityCheck(refusal="请通过省统一身份认证登录后申报。")


def test_the_identity_verifier_is_a_setting(settings, candidate):
    settings.PORTAL_IDENTITY_VERIFIER = "tests.candidates.test_identity.RefuseEveryone"
    entry = factories.RosterEntryFactory(id_number=candidate.id_number, name=candidate.real_name)
    with pytest.raises(ValidationError, match="省统一身份认证"):
        application_start(candidate=candidate, entry=entry)


def test_the_service_refuses_a_control_character_in_the_name():
    with pytest.raises(ValidationError, match="不可见字符"):
        candidate_register(
            real_name="王\u202e小明", id_number=make_id_number(), phone="13712345678", password=PASSWORD
        )
