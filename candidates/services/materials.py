"""Writes on materials: upload (a new version), retire, and the preview image."""

import datetime
import io
import logging

import pypdfium2
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from candidates.enums import ApplicationStatus, PreviewStatus
from candidates.models import Application, Material, MaterialPage, MaterialVersion
from candidates.quality import sharpness
from candidates.services.applications import application_edit_refusal
from candidates.services.ocr import ocr_wanted_after_preview
from candidates.uploads import check_decode_budget, clean_original_name, inspect_upload, policy_for
from reviews.signals import page_hashes
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue_on_commit

logger = logging.getLogger(__name__)
PREVIEW_MAX_SIDE = 1600


def _storage_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        errors += [BotoCoreError, ClientError]
    except ImportError:  # pragma: no cover - boto3 is a requirement
        pass
    return tuple(errors)


STORAGE_ERRORS = _storage_errors()


def _discard(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except STORAGE_ERRORS:
            logger.warning("Could not remove %s after a failed upload", name)


def reopened_kinds(*, application: Application, now: datetime.datetime | None = None) -> set[str]:
    """Items a reviewer reopened for a supplement (补正), while its deadline has not passed."""
    if application.status != ApplicationStatus.SUPPLEMENT or not application.fix_deadline:
        return set()
    if application.fix_deadline <= (now or timezone.now()):
        return set()
    return set(application.materials.filter(reopened=True).values_list("kind", flat=True))


def _check_open(*, application: Application, kind: str, actor) -> None:
    """The applicant may change this item: while the application is editable, or while a
    reviewer has reopened it for a supplement."""
    if application.candidate.user_id != actor.pk:
        raise PermissionDenied
    if application.is_editable:
        refusal = application_edit_refusal(application=application)
        if refusal:
            raise ValidationError(refusal, code="closed")
        return
    if kind in reopened_kinds(application=application):
        return
    if application.status == ApplicationStatus.SUPPLEMENT:
        raise ValidationError(_("该材料不在补正范围内，或补正期限已过。"), code="locked")
    raise ValidationError(_("申请已提交，材料不能再修改。"), code="locked")


def material_upload(*, application: Application, kind: str, files: list, actor) -> list[MaterialVersion]:
    """The candidate adds files to a checklist item."""
    _check_open(application=application, kind=kind, actor=actor)
    if kind not in {r.code for r in application.required_materials()}:
        raise ValidationError(_("该材料不在您的材料清单中。"), code="kind")
    return material_store(application=application, kind=kind, files=files, actor=actor)


def material_store(*, application: Application, kind: str, files: list, actor) -> list[MaterialVersion]:
    """Store files as new versions of an item. Every file is checked first; if any is
    refused, none is stored and the earlier files stay as they were. Who may store what,
    and when, is the caller's rule."""
    if not files:
        raise ValidationError(_("请选择要上传的文件。"), code="required")
    check_decode_budget(files)
    errors = []
    inspected = []
    for upload in files:
        name = clean_original_name(upload.name)
        try:
            inspected.append((upload, name, inspect_upload(upload, policy_for(kind))))
        except ValidationError as error:
            errors.extend(f"{name}：{message}" for message in error.messages)
    if errors:
        raise ValidationError(errors, code="invalid")

    stored: list[str] = []
    try:
        with transaction.atomic():
            material, _created = Material.objects.get_or_create(application=application, kind=kind)
            material = Material.objects.select_for_update().get(pk=material.pk)
            current = material.versions.filter(retired_at__isnull=True).count()
            limit = settings.PORTAL_MATERIAL_MAX_FILES
            if current + len(inspected) > limit:
                raise ValidationError(
                    _(
                        "每项材料最多 {limit} 个文件，已有 {current} 个。请先移除不需要的文件，"
                        "或将多页合并为一个 PDF。"
                    ).format(limit=limit, current=current),
                    code="count",
                )
            latest = material.versions.aggregate(n=Max("number"), b=Max("batch"))
            number = (latest["n"] or 0) + 1
            batch = (latest["b"] or 0) + 1  # the files chosen together are one version
            versions = []
            for part, (upload, name, info) in enumerate(inspected, start=1):
                version = MaterialVersion(
                    material=material,
                    number=number,
                    batch=batch,
                    part=part,
                    parts=len(inspected),
                    original_name=name,
                    sha256=info.sha256,
                    size=info.size,
                    content_type=info.content_type,
                    page_count=info.page_count,
                    width=info.width,
                    height=info.height,
                    uploaded_by=actor,
                )
                version.file.save(f"upload.{info.extension}", upload, save=False)
                stored.append(version.file.name)
                version.save()
                audit_record(
                    actor=actor,
                    action="material.upload",
                    target=version,
                    application=application,
                    data={
                        "kind": kind,
                        "version": number,
                        "batch": batch,
                        "part": part,
                        "original_name": name,
                        "sha256": info.sha256,
                        "size": info.size,
                        "content_type": info.content_type,
                        "pages": info.page_count,
                    },
                )
                enqueue_on_commit("candidates.material_preview", version_id=version.pk)
                versions.append(version)
                number += 1
    except STORAGE_ERRORS:
        # Nothing was recorded (the transaction rolled back); take back what reached the storage.
        logger.exception("File storage failed during an upload; nothing was stored")
        _discard(stored)
        raise ValidationError(
            _("文件存储服务暂时不可用，本次上传未保存，请稍后重试。已上传的文件不受影响。"),
            code="storage_down",
        ) from None
    return versions


def material_version_retire(*, version: MaterialVersion, actor) -> MaterialVersion:
    """Take a file out of the current set. The file and its row stay stored."""
    application = version.material.application
    _check_open(application=application, kind=version.material.kind, actor=actor)
    with transaction.atomic():
        locked = MaterialVersion.objects.select_for_update().get(pk=version.pk)
        if locked.retired_at is not None:
            return locked
        locked.retired_at = timezone.now()
        locked.retired_by = actor
        locked.save(update_fields=["retired_at", "retired_by"])
        audit_record(
            actor=actor,
            action="material.retire",
            target=locked,
            application=application,
            data={"kind": locked.material.kind, "version": locked.number},
        )
    return locked


PAGE_RENDER_LIMIT = 30


def _page_images(version: MaterialVersion) -> list[Image.Image]:
    """Each page as an upright RGB image no larger than the viewer needs."""
    with version.file.open("rb") as stored:
        if version.content_type == "application/pdf":
            pdf = pypdfium2.PdfDocument(stored.read())
            try:
                images = []
                for index in range(min(len(pdf), PAGE_RENDER_LIMIT)):
                    page = pdf[index]
                    scale = min(2.0, PREVIEW_MAX_SIDE / max(page.get_width(), page.get_height(), 1))
                    images.append(page.render(scale=scale).to_pil().convert("RGB"))
                return images
            finally:
                pdf.close()
        with Image.open(stored, formats=["JPEG", "PNG"]) as original:
            image = ImageOps.exif_transpose(original)
            image.thumbnail((PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE))
            return [image.convert("RGB")]


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # Re-encoded from pixels: no metadata or trailing payload of the upload travels on.
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def material_preview_render(*, version: MaterialVersion) -> MaterialVersion:
    """Render every page (EXIF orientation applied, re-encoded as JPEG) for the viewer;
    page 1 is also the thumbnail. Idempotent on the stored state: a second run, or a run
    after one that stopped half-way, adds only the pages that are missing."""
    version.refresh_from_db(fields=["preview", "preview_status"])
    if version.preview_status == PreviewStatus.READY and version.preview:
        return version
    try:
        images = _page_images(version)
    except Exception:
        logger.exception("Preview failed for material version %s", version.pk)
        version.preview_status = PreviewStatus.FAILED
        version.save(update_fields=["preview_status"])
        return version
    with transaction.atomic():
        locked = MaterialVersion.objects.select_for_update().get(pk=version.pk)
        if locked.preview_status == PreviewStatus.READY and locked.preview:
            return locked
        existing = {page.number: page for page in locked.pages.all()}
        for number, image in enumerate(images, start=1):
            if number in existing:
                continue
            hashes = page_hashes(image)
            score = sharpness(image)
            page = MaterialPage(
                version=locked,
                number=number,
                width=image.width,
                height=image.height,
                phash=hashes.phash,
                band0=hashes.bands[0],
                band1=hashes.bands[1],
                band2=hashes.bands[2],
                band3=hashes.bands[3],
                fine_hash=hashes.fine,
                stamp_hash=hashes.stamp,
                stamp_fine=hashes.stamp_fine,
                sharpness=round(score, 1),
            )
            page.image.save("page.jpg", ContentFile(_jpeg(image)), save=False)
            page.save()
            existing[number] = page
        locked.preview = existing[1].image.name
        locked.preview_status = PreviewStatus.READY
        locked.save(update_fields=["preview", "preview_status"])
        # The pages are fingerprinted: look for the same or near-identical scans of others;
        # and read (OCR) on the workers of their own queue.
        enqueue_on_commit("reviews.fraud_signals", version_id=locked.pk)
        ocr_wanted_after_preview(version=locked)
    version.preview, version.preview_status = locked.preview, locked.preview_status
    return version
