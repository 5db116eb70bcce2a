from django.db import migrations, models


def reload(apps, schema_editor):
    """Load the certificates of merit (titles/rulesets/giay_khen.json) and fill the new column."""
    from titles.services import load_rule_sets

    load_rule_sets(apps.get_model("titles", "TitleType"), apps.get_model("titles", "RuleSet"))


class Migration(migrations.Migration):

    dependencies = [
        ("titles", "0011_ruleset_title_names_by_unit_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="ruleset",
            name="merit",
            field=models.JSONField(blank=True, default=dict, verbose_name="certificate of merit"),
        ),
        migrations.RunPython(reload, migrations.RunPython.noop),
    ]
