"""Every bad input gets a clear answer in Chinese, never a 500, and nothing half-stored."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from candidates.enums import ApplicationStatus
from candidates.models import MaterialVersion
from notices.enums import PassListStatus
from notices.models import PassList
from reviews.models import EmployerReview
from tests import factories
from tests.files import pdf_bytes
from verification_portal.errors import server_error

pytestmark = pytest.mark.django_db


def assert_chinese_page(response, status: int, *phrases: str) -> str:
    assert response.status_code == status
    page = response.content.decode()
    assert "返回首页" in page
    for phrase in phrases:
        assert phrase in page
    assert "Bad Request" not in page and "Server Error" not in page and "Not Found" not in page
    return page


def test_a_nul_byte_in_a_search_is_a_clear_400(client, client_for):
    round_ = factories.RoundFactory()
    pass_list = PassList.objects.create(
        round=round_, version=1, status=PassListStatus.PUBLISHED, published_at=timezone.now()
    )
    assert_chinese_page(
        client.get(reverse("notices:pass_list", args=[pass_list.pk]), {"q": "王\x00"}), 400, "无效字符"
    )
    candidate = client_for(factories.CandidateFactory().user)
    assert_chinese_page(candidate.get(reverse("candidates:employer_search"), {"q": "\x00"}), 400)
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    assert_chinese_page(admin.get(reverse("notices:candidates"), {"q": "4301\x00"}), 400)
    # And in a form posted as text.
    anonymous = client
    anonymous.logout()
    response = anonymous.post(
        reverse("candidates:password_reset"),
        "phone=1370000%000000",
        content_type="application/x-www-form-urlencoded",
    )
    assert_chinese_page(response, 400)


@pytest.fixture
def candidate_client(client_for):
    application = factories.ApplicationFactory()
    return application, client_for(application.candidate.user)


def test_too_many_files_in_one_request_is_a_clear_answer(candidate_client):
    application, client = candidate_client
    files = [SimpleUploadedFile(f"p{n}.pdf", pdf_bytes(1)) for n in range(11)]
    url = reverse("candidates:upload", args=[application.pk, "application_form"])
    assert_chinese_page(client.post(url, {"files": files}), 400, "一次最多上传 10 个文件")
    xhr = client.post(
        url,
        {"files": [SimpleUploadedFile(f"q{n}.pdf", pdf_bytes(1)) for n in range(11)]},
        HTTP_ACCEPT="application/json",
    )
    assert xhr.status_code == 400 and "一次最多上传 10 个文件" in xhr.json()["errors"][0]
    assert not MaterialVersion.objects.exists()


def test_too_many_fields_is_a_clear_answer(candidate_client):
    application, client = candidate_client
    data = {f"field{n}": "x" for n in range(501)}
    response = client.post(reverse("candidates:declare", args=[application.pk]), data)
    assert_chinese_page(response, 400, "提交的内容项目过多")


def test_an_empty_file_is_named(candidate_client):
    application, client = candidate_client
    url = reverse("candidates:upload", args=[application.pk, "application_form"])
    response = client.post(
        url, {"files": [SimpleUploadedFile("空白扫描.pdf", b"")]}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == ["文件“空白扫描.pdf”是空的（0 字节），请重新选择。"]
    assert not MaterialVersion.objects.exists()


def test_hr_return_reasons_are_bounded_and_what_was_typed_stays(client_for):
    hr = factories.EmployerHRFactory()
    application = factories.ApplicationFactory(
        employer=hr.organisation, status=ApplicationStatus.EMPLOYER_REVIEW
    )
    application.submitted_at = timezone.now()
    application.save(update_fields=["submitted_at"])
    client = client_for(hr.user)
    long_text = "请补充" + "很" * 210_000
    response = client.post(reverse("reviews:employer_return", args=[application.pk]), {"reasons": long_text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "退回原因不能超过 2000 字" in page and "很很很很很很" in page  # kept for editing
    assert not EmployerReview.objects.exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.EMPLOYER_REVIEW
    from django.core.exceptions import ValidationError

    from reviews.services.employer import employer_return

    with pytest.raises(ValidationError, match="不能超过 2000 字"):
        employer_return(application=application, user=hr.user, reasons=long_text)


def test_error_pages_are_chinese_with_the_way_back(client, client_for):
    page = assert_chinese_page(
        client.get("/no-such-page/", HTTP_REFERER="http://testserver/notices/"), 404, "页面不存在"
    )
    assert 'href="http://testserver/notices/"' in page  # back to where the person came from
    evil = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in evil.content.decode()
    reviewer = client_for(factories.CityReviewerFactory().user)
    assert_chinese_page(reviewer.get(reverse("notices:manage")), 404)
    request = RequestFactory().get("/")
    response = server_error(request)
    assert response.status_code == 500 and "系统暂时出错" in response.content.decode()
    from django.urls import get_resolver

    assert get_resolver().resolve_error_handler(500) is server_error


def big_png(megapixels: int = 60) -> bytes:
    side = int((megapixels * 1_000_000) ** 0.5)
    out = io.BytesIO()
    Image.radial_gradient("L").resize((side, side)).save(out, "PNG", compress_level=1)
    return out.getvalue()


def test_ten_huge_pngs_in_one_request_are_refused_before_decoding(candidate_client, settings):
    application, client = candidate_client
    data = big_png(60)
    url = reverse("candidates:upload", args=[application.pk, "application_form"])
    files = [SimpleUploadedFile(f"扫描{n}.png", data) for n in range(10)]
    response = client.post(url, {"files": files}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "像素总量过大" in response.json()["errors"][0]
    assert not MaterialVersion.objects.exists()
    # One of them alone is within every limit and is accepted.
    one = client.post(url, {"files": [SimpleUploadedFile("扫描.png", data)]}, HTTP_ACCEPT="application/json")
    assert one.status_code == 200 and MaterialVersion.objects.count() == 1


def test_object_storage_down_during_an_upload_stores_nothing(candidate_client, settings, private_storage):
    from botocore.config import Config

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "scans",
                "endpoint_url": "http://127.0.0.1:9",  # nothing listens: connection refused
                "access_key": "x",
                "secret_key": "y",
                "region_name": "us-east-1",
                "file_overwrite": False,
                "client_config": Config(connect_timeout=1, retries={"max_attempts": 1}),
            },
        },
    }
    application, client = candidate_client
    url = reverse("candidates:upload", args=[application.pk, "application_form"])
    response = client.post(
        url, {"files": [SimpleUploadedFile("a.pdf", pdf_bytes(1))]}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "文件存储服务暂时不可用" in response.json()["errors"][0]
    assert not MaterialVersion.objects.exists()
    page = client.post(url, {"files": [SimpleUploadedFile("a.pdf", pdf_bytes(1))]}, follow=True)
    assert page.status_code == 200 and "文件存储服务暂时不可用" in page.content.decode()
