"""The audit chain becomes keyed (HMAC with PORTAL_AUDIT_KEY) and TRUNCATE is refused like
UPDATE and DELETE. Rows written under the unkeyed chain are checked against it first and
re-chained with the key; a broken unkeyed chain stops the migration rather than being
laundered into a valid keyed one."""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations

GENESIS = "0" * 64

NO_TRUNCATE = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON candidates_auditevent;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON candidates_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""


def _payload(event) -> str:
    return json.dumps(
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


def rechain_with_key(apps, schema_editor):
    AuditEvent = apps.get_model("candidates", "AuditEvent")
    events = list(AuditEvent.objects.order_by("sequence"))
    previous = GENESIS
    for event in events:
        plain = hashlib.sha256(f"{previous}:{_payload(event)}".encode()).hexdigest()
        if event.previous_hash != previous or event.hash != plain:
            raise RuntimeError(f"The audit chain is already broken at event {event.sequence}; not re-keying it.")
        previous = event.hash
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres and events:
        schema_editor.execute("ALTER TABLE candidates_auditevent DISABLE TRIGGER USER")
    key = settings.PORTAL_AUDIT_KEY.encode()
    previous = GENESIS
    for event in events:
        digest = hmac.new(key, f"{previous}:{_payload(event)}".encode(), hashlib.sha256).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(previous_hash=previous, hash=digest)
        previous = digest
    if postgres and events:
        schema_editor.execute("ALTER TABLE candidates_auditevent ENABLE TRIGGER USER")


def no_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NO_TRUNCATE)


class Migration(migrations.Migration):
    dependencies = [("candidates", "0009_identity_verification")]

    operations = [
        migrations.RunPython(rechain_with_key, migrations.RunPython.noop),
        migrations.RunPython(no_truncate, migrations.RunPython.noop),
    ]
