"""The Cultural Family rate by commune and by district for one year: a read for dashboards.

Three queries whatever the size of the subtree (a province is ~900,000 households):
the units under the root, active households per hamlet, and the recognitions of the
year summed from the hamlet dossiers' own counters (Dossier.recognized_count, kept
by the services and by revoke_award: a few thousand dossier rows instead of a
million nominations). Python adds hamlets up into communes and communes into districts.
"""

from dataclasses import dataclass

from django.db.models import Count, Sum

from directory.models import Household, Level, Unit

from .models import Dossier


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


def cultural_family_rates(*, root, year, title_type):
    """{"communes": [RateRow], "districts": [RateRow]} for every commune under `root`.

    A household counts as a Cultural Family of `year` when its nomination was
    recognized and its award has not been revoked. Households are the active ones
    of each hamlet today (the register keeps no dated household roll).
    """
    units = list(
        Unit.objects.filter(path__startswith=root.path, level__in=[Level.DISTRICT, Level.COMMUNE, Level.HAMLET])
        .order_by("path").values_list("pk", "name", "parent_id", "level")
    )
    commune_of = {pk: parent_id for pk, _, parent_id, level in units if level == Level.HAMLET}
    # Grouped by hamlet alone: an index-only scan of the active households' partial
    # index, without joining every household to its unit.
    households = {}
    for hamlet_id, n in (
        Household.objects.filter(active=True, hamlet__in=Unit.objects.filter(
            path__startswith=root.path, level=Level.HAMLET).values("pk"))
        .values("hamlet_id").annotate(n=Count("pk")).order_by().values_list("hamlet_id", "n")
    ):
        households[commune_of[hamlet_id]] = households.get(commune_of[hamlet_id], 0) + n
    recognized = dict(
        Dossier.objects.filter(title_type=title_type, year=year, unit__path__startswith=root.path,
                               unit__level=Level.HAMLET)
        .values("unit__parent_id").annotate(n=Sum("recognized_count")).order_by()
        .values_list("unit__parent_id", "n")
    )
    communes = [
        RateRow(pk, name, parent_id, households.get(pk, 0), recognized.get(pk) or 0)
        for pk, name, parent_id, level in units if level == Level.COMMUNE
    ]
    totals = {}
    for row in communes:
        hh, rec = totals.get(row.parent_id, (0, 0))
        totals[row.parent_id] = (hh + row.households, rec + row.recognized)
    names = {pk: name for pk, name, _, _ in units}
    if any(pk not in names for pk in totals):  # root is a commune: its district is above it
        names.update(Unit.objects.filter(pk__in=totals).values_list("pk", "name"))
    districts = [RateRow(pk, names.get(pk, ""), None, hh, rec) for pk, (hh, rec) in totals.items()]
    return {"communes": communes, "districts": districts}
