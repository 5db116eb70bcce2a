"""Nominations are updated four times in a round (self-assessment, meeting,
appraisal, decision), hundreds at a time. PostgreSQL can then rewrite a row in
place on its page ("HOT", no index entries) if no indexed column changes and the
page has room:
- the roll-up's partial index on state = 'recognized' made every state change
  touch all five indexes; the roll-up reads the dossiers' counters since
  0008_dossier_households_on_roll, so it goes;
- pages are filled to half, leaving room for the updated rows (85 % of the
  updates of the bench district's cycle were in place, against ~0 before).
"""

from django.db import migrations

ROLLUP_INDEX = (
    "CREATE INDEX IF NOT EXISTS nomination_recognized_rollup "
    "ON workflows_nomination (year, title_type_id, dossier_id) WHERE state = 'recognized'"
)


def fillfactor(value):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE workflows_nomination SET (fillfactor = {value})")
    return apply


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0011_auditevent_write_indexes"),
        ("directory", "0002_rollup_indexes"),
    ]

    operations = [
        migrations.RunSQL("DROP INDEX IF EXISTS nomination_recognized_rollup", ROLLUP_INDEX),
        migrations.RunPython(fillfactor(50), fillfactor(100)),
    ]
