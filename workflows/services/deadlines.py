"""Reminders before a step is due, escalation to the level above once it is overdue.

Run by the periodic task `check_deadlines` (documents.tasks, which also checks the
publication of the decided lists through `alert`); it is a system action with no
acting user. Each alert is a DeadlineAlert row of the dossier's case, unique per (case, state, due
date, kind, period), and its notifications carry the alert as their event key:
running the check twice in a day, or on two beat instances, alerts once.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import DeadlineAlert
from notifications.services.outbox import Message, holders, write

from ..deadlines import current_deadline, due_by_q
from ..models import Dossier, DossierState
from ..procedures import procedure_of


def _plan(deadline, today):
    """(kind, period, unit to alert, deadline) for this deadline today, or None."""
    if deadline is None:
        return None
    if today > deadline.due_on:
        if not deadline.unit.parent_id:
            return None
        late = (today - deadline.due_on).days
        period = (late - 1) // settings.DEADLINE_ESCALATION_PERIOD_DAYS
        return DeadlineAlert.Kind.ESCALATION, period, deadline.unit.parent_id, deadline
    if (deadline.due_on - today).days <= settings.DEADLINE_REMINDER_DAYS:
        return DeadlineAlert.Kind.REMINDER, 0, deadline.unit.pk, deadline
    return None


def horizon(today):
    """The last due date a check on `today` looks at: the reminders' lead time ahead."""
    return today + datetime.timedelta(days=settings.DEADLINE_REMINDER_DAYS)


@transaction.atomic
def check_deadlines(*, today=None):
    """Write the reminders and escalations of the steps due today. Returns the alerts created."""
    today = today or timezone.localdate()
    dossiers = (
        Dossier.objects.exclude(state=DossierState.DECIDED).filter(due_by_q(horizon(today)))
        .select_related("rule_set", "title_type", "unit", "appraising_unit", "deciding_unit")
    )
    return alert([(dossier, current_deadline(dossier)) for dossier in dossiers], today)


@transaction.atomic
def alert(deadlines, today):
    """Write the alerts due on `today` for `deadlines`, [(dossier, Deadline or None)] with one
    deadline per dossier, and tell who must act (or the level above). Returns the alerts created."""
    plans = {d.pk: plan for d, deadline in deadlines if (plan := _plan(deadline, today))}
    if not plans:
        return []
    by_pk = {d.pk: d for d, _deadline in deadlines}
    # Alerts belong to the dossier's case (the case id is on the dossier row: no join).
    existing = set(
        DeadlineAlert.objects.filter(case_id__in=[by_pk[pk].case_id for pk in plans])
        .values_list("case_id", "state", "due_on", "kind", "period")
    )
    alerts, dossier_of = [], {}
    for pk, (kind, period, unit_id, deadline) in plans.items():
        dossier = by_pk[pk]
        state = deadline.state or dossier.state
        if (dossier.case_id, state, deadline.due_on, kind, period) not in existing:
            alerts.append(DeadlineAlert(case_id=dossier.case_id, state=state, due_on=deadline.due_on, kind=kind,
                                        period=period, unit_id=unit_id))
            dossier_of[dossier.case_id] = dossier
    # ignore_conflicts: a concurrent run that wrote the same alert wins, and the
    # notifications' own (event, recipient) key keeps the messages single.
    DeadlineAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    _notify(alerts, dossier_of, plans, today)
    return alerts


def _notify(alerts, dossier_of, plans, today):
    if not alerts:
        return
    pairs = []
    for alert in alerts:
        deadline = plans[dossier_of[alert.case_id].pk][3]
        if alert.kind == DeadlineAlert.Kind.REMINDER:
            pairs.append((alert.unit_id, deadline.codename))
        else:
            # Who, at the level above, hears that a step is overdue: the procedure says.
            pairs += [(alert.unit_id, codename) for codename in procedure_of(dossier_of[alert.case_id]).escalate_to]
    found = holders(pairs)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for alert in alerts:
            dossier = dossier_of[alert.case_id]
            deadline = plans[dossier.pk][3]
            params = {"title": dossier.title_type.name, "year": dossier.year, "unit": dossier.unit.name,
                      "step": deadline.label, "date": deadline.due_on.strftime("%d/%m/%Y"),
                      "actor": deadline.unit.name, "days": (today - deadline.due_on).days}
            if alert.kind == DeadlineAlert.Kind.REMINDER:
                text = _("Reminder: %(actor)s must %(step)s for %(title)s %(year)s of %(unit)s by %(date)s.") % params
                user_ids = found[(alert.unit_id, deadline.codename)]
            else:
                text = _("Overdue %(days)s days: %(actor)s had to %(step)s for %(title)s %(year)s of %(unit)s by "
                         "%(date)s.") % params
                user_ids = set().union(*(found[(alert.unit_id, c)] for c in procedure_of(dossier).escalate_to))
            event = f"alert:{dossier.pk}:{alert.state}:{alert.due_on:%Y%m%d}:{alert.kind}:{alert.period}"
            url = reverse(deadline.page, args=[dossier.pk])
            messages += [Message(event=event, kind=alert.kind, text=text, url=url, case_id=dossier.case_id,
                                 user_id=pk)
                         for pk in sorted(user_ids)]
    write(messages)
