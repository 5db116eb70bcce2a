"""Writes on evaluation reports: open, fill in, send, return, accept, close the top roll-up.

Every function takes the acting user, checks the permission of the route's stage on the right unit,
checks the state and the revision the form was rendered at, and runs in one transaction."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from directory.models import Level
from directory.selectors import find_acting, require_acting
from notifications.services.outbox import Message, holders, write
from workflows.services.common import check_role_in_force, check_text, check_unit_in_force, shown_day

from ..aggregation import AGGREGATED
from ..models import IndicatorValue, Period, Report, ReportState, Scheme, ValueSource, period_end
from ..selectors import child_reports, live_values, reviewing_unit
from .trail import ReportTrail, lock_report, open_report_case

NUMBER_LIMIT = Decimal("1e15")
TEXT_LIMIT = 1000


def _check_revision(report, expected_revision):
    if expected_revision is not None and int(expected_revision) != report.revision:
        raise RuleViolation(_("Someone changed this report after you opened it; reload the page and try again."))


def _act_day(on):
    """The day an act is dated: today, or the day a loader of a past year passes (the demo's 2021),
    never a day still to come."""
    today = timezone.localdate()
    if on is not None and on > today:
        raise RuleViolation(_("%(day)s is a day still to come.") % {"day": shown_day(on)})
    return on or today


def _check_state(report, allowed, doing):
    if report.state not in allowed:
        raise RuleViolation(
            _("This report is %(state)s: it cannot be %(doing)s now.")
            % {"state": report.get_state_display().lower(), "doing": doing})


@transaction.atomic
def open_report(*, actor, unit, year, period, number=1):
    """A draft report of `unit` for the period, under the scheme in force on the period's last day."""
    acting = require_acting(actor, unit, "report_evaluation")
    if period not in Period.values:
        raise RuleViolation(_("Unknown period %(period)s.") % {"period": period})
    end = period_end(year, period, number) if 1 <= number <= (12 if period == Period.MONTH else 4) else None
    if end is None:
        raise RuleViolation(_("There is no period number %(n)s for this kind of period.") % {"n": number})
    scheme = Scheme.objects.in_force_on(end)
    if scheme is None:
        raise RuleViolation(_("No evaluation scheme is in force on %(day)s.") % {"day": shown_day(end)})
    if number not in scheme.periods.get(period, {}).get("numbers", []):
        raise RuleViolation(_("The scheme %(scheme)s has no such period (%(period)s %(n)s).")
                            % {"scheme": scheme.name, "period": period, "n": number})
    if unit.level not in scheme.route:
        raise RuleViolation(
            _("Under %(scheme)s, a %(level)s does not report (the route runs %(route)s).")
            % {"scheme": scheme.name, "level": unit.get_level_display().lower(),
               "route": " → ".join(scheme.route)})
    check_unit_in_force(unit, end, _("the period's last day"))
    if unit.valid_from > end:
        raise RuleViolation(_("%(unit)s did not exist yet on %(day)s, the period's last day.")
                            % {"unit": unit, "day": shown_day(end)})
    if Report.objects.filter(unit=unit, year=year, period=period, number=number).exists():
        raise RuleViolation(_("%(unit)s already has a report for this period.") % {"unit": unit})
    report = Report.objects.create(
        case=open_report_case(), scheme=scheme, unit=unit, unit_path=unit.path, level=unit.level, year=year,
        period=period, number=number, due_on=end + datetime.timedelta(days=scheme.deadline_days(unit.level)))
    trail = ReportTrail(report, acting)
    trail.add(action="evaluation_open", to_state=report.state, scheme=scheme.code, period=report.period_label)
    trail.save()
    return report


def _parse(indicator, raw):
    """An entered value as stored: (number, boolean, text), or a RuleViolation naming the indicator."""
    label = indicator["label"]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None, ""
    kind = indicator["type"]
    if kind == "boolean":
        if isinstance(raw, bool):
            return None, raw, ""
        text = str(raw).strip().lower()
        if text in ("yes", "true", "1", "on", "có"):
            return None, True, ""
        if text in ("no", "false", "0", "off", "không"):
            return None, False, ""
        raise RuleViolation(_("%(indicator)s is a yes/no answer (got “%(value)s”).")
                            % {"indicator": label, "value": raw})
    if kind == "text":
        check_text(str(raw), label, TEXT_LIMIT)
        return None, None, str(raw).strip()
    try:
        number = Decimal(str(raw).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise RuleViolation(_("%(indicator)s must be a number (got “%(value)s”).")
                            % {"indicator": label, "value": raw}) from None
    if not number.is_finite() or number < 0 or number >= NUMBER_LIMIT:
        raise RuleViolation(_("%(indicator)s must be a number from 0 to %(limit)s (got %(value)s).")
                            % {"indicator": label, "value": raw, "limit": "10¹⁵"})
    if indicator["unit"] == "%" and number > 100:
        raise RuleViolation(_("%(indicator)s is a percentage: at most 100 (got %(value)s).")
                            % {"indicator": label, "value": raw})
    return number, None, ""


def entered_indicators(report):
    """The indicators the unit types itself: not from the engine, not computed, not rolled up."""
    below = report.scheme.child_level(report.level)
    return [ind for ind in report.scheme.indicators_for(report.level)
            if ind["type"] not in ("engine", "rate") and not (below and ind["aggregation"] in AGGREGATED)]


@transaction.atomic
def save_report(*, actor, report, values, narrative=None, expected_revision=None, on=None):
    """Store the entered indicators (`values`: {code: raw}) and the narrative per content. Every wrong
    value is named at once and nothing is stored; engine and roll-up indicators are not typed."""
    acting = require_acting(actor, report.unit, "report_evaluation")
    report = lock_report(report)
    _check_revision(report, expected_revision)
    _check_state(report, (ReportState.DRAFT, ReportState.RETURNED), _("changed"))
    check_role_in_force(acting, _act_day(on))
    editable = {ind["code"]: ind for ind in entered_indicators(report)}
    locked = sorted(set(values) - set(editable))
    if locked:
        raise RuleViolation(_("These indicators are filled in by the engine or from the units below and "
                              "cannot be typed: %(codes)s.") % {"codes": ", ".join(locked)})
    problems, parsed = [], {}
    for code, raw in values.items():
        try:
            parsed[code] = _parse(editable[code], raw)
        except RuleViolation as error:
            problems.extend(error.messages)
    contents = {content["code"] for content in report.scheme.contents}
    narrative = {key: str(text).strip() for key, text in (narrative or {}).items()}
    for key, text in narrative.items():
        if key not in contents:
            problems.append(_("There is no content %(code)s in this scheme.") % {"code": key})
        else:
            try:
                check_text(text, _("The narrative of content %(code)s") % {"code": key}, 4000)
            except RuleViolation as error:
                problems.extend(error.messages)
    if problems:
        raise RuleViolation(problems)
    existing = {v.code: v for v in report.values.filter(code__in=list(parsed))}
    changed = []
    new_rows, updated = [], []
    for code, (number, boolean, text) in parsed.items():
        row = existing.get(code)
        if row is None:
            if number is None and boolean is None and not text:
                continue
            new_rows.append(IndicatorValue(report=report, code=code, number=number, boolean=boolean, text=text))
            changed.append(code)
        elif (row.number, row.boolean, row.text) != (number, boolean, text):
            row.number, row.boolean, row.text = number, boolean, text
            updated.append(row)
            changed.append(code)
    IndicatorValue.objects.bulk_create(new_rows)
    IndicatorValue.objects.bulk_update(updated, ["number", "boolean", "text"])
    narrative_changed = sorted(k for k, v in narrative.items() if report.narrative.get(k, "") != v)
    if narrative_changed:
        report.narrative = {**report.narrative, **narrative}
        report.save(update_fields=["narrative"])
    trail = ReportTrail(report, acting)
    trail.add(action="evaluation_save", from_state=report.state, to_state=report.state,
              indicators=sorted(changed), narrative=narrative_changed)
    trail.save()
    return report


def _freeze(report):
    """Write the engine's, the roll-up's and the computed values as they stand: what was sent
    is what is read afterwards, whatever the register becomes."""
    values = live_values(report)
    frozen = {code: v for code, v in values.items() if v[1] != ValueSource.ENTERED}
    IndicatorValue.objects.filter(report=report, code__in=list(frozen)).delete()
    rows = []
    for code, (value, source, note) in frozen.items():
        boolean = value if isinstance(value, bool) else None
        number = None if isinstance(value, bool) or value is None else value
        rows.append(IndicatorValue(report=report, code=code, number=number, boolean=boolean, source=source,
                                   note=str(note)[:300]))
    IndicatorValue.objects.bulk_create(rows)
    return len(rows)


def _roll_up_children(report, trail):
    """The accepted reports below become part of `report`: rolled up, each in its own chain."""
    children = list(child_reports(report).filter(state=ReportState.ACCEPTED).select_related("case")
                    .select_for_update(of=("self", "case")).order_by("pk"))
    for child in children:
        child.roll_up()
    Report.objects.filter(pk__in=[c.pk for c in children]).update(state=ReportState.ROLLED_UP)
    for child in children:
        child_trail = ReportTrail(child, trail.acting)
        child_trail.add(action="evaluation_roll_up", from_state=ReportState.ACCEPTED, to_state=ReportState.ROLLED_UP,
                        into=report.pk)
        child_trail.save()
    return len(children)


def _sent_on(report, day):
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise RuleViolation(_("The report cannot be sent on %(day)s, a day still to come.") % {"day": shown_day(day)})
    first = report.period_end.replace(day=1)
    if day < first:
        raise RuleViolation(_("A report for %(period)s cannot be sent before %(first)s (got %(day)s).")
                            % {"period": report.period_label, "first": shown_day(first), "day": shown_day(day)})
    return day


@transaction.atomic
def submit_report(*, actor, report, expected_revision=None, sent_on=None):
    """Sign and send the report up the route; at the top of the route, close the roll-up instead.
    The engine's and the roll-up's values are frozen; the accepted reports below are rolled up."""
    acting = require_acting(actor, report.unit, "report_evaluation")
    report = lock_report(report)
    _check_revision(report, expected_revision)
    _check_state(report, (ReportState.DRAFT, ReportState.RETURNED), _("sent"))
    day = _sent_on(report, sent_on)
    check_unit_in_force(report.unit, day, _("the sending day"))
    check_role_in_force(acting, day)
    above = reviewing_unit(report)
    if report.scheme.route.get(report.level) and above is None:
        raise RuleViolation(_("%(unit)s has no %(level)s above it to send the report to.")
                            % {"unit": report.unit, "level": report.scheme.route[report.level]})
    before = report.state
    frozen = _freeze(report)
    trail = ReportTrail(report, acting)
    rolled = _roll_up_children(report, trail) if report.scheme.child_level(report.level) else 0
    if above is None:
        report.close()
    else:
        report.submit()
    report.submitted_on = day
    report.save(update_fields=["state", "submitted_on"])
    trail.add(action="evaluation_submit" if above else "evaluation_close", from_state=before,
              to_state=report.state, sent_on=day, to_unit=above.pk if above else None, frozen=frozen,
              rolled_up=rolled)
    trail.save()
    if above is not None:
        _notify(report, above, "review_evaluation", "submitted",
                _("%(unit)s sent its evaluation report for %(period)s.")
                % {"unit": report.unit, "period": report.period_label})
    return report


def _reviewer(actor, report):
    above = reviewing_unit(report)
    if above is None:
        raise PermissionDenied(_("Nobody above reviews this report."))
    return require_acting(actor, above, "review_evaluation")


@transaction.atomic
def return_report(*, actor, report, reason, expected_revision=None, on=None):
    acting = _reviewer(actor, report)
    report = lock_report(report)
    _check_revision(report, expected_revision)
    _check_state(report, (ReportState.SUBMITTED,), _("returned"))
    reason = check_text((reason or "").strip(), _("The reason"), 2000)
    if not reason:
        raise RuleViolation(_("Say why the report is returned: the unit reads the reason to correct it."))
    check_role_in_force(acting, _act_day(on))
    report.send_back()
    report.return_reason = reason
    report.save(update_fields=["state", "return_reason"])
    # The frozen values are computed again while it is corrected.
    IndicatorValue.objects.filter(report=report).exclude(source=ValueSource.ENTERED).delete()
    trail = ReportTrail(report, acting)
    trail.add(action="evaluation_return", from_state=ReportState.SUBMITTED, to_state=report.state, reason=reason)
    trail.save()
    _notify(report, report.unit, "report_evaluation", "returned",
            _("Your evaluation report for %(period)s was returned: %(reason)s")
            % {"period": report.period_label, "reason": reason})
    return report


@transaction.atomic
def accept_report(*, actor, report, expected_revision=None, on=None):
    acting = _reviewer(actor, report)
    report = lock_report(report)
    _check_revision(report, expected_revision)
    _check_state(report, (ReportState.SUBMITTED,), _("accepted"))
    check_role_in_force(acting, _act_day(on))
    report.accept()
    report.save(update_fields=["state"])
    trail = ReportTrail(report, acting)
    trail.add(action="evaluation_accept", from_state=ReportState.SUBMITTED, to_state=report.state)
    trail.save()
    _notify(report, report.unit, "report_evaluation", "accepted",
            _("Your evaluation report for %(period)s was accepted.") % {"period": report.period_label})
    return report


def _notify(report, unit, codename, what, text, event=None):
    """Messages through the outbox, in the same transaction: the holders of `codename` on `unit`."""
    users = holders([(unit.pk, codename)])[(unit.pk, codename)]
    event = event or f"evaluation:{report.pk}:{report.revision}:{what}"
    write([Message(event=event, kind="evaluation", text=text, url=f"/evaluations/reports/{report.pk}/",
                   user_id=user_id) for user_id in sorted(users)])


def actions_for(user, report):
    """{action: Acting or None}: what the report page offers `user` now (the services decide anyway)."""
    offered = {}
    if report.state in (ReportState.DRAFT, ReportState.RETURNED):
        offered["edit"] = offered["submit"] = find_acting(user, report.unit, "report_evaluation")
    if report.state == ReportState.SUBMITTED:
        above = reviewing_unit(report)
        acting = find_acting(user, above, "review_evaluation") if above else None
        offered["accept"] = offered["return"] = acting
    if report.state != ReportState.DRAFT and report.level in (Level.COMMUNE, Level.HAMLET):
        offered["inspect"] = find_acting(user, report.unit.parent, "inspect_evaluation", inherited=True) \
            if report.unit.parent_id else None
    return {key: value for key, value in offered.items() if value is not None}
