from django.db import migrations


def load(apps, schema_editor):
    from titles.services import load_holidays

    load_holidays(apps.get_model("titles", "Holiday"))


class Migration(migrations.Migration):
    dependencies = [("titles", "0003_load_rule_sets")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
