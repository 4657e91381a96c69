"""S3-compatible storage over HTTP against real server processes started by the tests:
moto's S3 server (private objects, no overwrite, the portal's uploads and downloads) and
s3rver (which, unlike moto, refuses a SigV4 query-signed URL once it has expired)."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from candidates.services.materials import material_upload
from tests import factories
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db
BUCKET = "scans"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} stopped: {process.stderr.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"{name} did not listen within 30 s")


@pytest.fixture(scope="module")
def moto_server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_for_port(port, process, "moto_server")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def s3rver(tmp_path_factory):
    binary = ROOT / ".venv" / "s3rver" / "node_modules" / ".bin" / "s3rver"
    if not binary.exists():
        pytest.fail("s3rver is not installed: `make test` installs it from the npm registry")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "-d", str(tmp_path_factory.mktemp("s3rver")), "-a", "127.0.0.1", "-p", str(port),
         "--configure-bucket", BUCKET, "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    wait_for_port(port, process, "s3rver")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def use_s3(settings, endpoint: str, *, access_key: str, secret_key: str, expire: int = 60) -> None:
    settings.AWS_STORAGE_BUCKET_NAME = BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": access_key,
                "secret_key": secret_key,
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": expire,
                "signature_version": "s3v4",
                "addressing_style": "path",
                "client_config": Config(
                    signature_version="s3v4", connect_timeout=2, retries={"max_attempts": 1}
                ),
            },
        },
    }


@pytest.fixture
def s3(settings, moto_server):
    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    use_s3(settings, moto_server, access_key="test", secret_key="test")
    return client


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_objects_are_private_and_never_overwritten(s3, moto_server):
    storage = storages["default"]
    first = storage.save("materials/same.pdf", ContentFile(b"first"))
    second = storage.save("materials/same.pdf", ContentFile(b"second"))
    assert first != second
    assert s3.get_object(Bucket=BUCKET, Key=first)["Body"].read() == b"first"
    grants = s3.get_object_acl(Bucket=BUCKET, Key=first)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only: no public read
    status, _body = fetch(f"{moto_server}/{BUCKET}/{first}")
    assert status == 403  # an anonymous request over HTTP is refused


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
    status, body = fetch(response["Location"])
    assert status == 200 and body == version.file.storage.open(version.file.name).read()
    other = client_for(factories.CandidateFactory().user)
    assert other.get(reverse("candidates:file", args=[version.pk])).status_code == 404


def test_a_signed_url_is_refused_after_it_expires(settings, s3rver, client_for):
    use_s3(settings, s3rver, access_key="S3RVER", secret_key="S3RVER", expire=1)
    application = factories.ApplicationFactory()
    [version] = material_upload(
        application=application,
        kind="work_years",
        files=[upload("证明.pdf", pdf_bytes(1))],
        actor=application.candidate.user,
    )
    location = client_for(application.candidate.user).get(reverse("candidates:file", args=[version.pk]))[
        "Location"
    ]
    assert "X-Amz-Signature" in parse_qs(urlparse(location).query)
    status, body = fetch(location)
    assert status == 200 and body.startswith(b"%PDF")
    time.sleep(2.2)
    status, body = fetch(location)
    assert status == 403 and b"Request has expired" in body
