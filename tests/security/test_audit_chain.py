import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from candidates.models import AuditEvent
from candidates.services.audit import audit_chain_verify, audit_record
from tests import factories

pytestmark = pytest.mark.django_db


def write_events(count: int):
    target = factories.OrganisationFactory()
    return [audit_record(actor=None, action="test.event", target=target, data={"n": n}) for n in range(count)]


def test_chain_links_every_event():
    events = write_events(5)
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].previous_hash == "0" * 64
    assert all(later.previous_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert audit_chain_verify().problem is None
    call_command("verify_audit_chain")


@pytest.mark.parametrize(
    "statement", ["UPDATE candidates_auditevent SET action = 'x'", "DELETE FROM candidates_auditevent"]
)
def test_database_refuses_update_and_delete(statement):
    write_events(2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 2


def tamper(sql: str, params: list) -> None:
    """What only someone with the database owner's rights could do: switch the guard off."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the pending foreign-key checks first
        cursor.execute("ALTER TABLE candidates_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE candidates_auditevent ENABLE TRIGGER USER")


def test_a_changed_row_is_detected():
    events = write_events(4)
    tamper("UPDATE candidates_auditevent SET data = %s WHERE id = %s", ['{"n": 99}', events[2].pk])
    report = audit_chain_verify()
    assert report.problem == "event 3 was changed after it was written"
    with pytest.raises(CommandError, match="event 3 was changed"):
        call_command("verify_audit_chain")


def test_a_removed_row_is_detected():
    events = write_events(4)
    tamper("DELETE FROM candidates_auditevent WHERE id = %s", [events[1].pk])
    assert audit_chain_verify().problem == "event 2 is missing (next is 3)"


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    target = factories.OrganisationFactory()
    barrier = threading.Barrier(4)

    def writer():
        try:
            barrier.wait(timeout=5)
            for n in range(10):
                audit_record(actor=None, action="test.concurrent", target=target, data={"n": n})
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 40
    assert audit_chain_verify().problem is None
