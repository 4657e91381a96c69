"""Jobs for Celery, through an outbox.

``enqueue_on_commit`` records the job in the caller's transaction (``OutboxJob``) and sends
it to the broker once the transaction commits. A broker outage never undoes or fails the
change: the job stays pending and the periodic catch-up (``outbox_flush``, run by
``candidates.catch_up``) sends it when the broker is back. So every job runs at least once;
the tasks check stored state first, so its effect happens once.
"""

import datetime
import logging

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
BROKER_ERRORS = (OperationalError, RedisError, OSError)
GRACE = datetime.timedelta(minutes=1)
BATCH = 500
KEEP_SENT = datetime.timedelta(days=7)


def _send(job_id: int | None, task_name: str, kwargs: dict) -> bool:
    from candidates.models import OutboxJob

    try:
        current_app.tasks[task_name].apply_async(kwargs=kwargs)
    except BROKER_ERRORS as error:
        logger.warning(
            "Could not send %s(%s) to the broker; the catch-up job will: %s", task_name, kwargs, error
        )
        if job_id is not None:
            OutboxJob.objects.filter(pk=job_id).update(
                attempts=F("attempts") + 1, last_error=str(error)[:300]
            )
        return False
    if job_id is not None:
        OutboxJob.objects.filter(pk=job_id, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def enqueue_on_commit(task_name: str, *, record: bool = True, **kwargs) -> None:
    """Queue ``task_name(**kwargs)`` once the surrounding transaction commits.

    ``record=False`` skips the outbox, for a job whose arguments must not be stored (an SMS
    code in clear): if the broker is down it is lost, and the person asks again."""
    job_id = None
    if record:
        from candidates.models import OutboxJob

        job_id = OutboxJob.objects.create(task=task_name, kwargs=kwargs).pk
    transaction.on_commit(lambda: _send(job_id, task_name, kwargs))


def enqueue(task_name: str, **kwargs) -> bool:
    """Send now, outside any outbox: for a periodic job that finds its work again next run."""
    return _send(None, task_name, kwargs)


def outbox_flush(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send the jobs still pending a minute after they were recorded. Each batch is locked
    (SKIP LOCKED), so two catch-up runs at once do not send a job twice; it stops at the first
    broker error, leaving the rest for the next run. Sent jobs older than a week are removed."""
    from candidates.models import OutboxJob

    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        pending = list(
            OutboxJob.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, created_at__lt=now - GRACE)
            .order_by("id")[:BATCH]
        )
        for job in pending:
            try:
                delivered = _send(job.pk, job.task, job.kwargs)
            except Exception:  # a task run inline (eager mode) failed: counted, not retried here
                logger.exception("Job %s failed when run by the catch-up", job)
                OutboxJob.objects.filter(pk=job.pk).update(sent_at=now, last_error="failed when run inline")
                failed += 1
                continue
            if not delivered:
                failed += 1
                break  # the broker is still down: the rest wait for the next run
            sent += 1
    OutboxJob.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    return {"sent": sent, "failed": failed}
