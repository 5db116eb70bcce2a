from django.db import migrations


def load(apps, schema_editor):
    # 0007 added columns that write down how posting days are counted and how acts
    # dated before a rule set took effect are treated: fill them on existing rows.
    from titles.services import load_rule_sets

    load_rule_sets(apps.get_model("titles", "TitleType"), apps.get_model("titles", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [("titles", "0007_ruleset_day_counting_and_acts_before_effective")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
