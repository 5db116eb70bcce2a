"""The shared factory (tests/dossiers.py) puts a dossier of every title that runs on a
procedure at every state its procedure reaches, under every shipped rule set."""

import json
from pathlib import Path

import pytest

from titles.models import RuleSet
from workflows.models import DossierState

from .dossiers import dossier_at, reachable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

RULESETS = Path(__file__).resolve().parents[1] / "titles" / "rulesets"
# Certificates of merit have a round of their own (not opened as a yearly title's).
SHIPPED = [(rules["title_type"], rules["code"]) for path in sorted(RULESETS.glob("*.json"))
           for rules in json.loads(path.read_text())["rule_sets"] if "merit" not in rules]
ALWAYS = {DossierState.OPEN, DossierState.SUBMITTED, DossierState.RETURNED, DossierState.APPRAISED,
          DossierState.DECIDED}


def test_every_yearly_title_has_shipped_rule_sets():
    assert {title for title, _ in SHIPPED} == {"gia-dinh-van-hoa", "ap-khu-pho-van-hoa", "khen-thuong-18-11-ca-nhan",
                                               "khen-thuong-18-11-gia-dinh", "khen-thuong-18-11-tap-the"}


@pytest.mark.parametrize("title,code", SHIPPED, ids=[code for _, code in SHIPPED])
def test_the_factory_reaches_every_state_of_the_procedure_under_the_rule_set(title, code):
    rules = RuleSet.objects.get(code=code)
    states = reachable(title, rules)
    # A state of an optional step exists exactly when the rule set has the step.
    optional = {DossierState.REVIEWED: "meeting", DossierState.POSTING: "posting"}
    expected = ALWAYS | {state for state, step in optional.items() if step in rules.steps}
    assert set(states) == expected

    for state in states:
        dossier = dossier_at(title, state, rule_set=rules)

        assert (dossier.state, dossier.rule_set, dossier.title_type.code) == (state, rules, title)
        assert dossier.nominations.count() == 2
        # Every move went through a service: each is in the audit trail, the opening first.
        actions = list(dossier.audit_events.order_by("seq").values_list("action", flat=True))
        assert actions[0] == "open_round" and len(actions) >= 2
