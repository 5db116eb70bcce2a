"""The Front's evaluation of the campaign: schemes (law as data), unit reports and their indicator
values, roadmap targets, the poor households' sponsorship ledger and inspections.

A report keeps the scheme it was opened under forever (PROTECT, and the loader refuses to rewrite a
scheme a report uses): re-reading a 2021 report in 2027 shows 2021's indicators.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition


class SchemeQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """The scheme in force on `day` (the last day of a report's period), or None."""
        return (self.filter(effective_from__lte=day)
                .filter(models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day))
                .order_by("-effective_from").first())


class Scheme(models.Model):
    """One version of the evaluation scheme: contents, periods, indicators per level, the route of
    the reports, deadlines, inspection criteria and grade bands. Shipped as JSON in
    evaluations/schemes/ (loaded by a data migration and `manage.py load_evaluation_schemes`)."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    # Built from the indicators seen in practice, not from a published table (DOMAIN.md §12).
    illustrative = models.BooleanField(_("illustrative"), default=False)
    data = models.JSONField(_("scheme"))

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation scheme")
        verbose_name_plural = _("evaluation schemes")
        ordering = ["effective_from"]

    def __str__(self):
        return self.name

    @property
    def contents(self):
        return self.data["contents"]

    @property
    def periods(self):
        return self.data["periods"]

    @property
    def route(self):
        """{level: the level its reports go to, or None at the top}."""
        return self.data["route"]

    def indicators_for(self, level):
        return [ind for ind in self.data["indicators"] if level in ind["levels"]]

    def indicator(self, code):
        return next(ind for ind in self.data["indicators"] if ind["code"] == code)

    def child_level(self, level):
        """The level whose reports roll up into a report of `level`, or None (the hamlet)."""
        return next((below for below, above in self.route.items() if above == level), None)

    def deadline_days(self, level):
        return self.data["deadlines"][level]

    def inspection_rules(self, level):
        return self.data["inspections"].get(level)

    @property
    def reinspection_pass_pct(self):
        return self.data["inspections"]["reinspection_pass_pct"]


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Six months (mid-year review)")
    YEAR = "year", _("Year (year-end review)")


def period_end(year, period, number):
    """The last day of a period: the month, the quarter, June (the six-month review) or December."""
    month = {Period.MONTH: number, Period.QUARTER: 3 * number, Period.HALF: 6, Period.YEAR: 12}[period]
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


class ReportState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("evaluation report", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("evaluation report", "Sent")
    RETURNED = "returned", pgettext_lazy("evaluation report", "Returned")
    ACCEPTED = "accepted", pgettext_lazy("evaluation report", "Accepted")
    ROLLED_UP = "rolled_up", pgettext_lazy("evaluation report", "Rolled up")


class Report(FSMModelMixin, models.Model):
    """One unit's self-assessment for one period (hamlet, commune; district or province at the top).

    The state changes only through evaluations.services (protected FSM field)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="evaluation_reports")
    # The unit's path when opened: a subtree's reports are one prefix query (units never move).
    unit_path = models.CharField(max_length=255, editable=False)
    level = models.CharField(_("level"), max_length=16)
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    number = models.PositiveSmallIntegerField(_("period number"), default=1)
    state = FSMField(_("state"), default=ReportState.DRAFT, choices=ReportState.choices, protected=True)
    narrative = models.JSONField(_("narrative"), default=dict, blank=True)  # {content code: text}
    due_on = models.DateField(_("due on"))
    submitted_on = models.DateField(_("sent on"), null=True, blank=True)
    return_reason = models.TextField(_("return reason"), blank=True)
    # The audit chain and the revision a form carries (evaluations.services.trail).
    case = models.OneToOneField("workflows.Case", on_delete=models.PROTECT, related_name="evaluation_report")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation report")
        verbose_name_plural = _("evaluation reports")
        ordering = ["-year", "unit_path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "period", "number"], name="one_report_per_unit_period"),
        ]
        indexes = [models.Index(fields=["year", "period", "number", "level", "unit_path"])]

    def __str__(self):
        return f"{self.unit} – {self.period_label}"

    @property
    def revision(self):
        return self.case.revision

    @property
    def period_end(self):
        return period_end(self.year, self.period, self.number)

    @property
    def period_label(self):
        if self.period in (Period.MONTH, Period.QUARTER):
            return f"{self.get_period_display()} {self.number}/{self.year}"
        return f"{self.get_period_display()} {self.year}"

    @transition(field=state, source=[ReportState.DRAFT, ReportState.RETURNED], target=ReportState.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=ReportState.SUBMITTED, target=ReportState.RETURNED)
    def send_back(self):
        pass

    @transition(field=state, source=ReportState.SUBMITTED, target=ReportState.ACCEPTED)
    def accept(self):
        pass

    # The top of the route (the district until 2025-06-30, the province after) has nobody above
    # it in the engine: closing its roll-up accepts it.
    @transition(field=state, source=[ReportState.DRAFT, ReportState.RETURNED], target=ReportState.ACCEPTED)
    def close(self):
        pass

    @transition(field=state, source=ReportState.ACCEPTED, target=ReportState.ROLLED_UP)
    def roll_up(self):
        pass


class ValueSource(models.TextChoices):
    ENTERED = "entered", _("entered")
    ENGINE = "engine", _("from the engine")
    ROLLUP = "rollup", _("rolled up from the units below")
    COMPUTED = "computed", _("computed from two indicators")


class IndicatorValue(models.Model):
    """One indicator of one report: a number (counts, money, percentages), a yes/no or a short text."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(max_length=60)
    number = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    boolean = models.BooleanField(null=True, blank=True)
    text = models.CharField(max_length=1000, blank=True)
    source = models.CharField(max_length=10, choices=ValueSource.choices, default=ValueSource.ENTERED)
    # Where an engine or roll-up value comes from, in words ("12 of 14 hamlets reported").
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [models.UniqueConstraint(fields=["report", "code"], name="one_value_per_report_indicator")]

    @property
    def value(self):
        if self.boolean is not None:
            return self.boolean
        if self.number is not None:
            return self.number
        return self.text or None


class RoadmapTarget(models.Model):
    """A unit's target for one indicator in one period of a year: the yardstick of its reports."""

    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="roadmap_targets")
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(max_length=60)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    number = models.PositiveSmallIntegerField(_("period number"), default=1)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_role = models.CharField(max_length=32)
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = _("roadmap target")
        verbose_name_plural = _("roadmap targets")
        constraints = [models.UniqueConstraint(fields=["unit", "year", "code", "period", "number"],
                                               name="one_target_per_unit_indicator_period")]


class PovertyCategory(models.TextChoices):
    POOR = "poor", _("Poor")
    NEAR_POOR = "near_poor", _("Near-poor")


class ReviewResult(models.TextChoices):
    ESCAPED = "escaped", _("Escaped poverty")
    REMAINS = "remains", _("Still poor or near-poor")


class LedgerRecord(models.Model):
    """Who wrote a ledger row, in which role, when: the ledger's own record of its changes."""

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_role = models.CharField(max_length=32)
    recorded_at = models.DateTimeField()

    class Meta:
        abstract = True


class PoorHousehold(LedgerRecord):
    """A household on the year's list of poor or near-poor households, under the standard in force."""

    household = models.ForeignKey("directory.Household", on_delete=models.PROTECT, related_name="poverty_entries")
    hamlet = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    standard = models.CharField(_("poverty standard"), max_length=40)
    category = models.CharField(_("category"), max_length=10, choices=PovertyCategory.choices)
    review_result = models.CharField(_("result at the next review"), max_length=10, choices=ReviewResult.choices,
                                     blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("poor or near-poor household")
        verbose_name_plural = _("poor and near-poor households")
        ordering = ["hamlet_id", "household_id"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="one_poverty_entry_per_year")]
        indexes = [models.Index(fields=["year", "hamlet"])]


class SponsorKind(models.TextChoices):
    ORGANISATION = "organisation", _("An organisation")
    HOUSEHOLD = "household", _("A well-off household")
    PERSON = "person", _("A person")


class Sponsor(LedgerRecord):
    entry = models.ForeignKey(PoorHousehold, on_delete=models.PROTECT, related_name="sponsors")
    kind = models.CharField(_("sponsor kind"), max_length=16, choices=SponsorKind.choices)
    name = models.CharField(_("sponsor"), max_length=200)
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        ordering = ["entry_id", "pk"]


class Support(LedgerRecord):
    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="supports")
    kind = models.CharField(_("kind of support"), max_length=120)
    value = models.DecimalField(_("value (VND)"), max_digits=14, decimal_places=0)
    given_on = models.DateField(_("given on"))

    class Meta:
        verbose_name = _("support given")
        verbose_name_plural = _("support given")
        ordering = ["sponsor_id", "given_on"]


class Inspection(LedgerRecord):
    """An inspection of a unit's report by a level above (kiểm tra), or a re-inspection of a hamlet
    (phúc tra): points per criterion, findings, the grade from the scheme's bands."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="inspections")
    inspecting_unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    inspected_on = models.DateField(_("inspected on"))
    team = models.CharField(_("inspection team"), max_length=300)
    points = models.JSONField(_("points"))  # {criterion code: points}
    total = models.DecimalField(_("total points"), max_digits=6, decimal_places=1)
    max_total = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=1)
    findings = models.TextField(_("findings"), blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    grade_label = models.CharField(_("grade"), max_length=60, blank=True)
    reinspection = models.BooleanField(_("re-inspection"), default=False)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-pk"]
