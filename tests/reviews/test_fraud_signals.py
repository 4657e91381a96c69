"""Fraud signals: each fires on a planted pair and not on two honest forms of one template."""

import io

import pytest
from django.test import TestCase
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from candidates.services.materials import material_store
from reviews.enums import SignalKind
from reviews.models import FraudSignal
from tests import factories
from tests.factories import make_id_number
from tests.files import upload

pytestmark = pytest.mark.django_db
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def form(name: str, id_number: str, employer: str, stamp: Image.Image | None = None) -> Image.Image:
    """A filled-in national application form, as a scan would show it."""
    image = Image.new("RGB", (1240, 1754), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.text((420, 80), "资格考试报名表", fill=(0, 0, 0), font=ImageFont.truetype(FONT, 60))
    for y in range(250, 1600, 120):
        draw.line((100, y, 1140, y), fill=(0, 0, 0), width=3)
    draw.line((400, 250, 400, 1570), fill=(0, 0, 0), width=3)
    font = ImageFont.truetype(FONT, 40)
    for index, label in enumerate(["姓名", "身份证号", "工作单位", "学历", "专业", "工作经历"]):
        draw.text((130, 270 + index * 120), label, fill=(0, 0, 0), font=font)
    for index, value in enumerate([name, id_number, employer]):
        draw.text((430, 270 + index * 120), value, fill=(20, 20, 120), font=font)
    if stamp is not None:
        image.paste(stamp, (800, 1300))
    return image


def seal(text: str) -> Image.Image:
    image = Image.new("RGB", (260, 260), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 250, 250), outline=(220, 20, 20), width=10)
    draw.text((60, 110), text, fill=(220, 20, 20), font=ImageFont.truetype(FONT, 34))
    return image


def jpeg(image: Image.Image, quality=85, scale=1.0) -> bytes:
    if scale != 1.0:
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def put(data: bytes, **application):
    application = factories.ApplicationFactory(**application)
    with TestCase.captureOnCommitCallbacks(execute=True):
        material_store(
            application=application,
            kind="application_form",
            files=[upload("报名表.jpg", data)],
            actor=application.candidate.user,
        )
    return application


def kinds(application) -> set[str]:
    return set(FraudSignal.objects.filter(application=application).values_list("kind", flat=True))


def test_the_same_file_by_two_candidates():
    data = jpeg(form("王小明", "430102199003070020", "长沙示范设计院"))
    first, second = put(data), put(data)
    assert SignalKind.SAME_FILE in kinds(second) and SignalKind.SAME_FILE in kinds(first)
    assert FraudSignal.objects.get(application=second, kind=SignalKind.SAME_FILE).other == first


def test_a_rescanned_copy_is_near_but_two_honest_forms_are_not(settings):
    settings.PORTAL_OCR = False  # the fingerprints alone decide
    original = form("王小明", "430102199003070020", "长沙示范设计院")
    first = put(jpeg(original))
    copy = put(jpeg(original, quality=60, scale=1.1))  # re-saved, larger: not the same file
    assert kinds(copy) == {SignalKind.NEAR_DUPLICATE}
    honest = put(jpeg(form("李大红", "430104198805120031", "湖南某某建筑有限责任公司")))
    assert kinds(honest) == set() and not FraudSignal.objects.filter(other=honest).exists()
    assert first.pk in FraudSignal.objects.filter(application=copy).values_list("other", flat=True)


def test_one_seal_pasted_into_two_employers_documents():
    stamp = seal("甲公司公章")
    first = put(
        jpeg(form("王小明", "430102199003070020", "甲公司", stamp)), employer=factories.OrganisationFactory()
    )
    second = put(
        jpeg(form("李大红", "430104198805120031", "乙公司", stamp)), employer=factories.OrganisationFactory()
    )
    assert SignalKind.SAME_STAMP in kinds(second)
    other_seal = put(
        jpeg(form("张三", "430103199201010011", "丙公司", seal("丙公司公章"))),
        employer=factories.OrganisationFactory(),
    )
    assert SignalKind.SAME_STAMP not in kinds(other_seal)
    assert first.pk in FraudSignal.objects.filter(application=second, kind=SignalKind.SAME_STAMP).values_list(
        "other", flat=True
    )


def test_a_shared_phone_and_a_crowded_employer(settings):
    settings.PORTAL_SIGNAL_EMPLOYER_LIMIT = 2
    from reviews.services.fraud import application_signals

    one = factories.ApplicationFactory(roster_entry__phone="13900001111")
    two = factories.ApplicationFactory(roster_entry__phone="13900001111")
    application_signals(application=two)
    assert SignalKind.SHARED_PHONE in kinds(two) and SignalKind.SHARED_PHONE in kinds(one)
    employer = factories.OrganisationFactory()
    round_ = factories.RoundFactory()
    crowd = [factories.ApplicationFactory(employer=employer, roster_entry__round=round_) for _ in range(3)]
    application_signals(application=crowd[-1])
    assert FraudSignal.objects.get(application=crowd[-1], kind=SignalKind.CROWDED_EMPLOYER).evidence == {
        "applications": 3
    }


def test_the_reviewer_sees_them_and_filters_the_queue(client_for):
    data = jpeg(form("王小明", "430102199003070020", "长沙示范设计院"))
    put(data)
    flagged = put(data)
    type(flagged).objects.filter(pk=flagged.pk).update(status="city_review")
    clean = factories.ApplicationFactory(roster_entry__round=flagged.round, status="city_review")
    reviewer = client_for(factories.CityReviewerFactory(city=flagged.city).user)
    page = reviewer.get(reverse("reviews:review", args=[flagged.pk])).content.decode()
    assert "风险提示（供参考，不是结论）" in page and "与他人上传的文件完全相同" in page
    rows = reviewer.get(reverse("reviews:queue"), {"signals": "on"}).context["table"].rows
    assert [row.reference for row in rows] == [flagged.reference] and clean.reference not in str(rows)


def put_as(name: str, id_number: str, data: bytes, **application):
    """An upload by the person named, read by OCR as the periodic job would."""
    from candidates.services.ocr import ocr_sweep

    candidate = factories.CandidateFactory(real_name=name, id_number=id_number)
    uploaded = put(data, candidate=candidate, **application)
    with TestCase.captureOnCommitCallbacks(execute=True):
        ocr_sweep()
    return uploaded


def test_with_ocr_an_edited_copy_counts_but_honest_forms_and_a_shared_list_do_not():
    """Near-identical pages count only when the people read on them differ and the rest is
    the same: one person's proof with another's name and number written in."""
    from reviews.signals import NEAR_BITS, distance
    from tests.pages import jpeg as page_jpeg
    from tests.pages import page, work_years_lines

    wang, li, zhang, zhao, qian = (make_id_number() for _ in range(5))
    lines = work_years_lines("王小明", wang, "长沙示范设计院")
    original = put_as("王小明", wang, page_jpeg(page(lines)))
    copy = put_as("李大红", li, page_jpeg(page(work_years_lines("李大红", li, "长沙示范设计院"))))
    assert kinds(copy) == {SignalKind.NEAR_DUPLICATE}
    signal = FraudSignal.objects.get(application=copy, kind=SignalKind.NEAR_DUPLICATE)
    assert signal.other == original and signal.evidence["read"] == "identities differ"
    # The same template honestly filled in by another person at another employer.
    honest_lines = work_years_lines("张三丰", zhang, "湘潭示范设计院", since="2013年9月")
    honest = put_as("张三丰", zhang, page_jpeg(page(honest_lines)))
    assert distance(scanned(honest).phash, scanned(original).phash) <= NEAR_BITS  # the hashes cannot tell
    assert SignalKind.NEAR_DUPLICATE not in kinds(honest)
    # One staff list naming both people, uploaded by each: the same people on both pages.
    staff = [
        "工作年限证明",
        "兹证明下列同志在本单位从事工程技术工作：",
        f"赵六 {zhao}",
        f"钱七 {qian}",
        "单位名称：长沙示范设计院",
    ]
    first = put_as("赵六", zhao, page_jpeg(page(staff)))
    second = put_as("钱七", qian, page_jpeg(page(staff), quality=70))
    assert distance(scanned(first).phash, scanned(second).phash) <= NEAR_BITS
    assert SignalKind.NEAR_DUPLICATE not in kinds(second) | kinds(first)


def scanned(application):
    from candidates.models import MaterialPage

    return MaterialPage.objects.get(version__material__application=application)
