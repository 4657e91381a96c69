"""补（换）发 (seed 004): a holder asks online for a certificate again — lost (补发, with the
newspaper's lost notice) or damaged or wrong (换发, with the certificate) — with the
registration form, an ID copy and two photos; a reviewer of the city claims and decides,
with reasons; the requests are summarised per year. Where an electronic certificate was
issued no paper one is reissued (Henan, seed 003 §二(四))."""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from PIL import Image, ImageStat

from candidates.services.messages import message_send, phrase
from candidates.uploads import SCANS, UploadPolicy, clean_original_name, inspect_upload
from notices.enums import (
    CertificateEvent,
    CertificateKind,
    CertificateStatus,
    ReissueFileKind,
    ReissueKind,
    ReissueStatus,
)
from notices.models import Certificate, ReissueFile, ReissueRequest
from notices.services.certificates import certificate_number, certificate_transition
from reviews.permissions import reviewer_city_id
from verification_portal.shared.audit import audit_record

PHOTOS = frozenset({"image/jpeg", "image/png"})
FILE_POLICY = UploadPolicy(SCANS, 10, 4, pages_of_paper=False)  # an ID card copy is not an A4 page
PHOTO_POLICY = UploadPolicy(PHOTOS, 2, 1, pages_of_paper=False)
# A certificate photo (二寸 or 一寸): portrait, at least 295 × 413 pixels, light background.
PHOTO_MIN_SIZE = (295, 413)
REISSUABLE = frozenset({CertificateStatus.MAILED, CertificateStatus.COLLECTED})


def required_files(kind: str) -> list[tuple[str, int]]:
    """(file kind, how many) a request of this kind needs."""
    first = ReissueFileKind.LOST_NOTICE if kind == ReissueKind.LOST else ReissueFileKind.DAMAGED_CERTIFICATE
    return [
        (first, 1),
        (ReissueFileKind.REGISTRATION_FORM, 1),
        (ReissueFileKind.ID_COPY, 1),
        (ReissueFileKind.PHOTO, 2),
    ]


def photo_problem(upload) -> str | None:
    """Why a photo will not do: too small, landscape, or a dark background (the border
    pixels). The face is not looked for."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width < PHOTO_MIN_SIZE[0] or height < PHOTO_MIN_SIZE[1]:
                return _("照片至少 {w}×{h} 像素（一寸或二寸证件照）").format(
                    w=PHOTO_MIN_SIZE[0], h=PHOTO_MIN_SIZE[1]
                )
            if width >= height:
                return _("照片应为竖幅")
            rgb = image.convert("L")
            border = [
                rgb.crop((0, 0, width, height // 20)),
                rgb.crop((0, 0, width // 20, height)),
                rgb.crop((width - width // 20, 0, width, height)),
            ]
            if min(ImageStat.Stat(part).mean[0] for part in border) < 160:
                return _("照片背景应为白色或浅色")
    except OSError:
        return _("照片无法读取")
    finally:
        upload.seek(0)
    return None


def reissue_refusal(certificate: Certificate) -> str | None:
    """Why this certificate cannot be asked for again now, or None."""
    if certificate.kind == CertificateKind.ELECTRONIC:
        return _("已发放电子证书的，不再补发纸质证书：电子证书可随时在本系统下载打印，并可在线核验。")
    if certificate.status not in REISSUABLE:
        return _("证书当前为“{status}”，领取或寄出后才能申请补（换）发。").format(
            status=certificate.get_status_display()
        )
    if certificate.reissue_requests.filter(status=ReissueStatus.SUBMITTED).exists():
        return _("已有一份补（换）发申请在审核中。")
    return None


def reissue_submit(
    *, certificate: Certificate, user, kind: str, reason: str, files: dict[str, list]
) -> ReissueRequest:
    """The holder asks; every file is checked first, nothing is stored if one is refused."""
    if certificate.application.candidate.user_id != user.pk:
        raise PermissionDenied
    refusal = reissue_refusal(certificate)
    if refusal:
        raise ValidationError(refusal, code="refused")
    errors, checked = [], []
    for file_kind, count in required_files(kind):
        given = files.get(file_kind, [])
        label = ReissueFileKind(file_kind).label
        if len(given) < count:
            errors.append(_("请上传{label}（{count} 份）。").format(label=label, count=count))
            continue
        for upload in given[:count]:
            policy = PHOTO_POLICY if file_kind == ReissueFileKind.PHOTO else FILE_POLICY
            try:
                info = inspect_upload(upload, policy)
            except ValidationError as error:
                errors.extend(f"{label}：{message}" for message in error.messages)
                continue
            if file_kind == ReissueFileKind.PHOTO:
                problem = photo_problem(upload)
                if problem:
                    errors.append(f"{label}：{problem}")
                    continue
            checked.append((file_kind, upload, info))
    if not reason.strip():
        errors.append(_("请说明补（换）发的原因。"))
    if errors:
        raise ValidationError(errors, code="files")
    with transaction.atomic():
        request = ReissueRequest.objects.create(
            certificate=certificate, kind=kind, reason=reason.strip()[:500]
        )
        for file_kind, upload, info in checked:
            stored = ReissueFile(
                request=request,
                kind=file_kind,
                original_name=clean_original_name(upload.name),
                content_type=info.content_type,
                sha256=info.sha256,
            )
            stored.file.save(f"reissue.{info.extension}", upload, save=False)
            stored.save()
        audit_record(
            actor=user,
            action="reissue.submit",
            target=request,
            application=certificate.application,
            data={"kind": kind, "files": len(checked)},
        )
    return request


def reissue_queue(*, user):
    """The open requests of the reviewer's city, oldest first."""
    city_id = reviewer_city_id(user)
    if city_id is None:
        return ReissueRequest.objects.none()
    return (
        ReissueRequest.objects.filter(status=ReissueStatus.SUBMITTED, certificate__round__city_id=city_id)
        .select_related("certificate", "claimed_by")
        .order_by("created_at", "pk")
    )


def _reviewer_may(user, request: ReissueRequest) -> bool:
    return reviewer_city_id(user) == request.certificate.round.city_id


def reissue_claim(*, request: ReissueRequest, user, now=None) -> ReissueRequest:
    """A lock of ``PORTAL_CLAIM_MINUTES``, as for applications."""
    now = now or timezone.now()
    if not _reviewer_may(user, request):
        raise PermissionDenied
    with transaction.atomic():
        locked = ReissueRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ReissueStatus.SUBMITTED:
            raise ValidationError(_("该申请已处理。"), code="decided")
        if (
            locked.claimed_by_id not in (None, user.pk)
            and locked.claimed_until
            and locked.claimed_until > now
        ):
            raise ValidationError(_("该申请正由他人处理。"), code="claimed")
        locked.claimed_by, locked.claimed_until = (
            user,
            now + datetime.timedelta(minutes=settings.PORTAL_CLAIM_MINUTES),
        )
        locked.save(update_fields=["claimed_by", "claimed_until"])
        audit_record(actor=user, action="reissue.claim", target=locked)
    return locked


def reissue_decide(*, request: ReissueRequest, user, approve: bool, reason: str, now=None) -> ReissueRequest:
    """Approve (the old certificate is marked 已补发 and a new one is registered, ready for
    collection or mail) or refuse, with the reason the holder reads."""
    now = now or timezone.now()
    if not _reviewer_may(user, request):
        raise PermissionDenied
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("不予补（换）发须写明原因。")})
    with transaction.atomic():
        locked = (
            ReissueRequest.objects.select_for_update().select_related("certificate__round").get(pk=request.pk)
        )
        if locked.status != ReissueStatus.SUBMITTED:
            raise ValidationError(_("该申请已处理。"), code="decided")
        if locked.claimed_by_id != user.pk or not locked.claimed_until or locked.claimed_until <= now:
            raise ValidationError(_("请先领取该申请再处理。"), code="claim")
        old = locked.certificate
        new = None
        if approve:
            certificate_transition(certificate=old, event=CertificateEvent.REISSUE, actor=user, now=now)
            round_ = old.round
            sequence = Certificate.objects.filter(round=round_).count() + 1
            new = Certificate.objects.create(
                application=old.application,
                round=round_,
                number=certificate_number(round_=round_, exam_code="R", sequence=sequence),
                holder_name=old.holder_name,
                holder_id_number=old.holder_id_number,
                exam=old.exam,
                level=old.level,
                specialty=old.specialty,
                authority=old.authority,
                issued_on=timezone.localdate(now),
                kind=old.kind,
                status=CertificateStatus.READY,
                booking_closes_at=now + datetime.timedelta(days=round_.mail_booking_days),
                replaces=old,
                created_at=now,
                status_changed_at=now,
            )
        locked.status = ReissueStatus.APPROVED if approve else ReissueStatus.REFUSED
        locked.decided_by, locked.decided_at, locked.decision_reason = user, now, reason.strip()[:500]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_record(
            actor=user,
            action="reissue.decide",
            target=locked,
            application=old.application,
            data={"approve": approve, "reason": locked.decision_reason, "new": new.number if new else None},
        )
        message_send(
            recipient=old.application.candidate.user,
            application=old.application,
            subject=phrase(
                gettext_noop("补（换）发申请已同意") if approve else gettext_noop("补（换）发申请未同意")
            ),
            body=phrase(
                gettext_noop("新证书编号 {number}，可预约邮寄或到现场领取。{reason}")
                if approve
                else gettext_noop("原因：{reason}"),
                number=new.number if new else "",
                reason=locked.decision_reason,
            ),
        )
    return locked


SUMMARY_HEADERS = ["市州", "考试", "遗失补发", "损坏换发", "信息有误换发", "同意", "不予补（换）发", "待审核"]


def reissue_summary(*, year: int) -> bytes:
    """汇总表 (seed 004): the year's requests by city and exam, by kind and outcome."""
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for request in ReissueRequest.objects.filter(created_at__year=year).select_related(
        "certificate__round__city"
    ):
        key = (request.certificate.round.city.name, request.certificate.exam)
        counts = rows.setdefault(key, {})
        counts[request.kind] = counts.get(request.kind, 0) + 1
        counts[request.status] = counts.get(request.status, 0) + 1
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年补（换）发汇总"
    sheet.append([f"{year}年度证书补（换）发汇总表"])
    sheet.append(SUMMARY_HEADERS)
    for (city, exam), counts in sorted(rows.items()):
        sheet.append(
            [
                city,
                exam,
                *(counts.get(kind, 0) for kind in ReissueKind.values),
                counts.get(ReissueStatus.APPROVED, 0),
                counts.get(ReissueStatus.REFUSED, 0),
                counts.get(ReissueStatus.SUBMITTED, 0),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
