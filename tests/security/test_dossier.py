import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from candidates.models import AuditEvent
from candidates.services.materials import material_upload, material_version_retire
from tests import factories
from tests.files import jpeg_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_dossier_holds_every_version_and_a_manifest(client_for, django_capture_on_commit_callbacks):
    application = factories.ApplicationFactory()
    user = application.candidate.user
    [old] = material_upload(
        application=application, kind="work_years", files=[upload("v1.pdf", pdf_bytes(1))], actor=user
    )
    material_version_retire(version=old, actor=user)
    material_upload(
        application=application, kind="work_years", files=[upload("v2.jpg", jpeg_bytes())], actor=user
    )
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client = client_for(admin)
    page = client.get(reverse("notices:candidates"), {"q": application.candidate.id_number}).content.decode()
    assert application.candidate.real_name in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notices:dossier", args=[application.candidate_id]))
    response = client.get(response["Location"])
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    base = f"applications/{application.reference}"
    assert {
        f"{base}/materials/work_years/v1-retired.pdf",
        f"{base}/materials/work_years/v2-current.jpg",
    } <= names
    assert {"profile.json", "audit_events.json", "manifest.json", f"{base}/application.json"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["generated_by"] == admin.username
    for entry in manifest["entries"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    declaration = json.loads(archive.read(f"{base}/application.json"))["declaration"]
    assert declaration["school"] == application.school
    actions = [event["action"] for event in json.loads(archive.read("audit_events.json"))]
    assert actions.count("material.upload") == 2 and "material.retire" in actions
    assert AuditEvent.objects.filter(action="candidate.export", actor=admin).exists()
