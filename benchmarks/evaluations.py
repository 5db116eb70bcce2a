"""The Front's evaluation at scale: a district's year-end roll-up (10 communes of 10 hamlets, ~40
indicators) and a province's roll-up over 3 years of year-end reports from 1,000 hamlets, each beside a
raw-SQL aggregation of the same rows in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_evaluation .venv/bin/python -m benchmarks.evaluations

Seeds its own units (codes BENCHE…, reused when complete): a district of 10 communes × 10 hamlets with
every hamlet's and commune's accepted 2024 year-end report, and beside it a tree of 50 communes × 20
hamlets (1,000 hamlets) with every hamlet's accepted year-end report for 2022–2024; each report holds a
value for each indicator its unit types (numbers, yes/no, a text) and the engine's figures frozen on it. The reports are fixtures for a read: written with bulk inserts, not through the
services. Then times, with the queries counted:
- `evaluations.selectors.sheet` of the district's 2024 report (the roll-up of its communes' reports, the
  engine's figures over its 100 hamlets, the roadmap), and of one commune's (its 10 hamlets);
- `evaluations.selectors.province_rollup` over the 1,000 hamlets × 3 years, beside one raw GROUP BY;
and checks that the ORM roll-up and the raw SQL give the same sums.
"""

import argparse
import datetime
import os
import random
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402

from directory.models import Level, UnitKind  # noqa: E402
from evaluations.models import IndicatorValue, Report, ReportState, Scheme  # noqa: E402
from evaluations.selectors import province_rollup, sheet  # noqa: E402
from workflows.audit.models import Case  # noqa: E402

from . import seeding  # noqa: E402
from .harness import QueryCounter, machine, rss_mib  # noqa: E402

PREFIX = "BENCHE"
YEARS = (2022, 2023, 2024)
YEAR = 2024


def _values(rng, report, indicators):
    rows = []
    for ind in indicators:
        if ind["type"] in ("engine", "rate"):
            continue
        if ind["type"] == "boolean":
            rows.append(IndicatorValue(report=report, code=ind["code"], boolean=rng.random() < 0.8))
        elif ind["type"] == "text":
            rows.append(IndicatorValue(report=report, code=ind["code"], text="Mô hình tự quản"))
        else:
            rows.append(IndicatorValue(report=report, code=ind["code"], number=rng.randint(0, 100)))
    # The engine's figures are stored frozen on a sent report, like the services do.
    for code in ("households", "poor_households", "near_poor_households", "poor_and_near_poor", "poor_sponsored",
                 "cf_registered", "cf_recognized"):
        rows.append(IndicatorValue(report=report, code=code, number=rng.randint(0, 450), source="engine"))
    return rows


def _reports(scheme, units, years, level, rng, indicators):
    existing = set(Report.objects.filter(unit__in=units, year__in=years, period="year").values_list("unit_id", "year"))
    wanted = [(u, y) for u in units for y in years if (u.pk, y) not in existing]
    cases = Case.objects.bulk_create([Case(kind="evaluation_report") for _ in wanted], batch_size=2000)
    new = [Report(case=case, scheme=scheme, unit=u, unit_path=u.path, level=level, year=y, period="year", number=1,
                  state=ReportState.ACCEPTED, due_on=datetime.date(y + 1, 1, 5), submitted_on=datetime.date(y, 12, 20))
           for (u, y), case in zip(wanted, cases)]
    Report.objects.bulk_create(new, batch_size=2000)
    created = list(Report.objects.filter(unit__in=units, year__in=years, period="year")
                   .exclude(pk__in=IndicatorValue.objects.values("report_id")))
    rows = [row for report in created for row in _values(rng, report, indicators)]
    IndicatorValue.objects.bulk_create(rows, batch_size=5000)
    return len(new)


def seed(log=print):
    rng = random.Random(83)
    scheme = Scheme.objects.in_force_on(datetime.date(YEAR, 12, 31))
    province = seeding._unit(PREFIX, "Tỉnh bench (đánh giá)", Level.PROVINCE, UnitKind.TINH, None,
                             datetime.date(1976, 1, 1))
    district = seeding._unit(f"{PREFIX}-D", "Huyện bench (đánh giá)", Level.DISTRICT, UnitKind.HUYEN, province,
                             datetime.date(2004, 1, 1))
    big = seeding._unit(f"{PREFIX}-P", "Vùng bench 1.000 ấp", Level.DISTRICT, UnitKind.HUYEN, province,
                        datetime.date(2004, 1, 1))
    hamlet_ind = scheme.indicators_for("hamlet")
    commune_ind = scheme.indicators_for("commune")
    made = 0
    for parent, communes, hamlets in ((district, 10, 10), (big, 50, 20)):
        with transaction.atomic():
            cs = seeding._bulk_units(parent, [(f"{parent.code}-C{c:02d}", f"Xã {c} ({parent.name})", Level.COMMUNE,
                                               UnitKind.XA) for c in range(1, communes + 1)])
            all_hamlets = []
            for commune in cs:
                all_hamlets += seeding._bulk_units(commune, [(f"{commune.code}-H{h:02d}", f"Ấp {h}", Level.HAMLET,
                                                              UnitKind.AP) for h in range(1, hamlets + 1)])
            years = (YEAR,) if parent is district else YEARS
            made += _reports(scheme, all_hamlets, years, Level.HAMLET, rng, hamlet_ind)
            if parent is district:
                made += _reports(scheme, cs, (YEAR,), Level.COMMUNE, rng, commune_ind)
    top = Report.objects.filter(unit=district, year=YEAR, period="year").first()
    if top is None:
        Report.objects.create(case=Case.objects.create(kind="evaluation_report"), scheme=scheme, unit=district, unit_path=district.path, level=Level.DISTRICT, year=YEAR,
                              period="year", due_on=datetime.date(YEAR + 1, 1, 15))
    log(f"seeded {made} reports")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE evaluations_report; ANALYZE evaluations_indicatorvalue; ANALYZE directory_unit")
    return province, district, big


RAW = """
    SELECT r.year, v.code, SUM(v.number), COUNT(v.number), COUNT(*) FILTER (WHERE v.boolean)
    FROM evaluations_indicatorvalue v JOIN evaluations_report r ON r.id = v.report_id
    WHERE r.unit_path LIKE %s AND r.year = ANY(%s) AND r.period = 'year' AND r.number = 1 AND r.level = 'hamlet'
      AND r.state IN ('accepted', 'rolled_up')
    GROUP BY r.year, v.code
"""


def raw_rollup(unit):
    with connection.cursor() as cursor:
        cursor.execute(RAW, [unit.path + "%", list(YEARS)])
        return {(year, code): (total, n, trues) for year, code, total, n, trues in cursor.fetchall()}


def timed(fn, repeat):
    seconds, queries, result = [], [], None
    for _ in range(repeat):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            result = fn()
            seconds.append(time.perf_counter() - start)
        queries.append(counter.count)
    return {"median_ms": round(statistics.median(seconds) * 1000, 1), "min_ms": round(min(seconds) * 1000, 1),
            "queries": max(queries)}, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    province, district, big = seed()
    print(f"seed/reuse: {time.perf_counter() - started:.1f} s")
    district_report = Report.objects.select_related("scheme", "unit").get(unit=district, year=YEAR, period="year")
    commune_report = Report.objects.select_related("scheme", "unit").filter(
        level="commune", year=YEAR, unit_path__startswith=district.path).order_by("unit_path").first()
    figures = {}
    figures["district_sheet"], data = timed(lambda: sheet(district_report), args.repeat)
    figures["district_sheet"]["communes_in"] = data.children_in
    figures["district_sheet"]["indicators"] = len(data.lines)
    figures["commune_sheet"], data = timed(lambda: sheet(commune_report), args.repeat)
    figures["commune_sheet"]["hamlets_in"] = data.children_in
    figures["province_rollup_orm"], orm = timed(lambda: province_rollup(big, YEARS), args.repeat)
    figures["province_rollup_raw_sql"], raw = timed(lambda: raw_rollup(big), args.repeat)
    reports = Report.objects.filter(unit_path__startswith=big.path, level="hamlet", year__in=YEARS).count()
    values = IndicatorValue.objects.filter(report__unit_path__startswith=big.path, report__year__in=YEARS).count()
    same = all(orm[year][code].total == raw[(year, code)][0] and orm[year][code].trues == raw[(year, code)][2]
               for (year, code) in raw)
    figures["province_rollup_orm"].update(reports=reports, values=values, same_as_raw_sql=same)
    figures["ratio_orm_to_raw"] = round(figures["province_rollup_orm"]["median_ms"]
                                        / max(figures["province_rollup_raw_sql"]["median_ms"], 0.01), 2)
    figures["peak_rss_mib"] = round(rss_mib(), 1)
    figures["machine"] = machine()
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
