"""Inspections (kiểm tra) of a unit's report by the Front above it, and re-inspections (phúc tra) of a
hamlet: points per criterion of the scheme, the grade from its bands, the pass share of a re-inspection."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from directory.models import Level
from directory.selectors import require_acting
from workflows.services.common import check_role_in_force, check_text, shown_day

from ..models import Inspection, ReportState
from .trail import ReportTrail, lock_report


def grade_for(bands, total):
    """The first band (highest first) whose minimum the total reaches: (grade, label)."""
    for band in sorted(bands, key=lambda b: -b["min_points"]):
        if total >= Decimal(str(band["min_points"])):
            return band["grade"], band["label"]
    return "", ""


@transaction.atomic
def record_inspection(*, actor, report, inspected_on, team, points, findings="", reinspection=False):
    """Record an inspection of `report`'s unit by a Front level above it (inspect_evaluation held on
    an ancestor). A re-inspection is of a hamlet only, and passes at the scheme's share of points."""
    if report.unit.parent_id is None:
        raise RuleViolation(_("Nobody above %(unit)s inspects it.") % {"unit": report.unit})
    acting = require_acting(actor, report.unit.parent, "inspect_evaluation", inherited=True)
    report = lock_report(report)
    if report.state == ReportState.DRAFT:
        raise RuleViolation(_("The report of %(unit)s has not been sent yet: it is inspected once sent.")
                            % {"unit": report.unit})
    rules = report.scheme.inspection_rules(report.level)
    if rules is None:
        raise RuleViolation(_("The scheme %(scheme)s sets no inspection for this level.")
                            % {"scheme": report.scheme.name})
    if reinspection and report.level != Level.HAMLET:
        raise RuleViolation(_("Re-inspection (phúc tra) is of a hamlet; %(unit)s is not one.") % {"unit": report.unit})
    today = timezone.localdate()
    if inspected_on > today or inspected_on.year < report.year:
        raise RuleViolation(_("The inspection date %(day)s must lie between the report's year and today.")
                            % {"day": shown_day(inspected_on)})
    check_role_in_force(acting, inspected_on)
    team = check_text((team or "").strip(), _("The inspection team"), 300)
    findings = check_text((findings or "").strip(), _("The findings"), 4000)
    if not team:
        raise RuleViolation(_("Name the inspection team."))
    problems, scored = [], {}
    for criterion in rules["criteria"]:
        raw = (points or {}).get(criterion["code"])
        try:
            value = Decimal(str(raw).replace(",", ".")) if raw not in (None, "") else None
        except InvalidOperation:
            value = Decimal(-1)
        if value is None or not value.is_finite() or value < 0 or value > criterion["max_points"]:
            problems.append(_("%(criterion)s: points from 0 to %(max)s (got “%(value)s”).")
                            % {"criterion": criterion["label"], "max": criterion["max_points"],
                               "value": "" if raw is None else raw})
        else:
            scored[criterion["code"]] = str(value)
    if problems:
        raise RuleViolation(problems)
    total = sum((Decimal(v) for v in scored.values()), Decimal(0))
    max_total = Decimal(sum(c["max_points"] for c in rules["criteria"]))
    grade, label = grade_for(rules["bands"], Decimal(100) * total / max_total)
    passed = None
    if reinspection:
        passed = Decimal(100) * total >= Decimal(report.scheme.reinspection_pass_pct) * max_total
    inspection = Inspection.objects.create(
        report=report, inspecting_unit=acting.unit, inspected_on=inspected_on, team=team, points=scored,
        total=total, max_total=max_total, findings=findings, grade=grade, grade_label=label,
        reinspection=reinspection, passed=passed, recorded_by=actor, recorded_role=acting.role,
        recorded_at=timezone.now())
    trail = ReportTrail(report, acting)
    trail.add(action="evaluation_reinspect" if reinspection else "evaluation_inspect", target=inspection,
              from_state=report.state, to_state=report.state, inspected_on=inspected_on, total=total,
              max_total=max_total, grade=grade, passed=passed, points=scored)
    trail.save()
    return inspection
