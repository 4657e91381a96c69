"""Every URL of the portal against every role. A URL added without a row here fails the test.

Roles: anonymous, candidate A (whose application it is), candidate B, HR of A's employer,
HR of another employer, reviewer of A's city, reviewer of another city, administrator.
Staff sessions have their second factor confirmed. GET for pages; POST (empty) for
endpoints that only accept POST, so refusals are tested on the method that acts.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from candidates.enums import ApplicationStatus
from candidates.services.materials import material_preview_render, material_upload
from notices.models import (
    Certificate,
    DossierExport,
    ExportFile,
    Notice,
    NoticeAttachment,
    ReissueFile,
    ReissueRequest,
    Report,
)
from notices.services.publication import pass_list_publish
from notices.services.roster_import import roster_import_map, roster_import_upload
from reviews.services.staff import employer_invite
from tests import factories
from tests.files import pdf_bytes, upload
from tests.notices.test_roster_import import xlsx

ROLES = ["anon", "cand_a", "cand_b", "hr", "hr_other", "rev", "rev_other", "admin"]
ALL_200 = dict.fromkeys(ROLES, 200)


def row(*statuses):
    return dict(zip(ROLES, statuses, strict=True))


# name: (method, kwargs key, {role: status})
MATRIX = {
    "candidates:home": ("get", None, ALL_200),
    "candidates:self_check": ("get", None, ALL_200),
    "candidates:register": ("get", None, row(200, 302, 302, 302, 302, 302, 302, 302)),
    "candidates:login": ("get", None, row(200, 302, 302, 302, 302, 302, 302, 302)),
    "candidates:logout": ("get", None, dict.fromkeys(ROLES, 405)),
    # Without a registration or reset under way in the session, both steps send the person back.
    "candidates:verify_phone": ("get", None, dict.fromkeys(ROLES, 302)),
    "candidates:password_reset": ("get", None, ALL_200),
    "candidates:password_reset_code": ("get", None, dict.fromkeys(ROLES, 302)),
    "candidates:staff_password_reset": ("get", None, ALL_200),
    "candidates:staff_password_reset_done": ("get", None, ALL_200),
    "candidates:staff_password_reset_confirm": ("get", "reset_link", ALL_200),
    "candidates:staff_password_reset_complete": ("get", None, ALL_200),
    "candidates:otp": ("get", None, row(302, 404, 404, 200, 200, 200, 200, 200)),
    "candidates:dashboard": ("get", None, row(302, 200, 200, 302, 302, 302, 302, 302)),
    "candidates:employer_search": ("get", None, row(302, 200, 200, 404, 404, 404, 404, 404)),
    "candidates:start": ("post", "entry", row(302, 302, 404, 404, 404, 404, 404, 404)),
    "candidates:application": ("get", "application", row(302, 200, 404, 200, 404, 200, 404, 200)),
    "candidates:declare": ("get", "application", row(302, 302, 404, 404, 404, 404, 404, 404)),
    "candidates:declare_step": ("get", "declare_step", row(302, 302, 404, 404, 404, 404, 404, 404)),
    "candidates:confirm": ("get", "application", row(302, 302, 404, 404, 404, 404, 404, 404)),
    "candidates:upload": ("post", "upload", row(302, 302, 404, 404, 404, 404, 404, 404)),
    "candidates:submit": ("post", "application", row(302, 302, 404, 404, 404, 404, 404, 404)),
    "candidates:document": ("get", "document", row(302, 200, 404, 200, 404, 200, 404, 200)),
    "candidates:file": ("get", "version", row(302, 200, 404, 200, 404, 200, 404, 200)),
    "candidates:preview": ("get", "version", row(302, 200, 404, 200, 404, 200, 404, 200)),
    "candidates:page": ("get", "page", row(302, 200, 404, 200, 404, 200, 404, 200)),
    "candidates:retire": ("post", "version", row(302, 302, 404, 404, 404, 404, 404, 404)),
    "reviews:queue": ("get", None, row(302, 404, 404, 404, 404, 200, 200, 404)),
    "reviews:claim_next": ("post", None, row(302, 404, 404, 404, 404, 302, 302, 404)),
    "reviews:review": ("get", "application", row(302, 404, 404, 404, 404, 200, 404, 404)),
    "reviews:claim": ("post", "application", row(302, 404, 404, 404, 404, 302, 404, 404)),
    "reviews:release": ("post", "application", row(302, 404, 404, 404, 404, 302, 404, 404)),
    "reviews:decide": ("post", "application", row(302, 404, 404, 404, 404, 302, 404, 404)),
    "reviews:verdict": ("post", "verdict", row(302, 404, 404, 404, 404, 302, 404, 404)),
    "reviews:employer_home": ("get", None, row(302, 404, 404, 200, 200, 404, 404, 404)),
    "reviews:employer_bulk": ("post", None, row(302, 404, 404, 302, 302, 404, 404, 404)),
    "reviews:employer_colleagues": ("get", None, row(302, 404, 404, 200, 200, 404, 404, 404)),
    "reviews:employer_application": ("get", "application", row(302, 404, 404, 200, 404, 404, 404, 404)),
    # An empty approval or return is shown again with its error (what was typed is kept).
    "reviews:employer_approve": ("post", "application", row(302, 404, 404, 200, 404, 404, 404, 404)),
    "reviews:employer_return": ("post", "application", row(302, 404, 404, 200, 404, 404, 404, 404)),
    "reviews:invitation": ("get", "token", ALL_200),
    "reviews:appeal": ("get", "application", row(302, 200, 404, 404, 404, 404, 404, 404)),
    "notices:list": ("get", None, ALL_200),
    "notices:detail": ("get", "notice", ALL_200),
    "notices:attachment": ("get", "attachment", ALL_200),
    "notices:cities": ("get", None, ALL_200),
    "notices:pass_lists": ("get", None, ALL_200),
    "notices:pass_list": ("get", "pass_list", ALL_200),
    "notices:pass_list_file": ("get", "pass_list_file", ALL_200),
    "notices:report": ("get", "entry_report", ALL_200),
    "notices:manage": ("get", None, row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:import_upload": ("post", "round", row(302, 404, 404, 404, 404, 404, 404, 302)),
    "notices:import": ("get", "import", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:import_progress": ("get", "import", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:import_rejected": ("get", "import", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:import_confirm": ("post", "import", row(302, 404, 404, 404, 404, 404, 404, 302)),
    "notices:import_cancel": ("post", "import", row(302, 404, 404, 404, 404, 404, 404, 302)),
    "notices:round_close": ("post", "round_pk", row(302, 404, 404, 404, 404, 404, 404, 302)),
    "notices:round_supplementary": ("get", "round_pk", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:round_publish": ("post", "round_pk", row(302, 404, 404, 404, 404, 404, 404, 302)),
    "notices:round_publication": ("post", "round_pk", row(302, 404, 404, 404, 404, 404, 404, 302)),
    "notices:round_export": ("post", "round_pk", row(302, 404, 404, 404, 404, 404, 404, 302)),
    "notices:export": ("get", "export", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:candidates": ("get", None, row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:dashboard": ("get", None, row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:dossier": ("post", "candidate", row(302, 404, 404, 404, 404, 404, 404, 302)),
    "notices:candidate_release": ("get", "candidate", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:report_lookup": ("get", None, row(200, 200, 200, 200, 200, 200, 200, 200)),
    "notices:regions": ("get", None, row(200, 200, 200, 200, 200, 200, 200, 200)),
    "notices:reissue_request": ("get", "certificate", row(302, 200, 404, 404, 404, 404, 404, 404)),
    "notices:reissue_form": ("get", "certificate", row(302, 200, 404, 404, 404, 404, 404, 404)),
    "notices:reissue_queue": ("get", None, row(302, 404, 404, 404, 404, 200, 200, 404)),
    "notices:reissue_review": ("get", "reissue", row(302, 404, 404, 404, 404, 200, 404, 404)),
    "notices:reissue_file": ("get", "reissue_file", row(302, 404, 404, 404, 404, 200, 404, 404)),
    "notices:reissue_summary": ("post", None, row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:revocation_propose": ("get", "application", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:revocations": ("get", None, row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:samples": ("get", None, row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:api_clients": ("get", None, row(302, 404, 404, 404, 404, 404, 404, 200)),
    # No API client exists here: the administrator's answer is 404 too (tested in test_api).
    "notices:api_client_revoke": ("post", "revocation", row(302, 404, 404, 404, 404, 404, 404, 404)),
    "notices:sample_checks": ("get", None, row(302, 404, 404, 404, 404, 200, 200, 404)),
    # No sampled case here: 404 for everybody signed in (the checks are tested in test_sampling).
    "notices:sample_check": ("post", "revocation", row(302, 404, 404, 404, 404, 404, 404, 404)),
    # No revocation exists here: the administrator's answer is 404 too (tested in test_revocations).
    "notices:revocation_decide": ("post", "revocation", row(302, 404, 404, 404, 404, 404, 404, 404)),
    "notices:certificate_verify": ("get", None, row(200, 200, 200, 200, 200, 200, 200, 200)),
    # The holder only, and only once an electronic certificate exists (none here: 404).
    "notices:certificate_pdf": ("get", "certificate", row(302, 404, 404, 404, 404, 404, 404, 404)),
    "notices:certificate_book": ("get", "certificate", row(302, 200, 404, 404, 404, 404, 404, 404)),
    "notices:certificate_booking_cancel": (
        "post",
        "certificate",
        row(302, 302, 404, 404, 404, 404, 404, 404),
    ),
    "notices:round_certificates": ("get", "round_pk", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:round_bookings": ("get", "round_pk", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:certificate": ("get", "certificate", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:reviewers": ("get", None, row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:reviewer_change": ("post", "reviewer", row(302, 404, 404, 404, 404, 404, 404, 302)),
    "notices:dossier_download": ("get", "dossier", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:application_handle": ("get", "application", row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:reports": ("get", None, row(302, 404, 404, 404, 404, 404, 404, 200)),
    "notices:report_handle": ("post", "report", row(302, 404, 404, 404, 404, 404, 404, 302)),
}


def portal_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                # The API answers tokens, not sessions: every operation is checked with and
                # without one against its description (tests/notices/test_api_schema.py).
                if pattern.namespace in ("admin", "api"):
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_has_a_row():
    assert portal_url_names() == set(MATRIX)


@pytest.fixture
def world(django_capture_on_commit_callbacks, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    city, other_city = factories.CityFactory(), factories.CityFactory()
    employer_hr = factories.EmployerHRFactory()
    round_ = factories.RoundFactory(city=city, publication_at=timezone.now() - datetime.timedelta(hours=1))
    application = factories.ApplicationFactory(roster_entry__round=round_, employer=employer_hr.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        [version] = material_upload(
            application=application,
            kind="application_form",
            files=[upload("a.pdf", pdf_bytes(1))],
            actor=application.candidate.user,
        )
    material_preview_render(version=version)
    type(application).objects.filter(pk=application.pk).update(
        status=ApplicationStatus.CITY_REVIEW, submitted_at=timezone.now()
    )
    passed = factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.PASSED)
    with django_capture_on_commit_callbacks(execute=True):
        pass_list = pass_list_publish(round_=round_)
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    notice = Notice.objects.create(title="公告", body="正文", created_by=admin, round=round_)
    attachment = NoticeAttachment(notice=notice, title="附件", original_name="a.txt", size=1)
    attachment.file.save("a.txt", ContentFile(b"a"), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = roster_import_upload(
            round_=round_,
            user=admin,
            upload=xlsx([["王一", factories.make_id_number(), "x", 2026, city.name, "1"]]),
        )
    with django_capture_on_commit_callbacks(execute=True):
        roster_import_map(roster_import=roster_import, user=admin)
    export = ExportFile.objects.create(round=round_, requested_by=admin)
    export.file.save("e.xlsx", ContentFile(b"x"), save=True)
    entry = pass_list.entries.get(application=passed)
    report = Report.objects.create(
        pass_list=pass_list, entry=entry, reporter_contact="c", text="t" * 12, address_hash="x"
    )
    invitation = employer_invite(user=employer_hr.user, email="x@example.com", name="X")
    dossier = DossierExport.objects.create(candidate=application.candidate, requested_by=admin)
    certificate = Certificate.objects.create(
        application=application,
        round=round_,
        number="TEST-0001",
        holder_name="x",
        holder_id_number=application.candidate.id_number,
        exam="x",
        authority="x",
        issued_on=timezone.localdate(),
        status="ready",
        booking_closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    reissue = ReissueRequest.objects.create(certificate=certificate, kind="lost", reason="x")
    reissue_file = ReissueFile(
        request=reissue, kind="id_copy", original_name="a.pdf", content_type="application/pdf", sha256="x"
    )
    reissue_file.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=True)
    users = {
        "anon": None,
        "cand_a": application.candidate.user,
        "cand_b": factories.CandidateFactory().user,
        "hr": employer_hr.user,
        "hr_other": factories.EmployerHRFactory().user,
        "rev": factories.CityReviewerFactory(city=city).user,
        "rev_other": factories.CityReviewerFactory(city=other_city).user,
        "admin": admin,
    }
    material = version.material
    kwargs = {
        None: {},
        "entry": {"entry_id": application.roster_entry_id},
        "application": {"pk": application.pk},
        "upload": {"pk": application.pk, "kind": "application_form"},
        "declare_step": {"pk": application.pk, "step": "education"},
        "document": {"pk": application.pk, "kind": "application_form"},
        "version": {"version_id": version.pk},
        "page": {"version_id": version.pk, "number": 1},
        "verdict": {"pk": application.pk, "material_id": material.pk},
        "token": {"token": invitation.token},
        "notice": {"pk": notice.pk},
        "attachment": {"pk": attachment.pk},
        "pass_list": {"pk": pass_list.pk},
        "pass_list_file": {"pk": pass_list.pk, "kind": "pdf"},
        "entry_report": {"pk": pass_list.pk, "entry_id": entry.pk},
        "round": {"round_id": round_.pk},
        "round_pk": {"pk": round_.pk},
        "import": {"pk": roster_import.pk},
        "export": {"pk": export.pk},
        "report": {"pk": report.pk},
        "candidate": {"pk": application.candidate_id},
        "reviewer": {"pk": users["rev"].city_reviewer.pk},
        "dossier": {"pk": dossier.pk},
        "certificate": {"pk": certificate.pk},
        "reissue": {"pk": reissue.pk},
        "revocation": {"pk": 999999},
        "reissue_file": {"pk": reissue_file.pk},
        "reset_link": {"uidb64": "MQ", "token": "set-password"},
    }
    return users, kwargs


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, world, client, client_for, django_capture_on_commit_callbacks):
    users, kwargs = world
    if users[role] is not None:
        client = client_for(users[role])
    wrong = []
    for name, (method, key, expected) in MATRIX.items():
        url = reverse(name, kwargs=kwargs[key])
        with django_capture_on_commit_callbacks(execute=True):
            status = getattr(client, method)(url).status_code
        if status != expected[role]:
            wrong.append(f"{method.upper()} {name}: {status}, expected {expected[role]}")
    assert wrong == []


@pytest.mark.django_db
def test_admin_site_needs_an_administrator(client_for, client):
    assert client.get("/admin/").status_code == 302
    assert client_for(factories.CandidateFactory().user).get("/admin/").status_code == 302
    assert client_for(factories.CityReviewerFactory().user).get("/admin/").status_code == 302
    assert (
        client_for(factories.UserFactory(is_superuser=True, is_staff=True)).get("/admin/").status_code == 200
    )
