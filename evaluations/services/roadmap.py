"""The roadmap: a unit's targets per indicator per month, quarter, six months and year."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from directory.selectors import require_acting

from ..models import Period, RoadmapTarget, Scheme, period_end


def _scheme_of(year):
    scheme = Scheme.objects.in_force_on(period_end(year, Period.YEAR, 1))
    if scheme is None:
        raise RuleViolation(_("No evaluation scheme is in force at the end of %(year)s.") % {"year": year})
    return scheme


def roadmap_indicators(scheme, level):
    return [ind for ind in scheme.indicators_for(level) if ind.get("roadmap")]


@transaction.atomic
def set_targets(*, actor, unit, year, targets):
    """Set `targets` ({(code, period, number): raw}; empty removes the target). Every wrong value is
    named at once and nothing is written."""
    acting = require_acting(actor, unit, "plan_roadmap")
    scheme = _scheme_of(year)
    allowed = {ind["code"]: ind for ind in roadmap_indicators(scheme, unit.level)}
    problems, wanted, removed = [], {}, []
    for (code, period, number), raw in targets.items():
        indicator = allowed.get(code)
        if indicator is None or number not in scheme.periods.get(period, {}).get("numbers", []):
            problems.append(_("%(code)s has no roadmap target for that period.") % {"code": code})
            continue
        if raw in (None, ""):
            removed.append((code, period, number))
            continue
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or (indicator["unit"] == "%" and value > 100):
            problems.append(_("%(indicator)s: the target must be a number%(pct)s (got “%(value)s”).")
                            % {"indicator": indicator["label"], "value": raw,
                               "pct": _(" from 0 to 100") if indicator["unit"] == "%" else _(" of 0 or more")})
            continue
        wanted[(code, period, number)] = value
    if problems:
        raise RuleViolation(problems)
    existing = {(t.code, t.period, t.number): t for t in RoadmapTarget.objects.filter(unit=unit, year=year)}
    now = timezone.now()
    new, changed = [], []
    for key, value in wanted.items():
        row = existing.get(key)
        if row is None:
            new.append(RoadmapTarget(unit=unit, year=year, code=key[0], period=key[1], number=key[2], target=value,
                                     set_by=actor, set_role=acting.role, set_at=now))
        elif row.target != value:
            row.target, row.set_by, row.set_role, row.set_at = value, actor, acting.role, now
            changed.append(row)
    RoadmapTarget.objects.bulk_create(new)
    RoadmapTarget.objects.bulk_update(changed, ["target", "set_by", "set_role", "set_at"])
    gone = [existing[key].pk for key in removed if key in existing]
    RoadmapTarget.objects.filter(pk__in=gone).delete()
    return len(new) + len(changed) + len(gone)


@transaction.atomic
def copy_last_year(*, actor, unit, year):
    """Copy last year's targets into `year` where `year` has none yet (one click); returns how many."""
    acting = require_acting(actor, unit, "plan_roadmap")
    scheme = _scheme_of(year)
    allowed = {ind["code"] for ind in roadmap_indicators(scheme, unit.level)}
    have = set(RoadmapTarget.objects.filter(unit=unit, year=year).values_list("code", "period", "number"))
    previous = RoadmapTarget.objects.filter(unit=unit, year=year - 1, code__in=allowed)
    if not previous.exists():
        raise RuleViolation(_("%(unit)s has no roadmap for %(year)s to copy.") % {"unit": unit, "year": year - 1})
    now = timezone.now()
    rows = [RoadmapTarget(unit=unit, year=year, code=t.code, period=t.period, number=t.number, target=t.target,
                          set_by=actor, set_role=acting.role, set_at=now)
            for t in previous if (t.code, t.period, t.number) not in have]
    RoadmapTarget.objects.bulk_create(rows)
    return len(rows)
