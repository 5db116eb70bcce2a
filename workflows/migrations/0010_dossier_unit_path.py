from django.db import migrations, models

# Every existing dossier takes its unit's path (paths never change).
BACKFILL = (
    "UPDATE workflows_dossier SET unit_path = "
    "(SELECT path FROM directory_unit WHERE directory_unit.id = workflows_dossier.unit_id)"
)


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0002_rollup_indexes'),
        ('titles', '0005_alter_ruleset_approval_pct_alter_ruleset_quorum_pct'),
        ('viewflow', '0015_task_scheduled'),
        ('workflows', '0009_trim_redundant_indexes'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='dossier',
            options={'ordering': ['-year', 'unit_path'], 'verbose_name': 'dossier', 'verbose_name_plural': 'dossiers'},
        ),
        migrations.AddField(
            model_name='dossier',
            name='unit_path',
            field=models.CharField(default='', editable=False, max_length=255),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(models.OrderBy(models.F('year'), descending=True), models.F('unit_path'), models.F('id'), name='dossier_list_order'),
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(fields=['unit_path'], name='dossier_unit_path_like', opclasses=['varchar_pattern_ops']),
        ),
    ]
