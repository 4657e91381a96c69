"""S3-compatible storage, against moto's S3 in process (the real service leaves the machine)."""

from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from moto import mock_aws

from candidates.services.materials import material_upload
from tests import factories
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db
BUCKET = "scans"


@pytest.fixture
def s3(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.AWS_STORAGE_BUCKET_NAME = BUCKET
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "default_acl": "private",
                    "file_overwrite": False,
                    "querystring_auth": True,
                    "querystring_expire": 60,
                    "signature_version": "s3v4",
                },
            },
        }
        yield client


def test_objects_are_private_and_never_overwritten(s3):
    storage = storages["default"]
    first = storage.save("materials/same.pdf", ContentFile(b"first"))
    second = storage.save("materials/same.pdf", ContentFile(b"second"))
    assert first != second
    assert s3.get_object(Bucket=BUCKET, Key=first)["Body"].read() == b"first"
    grants = s3.get_object_acl(Bucket=BUCKET, Key=first)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only: no public read


def test_files_are_served_by_short_signed_urls_after_the_permission_check(s3, client_for):
    application = factories.ApplicationFactory()
    [version] = material_upload(
        application=application,
        kind="work_years",
        files=[upload("证明.pdf", pdf_bytes(1))],
        actor=application.candidate.user,
    )
    assert s3.head_object(Bucket=BUCKET, Key=version.file.name)["ContentLength"] == version.size
    response = client_for(application.candidate.user).get(reverse("candidates:file", args=[version.pk]))
    assert response.status_code == 302
    query = parse_qs(urlparse(response["Location"]).query)
    assert "X-Amz-Signature" in query and query["X-Amz-Expires"] == ["60"]
    assert "attachment" in query["response-content-disposition"][0]
    other = client_for(factories.CandidateFactory().user)
    assert other.get(reverse("candidates:file", args=[version.pk])).status_code == 404
