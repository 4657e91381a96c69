import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from candidates.enums import PreviewStatus
from candidates.models import AuditEvent, MaterialVersion
from candidates.services.materials import material_preview_render, material_upload, material_version_retire
from candidates.tasks import task_material_preview
from candidates.uploads import clean_original_name
from tests import factories
from tests.files import jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def do_upload(application, *files, kind="work_years"):
    return material_upload(
        application=application, kind=kind, files=list(files), actor=application.candidate.user
    )


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_pdf_upload_is_stored_with_its_facts(application, private_storage):
    data = pdf_bytes(3)
    [version] = do_upload(application, upload("工作年限证明.pdf", data, "image/png"))
    version.refresh_from_db()
    assert version.content_type == "application/pdf"  # by content, not by the browser's type
    assert version.page_count == 3
    assert version.size == len(data)
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.original_name == "工作年限证明.pdf"
    assert version.file.name.startswith("materials/") and "工作" not in version.file.name
    assert (private_storage / version.file.name).read_bytes() == data
    event = AuditEvent.objects.get(action="material.upload")
    assert event.data["sha256"] == version.sha256 and event.application == application


def test_several_pages_as_images_in_one_item(application):
    versions = do_upload(application, upload("p1.jpg", jpeg_bytes()), upload("p2.png", png_bytes()))
    assert [v.number for v in versions] == [1, 2]
    assert [v.content_type for v in versions] == ["image/jpeg", "image/png"]
    # Chosen together: the pages of one version, not versions 1 and 2.
    assert [(v.batch, v.part, v.parts) for v in versions] == [(1, 1, 2), (1, 2, 2)]
    assert [v.version_label for v in versions] == ["第 1 版（1/2）", "第 1 版（2/2）"]
    [later] = do_upload(application, upload("p3.jpg", jpeg_bytes()))
    assert (later.number, later.version_label) == (3, "第 2 版")


@pytest.mark.parametrize(
    ("name", "data", "code_text"),
    [
        ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 200, "只能上传 PDF、JPG 或 PNG"),  # an executable
        ("scan.pdf", b"<html><script>alert(1)</script></html>", "只能上传 PDF、JPG 或 PNG"),
        ("scan.jpg", pdf_bytes(1), "扩展名"),  # PDF content named .jpg
        ("scan.png", jpeg_bytes(), "扩展名"),
        ("scan", jpeg_bytes(), "扩展名"),
        ("scan.jpg", jpeg_bytes()[:-400], "损坏或不完整"),  # truncated image
        ("scan.pdf", pdf_bytes(1, encrypt=True), "加密"),
        ("scan.pdf", pdf_bytes(1, javascript=True), "活动内容"),
        ("scan.pdf", pdf_bytes(1, attachment=True), "活动内容"),
        ("scan.pdf", b"%PDF-1.7\n garbage that is not a pdf", "损坏或不完整"),
        ("empty.pdf", b"", "空的"),
    ],
)
def test_bad_uploads_refused_by_content(application, private_storage, name, data, code_text):
    with pytest.raises(ValidationError) as error:
        do_upload(application, upload(name, data))
    assert code_text in " ".join(error.value.messages)
    assert not MaterialVersion.objects.exists()
    assert stored_files(private_storage) == []


def test_size_limit(application, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 50_000
    big = jpeg_bytes((2000, 2000))
    big = big + b"\x00" * max(0, 50_001 - len(big))
    with pytest.raises(ValidationError) as error:
        do_upload(application, upload("big.jpg", big))
    assert "超过" in error.value.messages[0]
    assert not MaterialVersion.objects.exists()


def test_pixel_limit(application, settings):
    settings.PORTAL_UPLOAD_MAX_PIXELS = 1300 * 1800
    with pytest.raises(ValidationError) as error:
        do_upload(application, upload("huge.png", png_bytes((1300, 1801))))
    assert "像素过大" in error.value.messages[0]
    do_upload(application, upload("ok.png", png_bytes((1300, 1800))))
    assert MaterialVersion.objects.count() == 1


def test_pixel_limit_is_below_pillows_bomb_threshold(settings):
    assert settings.PORTAL_UPLOAD_MAX_PIXELS < Image.MAX_IMAGE_PIXELS


def test_page_limit(application, settings):
    settings.PORTAL_UPLOAD_MAX_PDF_PAGES = 2
    with pytest.raises(ValidationError) as error:
        do_upload(application, upload("long.pdf", pdf_bytes(3)))
    assert "超过每个文件 2 页" in error.value.messages[0]


def test_one_bad_file_refuses_the_batch_and_keeps_earlier_version(application, private_storage):
    [first] = do_upload(application, upload("v1.pdf", pdf_bytes(1)))
    before = stored_files(private_storage)
    with pytest.raises(ValidationError) as error:
        do_upload(application, upload("good.jpg", jpeg_bytes()), upload("bad.jpg", b"not an image at all"))
    assert error.value.messages[0].startswith("bad.jpg：")
    assert list(MaterialVersion.objects.values_list("pk", flat=True)) == [first.pk]
    assert stored_files(private_storage) == before


def test_reupload_is_a_new_version_and_old_file_is_kept(application, private_storage):
    [first] = do_upload(application, upload("v1.pdf", pdf_bytes(1)))
    material_version_retire(version=first, actor=application.candidate.user)
    [second] = do_upload(application, upload("v2.pdf", pdf_bytes(2)))
    first.refresh_from_db()
    assert second.number == 2
    assert first.retired_at is not None and first.retired_by == application.candidate.user
    assert (private_storage / first.file.name).exists()
    assert (private_storage / second.file.name).exists()
    current = MaterialVersion.objects.filter(retired_at__isnull=True)
    assert list(current) == [second]
    assert AuditEvent.objects.filter(action="material.retire", target_id=str(first.pk)).exists()


def test_same_name_twice_never_overwrites(application, private_storage):
    [a] = do_upload(application, upload("scan.pdf", pdf_bytes(1)))
    [b] = do_upload(application, upload("scan.pdf", pdf_bytes(2)))
    assert a.file.name != b.file.name
    assert len(stored_files(private_storage)) == 2


def test_file_count_limit_per_item(application, settings):
    settings.PORTAL_MATERIAL_MAX_FILES = 2
    do_upload(application, upload("a.jpg", jpeg_bytes()), upload("b.jpg", jpeg_bytes()))
    with pytest.raises(ValidationError) as error:
        do_upload(application, upload("c.jpg", jpeg_bytes()))
    assert "最多 2 个文件" in error.value.messages[0]
    assert MaterialVersion.objects.count() == 2


def test_upload_refused_for_item_not_on_checklist(application):
    with pytest.raises(ValidationError) as error:
        do_upload(application, upload("x.pdf", pdf_bytes(1)), kind="edu_cscse")
    assert "不在您的材料清单" in error.value.messages[0]


def test_preview_fixes_exif_orientation_and_reencodes(application, private_storage):
    [version] = do_upload(application, upload("rotated.jpg", jpeg_bytes((1800, 1300), exif_orientation=6)))
    task_material_preview(version_id=version.pk)
    version.refresh_from_db()
    assert version.preview_status == PreviewStatus.READY
    with Image.open(private_storage / version.preview.name) as preview:
        assert preview.format == "JPEG"
        assert preview.height == 1600 and preview.width < 1200  # rotated upright (and made viewer-sized)
        assert 0x0112 not in preview.getexif()


def test_preview_of_pdf_first_page(application, private_storage):
    [version] = do_upload(application, upload("scan.pdf", pdf_bytes(2)))
    material_preview_render(version=version)
    version.refresh_from_db()
    assert version.preview_status == PreviewStatus.READY
    with Image.open(private_storage / version.preview.name) as preview:
        assert preview.width > 0 and preview.height > preview.width  # A4 portrait


def test_preview_enqueued_on_commit(application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [version] = do_upload(application, upload("scan.jpg", jpeg_bytes()))
    version.refresh_from_db()
    assert version.preview_status == PreviewStatus.READY and version.preview


def test_preview_task_for_missing_version_does_nothing(private_storage):
    """A job for a version that is gone (its upload rolled back) returns quietly, writing nothing."""
    from candidates.models import MaterialPage

    assert task_material_preview(version_id=999999) is None
    assert not MaterialPage.objects.exists() and not MaterialVersion.objects.exists()
    assert not list(private_storage.rglob("*.jpg"))  # no preview file written either


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\scan.pdf", "scan.pdf"),
        ("evil\u202egpj.pdf", "evilgpj.pdf"),
        ("line\nbreak\x00.jpg", "linebreak.jpg"),
        ("", "file"),
        ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
    ],
)
def test_original_names_are_cleaned(raw, clean):
    assert clean_original_name(raw) == clean


def test_other_candidate_cannot_upload(application):
    other = factories.CandidateFactory()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        material_upload(
            application=application,
            kind="work_years",
            files=[upload("x.pdf", pdf_bytes(1))],
            actor=other.user,
        )


def test_preview_is_not_the_upload_bytes(application, private_storage):
    payload = jpeg_bytes() + b"<?php system($_GET['c']); ?>"
    [version] = do_upload(application, upload("payload.jpg", payload))
    material_preview_render(version=version)
    version.refresh_from_db()
    preview = (private_storage / version.preview.name).read_bytes()
    assert b"<?php" not in preview
    Image.open(io.BytesIO(preview)).verify()


def test_truncated_image_refused_even_after_weasyprint_loosened_pillow(application):
    import weasyprint  # noqa: F401  (its import sets ImageFile.LOAD_TRUNCATED_IMAGES = True)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    with pytest.raises(ValidationError) as error:
        do_upload(application, upload("cut.jpg", jpeg_bytes((1200, 900))[:-2000]))
    assert "损坏或不完整" in error.value.messages[0]
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for WeasyPrint


def test_preview_twice_and_from_a_stale_copy_renders_once(application, private_storage):
    [version] = do_upload(application, upload("scan.pdf", pdf_bytes(2)))
    stale = MaterialVersion.objects.get(pk=version.pk)
    material_preview_render(version=version)
    material_preview_render(version=stale)
    task_material_preview(version_id=version.pk)
    assert version.pages.count() == 2
