"""Reads of the evaluation: what the register already knows (engine indicators), the roll-up of the
reports below, the roadmap comparison and which units have reported. Queries do not grow with the
number of hamlets, households or indicators."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.models import Household, Level, Unit
from titles.models import Award
from workflows.models import Nomination, NominationState

from .aggregation import AGGREGATED, Column, aggregate, behind, rate
from .models import (
    IndicatorValue, PoorHousehold, PovertyCategory, Report, ReportState, ReviewResult, RoadmapTarget, Sponsor,
    Support, ValueSource,
)

ROLLED = (ReportState.ACCEPTED, ReportState.ROLLED_UP)
ENGINE_NOTES = {  # where each engine indicator comes from, shown beside its locked value
    "households": gettext_lazy("active households in the register"),
    "cf_registered": gettext_lazy("Cultural Family registrations of the year"),
    "cf_recognized": gettext_lazy("Cultural Family recognition decisions of the year"),
    "cultural_hamlet": gettext_lazy("cultural hamlet title in the register"),
    "hamlets": gettext_lazy("hamlets and quarters in force at the end of the period"),
    "poor_households": gettext_lazy("the year's poor-household list"),
    "near_poor_households": gettext_lazy("the year's near-poor list"),
    "poor_and_near_poor": gettext_lazy("the year's poor and near-poor lists"),
    "poor_sponsored": gettext_lazy("sponsorship ledger"),
    "escaped_poverty": gettext_lazy("sponsorship ledger: results of the poverty review"),
    "support_value": gettext_lazy("sponsorship ledger: support given this year"),
    "commendations_1811": gettext_lazy("the hamlet's 18 November proposals of the year"),
}


def _paths_q(units, field_name="path"):
    return reduce(or_, (Q(**{f"{field_name}__startswith": unit.path}) for unit in units))


def _owner_of(units):
    """A function mapping a hamlet's path to the one of `units` whose subtree holds it."""
    ordered = sorted(units, key=lambda u: -len(u.path))

    def owner(path):
        return next((unit.pk for unit in ordered if path.startswith(unit.path)), None)
    return owner


def engine_values(scheme, units, year, period, end):
    """{unit id: {indicator code: (value, note)}} for the scheme's engine indicators of `units`
    (one level), as the register stands at the end of the period: eight queries whatever the
    number of units and hamlets."""
    units = list(units)
    if not units:
        return {}
    titles = scheme.data["titles"]
    hamlets = dict(Unit.objects.valid_on(end).filter(_paths_q(units), level=Level.HAMLET)
                   .values_list("pk", "path"))
    owner = _owner_of(units)
    owner_of_hamlet = {pk: owner(path) for pk, path in hamlets.items()}
    per = defaultdict(lambda: defaultdict(Decimal))

    def add(code, hamlet_id, amount):
        unit_id = owner_of_hamlet.get(hamlet_id)
        if unit_id is not None:
            per[unit_id][code] += Decimal(amount or 0)

    hamlet_ids = list(hamlets)
    for hamlet_id in hamlet_ids:
        add("hamlets", hamlet_id, 1)
    for hamlet_id, n in (Household.objects.filter(hamlet_id__in=hamlet_ids, active=True)
                         .values("hamlet_id").annotate(n=Count("pk")).values_list("hamlet_id", "n")):
        add("households", hamlet_id, n)
    for hamlet_id, n in (Nomination.objects.filter(title_type__code=titles["family"], year=year,
                                                   household__hamlet_id__in=hamlet_ids)
                         .exclude(state=NominationState.WITHDRAWN)
                         .values("household__hamlet_id").annotate(n=Count("pk"))
                         .values_list("household__hamlet_id", "n")):
        add("cf_registered", hamlet_id, n)
    for hamlet_id, n in (Award.objects.filter(title_type__code=titles["family"], year=year, revoked_at__isnull=True,
                                              household__hamlet_id__in=hamlet_ids)
                         .values("household__hamlet_id").annotate(n=Count("pk"))
                         .values_list("household__hamlet_id", "n")):
        add("cf_recognized", hamlet_id, n)
    # The hamlet committee's 18 November lists (workflows.procedures.festival): one nomination per
    # person, household or collective proposed, withdrawn ones left out.
    for hamlet_id, n in (Nomination.objects.filter(title_type__code__in=titles.get("festival", []), year=year,
                                                   dossier__unit_id__in=hamlet_ids)
                         .exclude(state=NominationState.WITHDRAWN)
                         .values("dossier__unit_id").annotate(n=Count("pk")).values_list("dossier__unit_id", "n")):
        add("commendations_1811", hamlet_id, n)
    # Before the year's decision (taken in November or December) a hamlet holds last year's title.
    title_year = year if period == "year" else year - 1
    cultural = set(Award.objects.filter(title_type__code=titles["hamlet"], year=title_year, revoked_at__isnull=True,
                                        hamlet_id__in=hamlet_ids).values_list("hamlet_id", flat=True))
    for hamlet_id in cultural:
        add("cultural_hamlet", hamlet_id, 1)
    entries = PoorHousehold.objects.filter(year=year, hamlet_id__in=hamlet_ids)
    for hamlet_id, category, n, with_sponsor, escaped in (
            entries.values("hamlet_id", "category")
            .annotate(n=Count("pk"),
                      with_sponsor=Count("pk", filter=Q(pk__in=Sponsor.objects.filter(since__lte=end)
                                                         .values("entry_id"))),
                      escaped=Count("pk", filter=Q(review_result=ReviewResult.ESCAPED)))
            .values_list("hamlet_id", "category", "n", "with_sponsor", "escaped")):
        add("poor_households" if category == PovertyCategory.POOR else "near_poor_households", hamlet_id, n)
        add("poor_and_near_poor", hamlet_id, n)
        add("poor_sponsored", hamlet_id, with_sponsor)
        add("escaped_poverty", hamlet_id, escaped)
    for hamlet_id, total in (Support.objects.filter(sponsor__entry__year=year, sponsor__entry__hamlet_id__in=hamlet_ids,
                                                    given_on__gte=datetime.date(year, 1, 1), given_on__lte=end)
                             .values("sponsor__entry__hamlet_id").annotate(total=Sum("value"))
                             .values_list("sponsor__entry__hamlet_id", "total")):
        add("support_value", hamlet_id, total)
    result = {}
    for unit in units:
        found = per.get(unit.pk, {})
        values = {}
        for indicator in scheme.indicators_for(unit.level):
            source = indicator.get("source")
            if indicator["type"] != "engine" or source not in ENGINE_NOTES:
                continue
            amount = found.get(source, Decimal(0))
            if source == "cultural_hamlet" and unit.level == Level.HAMLET:
                amount = unit.pk in cultural
            values[indicator["code"]] = (amount, f"engine:{source}")
        result[unit.pk] = values
    return result


def child_reports(report):
    """The reports that roll up into `report`: the level below in the scheme's route, same period,
    in the unit's subtree."""
    child_level = report.scheme.child_level(report.level)
    if child_level is None:
        return Report.objects.none()
    return Report.objects.filter(year=report.year, period=report.period, number=report.number, level=child_level,
                                 unit_path__startswith=report.unit_path)


def rollup_columns(reports):
    """{indicator code: Column} over the values of `reports`, in one grouped query."""
    rows = (IndicatorValue.objects.filter(report__in=reports).values("code")
            .annotate(total=Sum("number"), numbers=Count("number"), trues=Count("pk", filter=Q(boolean=True))))
    return {row["code"]: Column(total=row["total"], numbers=row["numbers"], trues=row["trues"]) for row in rows}


@dataclass
class Line:
    indicator: dict
    value: object = None
    source: str = ValueSource.ENTERED
    note: str = ""
    target: Decimal | None = None

    @property
    def locked(self):
        return self.source != ValueSource.ENTERED

    @property
    def source_label(self):
        return ValueSource(self.source).label

    @property
    def difference(self):
        if self.target is None or self.value is None or isinstance(self.value, (bool, str)):
            return None
        return self.value - self.target

    @property
    def behind(self):
        if self.target is None or isinstance(self.value, (bool, str)):
            return False
        return behind(self.indicator, self.value, self.target)


@dataclass
class Sheet:
    """A report as its page shows it: per content, the indicators with value, source and target."""

    report: Report
    contents: list = field(default_factory=list)  # [(content, [Line])]
    children_expected: int = 0
    children_in: int = 0

    @property
    def lines(self):
        return [line for _content, lines in self.contents for line in lines]


def live_values(report, *, children=None):
    """{code: (value, source, note)} the report holds now: stored entries, and, while it can
    change, the engine's and the roll-up's values computed afresh (frozen when it is sent)."""
    stored = {v.code: v for v in report.values.all()}
    values = {code: (v.value, v.source, v.note) for code, v in stored.items()}
    if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        return values
    indicators = report.scheme.indicators_for(report.level)
    engine = engine_values(report.scheme, [report.unit], report.year, report.period, report.period_end)[report.unit.pk]
    for code, (value, note) in engine.items():
        values[code] = (value, ValueSource.ENGINE, note)
    if children is None:
        children = child_reports(report)
    if report.scheme.child_level(report.level):
        rolled = children.filter(state__in=ROLLED)
        columns = rollup_columns(rolled)
        count_in = len(rolled)
        note = f"rollup:{count_in}"
        for indicator in indicators:
            if indicator["aggregation"] in AGGREGATED and indicator["type"] != "engine":
                values[indicator["code"]] = (aggregate(indicator["aggregation"],
                                                       columns.get(indicator["code"], Column())),
                                             ValueSource.ROLLUP, note)
    for indicator in indicators:
        if indicator["type"] == "rate":
            numerator = values.get(indicator["numerator"], (None,))[0]
            denominator = values.get(indicator["denominator"], (None,))[0]
            values[indicator["code"]] = (rate(numerator, denominator), ValueSource.COMPUTED,
                                         f"rate:{indicator['numerator']}:{indicator['denominator']}")
    return values


def note_text(scheme, note):
    """A stored note ("engine:<source>", "rollup:<n>", "rate:<a>:<b>") in the reader's language: the
    note is kept as a key so that a report sent in Vietnamese reads in English too."""
    kind, _sep, rest = note.partition(":")
    if kind == "engine" and rest in ENGINE_NOTES:
        return str(ENGINE_NOTES[rest])
    if kind == "rollup" and rest.isdigit():
        return _("%(n)s reports of the units below") % {"n": rest}
    if kind == "rate" and rest.count(":") == 1:
        numerator, denominator = rest.split(":")
        return _("%(a)s ÷ %(b)s") % {"a": scheme.indicator(numerator)["label"],
                                      "b": scheme.indicator(denominator)["label"]}
    return note


def targets_for(unit, year, period, number):
    return dict(RoadmapTarget.objects.filter(unit=unit, year=year, period=period, number=number)
                .values_list("code", "target"))


def sheet(report):
    """The report's Sheet: values by content, roadmap targets beside them, who has reported below."""
    children = child_reports(report)
    values = live_values(report, children=children)
    targets = targets_for(report.unit, report.year, report.period, report.number)
    result = Sheet(report=report)
    by_content = defaultdict(list)
    for indicator in report.scheme.indicators_for(report.level):
        value, source, note = values.get(indicator["code"], (None, ValueSource.ENTERED, ""))
        if indicator["type"] in ("engine", "rate") or (indicator["aggregation"] in AGGREGATED
                                                      and report.scheme.child_level(report.level)):
            source = source if source != ValueSource.ENTERED else (
                ValueSource.ENGINE if indicator["type"] == "engine" else
                ValueSource.COMPUTED if indicator["type"] == "rate" else ValueSource.ROLLUP)
        by_content[indicator["content"]].append(Line(
            indicator=indicator, value=value, source=source, note=note_text(report.scheme, note or ""),
            target=targets.get(indicator["code"]) if indicator.get("roadmap") else None))
    result.contents = [(content, by_content.get(content["code"], [])) for content in report.scheme.contents]
    if report.scheme.child_level(report.level):
        result.children_in = children.filter(state__in=ROLLED).count()
        result.children_expected = expected_children(report).count()
    return result


def expected_children(report):
    """The units that owe `report` a report: those of the level below, in force at the period's end."""
    child_level = report.scheme.child_level(report.level)
    if child_level is None:
        return Unit.objects.none()
    return Unit.objects.valid_on(report.period_end).filter(level=child_level, path__startswith=report.unit_path)


def reporting_status(report):
    """[(unit, its report or None)] for the units below `report`: who has reported (2 queries)."""
    units = list(expected_children(report).order_by("path"))
    reports = {r.unit_id: r for r in child_reports(report).select_related("unit")}
    return [(unit, reports.get(unit.pk)) for unit in units]


def reviewing_unit(report):
    """The unit a report goes to: the ancestor at the level the scheme's route names, or None (top)."""
    level = report.scheme.route.get(report.level)
    if level is None:
        return None
    return Unit.objects.filter(pk__in=report.unit.ancestor_ids, level=level).first()


def province_rollup(province, years, period="year", number=1, level=Level.HAMLET):
    """{year: {code: Column}} of every `level` report of the subtree for `years`: the province's
    series over several years in one grouped query (the benchmark's province scale)."""
    rows = (IndicatorValue.objects.filter(report__unit_path__startswith=province.path, report__year__in=years,
                                          report__period=period, report__number=number, report__level=level,
                                          report__state__in=ROLLED)
            .values("report__year", "code")
            .annotate(total=Sum("number"), numbers=Count("number"), trues=Count("pk", filter=Q(boolean=True))))
    result = defaultdict(dict)
    for row in rows:
        result[row["report__year"]][row["code"]] = Column(row["total"], row["numbers"], row["trues"])
    return dict(result)
