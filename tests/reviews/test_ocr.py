"""OCR with the real engine on rendered pages (Chinese text, a red seal, an ID number): what
is read, how it is compared with the application, and what the reviewer and the candidate see."""

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse

from candidates.enums import ApplicationStatus, OcrStatus
from candidates.models import AuditEvent, MaterialPage, Message, PageText
from candidates.services.materials import material_store
from candidates.services.ocr import ocr_sweep, pages_waiting
from reviews.models import OcrCheck
from tests import factories
from tests.factories import make_id_number
from tests.files import upload
from tests.pages import chsi_record_lines, jpeg, page, work_years_lines

pytestmark = pytest.mark.django_db


def put(application, kind: str, image) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        material_store(
            application=application,
            kind=kind,
            files=[upload("扫描件.jpg", jpeg(image))],
            actor=application.candidate.user,
        )


def read_all() -> int:
    """What the periodic job does with eager tasks: read every page that waits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return ocr_sweep()


def submitted(**values):
    return factories.ApplicationFactory(status=ApplicationStatus.CITY_REVIEW, **values)


def findings(application, kind: str) -> dict[str, dict]:
    check = OcrCheck.objects.get(application=application)
    return {finding["fact"]: finding for finding in check.items[kind]["findings"]}


def test_the_work_years_proof_is_read_and_matches_the_application():
    application = submitted()
    name, id_number = application.candidate.real_name, application.candidate.id_number
    put(
        application,
        "work_years",
        page(work_years_lines(name, id_number, application.employer.name), stamp=True),
    )
    assert read_all() == 1
    text = PageText.objects.get(page__version__material__application=application)
    assert text.status == OcrStatus.READ and text.seconds > 0
    assert id_number in text.text.replace(" ", "")
    assert name in text.text.replace(" ", "")
    facts = findings(application, "work_years")
    assert facts["id_number"]["outcome"] == "match"
    assert facts["name"]["outcome"] == "match"
    assert facts["employer"]["outcome"] == "match"
    assert facts["work_start"]["outcome"] == "differs"  # the page says 2012-07, the declaration 2010-07
    # The boxes are in the page image's pixels, on the line that holds the number.
    [left, top, right, bottom] = facts["id_number"]["boxes"][0]
    stored = MaterialPage.objects.get(pk=facts["id_number"]["page_id"])
    assert 0 <= left < right <= stored.width and 0 <= top < bottom <= stored.height
    check = OcrCheck.objects.get(application=application)
    assert check.mismatches == 1 and check.matches == 3 and check.pages_waiting == 0
    assert read_all() == 0  # read once


def test_another_persons_proof_is_a_mismatch_and_the_queue_filters_it(client_for):
    application = submitted()
    honest = submitted(roster_entry__round=application.round)
    client_ = client_for(factories.CityReviewerFactory(city=application.city).user)
    other_id = make_id_number()
    put(application, "work_years", page(work_years_lines("赵建国", other_id, "湖南某某工程有限公司")))
    put(
        honest,
        "work_years",
        page(
            work_years_lines(
                honest.candidate.real_name,
                honest.candidate.id_number,
                honest.employer.name,
                since="2010年7月",
            )
        ),
    )
    read_all()
    facts = findings(application, "work_years")
    assert facts["id_number"]["outcome"] == "differs" and facts["id_number"]["read"].endswith(other_id[-4:])
    assert facts["name"]["outcome"] == "differs" or facts["name"]["outcome"] == "not_found"
    assert facts["employer"]["outcome"] == "differs" and "湖南某某工程有限公司" in facts["employer"]["read"]
    assert OcrCheck.objects.get(application=application).mismatches >= 2
    listed = client_.get(reverse("reviews:queue"), {"ocr": "on"}).content.decode()
    assert application.reference in listed and honest.reference not in listed
    page_html = client_.get(reverse("reviews:review", args=[application.pk])).content.decode()
    assert "机器识读" in page_html and "不一致" in page_html and "仅供参考" in page_html
    assert 'class="ocr-differs"' in page_html  # the number is highlighted on the page image


def test_an_18_digit_certificate_number_is_not_taken_for_the_id_number():
    application = submitted()
    certificate_number = "110101199003074515"  # the pattern of an ID number, a wrong check digit
    lines = ["资格证书", f"证书编号：{certificate_number}", "持证人：" + application.candidate.real_name]
    put(application, "first_qualification", page(lines))
    read_all()
    facts = findings(application, "first_qualification")
    assert facts["id_number"]["outcome"] == "not_found"
    assert facts["name"]["outcome"] == "match"


def test_the_chsi_record_code_school_graduation_and_an_expired_validity():
    application = submitted(school="湖南师范大学", graduation_date=datetime.date(2010, 6, 30))
    lines = chsi_record_lines(
        application.candidate.real_name,
        application.candidate.id_number,
        "湖南师范大学",
        "2011年06月30日",
        "A1B2C3D4E5F6G7H8",
        "2024年01月31日",
    )
    put(application, "edu_chsi_record", page(lines))
    read_all()
    facts = findings(application, "edu_chsi_record")
    assert facts["school"]["outcome"] == "match"
    assert facts["graduation"]["outcome"] == "differs" and facts["graduation"]["read"] == "2011-06"
    assert facts["chsi_code"]["read"] == "A1B2C3D4E5F6G7H8"
    assert facts["chsi_valid"]["outcome"] == "differs" and facts["chsi_valid"]["read"] == "2024-01-31"


def test_an_unreadable_page_is_told_to_the_candidate(client):
    application = factories.ApplicationFactory()
    put(application, "work_years", page(["  "]))  # a blank sheet: nothing to read
    read_all()
    text = PageText.objects.get(page__version__material__application=application)
    assert text.status == OcrStatus.UNREADABLE
    message = Message.objects.get(recipient=application.candidate.user)
    assert "无法识读" in message.subject and "第 1 页" in message.body
    assert AuditEvent.objects.filter(action="material.unreadable", application=application).exists()
    client.force_login(application.candidate.user)
    shown = client.get(reverse("candidates:application", args=[application.pk])).content.decode()
    assert "系统读不出文字" in shown


def test_an_id_card_in_the_education_item_gets_a_hint(client):
    application = factories.ApplicationFactory()
    lines = [
        "居民身份证",
        f"姓名 {application.candidate.real_name}",
        "公民身份号码 " + application.candidate.id_number,
        "签发机关 长沙市公安局",
    ]
    put(application, "edu_chsi_record", page(lines))
    read_all()
    hint = OcrCheck.objects.get(application=application).items["edu_chsi_record"]["hint"]
    assert "身份证" in hint
    client.force_login(application.candidate.user)
    assert (
        "看起来是身份证"
        in client.get(reverse("candidates:application", args=[application.pk])).content.decode()
    )


def test_ocr_never_runs_in_the_request_and_is_off_by_setting(settings):
    application = factories.ApplicationFactory()
    put(application, "work_years", page(["工作年限证明", "兹证明"]))
    assert not PageText.objects.exists()  # the upload and its preview read nothing
    assert pages_waiting().count() == 1
    settings.PORTAL_OCR = False
    assert read_all() == 0 and not PageText.objects.exists()
