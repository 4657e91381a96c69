"""Persistent connections checked before each request uses one: a connection the database
ended (a restart, pg_terminate_backend, an idle timeout) is replaced, not handed to a request
that would fail with a 500; a healthy one is checked without a round trip."""

import time

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def persistent(settings):
    """The connection as the portal keeps it between requests (CONN_MAX_AGE 60)."""
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.close()
    connection.ensure_connection()
    yield connection
    connection.settings_dict["CONN_MAX_AGE"] = kept
    connection.close()


def request_starts() -> None:
    """What Django does as a request starts (request_started: close_old_connections)."""
    connection.close_if_unusable_or_obsolete()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def other_connection():
    """A connection of its own to the same database (as an administrator's psql)."""
    params = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    return psycopg.connect(**params, autocommit=True)


def test_a_connection_the_database_ended_is_replaced_before_a_request_uses_it(persistent):
    pid = backend_pid()
    with other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # until the backend has sent its last message and gone
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                break
            time.sleep(0.05)
    request_starts()
    assert backend_pid() != pid  # a new connection: the request ran its query


def test_a_healthy_connection_is_kept_and_checked_without_a_query(persistent):
    pid = backend_pid()
    with other_connection() as other:
        before = other.execute(
            "SELECT state_change, query FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()
        request_starts()
        connection.close_if_health_check_failed()  # what the request's first query does first
        after = other.execute(
            "SELECT state_change, query FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()
    assert connection.connection is not None and after == before  # kept, and no query sent to check it
    assert backend_pid() == pid
