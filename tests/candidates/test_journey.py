"""The candidate's whole journey through the pages, on the real stack."""

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus, DocumentKind
from candidates.models import Application, AuditEvent, CandidateProfile, GeneratedDocument, MaterialVersion
from tests import factories
from tests.conftest import sms_code_for
from tests.declare import declare_steps
from tests.factories import make_credit_code, make_id_number
from tests.files import jpeg_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
PASSWORD = "Qualified-Candidate-2026"


def register(client, id_number, phone="13712345678", name="王小明", *, verify=True):
    """Register, then (unless told not to) type the code the SMS brought."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("candidates:register"),
            {
                "real_name": name,
                "id_number": id_number,
                "phone": phone,
                "email": "wang@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    if not verify or response.status_code != 302:
        return response
    assert response["Location"] == reverse("candidates:verify_phone")
    return client.post(reverse("candidates:verify_phone"), {"code": sms_code_for(phone)})


def test_register_derives_gender_and_birth_date_and_logs_in(client):
    id_number = make_id_number("19880512")
    response = register(client, id_number.lower() if id_number.endswith("X") else id_number)
    assert response.status_code == 302 and response["Location"] == reverse("candidates:dashboard")
    profile = CandidateProfile.objects.get()
    assert profile.id_number == id_number
    assert profile.birth_date == datetime.date(1988, 5, 12)
    assert profile.gender == ("M" if int(id_number[16]) % 2 else "F")
    assert AuditEvent.objects.filter(action="candidate.register", target_id=str(profile.pk)).exists()
    assert AuditEvent.objects.filter(action="candidate.phone_verified", actor=profile.user).exists()
    assert profile.phone_verified_at is not None and profile.user.is_active
    dashboard = client.get(reverse("candidates:dashboard")).content.decode()
    assert "不在任何核查名单中" in dashboard


def test_register_errors_beside_the_fields_and_nothing_lost(client):
    response = register(client, "430102199003071235", phone="123")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["id_number"] == ["身份证号校验位不正确，请核对最后一位。"]
    assert form.errors["phone"] == ["请输入 11 位中国大陆手机号码。"]
    page = response.content.decode()
    assert 'value="王小明"' in page  # what was typed stays
    assert 'id="id_id_number_error"' in page
    assert not CandidateProfile.objects.exists()


def test_one_account_per_id_number(client):
    id_number = make_id_number()
    register(client, id_number)
    client.logout()
    response = register(client, id_number, phone="13787654321")
    assert "该身份证号已注册" in response.content.decode()
    assert CandidateProfile.objects.count() == 1


def test_weak_password_refused(client):
    response = client.post(
        reverse("candidates:register"),
        {
            "real_name": "王小明",
            "id_number": make_id_number(),
            "phone": "13712345678",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not CandidateProfile.objects.exists()


@pytest.mark.parametrize("login_with", ["id_number", "phone"])
def test_login_with_id_number_or_phone(client, login_with):
    id_number = make_id_number()
    register(client, id_number)
    client.logout()
    username = id_number if login_with == "id_number" else "13712345678"
    response = client.post(reverse("candidates:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("candidates:dashboard")).context["profile"].id_number == id_number
    client.logout()
    wrong = client.post(reverse("candidates:login"), {"username": username, "password": "nope-nope"})
    assert "账号或密码不正确" in wrong.content.decode()


def test_dashboard_says_why_an_entry_cannot_start(client_for, candidate):
    now = timezone.now()
    upcoming = factories.RoundFactory(
        opens_at=now + datetime.timedelta(days=2), closes_at=now + datetime.timedelta(days=9)
    )
    closed = factories.RoundFactory(
        opens_at=now - datetime.timedelta(days=9), closes_at=now - datetime.timedelta(days=2)
    )
    factories.RosterEntryFactory(round=upcoming, id_number=candidate.id_number, name=candidate.real_name)
    factories.RosterEntryFactory(round=closed, id_number=candidate.id_number, name=candidate.real_name)
    page = client_for(candidate.user).get(reverse("candidates:dashboard")).content.decode()
    assert "本轮申报尚未开始" in page
    assert "本轮申报已于" in page
    assert "开始申报" not in page


def test_whole_journey(client, django_capture_on_commit_callbacks, private_storage):
    id_number = make_id_number("19900307")
    entry = factories.RosterEntryFactory(id_number=id_number, name="王小明")
    register(client, id_number)

    dashboard = client.get(reverse("candidates:dashboard")).content.decode()
    assert "开始申报" in dashboard
    response = client.post(reverse("candidates:start", args=[entry.pk]))
    application = Application.objects.get()
    assert response["Location"] == reverse("candidates:declare", args=[application.pk])

    credit_code = make_credit_code()
    declaration = {
        "application_kind": "normal",
        "employer_name": "长沙某某设计院",
        "employer_credit_code": credit_code,
        "major": "社会工作",
        "education_level": "bachelor",
        "education_type": "higher",
        "school": "湖南大学",
        "graduation_date": "2012-06",
        "chsi_registered": "on",
        "work_start_date": "2012-07",
        "professional_title": "助理社会工作师",
        "work-TOTAL_FORMS": "2",
        "work-INITIAL_FORMS": "0",
        "work-MIN_NUM_FORMS": "0",
        "work-MAX_NUM_FORMS": "12",
        "work-0-start": "2012-07",
        "work-0-end": "",
        "work-0-employer": "长沙某某设计院",
        "work-0-position": "社会工作",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = declare_steps(client, application, declaration)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.employer.credit_code == credit_code
    assert application.graduation_date == datetime.date(2012, 6, 1)
    assert application.work_history == [
        {"start": "2012-07", "end": "", "employer": "长沙某某设计院", "position": "社会工作"}
    ]
    # The pre-filled form was rendered by the task queued on commit.
    assert GeneratedDocument.objects.filter(application=application, kind="application_form").exists()
    form_pdf = client.get(reverse("candidates:document", args=[application.pk, "application_form"]))
    assert form_pdf["Content-Type"] == "application/pdf"

    page = client.get(reverse("candidates:application", args=[application.pk])).content.decode()
    assert "教育部学历证书电子注册备案表" in page
    assert "还缺 3 项" in page

    # Submitting too early is refused, the draft stays.
    client.post(reverse("candidates:submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT

    # Uploads: one through the progress-bar path (JSON), one as a plain form post.
    json_response = client.post(
        reverse("candidates:upload", args=[application.pk, "application_form"]),
        {"files": [upload("报名表1.jpg", jpeg_bytes()), upload("报名表2.jpg", jpeg_bytes())]},
        headers={"accept": "application/json"},
    )
    assert json_response.json()["ok"] is True
    bad = client.post(
        reverse("candidates:upload", args=[application.pk, "work_years"]),
        {"files": [upload("证明.pdf", b"GIF89a not really")]},
        headers={"accept": "application/json"},
    )
    assert bad.status_code == 400
    assert "只能上传 PDF、JPG 或 PNG" in bad.json()["errors"][0]
    for kind in ("work_years", "edu_chsi_record"):
        response = client.post(
            reverse("candidates:upload", args=[application.pk, kind]),
            {"files": [upload(f"{kind}.pdf", pdf_bytes(1))]},
        )
        assert response.status_code == 302
    assert MaterialVersion.objects.filter(material__application=application).count() == 4

    # Check your answers: the declaration, each item with its files and pages, the commitment.
    confirm = client.get(reverse("candidates:confirm", args=[application.pk])).content.decode()
    assert "长沙某某设计院" in confirm and "报名表1.jpg · 1 页" in confirm and "本人已了解报考条件" in confirm
    # Without ticking the commitment nothing is submitted.
    response = client.post(reverse("candidates:submit", args=[application.pk]))
    assert response["Location"] == reverse("candidates:confirm", args=[application.pk])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("candidates:submit", args=[application.pk]), {"commitment": "on"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CITY_REVIEW
    assert application.stamped_on_paper
    submitted = AuditEvent.objects.get(
        action="application.transition", application=application, data__event="submit_to_city"
    )
    assert submitted.data["commitment"].startswith("本人已了解报考条件")
    # What happens next, with the round's dates.
    page = client.get(reverse("candidates:application", args=[application.pk])).content.decode()
    assert "接下来" in page and "人社局人工核查" in page
    assert reverse("candidates:confirm", args=[application.pk]) not in page

    page = client.get(reverse("candidates:application", args=[application.pk])).content.decode()
    assert "待人工核查" in page
    assert "申报</button>" not in page  # read-only now
    assert 'action="' + reverse("candidates:upload", args=[application.pk, "work_years"]) not in page
    receipt = client.get(reverse("candidates:document", args=[application.pk, DocumentKind.RECEIPT]))
    assert receipt.status_code == 200
    assert b"".join(receipt.streaming_content).startswith(b"%PDF")

    # Read-only on the server too, not only in the page.
    response = client.post(reverse("candidates:declare", args=[application.pk]), declaration)
    application.refresh_from_db()
    assert application.school == "湖南大学"


def test_self_check_answers_from_the_query_without_login(client):
    url = reverse("candidates:self_check") + "?kind=normal&education=hunan_secondary&graduated=2004-06"
    response = client.get(url)
    page = response.content.decode()
    assert "省教育厅学历认证报告" in page
    assert "资格考试报名表" in page and "工作年限证明" in page
    assert [r.code for r in response.context["requirements"]] == [
        "application_form",
        "work_years",
        "edu_hunan_education_report",
    ]
    addition = client.get(reverse("candidates:self_check") + "?kind=addition")
    assert [r.code for r in addition.context["requirements"]] == ["first_qualification"]


def test_self_check_honours_level_technical_class_and_the_special_case(client):
    from reviews.models import EligibilityRule

    exam = factories.ExamFactory(name="社会工作者")
    EligibilityRule.objects.create(exam=exam, education_level="junior_college", required_years=4, demo=True)
    EligibilityRule.objects.create(
        exam=exam,
        exam_level="中级",
        education_level="junior_college",
        required_years=6,
        source="测试文件 第二条",
    )
    url = reverse("candidates:self_check")
    # A technical school's 高级工班 counts as 大专; the level chosen for the exam picks its rule.
    query = "?kind=normal&education=technical&technical_class=advanced&graduated=2010-07"
    page = client.get(url + query + f"&exam={exam.pk}&exam_level=中级").content.decode()
    assert "按学历“大专”计算报考条件" in page and "需从事相关专业工作满 6 年" in page
    assert "依据：测试文件 第二条" in page
    page = client.get(
        url
        + f"?kind=normal&education=higher&level=junior_college&graduated=2010-07&registered=on&exam={exam.pk}"
    ).content.decode()
    assert "需从事相关专业工作满 4 年" in page and "依据：演示数据，非正式报考条件" in page
    # The class is asked for a technical school, and only there; a 中专 is 中专.
    missing = client.get(url + "?kind=normal&education=technical&graduated=2010-07")
    assert (
        missing.context["requirements"] is None and "技工院校学历请选择班级类型" in missing.content.decode()
    )
    wrong = client.get(url + "?kind=normal&education=hunan_secondary&level=bachelor&graduated=2010-07")
    assert "中专学历的学历应选“中专”" in wrong.content.decode()
    # A Hunan 中专 of 2001: the 特别提醒 is offered, and taken when no report can be had.
    offered = client.get(url + "?kind=normal&education=hunan_secondary&graduated=2001-07").content.decode()
    assert "特别提醒：2002 年以前取得的学历、外省学历无法提供学历认证报告的" in offered
    taken = client.get(url + "?kind=normal&education=hunan_secondary&graduated=2001-07&no_report=on")
    assert [r.code for r in taken.context["requirements"]][-2:] == ["edu_graduate_form", "edu_diploma"]


def test_self_check_bad_query_gives_field_error(client):
    response = client.get(reverse("candidates:self_check") + "?kind=normal&education=higher&graduated=June")
    assert response.context["requirements"] is None
    assert "请按“年-月”填写" in response.content.decode()


def test_home_lists_open_rounds(client):
    round_ = factories.RoundFactory(name="2026年度社会工作者考后人工核查")
    page = client.get(reverse("candidates:home")).content.decode()
    assert round_.name in page


def test_english_is_available_through_the_switch(client):
    assert "考生注册" in client.get(reverse("candidates:home")).content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("candidates:home")).content.decode()
    assert "Candidate registration" in page and "考生注册" not in page
    assert '<html lang="en">' in page
    errors = register(client, "430102199003071235").context["form"].errors
    assert errors["id_number"] == ["The ID number check digit is wrong; check the last character."]
    checklist = client.get(reverse("candidates:self_check") + "?kind=addition").content.decode()
    assert "(5) First specialty qualification certificate" in checklist


def test_chinese_by_default_whatever_the_browser_asks(client):
    page = client.get(reverse("candidates:home"), headers={"accept-language": "en-US,en;q=0.9"})
    assert "考生注册" in page.content.decode()
    assert page["Content-Language"] == "zh-hans"


def test_every_message_has_an_english_translation():
    """A new string without an English entry shows Chinese in the English UI; catch it here."""
    from pathlib import Path

    from django.conf import settings

    catalog = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    entries = catalog.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [
        entry.splitlines()[0]
        for entry in entries
        if 'msgstr ""' in entry and "msgstr[0]" not in entry and entry.rstrip().endswith('msgstr ""')
    ]
    assert untranslated == []
    fuzzy = [entry.splitlines()[0] for entry in entries if "#, fuzzy" in entry]
    assert fuzzy == []  # makemessages guesses these from other strings: they need a real translation


def test_employer_search_by_name_or_credit_code(client_for, candidate):
    organisation = factories.OrganisationFactory(name="湖南示范建筑设计院")
    client = client_for(candidate.user)
    url = reverse("candidates:employer_search")
    by_name = client.get(url, {"q": "示范建筑"}).json()["results"]
    by_code = client.get(url, {"q": organisation.credit_code[:8].lower()}).json()["results"]
    expected = [{"name": "湖南示范建筑设计院", "credit_code": organisation.credit_code}]
    assert by_name == expected and expected[0] in by_code
    assert client.get(url, {"q": "湖"}).json()["results"] == []
    staff = client_for(factories.CityReviewerFactory().user)
    assert staff.get(url, {"q": "示范建筑"}).status_code == 404


def test_dashboard_says_the_next_step(client_for):
    application = factories.ApplicationFactory(status=ApplicationStatus.SUPPLEMENT)
    page = client_for(application.candidate.user).get(reverse("candidates:dashboard")).content.decode()
    assert "下一步：按要求补正材料" in page
