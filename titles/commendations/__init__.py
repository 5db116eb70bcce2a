"""18 November commendations as data: the instruments (who grants what, from when to when, on which
basis) and each year's festival plan (window, nomination deadline, quotas, criteria, vote rule).

Shipped as JSON beside the code (instruments.json, festival_plans.json), read once per process: they
change only with a release, like the rule sets' files. A proposal names the instrument it asks for;
the instrument's issuer (level and body) decides its route (workflows.services.festival): the hamlet
committee praises at the festival itself, the commune Front grants its certificate of recognition by
its own decision, and every higher instrument is forwarded to the unit that grants it. The district
Front's Giấy khen exists only until 30/06/2025 (Law 97/2025: the Front is left at central, provincial
and commune level), so the route of a 2026 proposal cannot reach a district.
"""

import datetime
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from directory.models import Level, Unit

DATA_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    issuer_level: str  # directory.Level: hamlet, commune, district, province
    issuer_body: str  # hamlet_front_committee, front, people_committee
    effective_from: datetime.date
    effective_to: datetime.date | None
    by_decision: bool
    cash: bool
    certificate: str
    wording: str
    legal_basis: str
    # What the printed certificate says instead of a recognition's words (titles.certificates):
    # issuer, heading, signer_body, signer_role.
    certificate_text: dict

    def in_force_on(self, day):
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def by_front(self):
        return self.issuer_body in ("front", "hamlet_front_committee")

    def issued_by(self, unit):
        """The issuer's words on a certificate: "Ủy ban MTTQ Việt Nam xã Dầu Giây ghi nhận"."""
        return self.wording.format(unit=unit.name)


@dataclass(frozen=True)
class FestivalPlan:
    year: int
    name: str
    legal_basis: str
    window_from: datetime.date
    window_to: datetime.date
    nomination_deadline: datetime.date
    quotas: dict  # subject kind code -> at most that many proposals per hamlet list
    criteria: str
    approval_pct: Decimal
    more_than: bool  # strictly more than approval_pct of those present (a simple majority)
    unconfirmed: tuple


def _day(text):
    return datetime.date.fromisoformat(text) if text else None


@functools.cache
def _instruments_file():
    return json.loads((DATA_DIR / "instruments.json").read_text(encoding="utf-8"))


def citation(year):
    """The certificate's line about what was achieved, the same for every instrument."""
    return _instruments_file()["citation"].format(year=year)


@functools.cache
def instruments():
    doc = _instruments_file()
    return {item["code"]: Instrument(**{**item, "effective_from": _day(item["effective_from"]),
                                        "effective_to": _day(item["effective_to"])})
            for item in doc["instruments"]}


def instrument(code):
    return instruments().get(code)


def instruments_in_force(day):
    return [item for item in instruments().values() if item.in_force_on(day)]


@functools.cache
def festival_plans():
    doc = json.loads((DATA_DIR / "festival_plans.json").read_text(encoding="utf-8"))
    plans = {}
    for item in doc["plans"]:
        vote = item.get("vote") or {}
        plans[item["year"]] = FestivalPlan(
            year=item["year"], name=item["name"], legal_basis=item["legal_basis"],
            window_from=_day(item["window_from"]), window_to=_day(item["window_to"]),
            nomination_deadline=_day(item["nomination_deadline"]), quotas=dict(item.get("quotas") or {}),
            criteria=item.get("criteria", ""), approval_pct=Decimal(vote.get("approval_pct", "50")),
            more_than=vote.get("more_than", True), unconfirmed=tuple(item.get("unconfirmed", ())))
    return plans


def festival_plan(year):
    return festival_plans().get(year)


def instrument_problem(code, day):
    """Why a proposal cannot ask for instrument `code` on `day` (a translated message), or None."""
    item = instrument(code)
    if item is None:
        return _("“%(code)s” is not an instrument of the 18 November commendations.") % {"code": code}
    if not item.in_force_on(day):
        if item.effective_to and day > item.effective_to:
            return _("%(instrument)s can no longer be granted: it ended on %(end)s (%(basis)s).") % {
                "instrument": item.name, "end": item.effective_to.strftime("%d/%m/%Y"), "basis": item.legal_basis}
        return _("%(instrument)s cannot be granted before %(start)s.") % {
            "instrument": item.name, "start": item.effective_from.strftime("%d/%m/%Y")}
    return None


def route(code, hamlet, day):
    """Where a proposal asking for instrument `code` goes from a hamlet on `day`: (instrument, the unit
    that grants it), the unit found among the hamlet's ancestors at the instrument's level and in force
    on `day`, or (instrument, None) when there is none (a district after 30/06/2025)."""
    item = instrument(code)
    if item is None:
        return None, None
    if item.issuer_level == Level.HAMLET:
        return item, hamlet
    unit = Unit.objects.filter(pk__in=hamlet.ancestor_ids, level=item.issuer_level).valid_on(day).first()
    return item, unit
