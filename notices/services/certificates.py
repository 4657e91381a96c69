"""After the pass (seeds 003 and 004): the certificate register, mail booking (预约邮寄),
on-site pick-up, custody (代为保管) and hand-over. ``certificate_transition`` is the only
mover of a certificate (``notices.enums.CERTIFICATE_EVENTS``), as for applications."""

from __future__ import annotations

import datetime
import io
import re

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook

from candidates.enums import ApplicationStatus
from candidates.models import VerificationRound
from candidates.permissions import is_administrator
from candidates.services.messages import message_send, phrase
from candidates.spreadsheets import text_safe_row
from candidates.validators import PHONE_RE
from notices.enums import (
    CERTIFICATE_EVENTS,
    CertificateEvent,
    CertificateKind,
    CertificateStatus,
    PassListStatus,
)
from notices.models import Certificate, ExportFile, MailBooking, PassList
from notices.services.rounds import export_store
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue_on_commit

CUSTODY_YEARS = 5  # seed 003: unclaimed certificates are kept five years from the exam's end
BOOKING_HEADERS = [
    "证书编号",
    "收件人",
    "收件人手机",
    "省",
    "市",
    "区县",
    "详细地址",
    "寄件物品",
    "付款方式",
    "快递单号",
]
REGISTER_HEADERS = [
    "序号",
    "证书编号",
    "姓名",
    "身份证号",
    "考试",
    "级别",
    "专业",
    "发证机关",
    "签发日期",
    "状态",
]


class CertificateTransitionError(ValidationError):
    """The move is not in the certificate's event table."""


def certificate_transition(
    *,
    certificate: Certificate,
    event: str,
    actor,
    changes: dict | None = None,
    data: dict | None = None,
    now=None,
) -> Certificate:
    """Fire ``event``: refuses a move the table does not allow, saves, audits."""
    now = now or timezone.now()
    sources, target = CERTIFICATE_EVENTS[event]
    changes = changes or {}
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status not in sources:
            raise CertificateTransitionError(
                _("“{status}”的证书不能{event}。").format(
                    status=locked.get_status_display(), event=CertificateEvent(event).label
                ),
                code="transition",
            )
        previous = locked.status
        certificate.status, certificate.status_changed_at = target, now
        for field, value in changes.items():
            setattr(certificate, field, value)
        certificate.save(update_fields=["status", "status_changed_at", *changes])
        audit_record(
            actor=actor,
            action="certificate.transition",
            target=certificate,
            application=certificate.application,
            data={"event": event, "from": previous, "to": target, **(data or {})},
        )
    return certificate


def certificate_number(*, round_: VerificationRound, exam_code: str, sequence: int) -> str:
    """The number by ``PORTAL_CERTIFICATE_NUMBER_PATTERN`` (year, round, city, exam, seq)."""
    return settings.PORTAL_CERTIFICATE_NUMBER_PATTERN.format(
        year=round_.exam_year, round=round_.pk, city=round_.city.code, exam=exam_code, seq=sequence
    )


def certificates_issue(*, pass_list: PassList, now: datetime.datetime | None = None) -> int:
    """Register a certificate for each person on a final list who passed and has none yet.
    Numbered by the pattern (ready at once) unless the province assigns the numbers
    (``PORTAL_CERTIFICATE_NUMBERS=import``: made, 制证中, until imported). Idempotent."""
    now = now or timezone.now()
    if pass_list.status != PassListStatus.FINAL:
        return 0
    round_ = pass_list.round
    start = pass_list.final_at or now
    generate = settings.PORTAL_CERTIFICATE_NUMBERS != "import"
    entries = pass_list.entries.select_related(
        "application__candidate", "application__roster_entry__exam", "application__round__city"
    ).filter(application__status=ApplicationStatus.PASSED)
    created = 0
    with transaction.atomic():
        VerificationRound.objects.select_for_update().get(pk=round_.pk)  # one numbering at a time
        holders = set(
            Certificate.objects.filter(round=round_)
            .exclude(status__in=[CertificateStatus.CANCELLED, CertificateStatus.REISSUED])
            .values_list("application_id", flat=True)
        )
        sequence = Certificate.objects.filter(round=round_).count()
        for entry in entries:
            application = entry.application
            if application.pk in holders:
                continue
            sequence += 1
            roster = application.roster_entry
            certificate = Certificate.objects.create(
                application=application,
                round=round_,
                number=certificate_number(round_=round_, exam_code=roster.exam.code, sequence=sequence)
                if generate
                else None,
                holder_name=application.candidate.real_name,
                holder_id_number=application.candidate.id_number,
                kind=CertificateKind.ELECTRONIC if round_.electronic_certificates else CertificateKind.PAPER,
                exam=roster.exam.name,
                level=roster.level,
                specialty=roster.specialty,
                authority=settings.PORTAL_CERTIFICATE_AUTHORITY,
                issued_on=timezone.localdate(start),
                status=CertificateStatus.READY if generate else CertificateStatus.MAKING,
                # Seed 003: booking within (usually) 30 days of the result, the list's end.
                booking_closes_at=start + datetime.timedelta(days=round_.mail_booking_days),
                created_at=now,
                status_changed_at=now,
            )
            audit_record(
                actor=None,
                action="certificate.issue",
                target=certificate,
                application=application,
                data={"number": certificate.number, "pass_list": pass_list.pk},
            )
            if round_.electronic_certificates and certificate.number:
                enqueue_on_commit("notices.render_e_certificate", certificate_id=certificate.pk)
            created += 1
    if created:
        certificate_register_request(round_=round_)
    return created


def certificate_numbers_import(*, round_: VerificationRound, user, upload) -> tuple[int, list[str]]:
    """The numbers the province assigned (.xlsx: 身份证号, 证书编号): each certificate still
    制证中 gets its number and is ready. Returns (assigned, problems by row)."""
    if not is_administrator(user):
        raise PermissionDenied
    rows = _xlsx_rows(upload)
    waiting = {
        c.holder_id_number: c
        for c in Certificate.objects.filter(round=round_, status=CertificateStatus.MAKING)
    }
    assigned, problems = 0, []
    for row_number, (id_number, number) in rows:
        certificate = waiting.get(id_number.upper())
        if certificate is None:
            problems.append(_("第 {row} 行：{id}不在本轮待制证名单中").format(row=row_number, id=id_number))
            continue
        if not number or Certificate.objects.filter(number=number).exists():
            problems.append(_("第 {row} 行：证书编号为空或已被使用").format(row=row_number))
            continue
        certificate_transition(
            certificate=certificate,
            event=CertificateEvent.PRODUCE,
            actor=user,
            changes={
                "number": number,
                "booking_closes_at": timezone.now() + datetime.timedelta(days=round_.mail_booking_days),
            },
            data={"number": number},
        )
        assigned += 1
    return assigned, problems


def _xlsx_rows(upload) -> list[tuple[int, tuple[str, str]]]:
    """(row number, (first column, second column)) of an .xlsx's first sheet, below its header."""
    try:
        sheet = load_workbook(io.BytesIO(upload.read()), read_only=True).worksheets[0]
    except Exception:
        raise ValidationError(
            _("文件无法读取，请上传 .xlsx 文件（第一列、第二列为所需内容，第一行为表头）。")
        ) from None
    rows = []
    for index, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        cells = ["" if value is None else str(value).strip() for value in (row or ())][:2]
        if any(cells):
            rows.append((index, tuple([*cells, "", ""][:2])))
    return rows


def pick_up_details(round_: VerificationRound) -> str:
    return _(
        "请到{city}人社局现场领取：{address}（电话 {phones}），本人持身份证，他人代领须持授权委托书。"
    ).format(
        city=round_.city.name,
        address=round_.contact_address or _("地址见领取公告"),
        phones=round_.contact_phones or round_.city.verification_phone or "—",
    )


def mail_book(*, certificate: Certificate, user, data: dict, now=None) -> MailBooking:
    """The holder books mail delivery, postage paid on delivery (到付), inside the window."""
    now = now or timezone.now()
    if certificate.application.candidate.user_id != user.pk:
        raise PermissionDenied
    if certificate.status != CertificateStatus.READY:
        raise ValidationError(
            _("该证书当前为“{status}”，不能预约邮寄。").format(status=certificate.get_status_display())
        )
    if certificate.booking_closes_at is None or now >= certificate.booking_closes_at:
        raise ValidationError(
            _("邮寄预约已于 {when} 截止。").format(
                when=timezone.localtime(certificate.booking_closes_at).strftime("%Y-%m-%d %H:%M")
                if certificate.booking_closes_at
                else "—"
            )
            + pick_up_details(certificate.round),
            code="closed",
        )
    if not PHONE_RE.match(data.get("phone", "")):
        raise ValidationError({"phone": _("请填写 11 位手机号码。")})
    with transaction.atomic():
        booking = MailBooking.objects.create(certificate=certificate, created_at=now, **data)
        certificate_transition(
            certificate=certificate,
            event=CertificateEvent.BOOK_MAIL,
            actor=user,
            data={"booking": booking.pk},
            now=now,
        )
    return booking


def mail_booking_cancel(*, certificate: Certificate, user) -> Certificate:
    """The holder takes a booking back, while the bureau has not exported it yet."""
    if certificate.application.candidate.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        booking = certificate.bookings.filter(cancelled_at__isnull=True).first()
        if booking is None or booking.exported_at is not None:
            raise ValidationError(_("邮寄信息已交快递，不能取消。如需更改请联系市人社局。"))
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["cancelled_at"])
        return certificate_transition(
            certificate=certificate, event=CertificateEvent.CANCEL_BOOKING, actor=user
        )


def mail_bookings_export(*, round_: VerificationRound, user) -> tuple[bytes, int]:
    """The round's bookings not yet sent, in the columns a courier needs (到付); marks them
    exported (the candidate can no longer cancel)."""
    if not is_administrator(user):
        raise PermissionDenied
    bookings = list(
        MailBooking.objects.filter(
            certificate__round=round_,
            certificate__status=CertificateStatus.MAIL_BOOKED,
            cancelled_at__isnull=True,
        ).select_related("certificate")
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("邮寄名单"))
    sheet.append(BOOKING_HEADERS)
    for booking in bookings:
        values = [
            booking.certificate.number or "",
            booking.recipient,
            booking.phone,
            booking.province,
            booking.city,
            booking.district,
            booking.address,
            f"{booking.certificate.exam}证书",
            "到付",
            booking.certificate.tracking_number,
        ]
        sheet.append(text_safe_row(sheet, values))
    out = io.BytesIO()
    book.save(out)
    now = timezone.now()
    MailBooking.objects.filter(pk__in=[b.pk for b in bookings], exported_at__isnull=True).update(
        exported_at=now
    )
    audit_record(
        actor=user, action="certificate.bookings_export", target=round_, data={"rows": len(bookings)}
    )
    return out.getvalue(), len(bookings)


def tracking_numbers_import(*, round_: VerificationRound, user, upload) -> tuple[int, list[str]]:
    """Tracking numbers back from the courier (.xlsx: 证书编号, 快递单号): each booked
    certificate is sent; the holder is told with the number."""
    if not is_administrator(user):
        raise PermissionDenied
    booked = {
        c.number: c
        for c in Certificate.objects.filter(
            round=round_, status=CertificateStatus.MAIL_BOOKED
        ).select_related("application__candidate__user")
    }
    sent, problems = 0, []
    for row_number, (number, tracking) in _xlsx_rows(upload):
        certificate = booked.get(number)
        if certificate is None:
            problems.append(
                _("第 {row} 行：证书 {number} 不在本轮待寄出的名单中").format(row=row_number, number=number)
            )
            continue
        if not re.fullmatch(r"[A-Za-z0-9-]{6,40}", tracking):
            problems.append(
                _("第 {row} 行：快递单号“{tracking}”格式不正确").format(row=row_number, tracking=tracking)
            )
            continue
        with transaction.atomic():
            certificate_transition(
                certificate=certificate,
                event=CertificateEvent.MAIL,
                actor=user,
                changes={"tracking_number": tracking},
                data={"tracking": tracking},
            )
            message_send(
                recipient=certificate.application.candidate.user,
                application=certificate.application,
                subject=phrase(gettext_noop("您的证书已寄出")),
                body=phrase(
                    gettext_noop("您的{exam}证书（编号 {number}）已寄出，快递单号 {tracking}，运费到付。"),
                    exam=certificate.exam,
                    number=certificate.number,
                    tracking=tracking,
                ),
            )
        sent += 1
    return sent, problems


def certificate_collect(
    *, certificate: Certificate, user, collected_by: str, agent: bool, authorisation=None
):
    """On-site pick-up: who collected it (the holder, or an authorised person with the
    authorisation scan) and when."""
    if not is_administrator(user):
        raise PermissionDenied
    if agent and authorisation is None:
        raise ValidationError({"authorisation": _("他人代领须上传授权委托书。")})
    changes = {
        "collected_by": collected_by.strip()[:50],
        "collected_by_agent": agent,
        "collected_at": timezone.now(),
    }
    if authorisation is not None:
        certificate.authorisation.save(
            f"authorisation.{authorisation.name.rsplit('.', 1)[-1][:5]}", authorisation, save=False
        )
        changes["authorisation"] = certificate.authorisation.name
    return certificate_transition(
        certificate=certificate,
        event=CertificateEvent.COLLECT,
        actor=user,
        changes=changes,
        data={"collected_by": changes["collected_by"], "agent": agent},
    )


def certificates_into_custody(*, now: datetime.datetime | None = None) -> int:
    """Periodic: certificates not booked for mail nor collected when the booking window ends
    are kept (代为保管) until five years after the exam's end. Idempotent."""
    now = now or timezone.now()
    moved = 0
    for certificate in Certificate.objects.filter(
        status=CertificateStatus.READY, booking_closes_at__lte=now
    ).select_related("round"):
        start = certificate.round.exam_ended_on or certificate.issued_on
        certificate_transition(
            certificate=certificate,
            event=CertificateEvent.TAKE_INTO_CUSTODY,
            actor=None,
            changes={"custody_until": start + relativedelta(years=CUSTODY_YEARS)},
            now=now,
        )
        moved += 1
    return moved


def custody_ending(*, today: datetime.date | None = None, within_days: int = 90):
    """Certificates in custody whose five years end within ``within_days`` (or have ended)."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(
        status=CertificateStatus.IN_CUSTODY, custody_until__lte=today + datetime.timedelta(days=within_days)
    ).order_by("custody_until", "number")


def certificates_hand_over(
    *, round_: VerificationRound, user, today: datetime.date | None = None
) -> ExportFile:
    """登记造册移交: the round's certificates whose custody ended are handed over, on a
    register built by a task. Nothing is deleted."""
    if not is_administrator(user):
        raise PermissionDenied
    today = today or timezone.localdate()
    due = list(
        Certificate.objects.filter(
            round=round_, status=CertificateStatus.IN_CUSTODY, custody_until__lte=today
        )
    )
    if not due:
        raise ValidationError(_("本轮没有保管期满的证书。"))
    with transaction.atomic():
        for certificate in due:
            certificate_transition(certificate=certificate, event=CertificateEvent.HAND_OVER, actor=user)
        export = ExportFile.objects.create(round=round_, requested_by=user, kind=ExportFile.HANDED_OVER)
    enqueue_on_commit("notices.render_certificate_export", export_id=export.pk)
    return export


def certificate_register_render(*, export: ExportFile) -> ExportFile:
    """A round's register (登记、制册和存档, seed 004): its issued certificates, or those
    handed over. Idempotent."""
    if export.file:
        return export
    certificates = Certificate.objects.filter(round=export.round).order_by("number", "pk")
    if export.kind == ExportFile.HANDED_OVER:
        certificates = certificates.filter(status=CertificateStatus.HANDED_OVER)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("证书登记册"))
    sheet.append([f"{export.round.name} · {export.round.city}"])
    sheet.append(REGISTER_HEADERS)
    count = 0
    for count, certificate in enumerate(certificates.iterator(), start=1):
        values = [
            count,
            certificate.number or "",
            certificate.holder_name,
            certificate.holder_id_number,
            certificate.exam,
            certificate.level,
            certificate.specialty,
            certificate.authority,
            certificate.issued_on.isoformat(),
            certificate.get_status_display(),
        ]
        sheet.append(text_safe_row(sheet, values))
    return export_store(export=export, book=book, name="register.xlsx", rows=count)


def certificate_register_request(*, round_: VerificationRound, user=None) -> ExportFile:
    """Queue the round's register (after an issue, or when an administrator asks)."""
    export = ExportFile.objects.create(round=round_, requested_by=user, kind=ExportFile.CERTIFICATES)
    enqueue_on_commit("notices.render_certificate_export", export_id=export.pk)
    return export


VERIFICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def certificate_render_electronic(*, certificate: Certificate) -> Certificate:
    """The electronic certificate: a PDF (text as text, the CJK font's subset embedded) with
    a verification code and a QR code opening the public check, signed (PAdES). Idempotent."""
    import base64
    import hashlib
    import secrets

    import qrcode
    import qrcode.image.svg
    from django.core.files.base import ContentFile
    from django.template.loader import render_to_string
    from django.urls import reverse
    from weasyprint import HTML

    from notices.signing import sign_pdf

    if certificate.pdf or not certificate.number:
        return certificate
    code = certificate.verification_code or "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(12))
    link = (
        settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("notices:certificate_verify")
        + f"?number={certificate.number}&code={code}"
    )
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    html = render_to_string(
        "notices/pdf/certificate.html",
        {
            "certificate": certificate,
            "code": code,
            "link": link,
            "qr": "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode(),
            "font_family": settings.PORTAL_PDF_FONT_FAMILY,
        },
    )
    signed = sign_pdf(HTML(string=html).write_pdf())
    certificate.verification_code = code
    certificate.pdf.save(f"certificate-{certificate.pk}.pdf", ContentFile(signed), save=False)
    certificate.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    certificate.save(update_fields=["verification_code", "pdf", "pdf_sha256"])
    audit_record(
        actor=None,
        action="certificate.electronic",
        target=certificate,
        application=certificate.application,
        data={"sha256": certificate.pdf_sha256},
    )
    return certificate
