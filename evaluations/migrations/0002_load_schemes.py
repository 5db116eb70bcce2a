from django.db import migrations

from evaluations.services.loading import load_schemes


def load(apps, schema_editor):
    load_schemes(apps.get_model("evaluations", "Scheme"), apps.get_model("evaluations", "Report"))


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
