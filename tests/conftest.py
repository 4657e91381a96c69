import pytest
from django.utils import translation

from candidates.enums import ApplicationStatus
from candidates.services.applications import application_submit
from candidates.services.materials import material_upload
from tests import factories
from tests.files import pdf_bytes, upload


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Real file storage in a fresh temporary folder for every test."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    settings.AWS_STORAGE_BUCKET_NAME = ""
    return root


@pytest.fixture(autouse=True)
def chinese_by_default():
    """Each test starts in the portal's default language, whatever a previous request switched to."""
    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """SMS leave the machine, so they are the one thing caught: in memory, per test."""
    from notices.sms import MemorySmsBackend

    settings.PORTAL_SMS_BACKEND = "notices.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def sms_code_for(phone: str) -> str:
    """The code in the last SMS sent to ``phone``."""
    import re

    from notices.sms import MemorySmsBackend

    texts = [text for to, text in MemorySmsBackend.outbox if to == phone]
    assert texts, f"no SMS was sent to {phone}"
    return re.search(r"验证码 (\d{6})", texts[-1]).group(1)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def candidate(db):
    return factories.CandidateFactory()


@pytest.fixture
def application(db):
    return factories.ApplicationFactory()


def verify_second_factor(client, user) -> None:
    """What a staff member's TOTP code does: mark the session verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def log_in(client, user):
    """Log a user in on ``client`` (staff with their second factor confirmed)."""
    from candidates.permissions import is_staff_member

    client.force_login(user, backend="candidates.auth.UsernameBackend")
    if is_staff_member(user):
        verify_second_factor(client, user)
    return client


@pytest.fixture
def client_for(client):
    """Log a user in on the test client (the one client: the last login wins)."""
    return lambda user: log_in(client, user)


@pytest.fixture
def own_client_for():
    """Like ``client_for``, but each user on a client (and a session) of their own."""
    from django.test import Client

    return lambda user: log_in(Client(), user)


def upload_checklist(application):
    for requirement in application.required_materials():
        material_upload(
            application=application,
            kind=requirement.code,
            files=[upload(f"{requirement.code}.pdf", pdf_bytes(1))],
            actor=application.candidate.user,
        )


@pytest.fixture
def make_submitted(db):
    """An application submitted to the city (its employer has no HR account)."""

    def make(**kwargs):
        application = factories.ApplicationFactory(**kwargs)
        upload_checklist(application)
        application_submit(application=application, actor=application.candidate.user)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.CITY_REVIEW
        return application

    return make


@pytest.fixture(scope="session", autouse=True)
def flush_past_the_audit_guard():
    """Transactional tests end with Django's ``flush``, a TRUNCATE of every table, which the
    audit table's trigger refuses (as it should in production). The test database's
    superuser flushes in replica mode, where user triggers do not fire."""
    from django.core.management.commands import flush
    from django.db import connections

    original = flush.Command.handle

    def handle(self, **options):
        connection = connections[options.get("database") or "default"]
        if connection.vendor != "postgresql":
            return original(self, **options)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            return original(self, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(autouse=True)
def empty_cache():
    """The test database is made anew each run and each test rolls back, so ids come back; the
    cache (the test Redis database, or the process's memory) must not remember a row under an
    id that now names another. Each test starts with an empty cache, as a fresh deploy does."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def close_stray_sessions(django_db_setup, django_db_blocker):
    """Worker subprocesses and live-server threads may leave a session open on the test
    database; end them so the database can be dropped at the end of the run."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        # Only when a test database was made (a run of tests that need none never makes one).
        if connection.vendor == "postgresql" and connection.settings_dict["NAME"].startswith("test_"):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
