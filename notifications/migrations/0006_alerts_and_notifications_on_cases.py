"""A deadline alert and a notification belong to the case they are about (workflows.Case, migration
workflows.0021), not to the dossier: each existing row takes its dossier's case."""

import django.db.models.deletion
from django.db import migrations, models

FILL = "UPDATE {t} SET case_id = (SELECT d.case_id FROM workflows_dossier d WHERE d.id = {t}.dossier_id)"
BACK = "UPDATE {t} SET dossier_id = (SELECT d.id FROM workflows_dossier d WHERE d.case_id = {t}.case_id)"
TABLES = ["notifications_deadlinealert", "notifications_notification"]


def fill(apps, schema_editor):
    for table in TABLES:
        schema_editor.execute(FILL.format(t=table) + " WHERE dossier_id IS NOT NULL")


def back(apps, schema_editor):
    for table in TABLES:
        schema_editor.execute(BACK.format(t=table) + " WHERE case_id IS NOT NULL")


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0005_unindexed_household_created_at"),
        ("workflows", "0021_cases_own_the_chain"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="deadlinealert", name="one_alert_per_dossier_step_period"),
        migrations.AddField(
            model_name="deadlinealert", name="case",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="deadline_alerts", to="workflows.case"),
        ),
        migrations.AlterField(
            model_name="deadlinealert", name="dossier",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="workflows.dossier"),
        ),
        migrations.AddField(
            model_name="notification", name="case",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="workflows.case"),
        ),
        migrations.RunPython(fill, back, elidable=False),
        migrations.RemoveField(model_name="notification", name="dossier"),
        migrations.AlterField(
            model_name="deadlinealert", name="case",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="deadline_alerts",
                                    to="workflows.case"),
        ),
        migrations.RemoveField(model_name="deadlinealert", name="dossier"),
        migrations.AddConstraint(
            model_name="deadlinealert",
            constraint=models.UniqueConstraint(fields=("case", "state", "due_on", "kind", "period"),
                                               name="one_alert_per_case_step_period"),
        ),
    ]
