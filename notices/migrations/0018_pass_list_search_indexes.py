"""The public list's search: trigram indexes on the name and the employer (pg_trgm, shipped
with PostgreSQL and trusted since 13), so a search of a 100,000-name list reads the matching
rows rather than every row; and the ID number's last four characters as an index of their own.
SQLite, the embedded default, searches without them."""

from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS pass_entry_name_trgm ON notices_passlistentry USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS pass_entry_employer_trgm ON notices_passlistentry"
    " USING gin (employer gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS pass_entry_last4 ON notices_passlistentry (pass_list_id, right(masked_id, 4))",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for statement in INDEXES:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in ("pass_entry_name_trgm", "pass_entry_employer_trgm", "pass_entry_last4"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("notices", "0017_api_client")]

    operations = [migrations.RunPython(create, drop)]
