import hashlib
import json

from django.db import migrations, models

GENESIS = "0" * 64

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'candidates_auditevent is append-only: %% refused', TG_OP;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_no_update ON candidates_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_delete ON candidates_auditevent;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON candidates_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON candidates_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""


def chain_existing(apps, schema_editor):
    """Give the rows written before the chain existed their place in it (oldest first)."""
    AuditEvent = apps.get_model("candidates", "AuditEvent")
    previous = GENESIS
    for sequence, event in enumerate(AuditEvent.objects.order_by("created_at", "id"), start=1):
        payload = json.dumps(
            {
                "sequence": sequence,
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
        digest = hashlib.sha256(f"{previous}:{payload}".encode()).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(sequence=sequence, previous_hash=previous, hash=digest)
        previous = digest


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [("candidates", "0007_lean_roster_indexes")]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["sequence"], "verbose_name": "操作记录", "verbose_name_plural": "操作记录"},
        ),
        migrations.AddField(
            model_name="auditevent", name="sequence", field=models.PositiveBigIntegerField(null=True)
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent", name="sequence", field=models.PositiveBigIntegerField(unique=True)
        ),
        migrations.RunPython(append_only, migrations.RunPython.noop),
    ]
