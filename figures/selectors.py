"""The figures a commune, a district, a province or a supervisor reads: recognition rates by unit and year,
this year's rounds by stage, and one unit over the years. Each in a constant number of queries, read from
the dossiers' own counters (see workflows.selectors_rollup), never by counting nominations.

The rates come in one pair of functions per subject kind of title (households of a hamlet for the
Cultural Family, hamlets of a commune for the cultural hamlet); figures.kinds picks the pair a title's
kind reads."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from directory.models import Level, Unit
from directory.selectors import grants_of
from workflows.deadlines import overdue_q
from workflows.models import Dossier, DossierState
from workflows.selectors_rollup import (
    RateRow,
    cultural_family_rates,
    cultural_hamlet_rates,
    hamlets_in_force,
)

LEVELS_WITH_FIGURES = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def dashboard_units(user):
    """The units whose figures `user` reads: commune level and above, where it holds view_unit_dossiers
    (the roles of communes, districts, the province and supervisors), nearest the top first."""
    grants = grants_of(user)
    units = Unit.objects.filter(level__in=LEVELS_WITH_FIGURES)
    if not grants.superuser:
        units = units.filter(pk__in=[u.pk for u in grants.units_with("directory.view_unit_dossiers")
                                     if u.level in LEVELS_WITH_FIGURES])
    return units.order_by("path")


@dataclass(frozen=True)
class HamletRow:
    """A hamlet's Cultural Family round: households registered, on the roll and recognized."""
    unit_id: int
    name: str
    commune: str
    registered: int
    roll: int
    recognized: int
    state: str

    @property
    def rate(self):
        return round(100 * self.recognized / self.roll, 2) if self.roll else None


def hamlet_rows(*, root, year, title_type):
    """One row per hamlet under `root` that has a round of `title_type` in `year` (one query)."""
    rows = (Dossier.objects.filter(title_type=title_type, year=year, unit_path__startswith=root.path,
                                   unit__level=Level.HAMLET)
            .order_by("unit_path").values_list("unit_id", "unit__name", "unit__parent__name", "households_count",
                                               "households_on_roll", "recognized_count", "state"))
    return [HamletRow(pk, name, commune, registered, roll if roll is not None else registered, recognized, state)
            for pk, name, commune, registered, roll, recognized, state in rows]


def _with_total(root, rolled, **more):
    total = RateRow(root.pk, root.name, None, sum(r.roll for r in rolled["communes"]),
                    sum(r.recognized for r in rolled["communes"]))
    return {"communes": rolled["communes"], "districts": rolled["districts"] if root.level == Level.PROVINCE else [],
            "hamlets": [], "total": total, **more}


def household_rates(*, root, year, title_type):
    """The Cultural Family rows for `root`: its communes (a district or province also gets its districts,
    a commune its hamlets) and the total."""
    rolled = cultural_family_rates(root=root, year=year, title_type=title_type)
    hamlets = hamlet_rows(root=root, year=year, title_type=title_type) if root.level == Level.COMMUNE else []
    return _with_total(root, rolled, hamlets=hamlets)


def hamlet_rates(*, root, year, title_type):
    """The cultural hamlet rows for `root`: its communes (a province also gets its districts) and the
    total. A hamlet is recognized or not, so there is no rate by hamlet."""
    return _with_total(root, cultural_hamlet_rates(root=root, year=year, title_type=title_type))


def round_progress(*, root, year, title_type, today=None):
    """How many of this year's rounds under `root` are at each stage, and how many are overdue (one row per
    dossier, whatever unit a dossier of the title belongs to)."""
    today = today or timezone.localdate()
    dossiers = Dossier.objects.filter(title_type=title_type, year=year, unit_path__startswith=root.path)
    counts = dict(dossiers.order_by().values_list("state").annotate(n=Count("pk")))
    overdue = dossiers.filter(overdue_q(today)).count()
    stages = [(state, label, counts.get(state, 0)) for state, label in DossierState.choices]
    return {"stages": stages, "total": sum(counts.values()), "overdue": overdue}


def _rate(recognized, roll):
    return round(100 * recognized / roll, 2) if roll else None


def _years(*, root, title_type, years, level, roll_without_round):
    """[(year, on the roll, recognized, rate)] for `root` over `years`, read from the `level` dossiers'
    counters (recognized, and the roll recorded with each round); a unit without a recorded roll that year
    counts `roll_without_round(year)` ({unit id: n}). One query, plus what roll_without_round reads."""
    rounds = {}
    for year, unit_id, recognized, roll in (
        Dossier.objects.filter(title_type=title_type, year__in=list(years), unit_path__startswith=root.path,
                               unit__level=level)
        .order_by().values_list("year", "unit_id", "recognized_count", "households_on_roll")
    ):
        rounds.setdefault(year, {})[unit_id] = (recognized, roll)
    result = []
    for year in years:
        of_year = rounds.get(year, {})
        recognized = sum(n for n, _roll in of_year.values())
        on_roll = sum(roll for _n, roll in of_year.values() if roll is not None) + sum(
            n for pk, n in roll_without_round(year).items() if pk not in of_year or of_year[pk][1] is None)
        result.append((year, on_roll, recognized, _rate(recognized, on_roll)))
    return result


def household_years(*, root, title_type, years):
    """[(year, households, recognized, rate)] for `root` over `years`, by the roll-up's own rule (a hamlet's
    roll for its round that year, today's active households for a hamlet without one), so the year chosen
    reads the same here as in the rate table. Two queries whatever the number of years and hamlets."""
    active = dict(Unit.objects.filter(path__startswith=root.path, level=Level.HAMLET)
                  .values_list("pk", "active_households"))
    return _years(root=root, title_type=title_type, years=years, level=Level.HAMLET,
                  roll_without_round=lambda year: active)


def hamlet_years(*, root, title_type, years):
    """[(year, hamlets, recognized, rate)] of a hamlet title for `root` over `years`, by the roll-up's own
    rule (a commune's roll for its round that year, its hamlets in force that year for a commune without
    one). Two queries whatever the number of years, communes and hamlets."""
    hamlets = list(Unit.objects.filter(path__startswith=root.path, level=Level.HAMLET)
                   .order_by().values_list("parent_id", "valid_from", "valid_to"))
    return _years(root=root, title_type=title_type, years=years, level=Level.COMMUNE,
                  roll_without_round=lambda year: hamlets_in_force(hamlets, year))
