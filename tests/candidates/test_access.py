"""Who may see an application and its files. Anything not theirs answers 404."""

import pytest
from django.urls import reverse

from candidates.enums import ApplicationStatus
from candidates.models import AuditEvent
from candidates.services.materials import material_preview_render, material_upload
from tests import factories
from tests.files import jpeg_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(application):
    [version] = material_upload(
        application=application,
        kind="work_years",
        files=[upload("证明.pdf", pdf_bytes(1))],
        actor=application.candidate.user,
    )
    return version


def urls_for(application, version):
    return [
        reverse("candidates:application", args=[application.pk]),
        reverse("candidates:file", args=[version.pk]),
    ]


def test_owner_sees_application_and_file(client_for, application, version):
    client = client_for(application.candidate.user)
    page = client.get(reverse("candidates:application", args=[application.pk]))
    assert page.status_code == 200
    assert "证明.pdf" in page.content.decode()
    response = client.get(reverse("candidates:file", args=[version.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''%E8%AF%81%E6%98%8E.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    # The owner's own views are not staff reads.
    assert not AuditEvent.objects.filter(action="material.view").exists()


def test_another_candidate_gets_404(client_for, application, version):
    client = client_for(factories.CandidateFactory().user)
    for url in urls_for(application, version):
        assert client.get(url).status_code == 404
    for url in (
        reverse("candidates:declare", args=[application.pk]),
        reverse("candidates:document", args=[application.pk, "application_form"]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(reverse("candidates:retire", args=[version.pk]))
    assert response.status_code == 404
    version.refresh_from_db()
    assert version.retired_at is None


def test_anonymous_is_sent_to_login(client, application, version):
    for url in urls_for(application, version):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("candidates:login"))


def test_staff_cannot_see_drafts(client_for, application, version):
    hr = factories.EmployerHRFactory(organisation=application.employer)
    reviewer = factories.CityReviewerFactory(city=application.round.city)
    for user in (hr.user, reviewer.user):
        client = client_for(user)
        for url in urls_for(application, version):
            assert client.get(url).status_code == 404


def test_staff_scoping_after_submission(client_for, application, version):
    application.status = ApplicationStatus.CITY_REVIEW
    application.save()
    allowed = [
        factories.EmployerHRFactory(organisation=application.employer).user,
        factories.CityReviewerFactory(city=application.round.city).user,
    ]
    refused = [
        factories.EmployerHRFactory().user,  # another employer
        factories.CityReviewerFactory().user,  # another city
        factories.UserFactory(),  # a user with no role
    ]
    for user in allowed:
        assert client_for(user).get(reverse("candidates:file", args=[version.pk])).status_code == 200
    for user in refused:
        client = client_for(user)
        for url in urls_for(application, version):
            assert client.get(url).status_code == 404
    views = AuditEvent.objects.filter(action="material.view", target_id=str(version.pk))
    assert sorted(views.values_list("actor_id", flat=True)) == sorted(u.pk for u in allowed)


def test_preview_served_only_to_those_who_may_see(client_for, application):
    [version] = material_upload(
        application=application,
        kind="application_form",
        files=[upload("form.jpg", jpeg_bytes())],
        actor=application.candidate.user,
    )
    material_preview_render(version=version)
    url = reverse("candidates:preview", args=[version.pk])
    response = client_for(application.candidate.user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client_for(factories.CandidateFactory().user).get(url).status_code == 404


def test_uploaded_files_are_not_under_any_public_url(settings, private_storage):
    assert not str(private_storage).startswith(str(settings.STATIC_ROOT))
    from django.urls import resolve
    from django.urls.exceptions import Resolver404

    with pytest.raises(Resolver404):
        resolve("/media/materials/2026/01/x.pdf")
