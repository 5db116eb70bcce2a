"""The recognition rates by commune and by district for one year: a read for dashboards.

Two per subject kind of title:

* the Cultural Family rate (households recognized / households on the roll), from one row per
  hamlet dossier of the year;
* the cultural hamlet rate (hamlets recognized / hamlets on the roll), from one row per commune
  dossier of the year.

Each in at most two queries whatever the size of the subtree (a province is ~900,000
households, ~11,000 hamlets): the units under the root, one row per dossier of the year with its
own counters (Dossier.recognized_count, kept by the services and by revoke_award;
Dossier.households_on_roll, the roll of the dossier's unit recorded with the round, whatever the
kind of subject it counts); for units without a round that year, their roll comes with the units
(a hamlet's active households, Unit.active_households, kept by the database). Python adds the rows
up into communes and communes into districts.
"""

import datetime
from dataclasses import dataclass

from directory.models import Level, Unit

from .models import Dossier


@dataclass(frozen=True)
class RateRow:
    unit_id: int
    name: str
    parent_id: int | None
    # Subjects on the roll (households or hamlets, after the title's subject kind) and those recognized.
    roll: int
    recognized: int

    @property
    def rate(self):
        return round(100 * self.recognized / self.roll, 2) if self.roll else None


def cultural_family_rates(*, root, year, title_type):
    """{"communes": [RateRow], "districts": [RateRow]} for every commune under `root`.

    A household counts as a Cultural Family of `year` when its nomination was
    recognized and its award has not been revoked. The households of a hamlet are
    the roll of its round that year (counted when the title was decided); a hamlet
    without a round counts its active households today.
    """
    units = list(
        Unit.objects.filter(path__startswith=root.path, level__in=[Level.DISTRICT, Level.COMMUNE, Level.HAMLET])
        .order_by("path").values_list("pk", "name", "parent_id", "level", "active_households")
    )
    commune_of = {pk: parent_id for pk, _, parent_id, level, _n in units if level == Level.HAMLET}
    active = {pk: n for pk, _, _parent, level, n in units if level == Level.HAMLET}
    rounds = Dossier.objects.filter(title_type=title_type, year=year, unit_path__startswith=root.path,
                                    unit__level=Level.HAMLET)
    households, recognized, counted = {}, {}, set()
    for hamlet_id, commune_id, n_recognized, roll in (
        rounds.order_by().values_list("unit_id", "unit__parent_id", "recognized_count", "households_on_roll")
    ):
        recognized[commune_id] = recognized.get(commune_id, 0) + n_recognized
        if roll is not None:
            households[commune_id] = households.get(commune_id, 0) + roll
            counted.add(hamlet_id)
    # Hamlets without a recorded roll that year still count in the denominator, with
    # today's active households (the hamlet's own count, kept by the database).
    for hamlet_id, commune_id in commune_of.items():
        if hamlet_id not in counted:
            households[commune_id] = households.get(commune_id, 0) + active[hamlet_id]
    return _communes_and_districts([row[:4] for row in units], households, recognized)


def cultural_hamlet_rates(*, root, year, title_type):
    """{"communes": [RateRow], "districts": [RateRow]} of a hamlet title for every commune under `root`.

    A hamlet counts as recognized in `year` when its nomination was recognized and its award has
    not been revoked: the commune dossier's recognized_count. The hamlets of a commune are the roll
    of its round that year (counted when the title was decided); a commune without a round counts
    its hamlets in force that year (hamlets_in_force), so a merged or dissolved hamlet leaves the
    denominator of the years after it, not of the years before.
    """
    units = list(
        Unit.objects.filter(path__startswith=root.path, level__in=[Level.DISTRICT, Level.COMMUNE, Level.HAMLET])
        .order_by("path").values_list("pk", "name", "parent_id", "level", "valid_from", "valid_to")
    )
    hamlets, recognized = {}, {}
    for commune_id, n_recognized, roll in (
        Dossier.objects.filter(title_type=title_type, year=year, unit_path__startswith=root.path,
                               unit__level=Level.COMMUNE)
        .order_by().values_list("unit_id", "recognized_count", "households_on_roll")
    ):
        recognized[commune_id] = n_recognized
        if roll is not None:
            hamlets[commune_id] = roll
    in_force = hamlets_in_force([(parent_id, valid_from, valid_to) for _, _, parent_id, level, valid_from, valid_to
                                 in units if level == Level.HAMLET], year)
    for commune_id, n in in_force.items():
        hamlets.setdefault(commune_id, n)
    return _communes_and_districts([row[:4] for row in units], hamlets, recognized)


def year_end(year):
    """The day on which a year's hamlets in force are counted: its last, the day its rate stands at."""
    return datetime.date(year, 12, 31)


def hamlets_in_force(hamlets, year):
    """{commune id: hamlets in force on the last day of `year`} from (commune id, valid_from, valid_to)
    rows: counted in Python, so many years read one list of hamlets."""
    day, counts = year_end(year), {}
    for commune_id, valid_from, valid_to in hamlets:
        if valid_from <= day and (valid_to is None or valid_to >= day):
            counts[commune_id] = counts.get(commune_id, 0) + 1
    return counts


def _communes_and_districts(units, roll, recognized):
    """The commune rows from {commune id: roll} and {commune id: recognized}, and their districts' sums."""
    communes = [
        RateRow(pk, name, parent_id, roll.get(pk, 0), recognized.get(pk) or 0)
        for pk, name, parent_id, level in units if level == Level.COMMUNE
    ]
    totals = {}
    for row in communes:
        on_roll, rec = totals.get(row.parent_id, (0, 0))
        totals[row.parent_id] = (on_roll + row.roll, rec + row.recognized)
    names = {pk: name for pk, name, _, _ in units}
    if any(pk not in names for pk in totals):  # root is a commune: its district is above it
        names.update(Unit.objects.filter(pk__in=totals).values_list("pk", "name"))
    districts = [RateRow(pk, names.get(pk, ""), None, on_roll, rec) for pk, (on_roll, rec) in totals.items()]
    return {"communes": communes, "districts": districts}
