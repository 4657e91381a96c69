import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from candidates.enums import ApplicationStatus, DocumentKind
from candidates.models import AuditEvent, GeneratedDocument, Message
from candidates.services.applications import application_submit
from reviews.enums import EmployerCheck
from reviews.models import EmployerReview
from reviews.services.employer import (
    employer_approve,
    employer_bulk_approve,
    employer_return,
)
from reviews.services.staff import employer_invite, staff_invitation_accept
from tests import factories
from tests.conftest import upload_checklist

pytestmark = pytest.mark.django_db
ALL_CHECKS = list(EmployerCheck.values)


@pytest.fixture
def hr():
    return factories.EmployerHRFactory()


@pytest.fixture
def with_employer(hr):
    """A submitted application whose employer reviews online."""
    application = factories.ApplicationFactory(employer=hr.organisation)
    upload_checklist(application)
    application_submit(application=application, actor=application.candidate.user)
    application.refresh_from_db()
    return application


def test_online_employer_drops_the_paper_work_years_proof(hr):
    application = factories.ApplicationFactory(employer=hr.organisation)
    codes = [r.code for r in application.required_materials()]
    assert codes == ["application_form", "edu_chsi_record"]
    assert "无须纸质盖章" in str(application.required_materials()[0].description)


def test_submission_goes_to_employer_queue(with_employer, hr, client_for):
    assert with_employer.status == ApplicationStatus.EMPLOYER_REVIEW
    page = client_for(hr.user).get(reverse("reviews:employer_home")).content.decode()
    assert with_employer.candidate.real_name in page


def test_approve_attests_and_issues_work_years_proof(with_employer, hr, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review = employer_approve(application=with_employer, user=hr.user, checks=ALL_CHECKS)
    with_employer.refresh_from_db()
    assert with_employer.status == ApplicationStatus.CITY_REVIEW
    assert review.outcome == "approved" and review.reviewer == hr.user
    event = AuditEvent.objects.filter(action="application.transition").latest("id")
    assert event.data["attestation"]["organisation"] == hr.organisation.name
    assert event.data["attestation"]["hr_user"] == hr.user.username
    proof = GeneratedDocument.objects.get(application=with_employer, kind=DocumentKind.WORK_YEARS_PROOF)
    with proof.file.open("rb") as handle:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages).replace("\n", "")
    assert "工作年限证明" in text and with_employer.candidate.real_name in text
    assert hr.organisation.name in text and "已核对身份证件原件" in text
    message = Message.objects.get(recipient=with_employer.candidate.user)
    assert "初审已通过" in message.subject


def test_approve_requires_every_check(with_employer, hr):
    with pytest.raises(ValidationError) as error:
        employer_approve(application=with_employer, user=hr.user, checks=ALL_CHECKS[:2])
    assert any("已核实从事相关专业工作年限" in m for m in error.value.messages)
    with_employer.refresh_from_db()
    assert with_employer.status == ApplicationStatus.EMPLOYER_REVIEW
    assert not EmployerReview.objects.exists()


def test_hr_of_another_organisation_cannot_act(with_employer, client_for):
    other = factories.EmployerHRFactory()
    with pytest.raises(PermissionDenied):
        employer_approve(application=with_employer, user=other.user, checks=ALL_CHECKS)
    client = client_for(other.user)
    assert client.get(reverse("reviews:employer_application", args=[with_employer.pk])).status_code == 404
    assert (
        with_employer.candidate.real_name not in client.get(reverse("reviews:employer_home")).content.decode()
    )
    response = client.post(
        reverse("reviews:employer_approve", args=[with_employer.pk]), {"checks": ALL_CHECKS}
    )
    assert response.status_code == 404
    with_employer.refresh_from_db()
    assert with_employer.status == ApplicationStatus.EMPLOYER_REVIEW


def test_return_and_resubmit(with_employer, hr):
    employer_return(application=with_employer, user=hr.user, reasons="工作经历起止时间有误")
    with_employer.refresh_from_db()
    assert with_employer.status == ApplicationStatus.EMPLOYER_RETURNED
    assert with_employer.fix_deadline >= with_employer.round.closes_at
    message = Message.objects.get(recipient=with_employer.candidate.user)
    assert "工作经历起止时间有误" in message.body
    assert with_employer.is_editable
    application_submit(application=with_employer, actor=with_employer.candidate.user)
    with_employer.refresh_from_db()
    assert with_employer.status == ApplicationStatus.EMPLOYER_REVIEW
    assert with_employer.fix_deadline is None


def test_return_needs_reasons(with_employer, hr):
    with pytest.raises(ValidationError):
        employer_return(application=with_employer, user=hr.user, reasons="  ")
    with_employer.refresh_from_db()
    assert with_employer.status == ApplicationStatus.EMPLOYER_REVIEW


def test_resubmission_after_fix_deadline_refused(with_employer, hr):
    employer_return(application=with_employer, user=hr.user, reasons="请补充工作经历")
    with_employer.refresh_from_db()
    late = with_employer.fix_deadline + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        application_submit(application=with_employer, actor=with_employer.candidate.user, now=late)
    assert error.value.code == "deadline"
    with_employer.refresh_from_db()
    assert with_employer.status == ApplicationStatus.EMPLOYER_RETURNED


def test_bulk_approve_through_the_page(hr, client_for):
    applications = []
    for _ in range(3):
        application = factories.ApplicationFactory(employer=hr.organisation)
        upload_checklist(application)
        application_submit(application=application, actor=application.candidate.user)
        applications.append(application)
    client = client_for(hr.user)
    chosen = {"applications": [a.pk for a in applications[:2]], "checks": ALL_CHECKS}
    # First the count and the names; nothing approved yet.
    confirm = client.post(reverse("reviews:employer_bulk"), chosen)
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "确认通过 2 份申请" in page
    assert applications[0].candidate.real_name in page and applications[2].candidate.real_name not in page
    assert not EmployerReview.objects.exists()
    response = client.post(reverse("reviews:employer_bulk"), {**chosen, "confirm": "1"})
    assert response.status_code == 302
    statuses = sorted(type(a).objects.get(pk=a.pk).status for a in applications)
    assert statuses == ["city_review", "city_review", "employer_review"]
    assert EmployerReview.objects.filter(outcome="approved").count() == 2
    # The approved list, with the proofs issued; and a search by name or ID number.
    home = client.get(reverse("reviews:employer_home")).content.decode()
    assert "已通过初审" in home and home.count("work_years_proof/") == 2
    found = client.get(reverse("reviews:employer_home"), {"q": applications[2].candidate.id_number})
    assert [a.pk for a in found.context["pending"]] == [applications[2].pk] and found.context[
        "approved"
    ] == []
    by_name = client.get(reverse("reviews:employer_home"), {"q": applications[0].candidate.real_name})
    assert [a.pk for a, _review in by_name.context["approved"]] == [applications[0].pk]


def test_bulk_approve_reports_items_somebody_else_handled(hr):
    application = factories.ApplicationFactory(employer=hr.organisation)
    upload_checklist(application)
    application_submit(application=application, actor=application.candidate.user)
    stale = type(application).objects.get(pk=application.pk)
    employer_approve(application=application, user=hr.user, checks=ALL_CHECKS)
    approved, errors = employer_bulk_approve(applications=[stale], user=hr.user, checks=ALL_CHECKS)
    assert approved == [] and len(errors) == 1
    assert EmployerReview.objects.count() == 1


def test_invitation_creates_a_colleague_once(hr, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        invitation = employer_invite(user=hr.user, email="Colleague@Example.com", name="李同事")
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
    assert mail.outbox[0].to == ["colleague@example.com"]
    user = staff_invitation_accept(token=invitation.token, username="li_hr", password="Strong-Pass-2026")
    assert user.employer_hr.organisation == hr.organisation
    with pytest.raises(ValidationError):
        staff_invitation_accept(token=invitation.token, username="li_hr2", password="Strong-Pass-2026")


def test_expired_invitation_refused(hr):
    invitation = employer_invite(user=hr.user, email="x@example.com", name="X")
    later = invitation.expires_at + datetime.timedelta(seconds=1)
    with pytest.raises(ValidationError):
        staff_invitation_accept(
            token=invitation.token, username="late", password="Strong-Pass-2026", now=later
        )


def test_only_hr_can_invite(candidate):
    with pytest.raises(PermissionDenied):
        employer_invite(user=candidate.user, email="x@example.com", name="X", now=timezone.now())


def test_invitation_page_keeps_errors_beside_fields(hr, client):
    invitation = employer_invite(user=hr.user, email="y@example.com", name="Y")
    taken = factories.UserFactory(username="taken_name")
    url = reverse("reviews:invitation", args=[invitation.token])
    response = client.post(
        url, {"username": taken.username, "password1": "Strong-Pass-2026", "password2": "Strong-Pass-2026"}
    )
    assert response.context["form"].errors["username"] == ["该用户名已被使用。"]
    response = client.post(url, {"username": "new_hr", "password1": "12345678", "password2": "12345678"})
    assert response.context["form"].errors["password1"]
    response = client.post(
        url, {"username": "new_hr", "password1": "Strong-Pass-2026", "password2": "Strong-Pass-2026"}
    )
    assert response.status_code == 302
    assert hr.organisation.hr_accounts.filter(user__username="new_hr").exists()
    response = client.post(
        url, {"username": "another", "password1": "Strong-Pass-2026", "password2": "Strong-Pass-2026"}
    )
    assert "邀请链接无效" in response.content.decode()


def test_an_approval_without_the_checks_is_shown_again_with_the_reason(with_employer, hr, client_for):
    from django.urls import reverse

    client = client_for(hr.user)
    response = client.post(
        reverse("reviews:employer_approve", args=[with_employer.pk]), {"checks": ["bogus"]}
    )
    assert response.status_code == 200
    assert response.context["approve_form"].errors["checks"]
    with_employer.refresh_from_db()
    assert with_employer.status == ApplicationStatus.EMPLOYER_REVIEW
