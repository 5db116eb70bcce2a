"""Which documents each rule set prints, from its JSON (titles/rulesets/*.json, key "documents").

Law as data: a rule set names, per document kind, the official form (Mẫu số …), the
.docx template under titles/documents/<rule-set code>/, the legal bases its decision
cites, and how many days after a decision the list of recognized households must be
made public. A kind missing from a rule set is not printed for its dossiers.

A form may carry the wording that differs from one rule set to the next ("text": who
issues it, who attends, to whom it is sent, who signs, who carries the decision out);
documents.builder puts it in the template it builds. The rule set's subject kind
(household or hamlet, from its title type) chooses the layout.
"""

import functools
import json
from dataclasses import dataclass, field
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
    # {name: wording} of the parts this rule set words its own way (see the module docstring).
    text: dict = field(default_factory=dict)

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
    subject_kind: str = "household"

    def form(self, kind):
        return self.forms.get(kind)


@functools.cache
def _all(directory=RULESET_DIR):
    files = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(Path(directory).glob("*.json"))]
    subject_kinds = {t["code"]: t.get("subject_kind", "household") for doc in files for t in doc.get("title_types", [])}
    found = {}
    for doc in files:
        for item in doc.get("rule_sets", []):
            spec = item.get("documents") or {}
            forms = {kind: Form(kind=kind, form=f.get("form", ""), template=TEMPLATE_DIR / f["template"],
                                basis=f.get("basis", ""), text=dict(f.get("text") or {}))
                     for kind, f in (spec.get("forms") or {}).items() if kind in KINDS}
            found[item["code"]] = RuleSetDocuments(
                code=item["code"], decision_basis=tuple(spec.get("decision_basis") or ()), forms=forms,
                publication_days=spec.get("publication_days"),
                publication_day_type=spec.get("publication_day_type") or "calendar",
                subject_kind=subject_kinds.get(item.get("title_type"), "household"),
            )
    return found


def for_rule_set(code):
    """The documents of the rule set `code` (an empty set for a rule set that names none)."""
    return _all().get(code) or RuleSetDocuments(code=code, decision_basis=(), forms={}, publication_days=None,
                                                publication_day_type="calendar")


def all_rule_sets():
    return dict(_all())
