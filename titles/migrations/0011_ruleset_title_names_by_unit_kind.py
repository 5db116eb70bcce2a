from django.db import migrations, models


def reload(apps, schema_editor):
    """Fill the new column from the shipped files (the hamlet title names its title by the hamlet's kind)."""
    from titles.services import load_rule_sets

    load_rule_sets(apps.get_model("titles", "TitleType"), apps.get_model("titles", "RuleSet"))


class Migration(migrations.Migration):

    dependencies = [
        ("titles", "0010_ruleset_criteria"),
    ]

    operations = [
        migrations.AddField(
            model_name="ruleset",
            name="title_names_by_unit_kind",
            field=models.JSONField(blank=True, default=dict, verbose_name="title names by kind of unit"),
        ),
        migrations.RunPython(reload, migrations.RunPython.noop),
    ]
