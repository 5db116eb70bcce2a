"""Writes on titles: loading the versioned rule sets shipped as data files."""

import json
from pathlib import Path

from django.db import transaction

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"


def load_rule_sets(title_type_model=None, rule_set_model=None, directory=RULESET_DIR):
    """Create or update title types and rule sets from the JSON files.

    Takes the models as arguments so the data migration can pass its historical
    ones. A rule set is identified by its code; changing the law means adding a
    new code (a new version), never rewriting an old one that dossiers use.
    """
    if title_type_model is None:
        from .models import RuleSet, TitleType

        title_type_model, rule_set_model = TitleType, RuleSet
    count = 0
    with transaction.atomic():
        for path in sorted(Path(directory).glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            for item in doc.get("title_types", []):
                title_type_model.objects.update_or_create(code=item["code"], defaults=item)
            for item in doc.get("rule_sets", []):
                item = dict(item)
                title_type = title_type_model.objects.get(code=item.pop("title_type"))
                rule_set_model.objects.update_or_create(
                    code=item.pop("code"), defaults={**item, "title_type": title_type}
                )
                count += 1
    return count
