"""The audit trail: append-only and hash-chained."""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from candidates.models import Application, AuditEvent

GENESIS = "0" * 64
CHAIN_LOCK = 7_226_001  # the advisory lock that serialises appends to the chain


def event_digest(event: AuditEvent) -> str:
    """The hash of an event: its content and the previous event's hash."""
    payload = json.dumps(
        {
            "sequence": event.sequence,
            "actor": event.actor_id,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "application": event.application_id,
            "data": event.data,
            "created_at": event.created_at.isoformat(),
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(f"{event.previous_hash}:{payload}".encode()).hexdigest()


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    application: Application | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction of the change it records.

    Appends are serialised by a transaction-scoped advisory lock, so the chain has one
    order even with many workers writing at once."""
    if application is None and isinstance(target, Application):
        application = target
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
        sequence, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
        event = AuditEvent(
            sequence=sequence,
            previous_hash=previous,
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            application=application,
            data=json.loads(json.dumps(data or {}, default=str)),
            created_at=timezone.now(),
        )
        event.hash = event_digest(event)
        event.save()
    return event


@dataclass
class ChainReport:
    checked: int
    problem: str | None


def audit_chain_verify() -> ChainReport:
    """Walk the chain: a changed row no longer matches its hash, a removed one leaves a
    gap in the sequence or a broken link."""
    expected_sequence, previous = 1, GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        if event.sequence != expected_sequence:
            return ChainReport(checked, f"event {expected_sequence} is missing (next is {event.sequence})")
        if event.previous_hash != previous:
            return ChainReport(checked, f"event {event.sequence} does not link to event {event.sequence - 1}")
        if event_digest(event) != event.hash:
            return ChainReport(checked, f"event {event.sequence} was changed after it was written")
        previous = event.hash
        expected_sequence += 1
        checked += 1
    return ChainReport(checked, None)
