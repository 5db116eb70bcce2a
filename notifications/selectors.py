"""Reads about deadlines: whose turn it is, by when, and what is overdue.

The due dates themselves were computed by the workflow services from the rule
set (working or calendar days, holidays from the Holiday table) and stored on the
dossier; the review deadline ("before 25 November") is read from the rule set.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils.translation import gettext_lazy as _

from titles.models import RuleSet
from workflows.models import Dossier, DossierState

# States in which the dossier waits on the hamlet that prepares it.
HAMLET_TURN = [DossierState.OPEN, DossierState.REVIEWED, DossierState.POSTING, DossierState.RETURNED]
SUBMISSION_PENDING = [DossierState.REVIEWED, DossierState.POSTING]
DECISION_PENDING = [DossierState.SUBMITTED, DossierState.APPRAISED]


@dataclass(frozen=True)
class Deadline:
    step: str
    label: str
    due_on: datetime.date
    unit: object
    codename: str


def _review_deadline(rule_set, year):
    if not rule_set.review_deadline:
        return None
    month, day = (int(part) for part in rule_set.review_deadline.split("-"))
    return datetime.date(year, month, day)


def current_deadline(dossier):
    """The step the dossier waits on, its due date, and the unit that must act; or None."""
    state = dossier.state
    if state in HAMLET_TURN:
        dates = [_review_deadline(dossier.rule_set, dossier.year)]
        if state in SUBMISSION_PENDING:
            dates.append(dossier.submission_due)
        dates = [day for day in dates if day]
        if not dates:
            return None
        return Deadline("submission", _("send the dossier"), min(dates), dossier.unit, "prepare_dossier")
    if state == DossierState.SUBMITTED and dossier.decision_due:
        return Deadline("appraisal", _("appraise the dossier"), dossier.decision_due, dossier.appraising_unit,
                        "appraise_dossier")
    if state == DossierState.APPRAISED and dossier.decision_due:
        return Deadline("decision", _("sign the decision"), dossier.decision_due, dossier.deciding_unit,
                        "decide_title")
    return None


def due_by_q(day):
    """Dossiers whose current step is due on or before `day` (one query for the rule sets)."""
    q = Q(state__in=SUBMISSION_PENDING, submission_due__lte=day) | Q(state__in=DECISION_PENDING,
                                                                      decision_due__lte=day)
    for pk, review_deadline in RuleSet.objects.exclude(review_deadline="").values_list("pk", "review_deadline"):
        month, dom = (int(part) for part in review_deadline.split("-"))
        years = Q(year__lt=day.year)
        if datetime.date(day.year, month, dom) <= day:
            years |= Q(year=day.year)
        q |= Q(rule_set_id=pk, state__in=HAMLET_TURN) & years
    return q


def overdue_q(today):
    return due_by_q(today - datetime.timedelta(days=1))


def with_overdue_flag(queryset, today):
    """Annotate `is_overdue` on a dossier queryset, for flags in lists."""
    return queryset.annotate(
        is_overdue=Case(When(overdue_q(today), then=Value(True)), default=Value(False),
                        output_field=BooleanField())
    )


def overdue_counts_by_unit(today, dossiers=None):
    """{unit id: overdue dossiers in its subtree}, for every unit that has any. One query."""
    dossiers = Dossier.objects.all() if dossiers is None else dossiers
    counts = Counter()
    rows = dossiers.filter(overdue_q(today)).values_list("unit__path").annotate(n=Count("pk")).order_by()
    for path, n in rows:
        for part in path.strip("/").split("/"):
            counts[int(part)] += n
    return dict(counts)
