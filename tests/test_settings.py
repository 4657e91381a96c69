"""Settings read from the environment: each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': s.CELERY_BROKER_URL, 'storage': s.STORAGES['default'], "
    "'cache': s.CACHES['default']['BACKEND'], "
    "'s3_signature': getattr(s.STORAGES['default']['OPTIONS'].get('client_config'), "
    "'signature_version', None), "
    "'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, 'langs': [c for c, _ in s.LANGUAGES]}, default=str))"
)
PORTAL_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "PORTAL_AUDIT_KEY",
    "CELERY_TASK_ALWAYS_EAGER",
)


def run(env: dict, tmp_path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PORTAL_ENV}
    base.update({"DJANGO_SETTINGS_MODULE": "verification_portal.settings", "PORTAL_VAR_DIR": str(tmp_path)})
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


def test_embedded_default_in_debug_mode(tmp_path):
    """What `make run` gets: DJANGO_DEBUG=true and nothing else."""
    result = run({"DJANGO_DEBUG": "true"}, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["storage"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert values["storage"]["OPTIONS"]["location"] == str(tmp_path / "private")
    assert values["tz"] == "Asia/Shanghai"
    assert values["lang"] == "zh-hans" and values["langs"] == ["zh-hans", "en"]


def test_postgres_redis_and_object_storage_from_environment(tmp_path):
    result = run(
        {
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": "postgres://portal:pw@db.internal:5432/portal",
            "REDIS_URL": "redis://redis.internal:6379/0",
            "AWS_STORAGE_BUCKET_NAME": "scans",
            "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "verification_portal.postgresql"  # Django's, its health check by poll
    assert values["eager"] is False
    assert values["broker"] == "redis://redis.internal:6379/0"
    assert values["cache"] == "django_redis.cache.RedisCache"
    storage = values["storage"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["file_overwrite"] is False
    assert storage["OPTIONS"]["querystring_auth"] is True
    assert values["s3_signature"] == "s3v4"  # the bounded-timeout client still signs with SigV4


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run({}, tmp_path)  # debug is off unless asked for
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    no_audit_key = run({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 60}, tmp_path)
    assert no_audit_key.returncode != 0
    assert "PORTAL_AUDIT_KEY must be set" in no_audit_key.stderr
    ok = run({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 60, "PORTAL_AUDIT_KEY": "k" * 40}, tmp_path)
    assert ok.returncode == 0, ok.stderr
