import socket
import struct
import threading

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from candidates.models import MaterialVersion
from candidates.services.materials import material_upload
from candidates.uploads import POLICIES, policy_for
from tests.files import jpeg_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def test_every_material_kind_has_a_written_policy():
    from candidates.rules import ALL_REQUIREMENTS

    assert set(POLICIES) == set(ALL_REQUIREMENTS)


def test_policy_of_the_kind_applies(application):
    # The diploma scan takes at most 2 pages; the work-years proof takes 10.
    application.certification_report_unavailable = True
    application.graduation_date = application.graduation_date.replace(year=1998)
    application.save()
    assert policy_for("edu_diploma").page_limit == 2
    with pytest.raises(ValidationError) as error:
        material_upload(
            application=application,
            kind="edu_diploma",
            files=[upload("d.pdf", pdf_bytes(3))],
            actor=application.candidate.user,
        )
    assert "超过每个文件 2 页" in error.value.messages[0]
    material_upload(
        application=application,
        kind="work_years",
        files=[upload("w.pdf", pdf_bytes(3))],
        actor=application.candidate.user,
    )


def test_request_body_over_the_limit_is_refused_before_reading(application, client_for, settings):
    settings.PORTAL_REQUEST_MAX_BYTES = 100_000
    client = client_for(application.candidate.user)
    response = client.post(
        reverse("candidates:upload", args=[application.pk, "work_years"]),
        {"files": [upload("big.jpg", jpeg_bytes((1500, 1500)) + b"\0" * 120_000)]},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 413
    assert "超过单次" in response.json()["errors"][0]
    assert not MaterialVersion.objects.exists()


class FakeClamd:
    """A stand-in for clamd on a local port, speaking its INSTREAM protocol."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.address = f"127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                data = b""
                while not data.startswith(b"zINSTREAM\0"):
                    data += conn.recv(10)
                data = data[len(b"zINSTREAM\0") :]
                body = b""
                while True:
                    while len(data) < 4:
                        data += conn.recv(65536)
                    (size,) = struct.unpack("!L", data[:4])
                    data = data[4:]
                    if size == 0:
                        break
                    while len(data) < size:
                        data += conn.recv(65536)
                    body, data = body + data[:size], data[size:]
                verdict = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in body else b"stream: OK\0"
                conn.sendall(verdict)

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    fake = FakeClamd()
    settings.PORTAL_CLAMD_ADDRESS = fake.address
    yield fake
    fake.close()


def test_clean_file_passes_the_scanner(application, clamd):
    [version] = material_upload(
        application=application,
        kind="work_years",
        files=[upload("a.jpg", jpeg_bytes())],
        actor=application.candidate.user,
    )
    assert version.pk


def test_infected_file_is_refused(application, clamd):
    with pytest.raises(ValidationError) as error:
        material_upload(
            application=application,
            kind="work_years",
            files=[upload("a.jpg", jpeg_bytes() + EICAR)],
            actor=application.candidate.user,
        )
    assert "病毒扫描" in error.value.messages[0]
    assert not MaterialVersion.objects.exists()


def test_scanner_down_fails_closed(application, settings):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    settings.PORTAL_CLAMD_ADDRESS = f"127.0.0.1:{probe.getsockname()[1]}"
    probe.close()  # nothing listens there now
    with pytest.raises(ValidationError) as error:
        material_upload(
            application=application,
            kind="work_years",
            files=[upload("a.jpg", jpeg_bytes())],
            actor=application.candidate.user,
        )
    assert "暂时不可用" in error.value.messages[0]
    assert not MaterialVersion.objects.exists()


def test_original_name_only_in_a_safe_content_disposition(application, client_for):
    [version] = material_upload(
        application=application,
        kind="work_years",
        files=[upload('../"evil"\r\nX-Injected: 1\u202e.pdf', pdf_bytes(1))],
        actor=application.candidate.user,
    )
    assert (
        "/" not in version.original_name
        and "\r" not in version.original_name
        and "\u202e" not in version.original_name
    )
    assert version.file.name.startswith("materials/") and "evil" not in version.file.name
    response = client_for(application.candidate.user).get(reverse("candidates:file", args=[version.pk]))
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "X-Injected" not in response.headers
    assert disposition.startswith("attachment;")


def test_too_many_files_in_one_request_refused(application, client_for, settings):
    client = client_for(application.candidate.user)
    files = [
        upload(f"p{n}.jpg", jpeg_bytes((20, 20))) for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    response = client.post(
        reverse("candidates:upload", args=[application.pk, "work_years"]), {"files": files}
    )
    assert response.status_code == 400
    assert not MaterialVersion.objects.exists()
