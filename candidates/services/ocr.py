"""OCR of uploaded pages: read one page (a Celery task on the ``ocr`` queue), tell the
candidate when a page of a current file cannot be read at all, and sweep for pages that
wait (in the embedded default the periodic jobs' process reads them; with workers, pages
whose task was lost are sent again)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from PIL import Image

from candidates import ocr
from candidates.enums import OcrStatus
from candidates.models import MaterialPage, MaterialVersion, PageText
from candidates.services.messages import message_send, phrase
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue, enqueue_on_commit

logger = logging.getLogger(__name__)


def ocr_wanted_after_preview(*, version: MaterialVersion) -> None:
    """Send the pages of a freshly rendered file to the ``ocr`` workers. With eager tasks
    the sweep reads them instead: OCR never runs inside a request."""
    if not settings.PORTAL_OCR or settings.CELERY_TASK_ALWAYS_EAGER:
        return
    for page_id in version.pages.values_list("pk", flat=True):
        enqueue_on_commit("candidates.ocr_page", page_id=page_id)


def page_text_read(*, page: MaterialPage) -> PageText:
    """Read one page once. Idempotent: a page already read is returned as it is."""
    existing = PageText.objects.filter(page=page).first()
    if existing is not None:
        return existing
    try:
        with page.image.open("rb") as stored, Image.open(stored) as image:
            reading = ocr.read_image(image)
    except Exception:
        logger.exception("OCR failed for page %s", page.pk)
        values = {"status": OcrStatus.FAILED, "engine": ocr.ENGINE}
    else:
        unreadable = reading.characters < settings.PORTAL_OCR_MIN_CHARS
        values = {
            "status": OcrStatus.UNREADABLE if unreadable else OcrStatus.READ,
            "text": reading.text,
            "lines": [line.as_json() for line in reading.lines],
            "characters": reading.characters,
            "engine": ocr.ENGINE,
            "seconds": round(reading.seconds, 3),
        }
    try:
        with transaction.atomic():
            text = PageText.objects.create(page=page, **values)
            version = page.version
            application = version.material.application
            told = PageText.objects.filter(page__version=version, status=OcrStatus.UNREADABLE).exclude(
                pk=text.pk
            )
            if text.is_unreadable and version.is_current and not told.exists():  # one message a file
                _tell_unreadable(page=page, version=version, application=application)
            # The application's cross-check and the near-duplicate signal use the text.
            enqueue_on_commit("reviews.ocr_crosscheck", application_id=application.pk)
            enqueue_on_commit("reviews.fraud_signals", version_id=version.pk)
    except IntegrityError:  # read twice at once (a task handed out again): the first stays
        return PageText.objects.get(page=page)
    return text


def _tell_unreadable(*, page: MaterialPage, version: MaterialVersion, application) -> None:
    material = version.material
    audit_record(
        actor=None,
        action="material.unreadable",
        target=version,
        application=application,
        data={"kind": material.kind, "version": version.number, "page": page.number},
    )
    message_send(
        recipient=application.candidate.user,
        application=application,
        subject=phrase(gettext_noop("材料页面无法识读：{item}"), item=material.get_kind_display()),
        body=[
            phrase(
                gettext_noop("您上传的“{item}”（{version}）第 {page} 页，系统读不出任何文字，"),
                item=material.get_kind_display(),
                version=version.version_label,
                page=page.number,
            ),
            phrase(
                gettext_noop(
                    "可能是图片过暗、过于模糊、拍摄不全或方向不对。请在截止时间前重新扫描或拍摄后上传新版本，"
                    "以免核查人员无法查看。"
                )
            ),
        ],
    )


def pages_waiting(*, now: datetime.datetime | None = None):
    """Pages of current files with no text yet; with workers, only those waiting longer than
    a task should take (their task was lost), so a backlog is never sent twice."""
    pages = MaterialPage.objects.filter(text__isnull=True, version__retired_at__isnull=True)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        cutoff = (now or timezone.now()) - datetime.timedelta(minutes=settings.PORTAL_OCR_RESEND_MINUTES)
        pages = pages.filter(version__uploaded_at__lt=cutoff)
    return pages.order_by("version__uploaded_at", "pk")


def ocr_sweep() -> int:
    """Periodic: read (eager) or send again (workers) the pages that wait. Returns how many."""
    if not settings.PORTAL_OCR:
        return 0
    page_ids = list(pages_waiting().values_list("pk", flat=True)[: settings.PORTAL_OCR_SWEEP_PAGES])
    for page_id in page_ids:
        enqueue("candidates.ocr_page", page_id=page_id)
    return len(page_ids)
