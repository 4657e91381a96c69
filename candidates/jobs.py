"""Enqueue Celery tasks after the surrounding transaction commits.

A broker outage must never undo or fail a committed submission: the error is
logged and the periodic catch-up jobs find the unfinished work in the database.
"""

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    def send():
        try:
            current_app.tasks[task_name].apply_async(kwargs=kwargs)
        except (OperationalError, RedisError, OSError):
            logger.exception("Could not enqueue %s(%s); the catch-up job will retry.", task_name, kwargs)

    transaction.on_commit(send)
