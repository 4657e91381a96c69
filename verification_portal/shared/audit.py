"""The audit trail: append-only, chained with a key, and anchored outside the database.

Each event carries an HMAC (SHA-256, keyed with ``PORTAL_AUDIT_KEY`` from the environment,
never stored in the database) of its content and the previous event's digest, so somebody
with the database's own rights can neither change a row nor recompute the chain after it.
The chain's head (sequence number and digest) is written on a schedule and at every
publication to an append-only log in the file storage (``audit-anchors/``, one object per
entry, never overwritten), so removing the newest rows or emptying the table is detected
too. SECURITY.md says what this does and does not protect against.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone

from candidates.models import Application, AuditEvent

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
CHAIN_LOCK = 7_226_001  # the advisory lock that serialises appends to the chain
ANCHOR_PREFIX = "audit-anchors"


def _key() -> bytes:
    return settings.PORTAL_AUDIT_KEY.encode()


def event_digest(event: AuditEvent, *, key: bytes | None = None) -> str:
    """The keyed digest of an event: its content and the previous event's digest."""
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
    message = f"{event.previous_hash}:{payload}".encode()
    return hmac.new(key or _key(), message, hashlib.sha256).hexdigest()


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


def _anchor_mac(sequence: int, digest: str, written_at: str) -> str:
    return hmac.new(_key(), f"anchor:{sequence}:{digest}:{written_at}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Anchor:
    name: str
    sequence: int
    digest: str
    written_at: str
    reason: str
    mac: str

    @property
    def genuine(self) -> bool:
        return hmac.compare_digest(self.mac, _anchor_mac(self.sequence, self.digest, self.written_at))


def audit_anchors() -> list[Anchor]:
    """Every anchor in the storage, oldest sequence first."""
    try:
        _dirs, names = default_storage.listdir(ANCHOR_PREFIX)
    except FileNotFoundError:
        return []
    anchors = []
    for name in sorted(names):
        if not name.endswith(".json"):
            continue
        with default_storage.open(f"{ANCHOR_PREFIX}/{name}", "rb") as handle:
            entry = json.loads(handle.read())
        anchors.append(
            Anchor(
                name=name,
                sequence=int(entry["sequence"]),
                digest=str(entry["digest"]),
                written_at=str(entry["written_at"]),
                reason=str(entry.get("reason", "")),
                mac=str(entry["mac"]),
            )
        )
    return sorted(anchors, key=lambda anchor: (anchor.sequence, anchor.written_at))


def audit_anchor_write(*, reason: str, now=None) -> Anchor | None:
    """Append the chain's head to the anchor log; nothing when the head is anchored already.

    A new object per entry under a name that is never reused (the storage refuses to
    overwrite), so the log only grows."""
    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    if head is None:
        return None
    sequence, digest = head
    existing = audit_anchors()
    if existing and existing[-1].sequence >= sequence:
        return None
    written_at = (now or timezone.now()).isoformat()
    entry = {
        "sequence": sequence,
        "digest": digest,
        "written_at": written_at,
        "reason": reason,
        "mac": _anchor_mac(sequence, digest, written_at),
    }
    stamp = (now or timezone.now()).strftime("%Y%m%dT%H%M%S%f")
    name = default_storage.save(
        f"{ANCHOR_PREFIX}/{sequence:012d}-{stamp}.json",
        ContentFile(json.dumps(entry, ensure_ascii=False, sort_keys=True).encode()),
    )
    logger.info("Audit chain anchored at event %s (%s) in %s", sequence, reason, name)
    return Anchor(name=name.rsplit("/", 1)[-1], **entry)


@dataclass
class ChainReport:
    checked: int
    problem: str | None
    first_bad_sequence: int | None = None
    anchors_checked: int = 0


def audit_chain_verify() -> ChainReport:
    """Walk the chain and hold it against the anchors: a changed row no longer matches its
    keyed digest, a removed one leaves a gap or a broken link, and rows removed from the end
    (or all of them) fall short of, or differ from, an anchored head."""
    anchors = audit_anchors()
    for anchor in anchors:
        if not anchor.genuine:
            return ChainReport(
                0, f"anchor {anchor.name} is not genuine (wrong key or edited)", anchor.sequence
            )
    anchored = {anchor.sequence: anchor.digest for anchor in anchors}
    expected_sequence, previous = 1, GENESIS
    checked = 0

    def broken(sequence: int, text: str) -> ChainReport:
        return ChainReport(checked, text, sequence, len(anchors))

    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        if event.sequence != expected_sequence:
            return broken(
                expected_sequence, f"event {expected_sequence} is missing (next is {event.sequence})"
            )
        if event.previous_hash != previous:
            return broken(
                event.sequence, f"event {event.sequence} does not link to event {event.sequence - 1}"
            )
        if not hmac.compare_digest(event_digest(event), event.hash):
            return broken(event.sequence, f"event {event.sequence} was changed after it was written")
        if event.sequence in anchored and anchored[event.sequence] != event.hash:
            return broken(event.sequence, f"event {event.sequence} differs from the anchored head")
        previous = event.hash
        expected_sequence += 1
        checked += 1
    if anchors and anchors[-1].sequence >= expected_sequence:
        return broken(
            expected_sequence,
            f"events from {expected_sequence} are missing: the chain ends at {expected_sequence - 1}"
            f" but was anchored at {anchors[-1].sequence}",
        )
    return ChainReport(checked, None, None, len(anchors))
