"""Thin pages of the Front's evaluation: load what the user may see (404 otherwise), parse the form,
call the service; the service decides again (PermissionDenied is a 403, a RuleViolation a message)."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import RuleViolation
from core.services import AlreadySent, once
from core.views import already_sent_text
from core.forms import DayField
from directory.models import Household, Level, Unit
from directory.selectors import can_see_unit, find_acting, grants_of, paths_q

from . import services
from .models import Period, PoorHousehold, Report, ReportState, Scheme, Sponsor, SponsorKind, period_end
from .selectors import reporting_status, reviewing_unit, sheet
from .services.reports import actions_for, entered_indicators
from .services.roadmap import roadmap_indicators


def _visible_report(request, pk):
    report = get_object_or_404(Report.objects.select_related("scheme", "unit", "unit__parent", "case"), pk=pk)
    if not can_see_unit(request.user, report.unit):
        raise Http404
    return report


def _visible_unit(request, pk):
    unit = get_object_or_404(Unit, pk=pk)
    if not can_see_unit(request.user, unit):
        raise Http404
    return unit


def _day(text, label):
    field = DayField()
    try:
        return field.clean(text)
    except Exception as error:  # a ValidationError from the field, named with the label
        raise RuleViolation(f"{label}: {' '.join(getattr(error, 'messages', [str(error)]))}") from None


def _attempt(request, perform, success):
    try:
        perform()
    except AlreadySent:
        messages.info(request, already_sent_text())
        return False
    except RuleViolation as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


@login_required
def index(request):
    """The user's units that report, their reports, and the form that opens one."""
    grants = grants_of(request.user)
    reporting_ids = [unit.pk for unit in grants.units_with("directory.report_evaluation")]
    reviewing = grants.units_with("directory.review_evaluation")
    paths = grants.unit_paths("directory.view_unit_dossiers")
    reports = Report.objects.select_related("unit")
    if paths is not None:
        # Its own units' reports, and those sent to the units it reviews for (not their drafts).
        below = paths_q([unit.path for unit in reviewing], "unit_path") & ~Q(state=ReportState.DRAFT) \
            if reviewing else Q(pk__in=[])
        reports = reports.filter(Q(unit_id__in=reporting_ids) | below)
    units = Unit.objects.filter(pk__in=reporting_ids).order_by("path")
    today = timezone.localdate()
    return render(request, "evaluations/index.html", {
        "units": [u for u in units if u.is_valid_on(today)], "reports": reports.order_by("-year", "period", "number")[:60],
        "periods": Period.choices, "year": today.year, "years": range(today.year, today.year - 6, -1),
        "roadmap_units": grants.units_with("directory.plan_roadmap"),
        "ledger_units": Unit.objects.filter(pk__in=[u.pk for u in grants.units_with("directory.record_sponsorship")]),
    })


@login_required
@require_POST
def open_report(request):
    unit = _visible_unit(request, request.POST.get("unit") or 0)
    try:
        year, number = int(request.POST.get("year", "")), int(request.POST.get("number") or 1)
    except ValueError:
        messages.error(request, _("Choose a year and a period."))
        return redirect("evaluations:index")
    created = {}

    def perform():
        created["report"] = services.open_report(actor=request.user, unit=unit, year=year,
                                                 period=request.POST.get("period", ""), number=number)
    if _attempt(request, perform, _("The report is open: fill it in and send it.")):
        return redirect("evaluations:report", created["report"].pk)
    return redirect("evaluations:index")


@login_required
def report_detail(request, pk):
    report = _visible_report(request, pk)
    data = sheet(report)
    actions = actions_for(request.user, report)
    editable = {ind["code"] for ind in entered_indicators(report)} if "edit" in actions else set()
    narrative = [(content, report.narrative.get(content["code"], "")) for content in report.scheme.contents]
    return render(request, "evaluations/report.html", {
        "report": report, "sheet": data, "actions": actions, "editable": editable, "narrative": narrative,
        "status": reporting_status(report) if report.scheme.child_level(report.level) else [],
        "above": reviewing_unit(report), "inspections": report.inspections.all(),
        "behind": [line for line in data.lines if line.behind],
        "today": timezone.localdate(),
    })


def _post_action(request, pk, perform, success):
    report = _visible_report(request, pk)
    _attempt(request, lambda: perform(report), success)
    return redirect("evaluations:report", report.pk)


@login_required
@require_POST
def save(request, pk):
    report = _visible_report(request, pk)
    codes = {ind["code"] for ind in entered_indicators(report)}
    values = {code: request.POST.get(f"v_{code}", "") for code in codes if f"v_{code}" in request.POST}
    for code in codes:  # an unticked box is "no"
        if report.scheme.indicator(code)["type"] == "boolean" and f"v_{code}" not in request.POST \
                and f"shown_{code}" in request.POST:
            values[code] = "no"
    narrative = {c["code"]: request.POST.get(f"n_{c['code']}", "") for c in report.scheme.contents
                 if f"n_{c['code']}" in request.POST}
    _attempt(request, lambda: services.save_report(actor=request.user, report=report, values=values,
                                                   narrative=narrative,
                                                   expected_revision=request.POST.get("expected_revision")),
             _("Saved."))
    return redirect("evaluations:report", report.pk)


@login_required
@require_POST
def submit(request, pk):
    def perform(report):
        day = _day(request.POST.get("sent_on"), _("Sent on")) if request.POST.get("sent_on") else None
        services.submit_report(actor=request.user, report=report, sent_on=day,
                               expected_revision=request.POST.get("expected_revision"))
    return _post_action(request, pk, perform, _("The report was signed and sent."))


@login_required
@require_POST
def accept(request, pk):
    return _post_action(request, pk, lambda report: services.accept_report(
        actor=request.user, report=report, expected_revision=request.POST.get("expected_revision")),
        _("The report was accepted."))


@login_required
@require_POST
def return_report(request, pk):
    return _post_action(request, pk, lambda report: services.return_report(
        actor=request.user, report=report, reason=request.POST.get("reason", ""),
        expected_revision=request.POST.get("expected_revision")), _("The report was returned with your reason."))


@login_required
def inspect(request, pk):
    report = _visible_report(request, pk)
    if report.unit.parent_id is None or find_acting(request.user, report.unit.parent, "inspect_evaluation",
                                                    inherited=True) is None:
        raise PermissionDenied(_("You hold no role that inspects %(unit)s.") % {"unit": report.unit})
    rules = report.scheme.inspection_rules(report.level)
    if request.method == "POST":
        def perform():
            services.record_inspection(
                actor=request.user, report=report, inspected_on=_day(request.POST.get("inspected_on"),
                                                                      _("Inspected on")),
                team=request.POST.get("team", ""), findings=request.POST.get("findings", ""),
                points={c["code"]: request.POST.get(f"p_{c['code']}", "") for c in (rules or {}).get("criteria", [])},
                reinspection=request.POST.get("reinspection") == "on")
        if _attempt(request, perform, _("The inspection was recorded.")):
            return redirect("evaluations:report", report.pk)
    return render(request, "evaluations/inspect.html", {"report": report, "rules": rules, "post": request.POST,
                                                         "pass_pct": report.scheme.reinspection_pass_pct})


def _plan_unit(request, pk, year):
    unit = _visible_unit(request, pk)
    scheme = Scheme.objects.in_force_on(period_end(year, Period.YEAR, 1))
    if scheme is None:
        raise Http404
    return unit, scheme


ROADMAP_PERIODS = [(Period.QUARTER, n) for n in (1, 2, 3, 4)] + [(Period.HALF, 1), (Period.YEAR, 1)]


@login_required
def roadmap(request, pk, year):
    unit, scheme = _plan_unit(request, pk, year)
    indicators = roadmap_indicators(scheme, unit.level)
    may_plan = find_acting(request.user, unit, "plan_roadmap") is not None
    if request.method == "POST":
        targets = {(ind["code"], period, number): request.POST.get(f"t_{ind['code']}_{period}_{number}", "")
                   for ind in indicators for period, number in ROADMAP_PERIODS
                   if f"t_{ind['code']}_{period}_{number}" in request.POST}
        if _attempt(request, lambda: services.set_targets(actor=request.user, unit=unit, year=year, targets=targets),
                    _("The roadmap was saved.")):
            return redirect("evaluations:roadmap", unit.pk, year)
    targets = {(t.code, t.period, t.number): t.target for t in unit.roadmap_targets.filter(year=year)}
    rows = [(ind, [(period, number, targets.get((ind["code"], period, number))) for period, number in ROADMAP_PERIODS])
            for ind in indicators]
    labels = {Period.QUARTER: _("Q"), Period.HALF: _("6 months"), Period.YEAR: _("Year")}
    return render(request, "evaluations/roadmap.html", {
        "unit": unit, "year": year, "rows": rows, "may_plan": may_plan, "scheme": scheme,
        "columns": [(p, n, f"{labels[p]}{n}" if p == Period.QUARTER else labels[p]) for p, n in ROADMAP_PERIODS],
        "has_last_year": unit.roadmap_targets.filter(year=year - 1).exists()})


@login_required
@require_POST
def roadmap_copy(request, pk, year):
    unit = _visible_unit(request, pk)
    done = {}

    def perform():
        done["n"] = services.copy_last_year(actor=request.user, unit=unit, year=year)
    _attempt(request, perform, _("Last year's targets were copied."))
    return redirect("evaluations:roadmap", unit.pk, year)


def _ledger_hamlet(request, pk):
    hamlet = _visible_unit(request, pk)
    if hamlet.level != Level.HAMLET:
        raise Http404
    return hamlet


@login_required
def poor_households(request, pk, year):
    hamlet = _ledger_hamlet(request, pk)
    entries = (PoorHousehold.objects.filter(hamlet=hamlet, year=year).select_related("household")
               .annotate(n_sponsors=Count("sponsors")).prefetch_related("sponsors__supports"))
    without = request.GET.get("without") == "1"
    if without:
        entries = entries.filter(n_sponsors=0)
    listed = PoorHousehold.objects.filter(hamlet=hamlet, year=year).values("household_id")
    return render(request, "evaluations/poor.html", {
        "hamlet": hamlet, "year": year, "entries": entries, "without": without,
        "may_record": find_acting(request.user, hamlet, "record_sponsorship", inherited=True) is not None,
        "candidates": Household.objects.filter(hamlet=hamlet, active=True).exclude(pk__in=listed)[:500],
        "sponsor_kinds": SponsorKind.choices, "today": timezone.localdate(),
        # One token for the page's forms: each write redirects here, to a page with a new one.
        "form_token": secrets.token_urlsafe(24),
        "counts": PoorHousehold.objects.filter(hamlet=hamlet, year=year).aggregate(
            total=Count("pk"), sponsored=Count("pk", filter=Q(sponsors__isnull=False), distinct=True)),
    })


def _ledger_post(request, pk, year, perform, success):
    """A ledger form's write, once per one-time token: a double-tapped sponsor or support is one row.
    A refused write (RuleViolation) rolls its token back with it: the corrected form may be sent again."""
    hamlet = _ledger_hamlet(request, pk)
    _attempt(request, lambda: once(actor=request.user, token=request.POST.get("form_token", "")[:64],
                                   perform=lambda: perform(hamlet)), success)
    return redirect("evaluations:poor", hamlet.pk, year)


@login_required
@require_POST
def poor_add(request, pk, year):
    def perform(hamlet):
        ids = [int(i) for i in request.POST.getlist("households") if i.isdigit()]
        households = Household.objects.filter(pk__in=ids)
        if not ids:
            raise RuleViolation(_("Tick the households to put on the list."))
        services.list_households(actor=request.user, hamlet=hamlet, year=year, households=households,
                                 category=request.POST.get("category", ""))
    return _ledger_post(request, pk, year, perform, _("The households were put on the year's list."))


def _entry(hamlet, year, entry_pk):
    return get_object_or_404(PoorHousehold.objects.select_related("hamlet"), pk=entry_pk, hamlet=hamlet, year=year)


@login_required
@require_POST
def sponsor_add(request, pk, year, entry_pk):
    def perform(hamlet):
        since = _day(request.POST.get("since"), _("Since"))
        services.add_sponsor(actor=request.user, entry=_entry(hamlet, year, entry_pk),
                             kind=request.POST.get("kind", ""), name=request.POST.get("name", ""), since=since)
    return _ledger_post(request, pk, year, perform, _("The sponsor was recorded."))


@login_required
@require_POST
def support_add(request, pk, year, sponsor_pk):
    def perform(hamlet):
        sponsor = get_object_or_404(Sponsor.objects.select_related("entry__hamlet"), pk=sponsor_pk,
                                    entry__hamlet=hamlet, entry__year=year)
        services.record_support(actor=request.user, sponsor=sponsor, kind=request.POST.get("kind", ""),
                                value=request.POST.get("value", ""),
                                given_on=_day(request.POST.get("given_on"), _("Given on")))
    return _ledger_post(request, pk, year, perform, _("The support was recorded."))


@login_required
@require_POST
def poor_review(request, pk, year, entry_pk):
    def perform(hamlet):
        services.record_review_result(actor=request.user, entry=_entry(hamlet, year, entry_pk),
                                      result=request.POST.get("result", ""),
                                      reviewed_on=_day(request.POST.get("reviewed_on"), _("Reviewed on")))
    return _ledger_post(request, pk, year, perform, _("The result of the review was recorded."))

