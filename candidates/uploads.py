"""Inspection of uploaded scans by their content, never by name or browser type.

Accepted: PDF, JPEG, PNG. The detected type must agree with the file's extension.
Images are decoded (a truncated or broken image is refused) within a pixel limit
below Pillow's own decompression-bomb threshold. PDFs are parsed: encrypted ones
and ones with active content anywhere in their object graph (scripts, launches,
form submission, remote or embedded files, media, non-http links) are refused, passive
structure (destinations, http(s) links, signatures, form fields without actions) is
accepted, and the page count is recorded.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import filetype
import pypdfium2
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageFile
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from candidates.antivirus import scan_for_viruses
from candidates.quality import FULL_PAGE_SHARE, dpi_of_placed_image, too_coarse

logger = logging.getLogger(__name__)

ALLOWED = {
    "application/pdf": ("pdf", {"pdf"}, gettext_lazy("PDF 文档")),
    "image/jpeg": ("jpg", {"jpg", "jpeg"}, gettext_lazy("JPEG 图片")),
    "image/png": ("png", {"png"}, gettext_lazy("PNG 图片")),
}
PIL_FORMATS = {"image/jpeg": ["JPEG"], "image/png": ["PNG"]}
# PDF active content, judged by walking every object reachable from the document catalog.
# Actions that run code, reach outside the document or submit data are refused wherever they
# sit (/OpenAction, /AA at any level, links, outline items, form fields, /Next chains);
# destinations, in-document jumps, named page moves and http(s) links are passive.
ACTIVE_ACTION_TYPES = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/RichMediaExecute",
    "/Rendition",
    "/GoToR",
    "/GoToE",
    "/Movie",
    "/Sound",
    "/GoTo3DView",
}
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/XFA", "/RichMediaContent"}
ACTIVE_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
SAFE_URI_SCHEMES = ("http://", "https://")
# Keys leading only to passive data (page content, fonts, images, appearance streams, the tag
# structure, the way back up the page tree): not followed, so a scan's large image streams are
# never loaded and memory stays flat whatever the file's size. Nothing under them can act:
# actions live in /OpenAction, /AA, /A, /Names, outlines, annotations and form fields.
PASSIVE_KEYS = {
    "/Parent",
    "/P",
    "/Resources",
    "/Contents",
    "/Thumb",
    "/Metadata",
    "/AP",
    "/DR",
    "/StructTreeRoot",
}
NAME_MAX = 100


@dataclass(frozen=True)
class InspectedFile:
    content_type: str
    extension: str
    sha256: str
    size: int
    page_count: int
    width: int | None = None
    height: int | None = None


def clean_original_name(name: str) -> str:
    """The user's file name as data: no path, no control or bidi characters, bounded."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        return "file"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 10:
            name = stem[: NAME_MAX - len(ext) - 1] + "." + ext
        else:
            name = name[:NAME_MAX]
    return name


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(1024 * 1024):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@contextmanager
def _strict_decoding():
    """Refuse truncated images even if another library (WeasyPrint does, on import)
    has switched Pillow to padding them silently."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _inspect_image(upload, content_type: str, max_pixels: int) -> tuple[int, int]:
    upload.seek(0)
    with warnings.catch_warnings(), _strict_decoding():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(upload, formats=PIL_FORMATS[content_type]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ValidationError(
                        _("图片像素过大（{width}×{height}），请将分辨率降到 300 dpi 左右后重新扫描。").format(
                            width=width, height=height
                        ),
                        code="pixels",
                    )
                if content_type == "image/jpeg":
                    # Decoding at 1/8 scale still reads the whole stream, so a truncated
                    # file fails here, at a fraction of the cost of a full decode.
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(_("图片像素过大，请降低分辨率后重新扫描。"), code="pixels") from None
        except Exception:
            raise ValidationError(
                _("图片已损坏或不完整，无法打开，请重新扫描或导出后上传。"), code="broken"
            ) from None
    upload.seek(0)
    return width, height


def _pdf_active_content(reader: PdfReader) -> str | None:
    """What makes the PDF active, or None. Walks the whole object graph from the catalog
    (iteratively, each object once, so neither depth nor cycles stop it)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer["/Root"]]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, ArrayObject):
            stack.extend(obj)
            continue
        if not isinstance(obj, DictionaryObject):
            continue
        for name in ACTIVE_KEYS.intersection(obj.keys()):
            return name
        action = obj.get("/S")
        if action in ACTIVE_ACTION_TYPES:
            return str(action)
        if action == "/URI":
            uri = obj.get("/URI")
            uri = uri.get_object() if isinstance(uri, IndirectObject) else uri
            text = (
                (bytes(uri).decode("latin-1") if isinstance(uri, bytes) else str(uri or "")).strip().lower()
            )
            if not text.startswith(SAFE_URI_SCHEMES):
                return f"/URI {text.split(':', 1)[0]}:"
        if obj.get("/Subtype") in ACTIVE_ANNOTATIONS:
            return str(obj.get("/Subtype"))
        for key, value in obj.items():
            if key not in PASSIVE_KEYS:
                stack.append(value)
    return None


def _inspect_pdf(upload, max_pages: int) -> int:
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "PDF 文件已加密或设置了密码，系统无法读取。请取消密码保护，"
                    "或用“打印为 PDF”另存一份后重新上传。"
                ),
                code="encrypted",
            )
        pages = len(reader.pages)
        active = _pdf_active_content(reader)
        if active:
            logger.info("PDF with active content refused: %s", active)
    except ValidationError:
        raise
    except (PdfReadError, Exception):
        logger.info("Unreadable PDF refused", exc_info=True)
        raise ValidationError(
            _("PDF 文件已损坏或不完整，无法打开，请重新导出后上传。"), code="broken"
        ) from None
    if active:
        raise ValidationError(
            _("PDF 含有脚本、自动动作或嵌入文件等活动内容，不能上传。请用“打印为 PDF”另存一份后重新上传。"),
            code="active_content",
        )
    if pages == 0:
        raise ValidationError(_("PDF 文件没有页面。"), code="empty")
    if pages > max_pages:
        raise ValidationError(
            _("PDF 共 {pages} 页，超过每个文件 {max_pages} 页的上限，请拆分后上传。").format(
                pages=pages, max_pages=max_pages
            ),
            code="pages",
        )
    upload.seek(0)
    return pages


def _refuse_coarse_pdf_scan(upload) -> None:
    """A PDF page that is one placed image (a scan) is judged by that image's dpi; pages of
    text and drawings have no resolution to judge. Only the objects' sizes are read, never
    the image data."""
    upload.seek(0)
    try:
        pdf = pypdfium2.PdfDocument(upload.read())
    except pypdfium2.PdfiumError:
        upload.seek(0)
        return  # pypdf read it; the preview reports what pdfium cannot render
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()
            for image in page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
                left, bottom, right, top = image.get_bounds()
                placed_w, placed_h = right - left, top - bottom
                if placed_w * placed_h < FULL_PAGE_SHARE * width * height:
                    continue
                pixels_w, pixels_h = image.get_px_size()
                dpi = min(dpi_of_placed_image(pixels_w, placed_w), dpi_of_placed_image(pixels_h, placed_h))
                if dpi < settings.PORTAL_PAGE_MIN_DPI:
                    raise ValidationError(
                        _(
                            "PDF 第 {page} 页是约 {dpi} dpi 的扫描图，看不清内容。请按 200 dpi 以上重新扫描"
                            "（至少 150 dpi）后上传。"
                        ).format(page=index + 1, dpi=round(dpi)),
                        code="resolution",
                    )
    finally:
        pdf.close()
        upload.seek(0)


def _decode_cost(upload) -> int:
    """Pixels a file's inspection will decode, read from its header alone: a PNG is decoded
    whole, a JPEG at 1/8 scale (1/64 of its pixels). Not an image: 0."""
    upload.seek(0)
    try:
        with Image.open(upload, formats=["PNG", "JPEG"]) as image:
            width, height = image.size
            kind = image.format
    except Exception:
        return 0
    finally:
        upload.seek(0)
    return width * height if kind == "PNG" else width * height // 64


def check_decode_budget(files) -> None:
    """Bound the work one request can cause: the images of one upload together may not
    decode more than ``PORTAL_UPLOAD_DECODE_BUDGET`` pixels (ten 60-megapixel PNGs would
    hold a worker for half a minute). Checked from the headers, before anything is decoded."""
    budget = settings.PORTAL_UPLOAD_DECODE_BUDGET
    total = sum(_decode_cost(upload) for upload in files)
    if total > budget:
        raise ValidationError(
            _(
                "这次选择的 PNG 图片像素总量过大（约 {total} 万像素，单次上限 {budget} 万像素），未保存。"
                "请分几次上传，或将图片另存为 JPG 或 PDF 后上传。"
            ).format(total=total // 10_000, budget=budget // 10_000),
            code="decode_budget",
        )


@dataclass(frozen=True)
class UploadPolicy:
    """What one material kind accepts. The portal-wide settings cap every policy."""

    types: frozenset
    max_mb: int
    max_pages: int
    # Scans of paper pages (A4): held to the minimum resolution.
    pages_of_paper: bool = True

    @property
    def max_bytes(self) -> int:
        return min(self.max_mb * 1048576, settings.PORTAL_UPLOAD_MAX_BYTES)

    @property
    def page_limit(self) -> int:
        return min(self.max_pages, settings.PORTAL_UPLOAD_MAX_PDF_PAGES)


SCANS = frozenset({"application/pdf", "image/jpeg", "image/png"})
# The written upload policy, one line a material kind (SECURITY.md repeats it).
POLICIES = {
    "application_form": UploadPolicy(SCANS, 20, 6),
    "work_years": UploadPolicy(SCANS, 20, 10),
    "edu_chsi_record": UploadPolicy(SCANS, 10, 4),
    "edu_chsi_report": UploadPolicy(SCANS, 10, 4),
    "edu_hunan_secondary_query": UploadPolicy(
        SCANS, 10, 4, pages_of_paper=False
    ),  # a query page: a screenshot is fine
    "edu_hunan_education_report": UploadPolicy(SCANS, 10, 4),
    "edu_enrolment_roster": UploadPolicy(SCANS, 20, 10),
    "edu_other_province_report": UploadPolicy(SCANS, 10, 4),
    "edu_cscse": UploadPolicy(SCANS, 10, 6),
    "edu_party_school": UploadPolicy(
        SCANS, 10, 4, pages_of_paper=False
    ),  # a query page: a screenshot is fine
    "edu_technical_hunan": UploadPolicy(
        SCANS, 10, 4, pages_of_paper=False
    ),  # a query page: a screenshot is fine
    "edu_technical_national": UploadPolicy(
        SCANS, 10, 4, pages_of_paper=False
    ),  # a query page: a screenshot is fine
    "edu_technical_provincial": UploadPolicy(SCANS, 10, 4),
    "edu_graduate_form": UploadPolicy(SCANS, 20, 10),
    "edu_diploma": UploadPolicy(SCANS, 10, 2),
    "exemption_proof": UploadPolicy(SCANS, 20, 10),
    "first_qualification": UploadPolicy(SCANS, 10, 4),
    "appeal_evidence": UploadPolicy(SCANS, 20, 30),
}
DEFAULT_POLICY = UploadPolicy(SCANS, 20, 30)


def policy_for(kind: str) -> UploadPolicy:
    return POLICIES.get(kind, DEFAULT_POLICY)


def inspect_upload(upload, policy: UploadPolicy = DEFAULT_POLICY) -> InspectedFile:
    """Check one uploaded file against a kind's policy; raise ``ValidationError`` with a
    message for the candidate."""
    max_bytes = policy.max_bytes
    if upload.size == 0:
        raise ValidationError(_("文件是空的（0 字节），请重新选择。"), code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            _("文件大小 {size:.1f} MB，超过 {limit} MB 的上限。").format(
                size=upload.size / 1048576, limit=max_bytes // 1048576
            ),
            code="size",
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in ALLOWED or mime not in policy.types:
        raise ValidationError(
            _("只能上传 PDF、JPG 或 PNG 文件（系统按文件内容识别，改扩展名无效）。"), code="type"
        )
    extension, accepted_extensions, label = ALLOWED[mime]
    given = _extension(upload.name)
    if given not in accepted_extensions:
        raise ValidationError(
            _("文件扩展名“.{given}”与文件内容（{label}）不一致，请确认文件后重新上传。").format(
                given=given or "?", label=label
            ),
            code="extension",
        )
    width = height = None
    if mime == "application/pdf":
        pages = _inspect_pdf(upload, policy.page_limit)
        if policy.pages_of_paper:
            _refuse_coarse_pdf_scan(upload)
    else:
        width, height = _inspect_image(upload, mime, settings.PORTAL_UPLOAD_MAX_PIXELS)
        pages = 1
        if policy.pages_of_paper and too_coarse(width, height):
            raise ValidationError(
                _(
                    "图片分辨率过低（{width}×{height} 像素），看不清内容。A4 页面至少需要 {short}×{long} "
                    "像素（约 150 dpi）：请用扫描仪按 200 dpi 以上扫描，或用手机对准整页重新拍摄。"
                ).format(
                    width=width,
                    height=height,
                    short=settings.PORTAL_PAGE_MIN_SHORT_SIDE,
                    long=settings.PORTAL_PAGE_MIN_LONG_SIDE,
                ),
                code="resolution",
            )
    scan_for_viruses(upload)
    return InspectedFile(
        content_type=mime,
        extension=extension,
        sha256=_sha256(upload),
        size=upload.size,
        page_count=pages,
        width=width,
        height=height,
    )
