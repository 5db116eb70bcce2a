"""Eligibility for a certificate of merit over a commune (4,500 households) and a district (45,000), five years
of register, beside one raw-SQL window query computing the same list.

    DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.merit [--repeat 5]

Seeds its own district (unit codes BENCHM…, reused when complete) with the bench's helpers: 10 communes of 10
hamlets of 450 households; 2019–2023 decided Cultural Family rounds (~93 % recognized each year,
benchmarks.seeding); 0.5 % of the 2022 awards revoked; certificates of merit for 2021 (2019–2021) given to a
tenth of the households that held those years, so that 2023's window (2021–2023) overlaps them. Then times
`titles.merit.eligibility` for 2023 (the standings of every household: the streak with its decision numbers,
the reasons) and the raw query, checks that both find the same eligible households with the same streaks, and
prints the medians, the queries and the ratio. Nothing here is a transition: the register rows are fixtures for
a read.
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

from directory.models import Household, Level, Unit, UnitKind  # noqa: E402
from titles.merit import eligibility  # noqa: E402
from titles.models import Award, RuleSet, TitleType  # noqa: E402
from workflows.models import Decision, Dossier, DossierState, Nomination, NominationState, Revocation  # noqa: E402

from . import seeding  # noqa: E402
from .harness import QueryCounter, machine, rss_mib  # noqa: E402

PREFIX = "BENCHM"
YEARS = range(2019, 2024)
YEAR = 2023
COMMUNES, HAMLETS, HOUSEHOLDS = 10, 10, 450


def seed(log=print):
    rng = random.Random(1122018)
    province = seeding._unit(PREFIX, "Tỉnh bench (Giấy khen)", Level.PROVINCE, UnitKind.TINH, None,
                             datetime.date(1976, 1, 1))
    district = seeding._unit(f"{PREFIX}-D01", "Huyện bench (Giấy khen)", Level.DISTRICT, UnitKind.HUYEN, province,
                             datetime.date(2004, 1, 1))
    communes = seeding._bulk_units(district, [(f"{PREFIX}-C{c:02d}", f"Xã bench {c}", Level.COMMUNE, UnitKind.XA)
                                              for c in range(1, COMMUNES + 1)])
    family = TitleType.objects.get(code="gia-dinh-van-hoa")
    merit = TitleType.objects.get(code="giay-khen-gia-dinh-van-hoa")
    for commune in communes:
        with transaction.atomic():
            hamlets = seeding._bulk_units(commune, [(f"{commune.code}-H{h:02d}", f"Ấp {h} ({commune.name})",
                                                     Level.HAMLET, UnitKind.AP) for h in range(1, HAMLETS + 1)])
            for hamlet in hamlets:
                seeding._stream_households(rng, hamlet, HOUSEHOLDS)
            for year in YEARS:
                have = set(Dossier.objects.filter(unit__in=hamlets, year=year, title_type=family)
                           .values_list("unit_id", flat=True))
                todo = [h for h in hamlets if h.pk not in have]
                if todo:
                    seeding._history_for(rng, family, RuleSet.objects.in_force_for(family, year), commune, todo,
                                         year)
            if not Dossier.objects.filter(unit__in=hamlets, title_type=merit).exists():
                _revoke_some(rng, family, hamlets, commune)
                _certificates(rng, family, merit, hamlets, commune)
        log(f"  {commune.code}: seeded")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return district, communes


def _revoke_some(rng, family, hamlets, commune):
    awards = list(Award.objects.filter(title_type=family, year=2022, household__hamlet__in=hamlets)
                  .values_list("pk", flat=True))
    chosen = rng.sample(awards, max(1, len(awards) // 200))
    revoked_at = datetime.datetime(2023, 4, 3, 9, tzinfo=datetime.timezone.utc)
    Award.objects.filter(pk__in=chosen).update(revoked_at=revoked_at, revocation_reason="d: bench")
    seeding.bulk_insert(Revocation, [
        Revocation(award_id=pk, ground="d", ground_label="Không đạt tiêu chuẩn", legal_basis="Luật 06/2022",
                   decision_number=f"HB-{pk}", decided_on=datetime.date(2023, 4, 1), reason="bench", unit=commune,
                   recorded_by_id=seeding._system_user_id(), role="commune_chair")
        for pk in chosen])


def _certificates(rng, family, merit, hamlets, commune):
    """Certificates of merit for 2021 (2019–2021) to a tenth of the households that held those years."""
    rules = RuleSet.objects.in_force_for(merit, 2021)
    held = {}
    for household_id, year in (Award.objects.filter(title_type=family, year__in=[2019, 2020, 2021],
                                                     revoked_at__isnull=True, household__hamlet__in=hamlets)
                               .values_list("household_id", "year")):
        held.setdefault(household_id, set()).add(year)
    chosen = [pk for pk, years in held.items() if len(years) == 3 and rng.random() < 0.1]
    hamlet_of = dict(Household.objects.filter(pk__in=chosen).values_list("pk", "hamlet_id"))
    dossiers = {h.pk: Dossier.objects.create(
        case=seeding.new_cases(1)[0], title_type=merit, rule_set=rules, unit=h, appraising_unit=commune,
        deciding_unit=commune, year=2021, state=DossierState.DECIDED) for h in hamlets}
    decisions = {pk: Decision.objects.create(dossier=d, unit=commune, number=f"GK-2021-{d.unit_id}/QĐ-UBND",
                                             signed_on=datetime.date(2022, 1, 20), signer="Chủ tịch UBND xã",
                                             recorded_by_id=seeding._system_user_id())
                 for pk, d in dossiers.items()}
    nominations = seeding.bulk_insert(Nomination, [
        Nomination(dossier=dossiers[hamlet_of[pk]], title_type=merit, year=2021, household_id=pk,
                   state=NominationState.RECOGNIZED, registered_on=datetime.date(2022, 1, 5), votes_for=28,
                   votes_against=2) for pk in chosen])
    seeding.bulk_insert(Award, [
        Award(title_type=merit, year=2021, household_id=n.household_id, nomination_id=n.pk,
              decision=decisions[hamlet_of[n.household_id]], certificate_code=f"M21{n.pk:012d}")
        for n in nominations])


RAW = """
WITH subjects AS (
    SELECT h.id FROM directory_household h JOIN directory_unit u ON u.id = h.hamlet_id
    WHERE u.path LIKE %(path)s AND h.active
), titles AS (
    SELECT a.household_id, a.year, a.revoked_at IS NOT NULL AS revoked, d.number, r.decided_on
    FROM titles_award a JOIN workflows_decision d ON d.id = a.decision_id
    LEFT JOIN workflows_revocation r ON r.award_id = a.id
    WHERE a.title_type_id = %(base)s AND a.year <= %(year)s AND a.household_id IN (SELECT id FROM subjects)
), islands AS (
    SELECT household_id, year, number,
           year - ROW_NUMBER() OVER (PARTITION BY household_id ORDER BY year) AS island
    FROM titles WHERE NOT revoked
), streaks AS (
    SELECT household_id, array_agg(year ORDER BY year) AS years, array_agg(number ORDER BY year) AS numbers
    FROM islands GROUP BY household_id, island HAVING MAX(year) = %(year)s
), windows AS (
    SELECT household_id, count(*) FILTER (WHERE NOT revoked) AS held,
           array_agg(year || ' ' || decided_on) FILTER (WHERE revoked) AS revoked
    FROM titles WHERE year >= %(first)s GROUP BY household_id
), merits AS (
    SELECT a.household_id, array_agg((a.year - rs.consecutive_years + 1) || '-' || a.year || ' ' || d.number)
           AS overlapping
    FROM titles_award a JOIN workflows_nomination n ON n.id = a.nomination_id
    JOIN workflows_dossier ds ON ds.id = n.dossier_id JOIN titles_ruleset rs ON rs.id = ds.rule_set_id
    JOIN workflows_decision d ON d.id = a.decision_id
    WHERE a.title_type_id = %(merit)s AND a.revoked_at IS NULL AND a.year >= %(first)s
      AND a.year - rs.consecutive_years + 1 <= %(year)s AND a.household_id IN (SELECT id FROM subjects)
    GROUP BY a.household_id
)
SELECT s.id, st.years, st.numbers, COALESCE(w.held, 0), w.revoked, m.overlapping,
       COALESCE(w.held, 0) = %(window)s AND m.overlapping IS NULL AS eligible
FROM subjects s LEFT JOIN streaks st ON st.household_id = s.id LEFT JOIN windows w ON w.household_id = s.id
LEFT JOIN merits m ON m.household_id = s.id
ORDER BY s.id
"""


def engine(merit, unit):
    result = eligibility(merit, unit, YEAR)
    return {s.subject.pk: (s.eligible, tuple(t.year for t in s.judgement.streak)) for s in result.standings}


def raw(params):
    with connection.cursor() as cursor:
        cursor.execute(RAW, params)
        rows = cursor.fetchall()
    return {pk: (eligible, tuple(years or ())) for pk, years, _, _, _, _, eligible in rows}


def measure(variants, repeat):
    """Each variant `repeat` times, interleaved (engine, raw, engine, raw, …) so that a machine whose speed
    drifts slows both alike: [(median, min, max, queries of the last run, last result)]."""
    runs = [([], 0, None) for _ in variants]
    for _ in range(repeat):
        for i, fn in enumerate(variants):
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                result = fn()
                elapsed = time.perf_counter() - start
            runs[i] = (runs[i][0] + [elapsed], counter.count, result)
    return [(statistics.median(s), min(s), max(s), queries, result) for s, queries, result in runs]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    district, communes = seed()
    print(f"seeded or reused in {time.perf_counter() - started:.1f} s, peak RSS {rss_mib():.0f} MiB")
    merit = TitleType.objects.get(code="giay-khen-gia-dinh-van-hoa")
    base = TitleType.objects.get(code="gia-dinh-van-hoa")
    rules = RuleSet.objects.in_force_for(merit, YEAR)
    print(f"machine: {machine()}")
    for label, unit in (("commune", communes[0]), ("district", district)):
        params = {"path": f"{unit.path}%", "base": base.pk, "merit": merit.pk, "year": YEAR,
                  "first": YEAR - rules.consecutive_years + 1, "window": rules.consecutive_years}
        engine(merit, unit), raw(params)  # warm: plans, caches, the first connection
        e, r = measure([lambda: engine(merit, unit), lambda: raw(params)], args.repeat)
        assert e[4] == r[4], "the engine and the raw query disagree"
        eligible = sum(1 for ok, _ in e[4].values() if ok)
        print(f"{label}: {len(e[4])} households, {eligible} eligible for {YEAR} | engine median {e[0] * 1000:.0f} ms "
              f"(min {e[1] * 1000:.0f}, max {e[2] * 1000:.0f}; {e[3]} queries) | raw SQL median {r[0] * 1000:.0f} ms "
              f"(min {r[1] * 1000:.0f}, max {r[2] * 1000:.0f}; {r[3]} query) | ratio {e[0] / r[0]:.2f}")
    print(f"peak RSS {rss_mib():.0f} MiB, load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
