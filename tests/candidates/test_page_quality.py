"""Quality at upload time: an A4 page under ~150 dpi is refused (images by their pixels, a
scanned PDF page by its placed image's dpi); a blurred page is warned, never refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from candidates.models import MaterialPage, MaterialVersion
from candidates.quality import is_blurred, sharpness
from candidates.services.materials import material_store
from tests import factories
from tests.files import jpeg_bytes, png_bytes, upload
from tests.pages import jpeg, page, work_years_lines

pytestmark = pytest.mark.django_db


def store(application, kind: str, name: str, data: bytes):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return material_store(
            application=application, kind=kind, files=[upload(name, data)], actor=application.candidate.user
        )


def scanned_pdf(dpi: int) -> bytes:
    """One A4 page that is a single placed image scanned at ``dpi``, as a scanner's PDF is."""
    image = page(["工作年限证明", "兹证明"], dpi=dpi)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=dpi)
    return out.getvalue()


@pytest.mark.parametrize(
    ("size", "accepted"),
    [
        ((1240, 1754), True),  # A4 at 150 dpi
        ((1754, 1240), True),  # the same, landscape
        ((1239, 1754), False),
        ((1240, 1753), False),
        ((2480, 3508), True),  # 300 dpi
        ((800, 600), False),
    ],
)
def test_image_resolution_at_the_threshold(size, accepted):
    application = factories.ApplicationFactory()
    if accepted:
        store(application, "work_years", "scan.jpg", jpeg_bytes(size))
        assert MaterialVersion.objects.filter(material__application=application).count() == 1
    else:
        with pytest.raises(ValidationError) as error:
            store(application, "work_years", "scan.jpg", jpeg_bytes(size))
        message = error.value.messages[0]
        assert "分辨率过低" in message and f"{size[0]}×{size[1]}" in message and "1240×1754" in message
        assert not MaterialVersion.objects.exists()


def test_a_screenshot_of_a_query_page_is_not_held_to_a4():
    application = factories.ApplicationFactory()
    store(application, "edu_technical_national", "查询结果.png", png_bytes((1080, 2400)))
    assert MaterialVersion.objects.count() == 1


@pytest.mark.parametrize(("dpi", "accepted"), [(100, False), (140, False), (150, True), (200, True)])
def test_a_scanned_pdf_page_is_judged_by_its_image(dpi, accepted):
    application = factories.ApplicationFactory()
    if accepted:
        store(application, "work_years", "scan.pdf", scanned_pdf(dpi))
        assert MaterialVersion.objects.count() == 1
    else:
        with pytest.raises(ValidationError) as error:
            store(application, "work_years", "scan.pdf", scanned_pdf(dpi))
        assert f"约 {dpi} dpi" in error.value.messages[0] and "第 1 页" in error.value.messages[0]


def test_a_pdf_of_text_has_no_resolution_to_judge():
    from tests.files import pdf_bytes

    application = factories.ApplicationFactory()
    store(application, "work_years", "导出.pdf", pdf_bytes(1))
    assert MaterialVersion.objects.count() == 1


def test_sharpness_scores_clean_and_blurred_pages_either_side_of_the_line(settings):
    lines = work_years_lines("王小明", "430102199003070020", "长沙示范设计院")
    clean, soft, blurred = (sharpness(page(lines, dpi=200, blur=b)) for b in (0, 1, 2))
    assert clean > 300 and blurred < 25
    assert not is_blurred(clean) and not is_blurred(soft) and is_blurred(blurred)
    assert is_blurred(settings.PORTAL_BLUR_WARN_BELOW - 0.1) and not is_blurred(
        settings.PORTAL_BLUR_WARN_BELOW
    )


def test_a_blurred_page_is_warned_with_the_preview_and_kept(client):
    application = factories.ApplicationFactory()
    lines = work_years_lines(
        application.candidate.real_name, application.candidate.id_number, "长沙示范设计院"
    )
    store(application, "work_years", "模糊.jpg", jpeg(page(lines, blur=2)))
    store(application, "application_form", "清晰.jpg", jpeg(page(lines)))
    blurred = MaterialPage.objects.get(version__material__kind="work_years")
    sharp = MaterialPage.objects.get(version__material__kind="application_form")
    assert blurred.sharpness < settings_line() <= sharp.sharpness
    client.force_login(application.candidate.user)
    html = client.get(reverse("candidates:application", args=[application.pk])).content.decode()
    assert html.count("图片模糊，请重新拍摄") == 1  # on the blurred file only
    assert MaterialVersion.objects.count() == 2  # a warning, not a refusal


def settings_line() -> float:
    from django.conf import settings

    return settings.PORTAL_BLUR_WARN_BELOW


def test_the_preview_keeps_the_page_image_the_ocr_reads():
    application = factories.ApplicationFactory()
    store(application, "work_years", "scan.jpg", jpeg(page(["工作年限证明"], dpi=300)))
    stored = MaterialPage.objects.get()
    with stored.image.open("rb") as handle, Image.open(handle) as image:
        assert image.size == (stored.width, stored.height) and max(image.size) == 1600
