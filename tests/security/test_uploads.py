import io
import os
import shutil
import socket
import subprocess
import threading
import time

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


@pytest.fixture(scope="session")
def real_clamd(tmp_path_factory):
    """Debian's clamd, started for the tests on a unix socket with a signature database the
    test writes: one body signature for the EICAR test string (no download needed)."""
    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    if not os.path.exists(binary):
        pytest.fail("clamd is not installed: `make test` installs Debian's clamav-daemon")
    root = tmp_path_factory.mktemp("clamd")
    database = root / "db"
    database.mkdir()
    (database / "portal-test.ndb").write_text(f"Portal.Test.EICAR:0:*:{EICAR.hex()}\n")
    sock = root / "clamd.sock"
    config = root / "clamd.conf"
    config.write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {database}\nForeground yes\nLogFile {root / 'clamd.log'}\n"
        f"PidFile {root / 'clamd.pid'}\nTemporaryDirectory {root}\nStreamMaxLength 40M\n"
        "ScanPDF yes\nBytecode no\n"
    )
    process = subprocess.Popen(
        [binary, "--config-file", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"clamd stopped: {process.stderr.read().decode(errors='replace')}")
        if sock.exists():
            try:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.connect(str(sock))
                    probe.sendall(b"zPING\0")
                    if probe.recv(16).startswith(b"PONG"):
                        break
            except OSError:
                pass
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("clamd did not answer within 60 s")
    yield str(sock)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def clamd(settings, real_clamd):
    settings.PORTAL_CLAMD_ADDRESS = real_clamd
    return real_clamd


def eicar_pdf() -> bytes:
    """A valid one-page PDF whose page content carries the EICAR string, uncompressed."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    content = StreamObject()
    content.set_data(b"% " + EICAR + b"\nBT /F1 12 Tf 72 720 Td () Tj ET\n")
    page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_clean_file_passes_the_scanner(application, clamd):
    versions = material_upload(
        application=application,
        kind="work_years",
        files=[upload("a.jpg", jpeg_bytes()), upload("b.pdf", pdf_bytes(2))],
        actor=application.candidate.user,
    )
    assert [v.original_name for v in versions] == ["a.jpg", "b.pdf"]


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


def test_eicar_inside_a_valid_pdf_is_refused(application, clamd):
    from candidates.uploads import inspect_upload

    data = eicar_pdf()
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload("备案表.pdf", data))
    assert error.value.code == "infected"
    with pytest.raises(ValidationError, match="病毒扫描"):
        material_upload(
            application=application,
            kind="work_years",
            files=[upload("备案表.pdf", data)],
            actor=application.candidate.user,
        )
    assert not MaterialVersion.objects.exists()


def test_a_hung_scanner_times_out_within_seconds(application, settings, tmp_path):
    """A clamd that accepts the connection and never answers."""
    path = tmp_path / "hung.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    held = []
    threading.Thread(target=lambda: held.append(server.accept()), daemon=True).start()
    settings.PORTAL_CLAMD_ADDRESS = str(path)
    settings.PORTAL_CLAMD_TIMEOUT = 1.0
    started = time.monotonic()
    try:
        with pytest.raises(ValidationError) as error:
            material_upload(
                application=application,
                kind="work_years",
                files=[upload("a.jpg", jpeg_bytes())],
                actor=application.candidate.user,
            )
    finally:
        server.close()
    assert time.monotonic() - started < 5
    assert error.value.messages[0].endswith(
        "病毒扫描服务响应超时，文件未保存。请稍后再上传；已上传的文件不受影响。"
    )
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
