"""Partial indexes for the Cultural Family roll-up (workflows.selectors_rollup).

Raw SQL because they span three apps' tables and are read-path tuning, not model
state; both PostgreSQL and SQLite accept partial indexes in this form.
- recognized nominations of a year, grouped by dossier: an index-only scan on PostgreSQL;
- active households per hamlet: the denominator, index-only as well;
- revoked awards of a year: a handful of rows, found without scanning the register.
"""

from django.db import migrations

INDEXES = [
    ("nomination_recognized_rollup",
     "workflows_nomination (year, title_type_id, dossier_id) WHERE state = 'recognized'"),
    ("household_active_hamlet", "directory_household (hamlet_id) WHERE active"),
    ("award_revoked_rollup", "titles_award (year, title_type_id) WHERE revoked_at IS NOT NULL"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("titles", "0002_initial"),
        ("workflows", "0004_revocation_concerns_viewlog"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {target}", f"DROP INDEX IF EXISTS {name}")
        for name, target in INDEXES
    ]
