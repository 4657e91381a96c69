import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus
from candidates.models import Material, Message
from reviews.models import Appeal
from reviews.services.appeals import appeal_submit
from reviews.services.claims import application_claim
from reviews.services.decisions import application_decide
from tests import factories
from tests.files import pdf_bytes, upload
from tests.reviews.test_decisions import judge

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(submitted, reviewer, second_reviewer):
    submitted.round.appeal_closes_at = timezone.now() + datetime.timedelta(days=10)
    submitted.round.save()
    judge(submitted, reviewer)
    application_decide(
        application=submitted, user=reviewer, kind="fail", reason_code="education", reason="学历不符"
    )
    submitted.refresh_from_db()
    application_claim(application=submitted, user=second_reviewer)
    application_decide(application=submitted, user=second_reviewer, kind="fail_confirm")
    submitted.refresh_from_db()
    return submitted


def test_appeal_with_statement_and_files(failed, client_for):
    appeal = appeal_submit(
        application=failed,
        user=failed.candidate.user,
        statement="本人学历为全日制本科，已补充学信网认证报告。",
        files=[upload("认证报告.pdf", pdf_bytes(1))],
    )
    failed.refresh_from_db()
    assert failed.status == ApplicationStatus.APPEALED
    assert appeal.statement.startswith("本人学历")
    evidence = Material.objects.get(application=failed, kind="appeal_evidence")
    assert evidence.versions.get().original_name == "认证报告.pdf"
    third = factories.CityReviewerFactory(city=failed.round.city).user
    page = client_for(third).get(reverse("reviews:review", args=[failed.pk])).content.decode()
    assert "本人学历为全日制本科" in page and "认证报告.pdf" in page


def test_appeal_only_inside_the_period(failed):
    late = failed.round.appeal_closes_at + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        appeal_submit(
            application=failed,
            user=failed.candidate.user,
            statement="理由充分的申辩说明文字",
            files=[],
            now=late,
        )
    assert error.value.code == "period"
    failed.refresh_from_db()
    assert failed.status == ApplicationStatus.FAILED and not Appeal.objects.exists()


def test_appeal_only_after_a_fail(submitted):
    submitted.round.appeal_closes_at = timezone.now() + datetime.timedelta(days=3)
    submitted.round.save()
    with pytest.raises(ValidationError):
        appeal_submit(
            application=submitted, user=submitted.candidate.user, statement="理由充分的申辩说明文字", files=[]
        )


def test_appeal_handled_by_a_reviewer_who_did_not_fail(failed, reviewer, second_reviewer):
    appeal_submit(
        application=failed, user=failed.candidate.user, statement="理由充分的申辩说明文字", files=[]
    )
    failed.refresh_from_db()
    for failer in (reviewer, second_reviewer):
        with pytest.raises(ValidationError) as error:
            application_claim(application=failed, user=failer)
        assert error.value.code == "same_reviewer"
    third = factories.CityReviewerFactory(city=failed.round.city).user
    application_claim(application=failed, user=third)
    application_decide(application=failed, user=third, kind="appeal_overturned", reason="学历经复核符合条件")
    assert Appeal.objects.get().statement == "理由充分的申辩说明文字"
    failed.refresh_from_db()
    assert failed.status == ApplicationStatus.PASSED
    appeal = Appeal.objects.get()
    assert (appeal.handled_by, appeal.outcome) == (third, "overturned")
    assert Message.objects.filter(recipient=failed.candidate.user, subject="申辩成立，核查改为通过").exists()


def test_appeal_upheld(failed):
    appeal_submit(
        application=failed, user=failed.candidate.user, statement="理由充分的申辩说明文字", files=[]
    )
    failed.refresh_from_db()
    third = factories.CityReviewerFactory(city=failed.round.city).user
    application_claim(application=failed, user=third)
    application_decide(application=failed, user=third, kind="appeal_upheld", reason="新材料不能证明学历")
    failed.refresh_from_db()
    assert failed.status == ApplicationStatus.FAILED
    assert Appeal.objects.get().outcome == "upheld"


def test_appeal_page_for_the_candidate(failed, client_for):
    client = client_for(failed.candidate.user)
    page = client.get(reverse("candidates:application", args=[failed.pk])).content.decode()
    assert "提出申辩" in page and "人工核查未通过" in page
    response = client.post(reverse("reviews:appeal", args=[failed.pk]), {"statement": "太短"})
    assert response.status_code == 200 and "至少 10 个字" in response.content.decode()
    response = client.post(
        reverse("reviews:appeal", args=[failed.pk]), {"statement": "理由充分的申辩说明文字，请复查。"}
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == ApplicationStatus.APPEALED
    other = client_for(factories.CandidateFactory().user)
    assert other.get(reverse("reviews:appeal", args=[failed.pk])).status_code == 404
