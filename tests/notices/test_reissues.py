"""补（换）发 (seed 004): asked online with the files the seed names, photos checked, claimed
and decided by the city, summarised per year; no paper reissue of an electronic certificate."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from candidates.models import Message
from notices.enums import CertificateKind, CertificateStatus, ReissueStatus
from notices.models import Certificate, ReissueRequest
from notices.services.reissues import photo_problem, reissue_claim, reissue_decide, reissue_summary
from tests import factories
from tests.files import jpeg_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def collected():
    application = factories.ApplicationFactory(status="passed")
    return Certificate.objects.create(
        application=application,
        round=application.round,
        number="2026000100000009",
        holder_name=application.candidate.real_name,
        holder_id_number=application.candidate.id_number,
        exam="社会工作者",
        authority="湖南省人力资源和社会保障厅",
        issued_on=timezone.localdate(),
        status=CertificateStatus.COLLECTED,
    )


def photo(size=(358, 441), color=(250, 250, 250)):
    return upload("照片.jpg", jpeg_bytes(size, color=color))


def files(kind_first="lost_notice"):
    return {
        kind_first: upload("遗失声明.pdf", pdf_bytes(1)),
        "registration_form": upload("登记表.pdf", pdf_bytes(1)),
        "id_copy": upload("身份证.jpg", jpeg_bytes()),
        "photo": [photo(), photo()],
    }


def test_photos_are_checked_for_size_shape_and_background():
    assert photo_problem(photo()) is None
    assert "至少 295×413" in photo_problem(photo(size=(200, 260)))
    assert "竖幅" in photo_problem(photo(size=(600, 500)))
    assert "浅色" in photo_problem(photo(color=(30, 60, 200)))


def test_ask_claim_and_approve(collected, client_for):
    holder = client_for(collected.application.candidate.user)
    url = reverse("notices:reissue_request", args=[collected.pk])
    form = holder.get(reverse("notices:reissue_form", args=[collected.pk]))
    assert form["Content-Type"] == "application/pdf"
    from tests.notices.test_certificates import render_first_page

    render_first_page(form.content, "reissue-form.png")
    # A dark-background photo and no reason: refused, nothing stored.
    bad = files()
    bad["photo"] = [photo(), photo(color=(20, 20, 20))]
    page = holder.post(url, {"kind": "lost", "reason": "", **bad}).content.decode()
    assert "照片背景应为白色或浅色" in page and "请说明补（换）发的原因" in page
    assert not ReissueRequest.objects.exists()
    assert holder.post(url, {"kind": "lost", "reason": "搬家时遗失", **files()}).status_code == 302
    request = ReissueRequest.objects.get()
    assert request.files.count() == 5
    # The city's reviewer claims, then decides; another city's sees nothing.
    reviewer = factories.CityReviewerFactory(city=collected.round.city).user
    other = factories.CityReviewerFactory().user
    with pytest.raises(PermissionDenied):
        reissue_claim(request=request, user=other)
    with pytest.raises(ValidationError):
        reissue_decide(request=request, user=reviewer, approve=True, reason="")  # not claimed
    reviewer_client = client_for(reviewer)
    assert collected.number in reviewer_client.get(reverse("notices:reissue_queue")).content.decode()
    reviewer_client.post(reverse("notices:reissue_review", args=[request.pk]), {"action": "claim"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        reviewer_client.post(
            reverse("notices:reissue_review", args=[request.pk]), {"approve": "1", "reason": "同意"}
        )
    request.refresh_from_db()
    collected.refresh_from_db()
    assert request.status == ReissueStatus.APPROVED and collected.status == CertificateStatus.REISSUED
    new = Certificate.objects.get(replaces=collected)
    assert new.status == CertificateStatus.READY and new.number != collected.number
    assert Message.objects.filter(subject="补（换）发申请已同意", body__contains=new.number).exists()
    # The year's summary table.
    rows = list(
        load_workbook(io.BytesIO(reissue_summary(year=timezone.localdate().year))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[2][:3] == (collected.round.city.name, "社会工作者", 1) and rows[2][5] == 1


def test_a_refusal_needs_a_reason_and_is_told(collected, client_for):
    holder = client_for(collected.application.candidate.user)
    holder.post(
        reverse("notices:reissue_request", args=[collected.pk]),
        {"kind": "damaged", "reason": "水浸", **files("damaged_certificate")},
    )
    request = ReissueRequest.objects.get()
    reviewer = factories.CityReviewerFactory(city=collected.round.city).user
    reissue_claim(request=request, user=reviewer)
    with pytest.raises(ValidationError):
        reissue_decide(request=request, user=reviewer, approve=False, reason=" ")
    reissue_decide(request=request, user=reviewer, approve=False, reason="证书完好，无需换发")
    collected.refresh_from_db()
    assert collected.status == CertificateStatus.COLLECTED
    assert Message.objects.filter(subject="补（换）发申请未同意", body__contains="证书完好").exists()


def test_no_paper_reissue_of_an_electronic_certificate(collected, client_for):
    Certificate.objects.filter(pk=collected.pk).update(kind=CertificateKind.ELECTRONIC)
    holder = client_for(collected.application.candidate.user)
    url = reverse("notices:reissue_request", args=[collected.pk])
    page = holder.get(url).content.decode()
    assert "已发放电子证书的，不再补发纸质证书" in page
    holder.post(url, {"kind": "lost", "reason": "遗失", **files()})
    assert not ReissueRequest.objects.exists()


def test_not_before_the_certificate_reached_its_holder(collected, client_for):
    Certificate.objects.filter(pk=collected.pk).update(status=CertificateStatus.READY)
    page = client_for(collected.application.candidate.user).get(
        reverse("notices:reissue_request", args=[collected.pk])
    )
    assert "领取或寄出后才能申请补（换）发" in page.content.decode()
