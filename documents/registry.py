"""Which documents each rule set prints, from its JSON (titles/rulesets/*.json, key "documents").

Law as data: a rule set names, per document kind, the official form (Mẫu số …), the
.docx template under titles/documents/<rule-set code>/, the legal bases its decision
cites, and how many days after a decision the list of recognized households must be
made public. A kind missing from a rule set is not printed for its dossiers.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from titles.services import RULESET_DIR

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "titles" / "documents"

# The order the documents page lists them in: the order they are signed.
KINDS = {
    "minutes": _("Review meeting minutes"),
    "posting_list": _("Public posting list"),
    "proposal": _("Proposal (tờ trình) with its list"),
    "decision": _("Recognition decision with its annex"),
    "published_list": _("Notice of the recognized households"),
}


@dataclass(frozen=True)
class Form:
    kind: str
    form: str
    template: Path
    basis: str

    @property
    def label(self):
        return KINDS[self.kind]


@dataclass(frozen=True)
class RuleSetDocuments:
    code: str
    decision_basis: tuple
    forms: dict
    publication_days: int | None
    publication_day_type: str

    def form(self, kind):
        return self.forms.get(kind)


@functools.cache
def _all(directory=RULESET_DIR):
    found = {}
    for path in sorted(Path(directory).glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")).get("rule_sets", []):
            spec = item.get("documents") or {}
            forms = {kind: Form(kind=kind, form=f.get("form", ""), template=TEMPLATE_DIR / f["template"],
                                basis=f.get("basis", ""))
                     for kind, f in (spec.get("forms") or {}).items() if kind in KINDS}
            found[item["code"]] = RuleSetDocuments(
                code=item["code"], decision_basis=tuple(spec.get("decision_basis") or ()), forms=forms,
                publication_days=spec.get("publication_days"),
                publication_day_type=spec.get("publication_day_type") or "calendar",
            )
    return found


def for_rule_set(code):
    """The documents of the rule set `code` (an empty set for a rule set that names none)."""
    return _all().get(code) or RuleSetDocuments(code=code, decision_basis=(), forms={}, publication_days=None,
                                                publication_day_type="calendar")


def all_rule_sets():
    return dict(_all())
