"""Writes on titles: loading the versioned rule sets shipped as data files (the revocation of an
award is a workflow service, workflows.services.revocation: it goes into the dossier's audit chain)."""

import json
from pathlib import Path

from django.db import transaction

from .models import Holiday, RuleSet, TitleType

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"


def load_rule_sets(title_type_model=None, rule_set_model=None, directory=RULESET_DIR):
    """Create or update title types and rule sets from the JSON files.

    Takes the models as arguments so the data migration can pass its historical
    ones. A rule set is identified by its code; changing the law means adding a
    new code (a new version), never rewriting an old one that dossiers use. What
    may be added to a published rule set is a column that writes down what the
    code already did (how posting days were counted) or settles a case it did not
    cover (acts dated before it took effect): loading updates those rows in place.
    """
    if title_type_model is None:
        title_type_model, rule_set_model = TitleType, RuleSet
    count = 0
    with transaction.atomic():
        for path in sorted(Path(directory).glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            for item in doc.get("title_types", []):
                title_type_model.objects.update_or_create(code=item["code"], defaults=item)
            # A migration passes the models as they were at its point in history: keys the
            # JSON gained later (new columns) are left to the migration that adds them,
            # which loads the files again.
            columns = {field.name for field in rule_set_model._meta.concrete_fields}
            for item in doc.get("rule_sets", []):
                item = {key: value for key, value in item.items() if key in columns or key == "title_type"}
                # The documents each rule set prints (templates, publication period) are
                # read from the JSON by documents.registry, not stored on the row (not a column).
                title_type = title_type_model.objects.get(code=item.pop("title_type"))
                rule_set_model.objects.update_or_create(
                    code=item.pop("code"), defaults={**item, "title_type": title_type}
                )
                count += 1
    return count


HOLIDAY_DIR = Path(__file__).resolve().parent / "holidays"


def load_holidays(holiday_model=None, directory=HOLIDAY_DIR):
    """Create or update public holidays from the per-year JSON files.

    Only weekdays are listed (weekends are skipped by the working-day count
    anyway). A day marked "uncertain" is an estimate awaiting the official
    notice; its name says so, so that a due date computed from it can be checked.
    """
    holiday_model = holiday_model or Holiday
    count = 0
    with transaction.atomic():
        for path in sorted(Path(directory).glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            for day in doc["days"]:
                name = day["name"] + (" (dự kiến)" if day.get("uncertain") else "")
                holiday_model.objects.update_or_create(date=day["date"], defaults={"name": name[:120]})
                count += 1
    return count


# ---------------------------------------------------------------- revocation

REVOCATION_GROUNDS_FILE = Path(__file__).resolve().parent / "revocation_grounds.json"


def revocation_grounds():
    """The grounds on which an award is cancelled (Law 06/2022 art. 93(2)), as shipped data.

    Returns {"legal_basis": ..., "grounds": [{"code": "a", "label": ...}, ...]}.
    """
    return json.loads(REVOCATION_GROUNDS_FILE.read_text(encoding="utf-8"))
