import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from candidates.models import AuditEvent
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Correct-Horse-42"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.django_db
def test_staff_set_up_and_use_a_second_factor(client):
    reviewer = factories.CityReviewerFactory().user
    response = client.post(reverse("candidates:login"), {"username": reviewer.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("reviews:queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("candidates:otp"))
    page = client.get(response["Location"]).content.decode()
    assert "data:image/svg+xml;base64," in page  # the QR code to scan
    # Until the code is confirmed the menu offers no role link, only 取消登录.
    assert "核查队列" not in page and "取消登录" in page and ">退出<" not in page
    device = TOTPDevice.objects.get(user=reviewer)
    assert not device.confirmed
    wrong = client.post(reverse("candidates:otp"), {"token": "000000", "next": "/review/"})
    assert "验证码不正确" in wrong.content.decode()
    assert client.get(reverse("reviews:queue")).status_code == 302
    time.sleep(1.1)  # django-otp throttles the next attempt for a second after a wrong code
    right = client.post(reverse("candidates:otp"), {"token": current_code(device), "next": "/review/"})
    assert right["Location"] == "/review/"
    queue = client.get(reverse("reviews:queue"))
    assert queue.status_code == 200 and "核查队列" in queue.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="staff.otp_setup", actor=reviewer).exists()


@pytest.mark.django_db
def test_candidates_need_no_second_factor(client):
    candidate = factories.CandidateFactory()
    client.post(reverse("candidates:login"), {"username": candidate.phone, "password": PASSWORD})
    assert client.get(reverse("candidates:dashboard")).status_code == 200


@pytest.mark.django_db
def test_open_redirect_refused_after_second_factor(client_for):
    reviewer = factories.CityReviewerFactory().user
    client = client_for(factories.UserFactory())  # log in as someone, then switch
    client.force_login(reviewer, backend="candidates.auth.UsernameBackend")
    device = TOTPDevice.objects.create(user=reviewer, name="x", confirmed=True)
    response = client.post(
        reverse("candidates:otp"), {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("candidates:dashboard")


@pytest.mark.django_db
def test_logins_lock_after_repeated_failures_and_an_administrator_unlocks(client, settings):
    candidate = factories.CandidateFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("candidates:login"), {"username": candidate.id_number, "password": "wrong-password"}
        )
    locked = client.post(reverse("candidates:login"), {"username": candidate.id_number, "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert client.get(reverse("candidates:dashboard")).status_code == 302  # not logged in
    call_command("axes_reset_username", candidate.id_number)
    unlocked = client.post(
        reverse("candidates:login"), {"username": candidate.id_number, "password": PASSWORD}
    )
    assert unlocked.status_code == 302
    assert client.get(reverse("candidates:dashboard")).status_code == 200


@pytest.mark.django_db
def test_content_security_policy_forbids_inline_script(client):
    policy = client.get(reverse("candidates:home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "object-src 'none'" in policy


def test_templates_have_no_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        if "/pdf/" in str(template):  # rendered to PDF by WeasyPrint, never sent to a browser
            continue
        text = template.read_text(encoding="utf-8")
        if inline_script.search(text) or re.search(r"\sstyle=", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_deploy_checks_pass_under_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "verification_portal.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "p6$u#k" + "Z8q!w2@xR4vT7y&B1n^M3c*L5d(J9f)H0g-K" * 2,
        "PORTAL_AUDIT_KEY": "audit-key-" + "Q7w!e3" * 8,
        "DJANGO_ALLOWED_HOSTS": "hc.example.gov.cn",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_demo_code_helper_refused_outside_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("totp_code", "admin")


@pytest.mark.django_db
def test_sessions_expire(client, settings):
    candidate = factories.CandidateFactory()
    client.post(reverse("candidates:login"), {"username": candidate.phone, "password": PASSWORD})
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE <= 8 * 3600


@pytest.mark.django_db
def test_no_one_deletes_decisions_files_or_audit_events_in_the_admin(client_for, make_submitted):
    from candidates.models import AuditEvent, MaterialVersion

    application = make_submitted()
    admin = client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    version = MaterialVersion.objects.filter(material__application=application).first()
    event = AuditEvent.objects.first()
    for url in (
        f"/admin/candidates/application/{application.pk}/delete/",
        f"/admin/candidates/materialversion/{version.pk}/delete/",
        f"/admin/candidates/auditevent/{event.pk}/delete/",
        f"/admin/candidates/auditevent/{event.pk}/change/",
    ):
        response = admin.post(url, {"post": "yes"})
        assert response.status_code in (302, 403)
    assert (
        MaterialVersion.objects.filter(pk=version.pk).exists()
        and AuditEvent.objects.filter(pk=event.pk).exists()
    )
    assert version.file.storage.exists(version.file.name)
