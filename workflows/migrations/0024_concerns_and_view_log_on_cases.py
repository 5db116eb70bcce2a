"""Supervision concerns and the view log point at the case (Cases own the chain, 0021), not at the dossier.

Each row takes its dossier's case; no audit table is written.
"""

import django.db.models.deletion
from django.db import migrations, models

FILL = "UPDATE {table} SET case_id = (SELECT d.case_id FROM workflows_dossier d WHERE d.id = {table}.dossier_id)"
BACK = "UPDATE {table} SET dossier_id = (SELECT d.id FROM workflows_dossier d WHERE d.case_id = {table}.case_id)"


def _run(sql, table):
    def run(apps, schema_editor):
        schema_editor.execute(sql.format(table=table))
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0023_commendation_subjects"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern", name="case",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="concerns", to="workflows.case"),
        ),
        migrations.AddField(
            model_name="viewlog", name="case",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="workflows.case"),
        ),
        migrations.AlterField(
            model_name="concern", name="dossier",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="workflows.dossier"),
        ),
        migrations.RunPython(_run(FILL, "workflows_concern"), _run(BACK, "workflows_concern"), elidable=False),
        migrations.RunPython(_run(FILL, "workflows_viewlog"), _run(BACK, "workflows_viewlog"), elidable=False),
        migrations.AlterField(
            model_name="concern", name="case",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="concerns",
                                    to="workflows.case"),
        ),
        migrations.RemoveField(model_name="concern", name="dossier"),
        migrations.RemoveField(model_name="viewlog", name="dossier"),
    ]
