"""The figures a commune, a district, a province or a supervisor reads: recognition rates by unit and year,
this year's rounds by stage, and one unit over the years. Each in a constant number of queries, read from
the dossiers' own counters (see workflows.selectors_rollup), never by counting nominations."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from directory.models import Level, Unit
from directory.selectors import grants_of
from notifications.selectors import overdue_q
from workflows.models import Dossier, DossierState
from workflows.selectors_rollup import RateRow, cultural_family_rates

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
    unit_id: int
    name: str
    commune: str
    registered: int
    households: int
    recognized: int
    state: str

    @property
    def rate(self):
        return round(100 * self.recognized / self.households, 2) if self.households else None


def hamlet_rows(*, root, year, title_type):
    """One row per hamlet under `root` that has a round of `title_type` in `year` (one query)."""
    rows = (Dossier.objects.filter(title_type=title_type, year=year, unit_path__startswith=root.path,
                                   unit__level=Level.HAMLET)
            .order_by("unit_path").values_list("unit_id", "unit__name", "unit__parent__name", "households_count",
                                               "households_on_roll", "recognized_count", "state"))
    return [HamletRow(pk, name, commune, registered, roll if roll is not None else registered, recognized, state)
            for pk, name, commune, registered, roll, recognized, state in rows]


def rates(*, root, year, title_type):
    """The rows a rate table shows for `root`: its communes (a district or province also gets its districts,
    a commune its hamlets)."""
    rolled = cultural_family_rates(root=root, year=year, title_type=title_type)
    total = RateRow(root.pk, root.name, None, sum(r.households for r in rolled["communes"]),
                    sum(r.recognized for r in rolled["communes"]))
    return {"communes": rolled["communes"], "districts": rolled["districts"] if root.level == Level.PROVINCE else [],
            "hamlets": hamlet_rows(root=root, year=year, title_type=title_type) if root.level == Level.COMMUNE else [],
            "total": total}


def round_progress(*, root, year, title_type, today=None):
    """How many of this year's hamlet rounds under `root` are at each stage, and how many are overdue."""
    today = today or timezone.localdate()
    dossiers = Dossier.objects.filter(title_type=title_type, year=year, unit_path__startswith=root.path)
    counts = dict(dossiers.order_by().values_list("state").annotate(n=Count("pk")))
    overdue = dossiers.filter(overdue_q(today)).count()
    stages = [(state, label, counts.get(state, 0)) for state, label in DossierState.choices]
    return {"stages": stages, "total": sum(counts.values()), "overdue": overdue}


def years_of(*, root, title_type, years):
    """[(year, households on the rolls, recognized, rate)] for `root` over `years`: one query, from the rounds'
    counters (a hamlet without a round that year is not in that year's denominator here)."""
    rows = dict(
        (year, (roll or 0, recognized or 0))
        for year, roll, recognized in Dossier.objects.filter(
            title_type=title_type, year__in=list(years), unit_path__startswith=root.path, unit__level=Level.HAMLET)
        .order_by().values("year").annotate(roll=Sum("households_on_roll", filter=Q(households_on_roll__isnull=False)),
                                            recognized=Sum("recognized_count"))
        .values_list("year", "roll", "recognized")
    )
    result = []
    for year in years:
        roll, recognized = rows.get(year, (0, 0))
        result.append((year, roll, recognized, round(100 * recognized / roll, 2) if roll else None))
    return result
