"""Faults caused on purpose: the broker down, a worker killed, a database failure, a race."""

import contextlib
import datetime
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from celery import current_app
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from candidates.enums import ApplicationStatus, DocumentKind
from candidates.models import Application, GeneratedDocument, Material, OutboxJob
from notices.enums import PassListStatus, ReminderKind
from notices.models import PassList, ReminderSent
from notices.services.publication import pass_list_publish, pass_list_resume_stale
from notices.services.reminders import reminders_send
from reviews.models import Decision
from reviews.services.claims import application_claim
from reviews.services.decisions import application_decide, material_verdict_record
from tests import factories
from tests.conftest import upload_checklist
from verification_portal.shared.jobs import outbox_flush

ROOT = Path(__file__).resolve().parents[2]


def reset_broker_connections():
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Point this process at a port where no broker listens, and leave eager mode."""
    conf = current_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = "redis://127.0.0.1:1/0", False
    reset_broker_connections()
    yield
    conf.broker_url, conf.task_always_eager = saved
    reset_broker_connections()


@pytest.mark.django_db
def test_submission_succeeds_while_the_broker_is_down_and_its_job_runs_later(
    broker_down, client_for, django_capture_on_commit_callbacks
):
    application = factories.ApplicationFactory()
    upload_checklist(application)
    client = client_for(application.candidate.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("candidates:submit", args=[application.pk]), {"commitment": "on"})
    assert response.status_code == 302
    assert "申报成功" in next(str(m) for m in get_messages(response.wsgi_request))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CITY_REVIEW
    assert not GeneratedDocument.objects.filter(kind=DocumentKind.RECEIPT).exists()
    assert OutboxJob.objects.filter(task="candidates.render_document", sent_at__isnull=True).exists()
    # The broker is back (eager again); the periodic catch-up sends what is pending.
    current_app.conf.task_always_eager = True
    later = timezone.now() + datetime.timedelta(minutes=3)
    assert outbox_flush(now=later)["sent"] >= 1
    # The jobs those jobs queue (the pages' fraud signals) go in the next runs; then none is left.
    for _run in range(3):
        if outbox_flush(now=later)["sent"] == 0:
            break
    assert GeneratedDocument.objects.filter(application=application, kind=DocumentKind.RECEIPT).count() == 1
    assert outbox_flush(now=later) == {"sent": 0, "failed": 0}


def start_worker(env):
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen(
        [celery, "-A", "verification_portal", "worker", "--pool=solo", "-l", "WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip


def worker_env(private_storage, settings, **extra) -> dict:
    """A worker process's environment: this test database and storage, one PDF part a row,
    an empty broker."""
    settings.PORTAL_PDF_CHUNK_ROWS = 1
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    database = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PRIVATE_MEDIA_ROOT": str(private_storage),
        "PORTAL_PDF_CHUNK_ROWS": "1",
        **extra,
    }


def round_with_passes(names) -> object:
    """A round due for publication with these people passed."""
    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(minutes=1))
    for name in names:
        factories.ApplicationFactory(
            roster_entry__round=round_, status=ApplicationStatus.PASSED, candidate__real_name=name
        )
    return round_


@contextlib.contextmanager
def running_worker(env):
    """A worker process for the block; stopped (or killed) at its end, whatever happened."""
    process = start_worker(env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@contextlib.contextmanager
def queued_to_workers():
    """Jobs go to the broker (the worker processes), not run in this process."""
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    try:
        yield
    finally:
        current_app.conf.task_always_eager = eager


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_while_publishing_publishes_exactly_once(private_storage, settings):
    # One part a row, forty parts: a part takes ~20 ms, so the worker is killed half-way (with
    # six, all were done before the next look at the list).
    env = worker_env(private_storage, settings)
    names = [f"通过人员{n}" for n in range(40)]
    round_ = round_with_passes(names)
    with queued_to_workers(), running_worker(env) as first:
        pass_list = pass_list_publish(round_=round_)
        assert wait_for(lambda: len(PassList.objects.get(pk=pass_list.pk).pdf_chunks) >= 2, 60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        pass_list.refresh_from_db()
        assert pass_list.status == PassListStatus.GENERATING and len(pass_list.pdf_chunks) < len(names)
        # The periodic job finds the list without a heartbeat and queues what is missing.
        PassList.objects.filter(pk=pass_list.pk).update(
            heartbeat_at=timezone.now() - datetime.timedelta(minutes=11)
        )
        assert pass_list_resume_stale() == [pass_list.pk]
        with running_worker(env):
            assert wait_for(
                lambda: PassList.objects.get(pk=pass_list.pk).status == PassListStatus.PUBLISHED, 90
            ), "not published after the restart"
    assert PassList.objects.filter(round=round_).count() == 1
    pass_list.refresh_from_db()
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pass_list.pdf.open("rb").read())).pages
    )
    assert all(name in text for name in names)
    assert sorted(pass_list.entries.values_list("name", flat=True)) == sorted(names)


@pytest.mark.django_db
def test_a_reminder_recorded_by_a_worker_that_died_is_not_queued_again(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.make_aware(datetime.datetime(2026, 8, 19, 18, 0))
    round_ = factories.RoundFactory(
        opens_at=now - datetime.timedelta(days=5),
        closes_at=timezone.make_aware(datetime.datetime(2026, 8, 20, 17, 0)),
    )
    candidate = factories.CandidateFactory(user__email="c@example.com", phone="")
    factories.RosterEntryFactory(round=round_, id_number=candidate.id_number, name=candidate.real_name)
    # Another run recorded this reminder already (its delivery job is in the outbox with it).
    ReminderSent.objects.create(
        user=candidate.user,
        kind=ReminderKind.NOT_SUBMITTED,
        deadline=round_.closes_at,
        offset="1d",
        channel="email",
    )
    assert reminders_send(now=now) == 0
    assert mail.outbox == [] and not OutboxJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_the_same_moment(make_submitted):
    application = make_submitted()
    first = factories.CityReviewerFactory(city=application.round.city).user
    second = factories.CityReviewerFactory(city=application.round.city).user
    application_claim(application=application, user=first)
    for material in Material.objects.filter(application=application):
        material_verdict_record(material=material, user=first, ok=True)
    # The first claim expires; the second reviewer takes the item while the first still has the page open.
    later = timezone.now() + datetime.timedelta(minutes=settings.PORTAL_CLAIM_MINUTES, seconds=1)
    application_claim(application=application, user=second, now=later)
    for material in Material.objects.filter(application=application):
        material_verdict_record(material=material, user=second, ok=True, now=later)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, kind):
        try:
            barrier.wait(timeout=5)
            application_decide(
                application=Application.objects.get(pk=application.pk),
                user=user,
                kind=kind,
                reason="x",
                now=later,
            )
            outcomes[user.pk] = "decided"
        except ValidationError as error:
            outcomes[user.pk] = error.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, "pass")),
        threading.Thread(target=decide, args=(second, "pending")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert outcomes[second.pk] == "decided"
    assert outcomes[first.pk] in ("claimed", "stale")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING_CONDITIONS
    assert list(Decision.objects.values_list("reviewer_id", "kind")) == [(second.pk, "pending")]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_task_is_delivered_again_after_the_visibility_timeout(private_storage, settings):
    """No periodic job helps here: the broker itself hands the unacknowledged task to the next
    worker once the visibility timeout (here 6 s; 5 minutes by default) has passed."""
    env = worker_env(
        private_storage,
        settings,
        PORTAL_TASK_TIME_LIMIT="4",
        PORTAL_BROKER_VISIBILITY_SECONDS="6",
        PORTAL_BROKER_RESTORE_SECONDS="2",
    )
    round_ = round_with_passes([f"人员{n}" for n in range(6)])
    with queued_to_workers(), running_worker(env) as first:
        pass_list = pass_list_publish(round_=round_)
        assert wait_for(lambda: len(PassList.objects.get(pk=pass_list.pk).pdf_chunks) >= 1, 60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        assert PassList.objects.get(pk=pass_list.pk).status == PassListStatus.GENERATING
        with running_worker(env):
            assert wait_for(
                lambda: PassList.objects.get(pk=pass_list.pk).status == PassListStatus.PUBLISHED, 60
            )
    assert time.monotonic() - killed_at < 60
    assert PassList.objects.filter(round=round_).count() == 1
    assert PassList.objects.get(pk=pass_list.pk).entries.count() == 6
