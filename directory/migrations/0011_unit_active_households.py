"""A hamlet's count of active households, kept by the database on every write of a household.

PostgreSQL: statement-level triggers with transition tables, so a COPY or a bulk UPDATE of 45,000
households is one grouped UPDATE of the hamlets it touched, not one per row. SQLite (the local
default) has only row-level triggers, one small UPDATE per household written.
"""

from django.db import migrations, models

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION directory_household_count() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE directory_unit u SET active_households = u.active_households + d.n
        FROM (SELECT hamlet_id, COUNT(*) AS n FROM new_rows WHERE active GROUP BY hamlet_id) d
        WHERE u.id = d.hamlet_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE directory_unit u SET active_households = u.active_households - d.n
        FROM (SELECT hamlet_id, COUNT(*) AS n FROM old_rows WHERE active GROUP BY hamlet_id) d
        WHERE u.id = d.hamlet_id;
    ELSE
        UPDATE directory_unit u SET active_households = u.active_households + d.n
        FROM (SELECT hamlet_id, SUM(n) AS n FROM (
                  SELECT hamlet_id, 1 AS n FROM new_rows WHERE active
                  UNION ALL SELECT hamlet_id, -1 FROM old_rows WHERE active) changes
              GROUP BY hamlet_id HAVING SUM(n) <> 0) d
        WHERE u.id = d.hamlet_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""
PG_TRIGGERS = [
    "CREATE TRIGGER directory_household_count_insert AFTER INSERT ON directory_household "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION directory_household_count()",
    "CREATE TRIGGER directory_household_count_update AFTER UPDATE ON directory_household "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION directory_household_count()",
    "CREATE TRIGGER directory_household_count_delete AFTER DELETE ON directory_household "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION directory_household_count()",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS directory_household_count_insert ON directory_household",
    "DROP TRIGGER IF EXISTS directory_household_count_update ON directory_household",
    "DROP TRIGGER IF EXISTS directory_household_count_delete ON directory_household",
    "DROP FUNCTION IF EXISTS directory_household_count()",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER directory_household_count_insert AFTER INSERT ON directory_household WHEN NEW.active "
    "BEGIN UPDATE directory_unit SET active_households = active_households + 1 WHERE id = NEW.hamlet_id; END",
    "CREATE TRIGGER directory_household_count_delete AFTER DELETE ON directory_household WHEN OLD.active "
    "BEGIN UPDATE directory_unit SET active_households = active_households - 1 WHERE id = OLD.hamlet_id; END",
    "CREATE TRIGGER directory_household_count_update AFTER UPDATE OF active, hamlet_id ON directory_household "
    "BEGIN "
    "UPDATE directory_unit SET active_households = active_households - 1 WHERE OLD.active AND id = OLD.hamlet_id; "
    "UPDATE directory_unit SET active_households = active_households + 1 WHERE NEW.active AND id = NEW.hamlet_id; "
    "END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS directory_household_count_insert",
    "DROP TRIGGER IF EXISTS directory_household_count_delete",
    "DROP TRIGGER IF EXISTS directory_household_count_update",
]
BACKFILL = (
    "UPDATE directory_unit SET active_households = (SELECT COUNT(*) FROM directory_household h "
    "WHERE h.hamlet_id = directory_unit.id AND h.active)"
)


def install(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in ([PG_FUNCTION, *PG_TRIGGERS] if postgres else SQLITE_TRIGGERS) + [BACKFILL]:
        schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    for sql in PG_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("directory", "0010_front_evaluation")]

    operations = [
        migrations.AddField(
            model_name="unit", name="active_households",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(install, uninstall),
    ]
