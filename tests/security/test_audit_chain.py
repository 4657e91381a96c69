import datetime
import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from candidates.models import AuditEvent
from tests import factories
from verification_portal.shared.audit import (
    ANCHOR_PREFIX,
    GENESIS,
    audit_anchor_write,
    audit_anchors,
    audit_chain_verify,
    audit_record,
    event_digest,
)

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
    "statement",
    [
        "UPDATE candidates_auditevent SET action = 'x'",
        "DELETE FROM candidates_auditevent",
        "TRUNCATE candidates_auditevent CASCADE",
    ],
)
def test_database_refuses_update_and_delete(statement):
    write_events(2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 2


def tamper(sql: str, params: list) -> None:
    """What only someone with the database owner's rights could do: switch the guard off."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the pending foreign-key checks first
        cursor.execute("ALTER TABLE candidates_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE candidates_auditevent ENABLE TRIGGER USER")


def test_the_chain_is_keyed_so_an_unkeyed_digest_does_not_verify(settings):
    [event] = write_events(1)
    assert event.hash == event_digest(event)
    assert event.hash != event_digest(event, key=b"another key")
    settings.PORTAL_AUDIT_KEY = "a key the database administrator guessed"
    assert audit_chain_verify().first_bad_sequence == 1


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


# Tampering by someone with the database's own rights (triggers switched off), against the
# keyed chain and the anchors written outside the database. Each names the first bad event.


def test_truncate_with_the_guard_off_is_detected_by_the_anchor():
    write_events(3)
    audit_anchor_write(reason="test")
    tamper("TRUNCATE candidates_auditevent CASCADE", [])
    report = audit_chain_verify()
    assert report.first_bad_sequence == 1
    assert "anchored at 3" in report.problem
    with pytest.raises(CommandError, match="broken at event 1"):
        call_command("verify_audit_chain")


def test_removing_the_newest_rows_is_detected_by_the_anchor():
    events = write_events(5)
    audit_anchor_write(reason="test")
    tamper("DELETE FROM candidates_auditevent WHERE sequence >= %s", [4])
    report = audit_chain_verify()
    assert report.first_bad_sequence == 4
    assert report.problem == "events from 4 are missing: the chain ends at 3 but was anchored at 5"
    assert events[2].sequence == 3


def test_editing_a_row_and_recomputing_the_chain_onward_is_detected():
    """The attacker rewrites row 2 and every digest after it, but without the key."""
    write_events(4)
    audit_anchor_write(reason="test")
    guessed_key = b"what the database holds does not include the key"
    tamper("UPDATE candidates_auditevent SET data = %s WHERE sequence = 2", ['{"n": 99}'])
    previous = GENESIS
    for event in AuditEvent.objects.order_by("sequence"):
        event.previous_hash = previous
        digest = event_digest(event, key=guessed_key)
        tamper(
            "UPDATE candidates_auditevent SET previous_hash = %s, hash = %s WHERE id = %s",
            [previous, digest, event.pk],
        )
        previous = digest
    report = audit_chain_verify()
    assert report.first_bad_sequence == 1  # the first rewritten digest no longer verifies
    assert report.problem == "event 1 was changed after it was written"


def test_editing_a_row_with_the_key_is_still_caught_by_the_anchor():
    """Even somebody holding the key cannot rewrite anchored history: the head differs."""
    write_events(4)
    audit_anchor_write(reason="test")
    tamper("UPDATE candidates_auditevent SET data = %s WHERE sequence = 2", ['{"n": 99}'])
    previous = GENESIS
    for event in AuditEvent.objects.order_by("sequence"):
        event.previous_hash = previous
        digest = event_digest(event)
        tamper(
            "UPDATE candidates_auditevent SET previous_hash = %s, hash = %s WHERE id = %s",
            [previous, digest, event.pk],
        )
        previous = digest
    report = audit_chain_verify()
    assert report.first_bad_sequence == 4
    assert report.problem == "event 4 differs from the anchored head"


def test_anchors_are_appended_never_overwritten_and_checked(private_storage):
    write_events(2)
    first = audit_anchor_write(reason="hourly")
    assert audit_anchor_write(reason="hourly") is None  # nothing new to anchor
    write_events(1)
    second = audit_anchor_write(reason="publication")
    assert [a.sequence for a in audit_anchors()] == [2, 3]
    files = sorted(p.name for p in (private_storage / ANCHOR_PREFIX).iterdir())
    assert files == [first.name, second.name]
    # An anchor edited without the key is refused.
    path = private_storage / ANCHOR_PREFIX / second.name
    path.write_text(path.read_text().replace('"sequence": 3', '"sequence": 2'))
    report = audit_chain_verify()
    assert report.problem.startswith(f"anchor {second.name} is not genuine")
    path.unlink()
    assert audit_chain_verify().problem is None and audit_chain_verify().anchors_checked == 1


def test_publication_anchors_the_chain(django_capture_on_commit_callbacks):
    from notices.services.publication import pass_list_publish

    round_ = factories.RoundFactory(publication_at=timezone.now() - datetime.timedelta(minutes=1))
    factories.ApplicationFactory(roster_entry__round=round_, status="passed")
    with django_capture_on_commit_callbacks(execute=True):
        assert pass_list_publish(round_=round_) is not None
    anchors = audit_anchors()
    assert anchors and anchors[-1].reason.startswith("pass_list")
    assert anchors[-1].sequence == AuditEvent.objects.order_by("-sequence").first().sequence


def test_the_hourly_job_anchors_the_chain(settings):
    from candidates.tasks import task_anchor_audit_chain

    assert settings.CELERY_BEAT_SCHEDULE["anchor-audit-chain"]["schedule"] <= 3600
    write_events(2)
    task_anchor_audit_chain.apply(kwargs={}).get()
    assert [a.sequence for a in audit_anchors()] == [2]
