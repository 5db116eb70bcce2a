"""Each report owns a case (workflows.Case): its audit chain and the revision its forms carry. Reports written
before the case existed get one each, with their revision carried over and an empty chain."""

import django.db.models.deletion
from django.db import migrations, models


def give_cases(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    Report = apps.get_model("evaluations", "Report")
    for report in Report.objects.filter(case__isnull=True).order_by("pk"):
        report.case = Case.objects.create(kind="evaluation_report", revision=report.revision)
        report.save(update_fields=["case"])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0002_load_schemes"),
        ("workflows", "0021_cases_own_the_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="report", name="case",
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT,
                                       related_name="evaluation_report", to="workflows.case"),
        ),
        migrations.RunPython(give_cases, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="report", name="case",
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="evaluation_report",
                                       to="workflows.case"),
        ),
        migrations.RemoveField(model_name="report", name="revision"),
    ]
