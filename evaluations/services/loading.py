"""Loading the versioned evaluation schemes and the dated poverty standards shipped as data files."""

import datetime
import functools
import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import RuleViolation

from ..models import Report, Scheme

SCHEME_DIR = Path(__file__).resolve().parent.parent / "schemes"
POVERTY_FILE = SCHEME_DIR / "poverty_standards.json"


def _scheme_files(directory):
    return [path for path in sorted(Path(directory).glob("*.json")) if path != POVERTY_FILE]


def load_schemes(scheme_model=None, report_model=None, directory=SCHEME_DIR):
    """Create or update the schemes from the JSON files; returns how many were loaded.

    Takes the models as arguments so the data migration can pass its historical ones. A scheme is
    identified by its code: changing the indicators means a new code (a new version). A scheme that
    reports already use is never rewritten: loading a changed one is refused, naming it."""
    if scheme_model is None:
        scheme_model, report_model = Scheme, Report
    count = 0
    with transaction.atomic():
        for path in _scheme_files(directory):
            for item in json.loads(path.read_text(encoding="utf-8"))["schemes"]:
                item = dict(item)
                code = item.pop("code")
                columns = {"name": item.pop("name"), "legal_basis": item.pop("legal_basis"),
                           "effective_from": item.pop("effective_from"), "effective_to": item.pop("effective_to"),
                           "illustrative": item.pop("illustrative", False), "data": item}
                existing = scheme_model.objects.filter(code=code).first()
                if existing is not None and existing.data != item and report_model is not None \
                        and report_model.objects.filter(scheme=existing).exists():
                    raise RuleViolation(
                        _("The evaluation scheme %(code)s is used by reports and cannot be rewritten: "
                          "ship the change as a new scheme with its own code and dates.") % {"code": code})
                scheme_model.objects.update_or_create(code=code, defaults=columns)
                count += 1
    return count


@functools.cache
def poverty_standards():
    return json.loads(POVERTY_FILE.read_text(encoding="utf-8"))["standards"]


def poverty_standard_for(year):
    """The national poverty standard in force at the end of `year` (the year's list is drawn up
    under it), or None."""
    day = datetime.date(year, 12, 31)
    for standard in poverty_standards():
        start = datetime.date.fromisoformat(standard["effective_from"])
        end = standard["effective_to"] and datetime.date.fromisoformat(standard["effective_to"])
        if start <= day and (not end or day <= end):
            return standard
    return None
