"""Deadlines of the evaluation reports, from the scheme (days after the period's end, per level):
a reminder to the unit before the due day, and an escalation to the unit the report goes to once it is
late, repeated each week while it stays late. Written into the outbox; re-running a day writes nothing
new (the events are keyed by report, due day and week). A constant number of queries."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Unit
from notifications.services.outbox import Message, holders, write
from workflows.services.common import shown_day

from ..models import Report, ReportState, Scheme

OPEN = (ReportState.DRAFT, ReportState.RETURNED)


@transaction.atomic
def check_deadlines(*, today=None):
    """Write the reminders and escalations due `today`; returns the new notifications' ids."""
    today = today or timezone.localdate()
    # As far ahead as the scheme that reminds earliest: the reminder days are each scheme's data.
    ahead = max((scheme.data["reminder_days"] for scheme in Scheme.objects.only("data")), default=0)
    horizon = today + datetime.timedelta(days=ahead)
    reports = list(Report.objects.filter(state__in=OPEN, due_on__lte=horizon).select_related("scheme", "unit"))
    ancestors = {}
    wanted = {a for r in reports for a in r.unit.ancestor_ids}
    for unit in Unit.objects.filter(pk__in=wanted):
        ancestors[unit.pk] = unit
    plans = []
    for report in reports:
        values = {"unit": report.unit, "period": report.period_label, "day": shown_day(report.due_on)}
        if report.due_on < today:
            level = report.scheme.route.get(report.level)
            above = next((ancestors[a] for a in report.unit.ancestor_ids if a in ancestors
                          and ancestors[a].level == level), None)
            week = today.isocalendar()
            target = (above.pk, "review_evaluation") if above else (report.unit.pk, "report_evaluation")
            plans.append((report, target, f"evaluation:{report.pk}:overdue:{week.year}-{week.week}",
                          _("Overdue: the evaluation report of %(unit)s for %(period)s was due on %(day)s.") % values))
        elif report.due_on - datetime.timedelta(days=report.scheme.data["reminder_days"]) <= today:
            plans.append((report, (report.unit.pk, "report_evaluation"), f"evaluation:{report.pk}:due:{report.due_on}",
                          _("Reminder: the evaluation report of %(unit)s for %(period)s is due on %(day)s.") % values))
    held = holders([target for _report, target, _event, _text in plans])
    return write([Message(event=event, kind="evaluation_deadline", text=text, case_id=report.case_id,
                          url=f"/evaluations/reports/{report.pk}/", user_id=user_id)
                  for report, target, event, text in plans for user_id in sorted(held[target])])
