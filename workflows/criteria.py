"""The rule set's criteria beside each subject at the meeting: the figures the engine already holds.

A rule set's `criteria` (titles.models.RuleSet) lists standards and indicators; an indicator
with "computed_from" names a figure the register knows. For a hamlet those are its household
count and its Cultural Family rate for the year (recognized households / households on the
roll of its decided Cultural Family round); its poor-household rate joins them once the Front's
evaluation records it. The meeting shows them beside the hamlet, with the threshold and whether
the province's threshold is confirmed; it never decides for the meeting.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from directory.models import Household
from titles.models import SubjectKind

from .models import Dossier, DossierState

PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    threshold: str = ""
    met: bool | None = None
    unconfirmed: bool = False


def standards(rule_set):
    """[(standard label, [indicator labels])] of the rule set's criteria, for the reference list."""
    return [(s["label"], [i["label"] for i in s.get("indicators", [])])
            for s in (rule_set.criteria or {}).get("standards", [])]


def _indicator(rule_set, source):
    for standard in (rule_set.criteria or {}).get("standards", []):
        for indicator in standard.get("indicators", []):
            if indicator.get("computed_from") == source:
                return indicator
    return None


def _pct(value):
    return f"{value.quantize(PERCENT)}".replace(".", ",") + "%"


def hamlet_figures(rule_set, year, hamlet_ids):
    """{hamlet id: [Figure]} for the hamlets of a meeting. Two queries, whatever their number."""
    if not hamlet_ids:
        return {}
    homes = dict(Household.objects.filter(hamlet_id__in=hamlet_ids, active=True).order_by()
                 .values("hamlet_id").annotate(n=Count("pk")).values_list("hamlet_id", "n"))
    rounds = {unit_id: (state, recognized, roll) for unit_id, state, recognized, roll in (
        Dossier.objects.filter(unit_id__in=hamlet_ids, year=year, title_type__subject_kind=SubjectKind.HOUSEHOLD)
        .order_by().values_list("unit_id", "state", "recognized_count", "households_on_roll"))}
    # The poor-household rate ("computed_from": "poor_household_rate") is shown once the Front's
    # evaluation records it per hamlet; until then the row says nothing rather than "unknown" 40 times.
    family = _indicator(rule_set, "cultural_family_rate")
    figures = {}
    for pk in hamlet_ids:
        rows = [Figure(_("Households"), str(homes.get(pk, 0)))]
        if family is not None:
            state, recognized, roll = rounds.get(pk, (None, 0, None))
            threshold = family.get("threshold_pct")
            shown = _("threshold %(pct)s%%") % {"pct": threshold} if threshold else ""
            if state == DossierState.DECIDED and roll:
                rate = Decimal(recognized) * 100 / roll
                rows.append(Figure(_("Cultural Families %(year)s") % {"year": year}, _pct(rate), shown,
                                   rate >= Decimal(threshold) if threshold else None,
                                   bool(family.get("unconfirmed"))))
            else:
                # No rate to hold against the threshold: the threshold is not repeated.
                rows.append(Figure(_("Cultural Families %(year)s") % {"year": year},
                                   _("not decided yet") if state else _("no round this year")))
        figures[pk] = rows
    return figures
