from django.db import migrations, models

# Rounds opened before the roll was recorded take the hamlet's active households
# at migration time, the best count there is (the register keeps no dated roll).
BACKFILL = (
    "UPDATE workflows_dossier SET households_on_roll = (SELECT COUNT(*) FROM directory_household h "
    "WHERE h.hamlet_id = workflows_dossier.unit_id AND h.active) "
    "WHERE unit_id IN (SELECT id FROM directory_unit WHERE level = 'hamlet')"
)


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0007_inbox_indexes"),
        ("directory", "0002_rollup_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="households_on_roll",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="households on the roll"),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
