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


def _review_deadline(review_deadline, year):
    if not review_deadline:
        return None
    month, day = (int(part) for part in review_deadline.split("-"))
    return datetime.date(year, month, day)


def due_on(*, state, year, review_deadline, submission_due, decision_due):
    """The due date of the step a dossier in `state` waits on, or None, from the
    dossier's columns and its rule set's review deadline ("MM-DD"): the rule of
    current_deadline and overdue_q, for rows read without model instances."""
    if state in HAMLET_TURN:
        dates = [_review_deadline(review_deadline, year)]
        if state in SUBMISSION_PENDING:
            dates.append(submission_due)
        dates = [day for day in dates if day]
        return min(dates) if dates else None
    if state in DECISION_PENDING:
        return decision_due
    return None


def current_due_on(dossier):
    """The due date of the step the dossier waits on, or None (no query: the unit
    that must act is not loaded)."""
    return due_on(state=dossier.state, year=dossier.year, review_deadline=dossier.rule_set.review_deadline,
                  submission_due=dossier.submission_due, decision_due=dossier.decision_due)


def current_deadline(dossier):
    """The step the dossier waits on, its due date, and the unit that must act; or None."""
    day = current_due_on(dossier)
    if day is None:
        return None
    if dossier.state in HAMLET_TURN:
        return Deadline("submission", _("send the dossier"), day, dossier.unit, "prepare_dossier")
    if dossier.state == DossierState.SUBMITTED:
        return Deadline("appraisal", _("appraise the dossier"), day, dossier.appraising_unit, "appraise_dossier")
    return Deadline("decision", _("sign the decision"), day, dossier.deciding_unit, "decide_title")


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
    rows = dossiers.filter(overdue_q(today)).values_list("unit_path").annotate(n=Count("pk")).order_by()
    for path, n in rows:
        for part in path.strip("/").split("/"):
            counts[int(part)] += n
    return dict(counts)
