"""The Cultural Family rate by commune and by district for one year: a read for dashboards.

Four aggregation queries whatever the size of the subtree (a province is ~900,000
households): households per commune, recognitions per commune, revoked awards per
commune, and the units' names. Rows are grouped in the database; Python only adds
communes up into their districts.
"""

from dataclasses import dataclass

from django.db.models import Count

from directory.models import Household, Level, Unit
from titles.models import Award

from .models import Nomination, NominationState


@dataclass(frozen=True)
class RateRow:
    unit_id: int
    name: str
    parent_id: int | None
    households: int
    recognized: int

    @property
    def rate(self):
        return round(100 * self.recognized / self.households, 2) if self.households else None


def _by_commune(rows, key):
    return {row[key]: row["n"] for row in rows}


def cultural_family_rates(*, root, year, title_type):
    """{"communes": [RateRow], "districts": [RateRow]} for every commune under `root`.

    A household counts as a Cultural Family of `year` when its nomination was
    recognized and its award has not been revoked. Households are the active ones
    of each hamlet today (the register keeps no dated household roll).
    """
    households = _by_commune(
        Household.objects.filter(active=True, hamlet__path__startswith=root.path)
        .values("hamlet__parent_id").annotate(n=Count("pk")).order_by(),
        "hamlet__parent_id",
    )
    recognized = _by_commune(
        Nomination.objects.filter(title_type=title_type, year=year, state=NominationState.RECOGNIZED,
                                  dossier__unit__path__startswith=root.path)
        .values("dossier__unit__parent_id").annotate(n=Count("pk")).order_by(),
        "dossier__unit__parent_id",
    )
    revoked = _by_commune(
        Award.objects.filter(title_type=title_type, year=year, revoked_at__isnull=False,
                             nomination__dossier__unit__path__startswith=root.path)
        .values("nomination__dossier__unit__parent_id").annotate(n=Count("pk")).order_by(),
        "nomination__dossier__unit__parent_id",
    )
    communes = []
    for unit_id, name, parent_id in (
        Unit.objects.filter(path__startswith=root.path, level=Level.COMMUNE)
        .order_by("path").values_list("pk", "name", "parent_id")
    ):
        communes.append(RateRow(unit_id, name, parent_id, households.get(unit_id, 0),
                                recognized.get(unit_id, 0) - revoked.get(unit_id, 0)))
    totals = {}
    for row in communes:
        hh, rec = totals.get(row.parent_id, (0, 0))
        totals[row.parent_id] = (hh + row.households, rec + row.recognized)
    names = dict(Unit.objects.filter(pk__in=totals).values_list("pk", "name")) if totals else {}
    districts = [RateRow(pk, names.get(pk, ""), None, hh, rec) for pk, (hh, rec) in totals.items()]
    return {"communes": communes, "districts": districts}
