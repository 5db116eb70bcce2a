"""On PostgreSQL, refuse UPDATE and DELETE on the audit tables in the database itself.

The model layer already refuses them (AppendOnlyQuerySet, save/delete), but
anyone with a SQL prompt bypasses the model; the trigger stops them unless they
own the table and drop it first. SQLite has no such guard: verify_audit is the
check there. TRUNCATE is not a row operation and stays possible for the table
owner (test database flushes need it); the application's role should not own
the tables in production.
"""

from django.db import migrations

TABLES = ["workflows_auditevent", "workflows_chainanchor", "workflows_chainanchorhead"]

FUNCTION = """
CREATE OR REPLACE FUNCTION workflows_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the function body's % placeholders belong to plpgsql, not to the driver.
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION workflows_refuse_audit_change();"
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS workflows_refuse_audit_change();")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0002_audit_anchors")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
