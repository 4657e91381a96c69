"""撤销 (seeds 000, 001): two administrators; the confirmation moves the application,
withdraws the person from the list on a new version, cancels the certificate, records the
integrity record and tells the person, all in one transaction."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus
from candidates.models import IntegrityRecord, Message
from notices.enums import CertificateStatus
from notices.models import Certificate, PassList
from notices.services.publication import pass_list_publish
from reviews.models import Revocation
from reviews.services.revocations import revocation_decide, revocation_propose
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified():
    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(days=1))
    people = [
        factories.ApplicationFactory(
            roster_entry__round=round_, candidate__real_name=name, status=ApplicationStatus.PASSED
        )
        for name in ("王小明", "李小红")
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):
        pass_list_publish(round_=round_)
    application = people[0]
    certificate = Certificate.objects.create(
        application=application,
        round=round_,
        number="REV-0001",
        holder_name=application.candidate.real_name,
        holder_id_number=application.candidate.id_number,
        exam="社会工作者",
        authority="x",
        issued_on=timezone.localdate(),
        status=CertificateStatus.COLLECTED,
    )
    return application, certificate


def propose(application, admin):
    return revocation_propose(
        application=application,
        user=admin,
        kind="forged_seal",
        reason="单位公章系伪造，经单位书面确认",
        evidence=SimpleUploadedFile("确认函.pdf", b"%PDF-1.4 evidence"),
    )


def test_two_people_and_everything_follows(certified, client):
    application, certificate = certified
    first, second = factories.UserFactory(is_superuser=True), factories.UserFactory(is_superuser=True)
    revocation = propose(application, first)
    with pytest.raises(ValidationError):
        revocation_decide(revocation=revocation, user=first, confirm=True)  # not the proposer
    with TestCase.captureOnCommitCallbacks(execute=True):
        revocation_decide(revocation=revocation, user=second, confirm=True, note="同意")
    application.refresh_from_db()
    certificate.refresh_from_db()
    assert (
        application.status == ApplicationStatus.REVOKED and certificate.status == CertificateStatus.CANCELLED
    )
    latest = PassList.objects.filter(round=application.round).order_by("-version").first()
    assert latest.version == 2 and not latest.entries.filter(application=application).exists()
    assert (
        PassList.objects.get(round=application.round, version=1)
        .entries.filter(application=application)
        .exists()
    )
    record = IntegrityRecord.objects.get(id_number=application.candidate.id_number)
    assert record.kind == "forged_seal" and f"#{revocation.pk}" in record.found_by
    assert Message.objects.filter(recipient=application.candidate.user, subject="核查通过已撤销").exists()
    page = client.get(
        reverse("notices:certificate_verify"), {"number": "REV-0001", "name": "王小明"}
    ).content.decode()
    assert 'data-verify-state="cancelled"' in page


def test_a_failure_half_way_changes_nothing(certified):
    application, certificate = certified
    revocation = propose(application, factories.UserFactory(is_superuser=True))
    failing = mock.patch(
        "reviews.services.revocations.integrity_record", side_effect=RuntimeError("disk full")
    )
    with failing, pytest.raises(RuntimeError):
        revocation_decide(revocation=revocation, user=factories.UserFactory(is_superuser=True), confirm=True)
    application.refresh_from_db()
    certificate.refresh_from_db()
    revocation.refresh_from_db()
    assert (
        application.status == ApplicationStatus.PASSED and certificate.status == CertificateStatus.COLLECTED
    )
    assert revocation.confirmed is None and PassList.objects.filter(round=application.round).count() == 1


def test_rejected_or_not_a_pass(certified, client_for):
    application, _certificate = certified
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    admin.post(
        reverse("notices:revocation_propose", args=[application.pk]),
        {
            "kind": "false_material",
            "reason": "查实提供虚假学历",
            "evidence": SimpleUploadedFile("e.pdf", b"%PDF-1.4"),
        },
    )
    revocation = Revocation.objects.get()
    other = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    other.post(
        reverse("notices:revocation_decide", args=[revocation.pk]), {"confirm": "0", "note": "证据不足"}
    )
    revocation.refresh_from_db()
    application.refresh_from_db()
    assert revocation.confirmed is False and application.status == ApplicationStatus.PASSED
    failed = factories.ApplicationFactory(status=ApplicationStatus.FAILED)
    with pytest.raises(ValidationError):
        propose(failed, factories.UserFactory(is_superuser=True))
