"""After the pass (seeds 003, 004): the register, mail booking in its window, the courier's
tracking numbers, on-site pick-up, custody for five years and the hand-over."""

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from candidates.enums import ApplicationStatus
from candidates.models import AuditEvent, Message
from notices.enums import CERTIFICATE_EVENTS, CertificateEvent, CertificateStatus, PassListStatus
from notices.models import Certificate, ExportFile, PassList
from notices.services.certificates import (
    CertificateTransitionError,
    certificate_transition,
    certificates_hand_over,
    certificates_into_custody,
    certificates_issue,
    custody_ending,
    mail_book,
    mail_bookings_export,
    tracking_numbers_import,
)
from notices.services.publication import pass_list_finalize_due, pass_list_publish
from tests import factories

pytestmark = pytest.mark.django_db

ADDRESS = {
    "recipient": "王小明",
    "phone": "13912345678",
    "province": "湖南省",
    "city": "长沙市",
    "district": "岳麓区",
    "address": "麓山南路 1 号 2 栋 301",
}


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("x.xlsx", out.getvalue())


@pytest.fixture
def final_round():
    """A round whose list was published and is now final, with two people passed."""
    round_ = factories.RoundFactory(
        publication_at=timezone.now() - datetime.timedelta(days=20), exam_ended_on=datetime.date(2026, 5, 24)
    )
    for name in ("王小明", "李小红"):
        factories.ApplicationFactory(
            roster_entry__round=round_,
            roster_entry__level="中级",
            candidate__real_name=name,
            status=ApplicationStatus.PASSED,
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        pass_list = pass_list_publish(round_=round_)
    pass_list.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        pass_list_finalize_due(now=pass_list.objection_ends_at + datetime.timedelta(minutes=1))
    return round_


def test_a_final_list_registers_a_certificate_each(final_round, settings):
    certificates = list(Certificate.objects.filter(round=final_round).order_by("number"))
    assert len(certificates) == 2
    first = certificates[0]
    assert first.number == f"2026{final_round.pk:04d}000001" and first.status == CertificateStatus.READY
    assert first.level == "中级" and first.authority == settings.PORTAL_CERTIFICATE_AUTHORITY
    final_at = PassList.objects.get(round=final_round).final_at
    assert abs((first.booking_closes_at - final_at) - datetime.timedelta(days=30)) < datetime.timedelta(
        minutes=1
    )
    # Idempotent; the register was built by the task.
    assert certificates_issue(pass_list=PassList.objects.get(round=final_round)) == 0
    register = ExportFile.objects.get(round=final_round, kind=ExportFile.CERTIFICATES)
    rows = list(load_workbook(io.BytesIO(register.file.open("rb").read())).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "证书编号", "姓名") and len(rows) == 4


def test_numbers_imported_from_the_province(settings, client_for):
    settings.PORTAL_CERTIFICATE_NUMBERS = "import"
    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(days=20))
    application = factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.PASSED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        pass_list = pass_list_publish(round_=round_)
    PassList.objects.filter(pk=pass_list.pk).update(status=PassListStatus.FINAL)
    pass_list.refresh_from_db()
    certificates_issue(pass_list=pass_list)
    certificate = Certificate.objects.get(round=round_)
    assert certificate.status == CertificateStatus.MAKING and certificate.number is None
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    upload = xlsx(
        [
            ["身份证号", "证书编号"],
            [application.candidate.id_number, "HN2026-0001"],
            ["430102199001010000", "X"],
        ]
    )
    admin.post(reverse("notices:round_certificates", args=[round_.pk]), {"action": "numbers", "file": upload})
    certificate.refresh_from_db()
    assert (certificate.number, certificate.status) == ("HN2026-0001", CertificateStatus.READY)


@pytest.mark.parametrize("event", list(CertificateEvent))
def test_each_move_is_allowed_from_its_sources_only(final_round, event):
    certificate = Certificate.objects.filter(round=final_round).first()
    sources, target = CERTIFICATE_EVENTS[event]
    for status in CertificateStatus:
        Certificate.objects.filter(pk=certificate.pk).update(status=status)
        certificate.refresh_from_db()
        if status in sources:
            certificate_transition(certificate=certificate, event=event, actor=None)
            certificate.refresh_from_db()
            assert certificate.status == target
        else:
            with pytest.raises(CertificateTransitionError):
                certificate_transition(certificate=certificate, event=event, actor=None)
            certificate.refresh_from_db()
            assert certificate.status == status
    assert AuditEvent.objects.filter(action="certificate.transition", data__event=event).count() == len(
        sources
    )


def test_the_booking_window_at_its_edges(final_round):
    certificate = Certificate.objects.filter(round=final_round).first()
    holder = certificate.application.candidate.user
    closes = certificate.booking_closes_at
    with pytest.raises(ValidationError) as late:
        mail_book(certificate=certificate, user=holder, data=ADDRESS, now=closes)
    assert "邮寄预约已于" in late.value.messages[0] and "现场领取" in late.value.messages[0]
    booking = mail_book(
        certificate=certificate, user=holder, data=ADDRESS, now=closes - datetime.timedelta(seconds=1)
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.MAIL_BOOKED and booking.full_address.startswith(
        "湖南省长沙市岳麓区"
    )


def test_book_through_the_page_then_the_courier_and_the_tracking_number(final_round, client_for):
    certificate = Certificate.objects.filter(round=final_round).first()
    client = client_for(certificate.application.candidate.user)
    page = client.get(reverse("candidates:application", args=[certificate.application_id])).content.decode()
    assert "预约邮寄（运费到付）" in page
    url = reverse("notices:certificate_book", args=[certificate.pk])
    wrong = client.post(url, {**ADDRESS, "district": "芙蓉区", "city": "株洲市"})
    assert "“芙蓉区”不在株洲市" in wrong.content.decode()
    assert (
        client.get(reverse("notices:regions"), {"province": "湖南省", "city": "长沙市"}).json()["items"][0]
        == "芙蓉区"
    )
    assert client.post(url, ADDRESS).status_code == 302
    # The bureau exports the bookings for the courier (到付), then imports the tracking numbers.
    admin_user = factories.UserFactory(is_superuser=True, is_staff=True)
    data, count = mail_bookings_export(round_=final_round, user=admin_user)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert (
        count == 1 and rows[1][:3] == (certificate.number, "王小明", "13912345678") and rows[1][8] == "到付"
    )
    cancel = client.post(reverse("notices:certificate_booking_cancel", args=[certificate.pk]), follow=True)
    assert "不能取消" in cancel.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent, problems = tracking_numbers_import(
            round_=final_round,
            user=admin_user,
            upload=xlsx([["证书编号", "快递单号"], [certificate.number, "SF1234567890"], ["nope", "SF1"]]),
        )
    assert sent == 1 and len(problems) == 1
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.MAILED and certificate.tracking_number == "SF1234567890"
    message = Message.objects.get(recipient=certificate.application.candidate.user, subject="您的证书已寄出")
    assert "SF1234567890" in message.body
    page = client.get(reverse("candidates:application", args=[certificate.application_id])).content.decode()
    assert "SF1234567890" in page and "已寄出" in page
    # Another candidate cannot see or book it.
    assert client_for(factories.CandidateFactory().user).get(url).status_code == 404


def test_on_site_pick_up_by_an_agent_needs_the_authorisation(final_round, client_for):
    certificate = Certificate.objects.filter(round=final_round).first()
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    url = reverse("notices:certificate", args=[certificate.pk])
    refused = admin.post(url, {"collected_by": "王大明", "agent": "on"})
    assert "他人代领须上传授权委托书" in refused.content.decode()
    scan = SimpleUploadedFile("授权书.pdf", b"%PDF-1.4 authorisation")
    admin.post(url, {"collected_by": "王大明", "agent": "on", "authorisation": scan})
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.COLLECTED and certificate.collected_by_agent
    assert certificate.authorisation.name.startswith("certificates/")
    holder = client_for(certificate.application.candidate.user)
    page = holder.get(reverse("candidates:application", args=[certificate.application_id])).content.decode()
    assert "王大明（代领）" in page


def test_unclaimed_certificates_are_kept_five_years_then_handed_over(final_round):
    certificates = list(Certificate.objects.filter(round=final_round))
    closes = certificates[0].booking_closes_at
    assert certificates_into_custody(now=closes - datetime.timedelta(seconds=1)) == 0
    assert certificates_into_custody(now=closes + datetime.timedelta(seconds=1)) == 2
    assert certificates_into_custody(now=closes + datetime.timedelta(days=1)) == 0  # idempotent
    kept = Certificate.objects.get(pk=certificates[0].pk)
    assert kept.status == CertificateStatus.IN_CUSTODY and kept.custody_until == datetime.date(2031, 5, 24)
    until = kept.custody_until
    assert not custody_ending(today=until - relativedelta(days=91)).exists()
    assert custody_ending(today=until - relativedelta(days=90)).count() == 2
    admin = factories.UserFactory(is_superuser=True)
    with pytest.raises(ValidationError):
        certificates_hand_over(round_=final_round, user=admin, today=until - relativedelta(days=1))
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = certificates_hand_over(round_=final_round, user=admin, today=until)
    assert set(Certificate.objects.values_list("status", flat=True)) == {CertificateStatus.HANDED_OVER}
    export.refresh_from_db()
    assert export.rows == 2 and export.file


def render_first_page(pdf: bytes, name: str) -> None:
    """The PDF's first page as a PNG beside the browser screenshots, for people to look at."""
    import pypdfium2

    from tests.e2e.test_journeys import SHOTS

    target = SHOTS.parent / "pdfs"
    target.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    document[0].render(scale=1.5).to_pil().save(target / name)
    document.close()


@pytest.fixture
def signing_pair(settings, tmp_path):
    from notices.signing import make_signing_pair

    key_file, cert_file = make_signing_pair(tmp_path / "signing")
    settings.PORTAL_SIGNING_KEY_FILE, settings.PORTAL_SIGNING_CERT_FILE = str(key_file), str(cert_file)
    settings.PORTAL_BASE_URL = "https://verify.example.gov.cn"


def test_the_electronic_certificate_is_text_signed_and_checked(final_round, signing_pair, client):
    from pypdf import PdfReader

    from notices.services.certificates import certificate_render_electronic
    from notices.signing import signature_intact

    certificate = Certificate.objects.filter(round=final_round).first()
    certificate_render_electronic(certificate=certificate)
    data = certificate.pdf.open("rb").read()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")
    assert (
        certificate.holder_name in text
        and certificate.number in text
        and certificate.verification_code in text
    )
    assert "https://verify.example.gov.cn/certificates/verify/" in text
    assert signature_intact(data)
    render_first_page(data, "e-certificate.png")
    # One byte changed inside what the signature covers: the check fails.
    at = data.index(certificate.number.encode()) if certificate.number.encode() in data else len(data) // 3
    tampered = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
    assert not signature_intact(tampered)
    # The public check: by number and name, or by the QR's code; a wrong name finds nothing.
    url = reverse("notices:certificate_verify")
    page = client.get(url, {"number": certificate.number, "name": certificate.holder_name}).content.decode()
    assert 'data-verify-state="valid"' in page and certificate.holder_id_number not in page
    by_code = client.get(url, {"number": certificate.number, "code": certificate.verification_code.lower()})
    assert 'data-verify-state="valid"' in by_code.content.decode()
    wrong = client.get(url, {"number": certificate.number, "name": "别人"}).content.decode()
    assert 'data-verify-state="not_found"' in wrong and certificate.holder_name not in wrong
    # The stored file altered: the page says so.
    certificate.pdf.storage.delete(certificate.pdf.name)
    certificate.pdf.storage.save(certificate.pdf.name, io.BytesIO(tampered))
    assert (
        'data-verify-state="file_altered"'
        in client.get(url, {"number": certificate.number, "name": certificate.holder_name}).content.decode()
    )
    # Cancelled later: shown at once.
    certificate_transition(certificate=certificate, event=CertificateEvent.CANCEL, actor=None)
    assert (
        'data-verify-state="cancelled"'
        in client.get(url, {"number": certificate.number, "name": certificate.holder_name}).content.decode()
    )


def test_the_check_is_rate_limited_per_address(final_round, client, settings):
    settings.PORTAL_VERIFY_PER_HOUR = 3
    from django.core.cache import cache

    cache.clear()
    url = reverse("notices:certificate_verify")
    answers = [client.get(url, {"number": "X", "name": "Y"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
