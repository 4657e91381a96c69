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


@pytest.fixture
def client_for(client):
    """Log a user in on the test client."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login
