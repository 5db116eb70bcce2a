"""Indexes for the inbox page (workflows:home), read-path tuning only.

Raw SQL because they index other apps' tables (viewflow's tasks, directory's
units) and are not model state, as in directory/migrations/0002_rollup_indexes.
- open tasks by owner permission and object, oldest first: the inbox's task list
  (selectors.inbox) and its bounded count read only the user's own open tasks;
- units above hamlet level by path: the dossier filter's unit choices
  (selectors.filter_units) when a user sees more than 200 units. On PostgreSQL the
  path column needs the pattern operator class for a LIKE prefix search (the
  database's collation is not "C"); SQLite compares bytes anyway.
"""

from django.db import migrations

INDEXES = [
    ("inbox_open_task_owner",
     "viewflow_task (owner_permission, owner_permission_obj_pk, created) WHERE status = 'NEW'",
     "viewflow_task (owner_permission, owner_permission_obj_pk, created) WHERE status = 'NEW'"),
    ("unit_above_hamlet_path",
     "directory_unit (path varchar_pattern_ops) WHERE level <> 'hamlet'",
     "directory_unit (path) WHERE level <> 'hamlet'"),
]


def create(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, on_postgresql, elsewhere in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {on_postgresql if postgresql else elsewhere}")


def drop(apps, schema_editor):
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_rollup_indexes"),
        ("viewflow", "0015_task_scheduled"),
        ("workflows", "0006_dossier_counters_db_default"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
