"""The roll-up written by hand in SQL: the baseline of workflows.selectors_rollup."""

from django.db import connection

from directory.models import Household, Unit
from workflows.models import Dossier, Nomination

SQL = f"""
WITH hh AS (
    SELECT hamlet.parent_id AS commune_id, count(*) AS households
    FROM {Household._meta.db_table} h JOIN {Unit._meta.db_table} hamlet ON hamlet.id = h.hamlet_id
    WHERE h.active AND hamlet.path LIKE %(prefix)s
    GROUP BY hamlet.parent_id
), rec AS (
    SELECT hamlet.parent_id AS commune_id, count(*) AS recognized
    FROM {Nomination._meta.db_table} n
    JOIN {Dossier._meta.db_table} dos ON dos.id = n.dossier_id
    JOIN {Unit._meta.db_table} hamlet ON hamlet.id = dos.unit_id
    WHERE n.title_type_id = %(title)s AND n.year = %(year)s AND n.state = 'recognized'
      AND hamlet.path LIKE %(prefix)s
    GROUP BY hamlet.parent_id
)
SELECT c.id, c.name, c.parent_id, coalesce(hh.households, 0), coalesce(rec.recognized, 0)
FROM {Unit._meta.db_table} c
LEFT JOIN hh ON hh.commune_id = c.id LEFT JOIN rec ON rec.commune_id = c.id
WHERE c.level = 'commune' AND c.path LIKE %(prefix)s
ORDER BY c.path
"""


def rates(path, year, title_id):
    """Rows per commune, then per district summed in Python (as the selector does).

    Revoked awards are not subtracted here: the baseline is the bare aggregation."""
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"prefix": path + "%", "year": year, "title": title_id})
        communes = cursor.fetchall()
    districts = {}
    for _pk, _name, parent, hh, rec in communes:
        a, b = districts.get(parent, (0, 0))
        districts[parent] = (a + hh, b + rec)
    return communes, districts
