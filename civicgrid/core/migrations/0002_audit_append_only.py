"""Database triggers that make the audit table append-only, even for raw SQL."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
    """CREATE TRIGGER core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditrecord_no_update;",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_delete;",
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION core_auditrecord_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditrecord_append_only BEFORE UPDATE OR DELETE ON core_auditrecord
       FOR EACH ROW EXECUTE FUNCTION core_auditrecord_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;",
    "DROP FUNCTION IF EXISTS core_auditrecord_append_only();",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
