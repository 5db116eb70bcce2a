from django.db import migrations


def load(apps, schema_editor):
    from titles.services import load_rule_sets

    load_rule_sets(apps.get_model("titles", "TitleType"), apps.get_model("titles", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [("titles", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
