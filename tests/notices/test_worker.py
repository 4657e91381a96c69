"""Publication through real Celery workers on Redis, started by the test."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from candidates.enums import ApplicationStatus
from notices.enums import PassListStatus
from notices.models import PassList
from notices.tasks import task_publish_due
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workers(private_storage):
    """Two worker processes on the test database, the test Redis and the test's file storage."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.fail("make test runs this on PostgreSQL and Redis")
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PRIVATE_MEDIA_ROOT": str(private_storage),
        "DJANGO_SETTINGS_MODULE": "verification_portal.settings",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    processes = [
        subprocess.Popen(
            [celery, "-A", "verification_portal", "worker", "--pool=solo", "-n", f"test{i}@%h",
             "-l", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=env,
        )
        for i in range(2)
    ]  # fmt: skip
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    try:
        yield processes
    finally:
        current_app.conf.task_always_eager = eager
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_and_two_runs_publish_once(workers):
    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(minutes=1))
    for _ in range(3):
        factories.ApplicationFactory(roster_entry__round=round_, status=ApplicationStatus.PASSED)
    task_publish_due.delay()
    task_publish_due.delay()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        published = PassList.objects.filter(round=round_, status=PassListStatus.PUBLISHED).first()
        if published is not None:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the workers did not publish within 90 s")
    time.sleep(2)  # let a duplicate, if any, appear
    assert PassList.objects.filter(round=round_).count() == 1
    assert published.entry_count == 3
    assert published.xlsx.storage.exists(published.xlsx.name)
    assert published.pdf.storage.exists(published.pdf.name)
