import pytest
from django.utils import translation

from tests import factories


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


@pytest.fixture
def client_for(client):
    """Log a user in on the test client (staff with their second factor confirmed)."""
    from candidates.permissions import is_staff_member

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if is_staff_member(user):
            verify_second_factor(client, user)
        return client

    return login
