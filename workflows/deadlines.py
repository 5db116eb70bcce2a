"""Reads about deadlines: whose turn it is, by when, and what is overdue.

Which due date binds in which state is the procedure's (its stages' deadlines,
workflows.procedures). The due dates themselves were computed by the workflow
services from the rule set (working or calendar days, holidays from the Holiday
table) and stored on the dossier; the review deadline ("before 25 November") is
read from the rule set.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import BooleanField, Case, Count, Q, Value, When

from titles.models import RuleSet

from .models import Dossier
from .procedures import IN_USE, procedure_for_title, procedure_of, review_day


@dataclass(frozen=True)
class Deadline:
    step: str
    label: str
    due_on: datetime.date
    unit: object
    codename: str
    # The page the reminder links to, and the state an alert is keyed by ("" for the dossier's own):
    # a deadline after the decision (the public list, documents) waits on no state of the route.
    page: str = "workflows:dossier"
    state: str = ""


def due_on(*, state, year, review_deadline, submission_due, decision_due, procedure=None):
    """The due date of the step a dossier in `state` waits on, or None, from the
    dossier's columns and its rule set's review deadline ("MM-DD"): the rule of
    current_deadline and overdue_q, for rows read without model instances. Which
    columns bind in which state is the procedure's (its stages' deadlines)."""
    procedure = procedure or IN_USE[0]
    return procedure.due_on(state=state, year=year, review_deadline=review_deadline,
                            dates={"submission_due": submission_due, "decision_due": decision_due})


def current_due_on(dossier):
    """The due date of the step the dossier waits on, or None (no query: the unit
    that must act is not loaded)."""
    return due_on(state=dossier.state, year=dossier.year, review_deadline=dossier.rule_set.review_deadline,
                  submission_due=dossier.submission_due, decision_due=dossier.decision_due,
                  procedure=procedure_of(dossier))


def current_deadline(dossier):
    """The step the dossier waits on, its due date, and the unit that must act; or None."""
    day = current_due_on(dossier)
    if day is None:
        return None
    stage, deadline = procedure_of(dossier).deadline_of(dossier.state)
    return Deadline(deadline.code, deadline.label, day, stage.unit_of(dossier), stage.owner_permission)


def _binding(procedure):
    """({due-date column: the states in which it binds}, the states the rule set's
    review deadline binds in), from the procedure's stages."""
    columns, reviewed = {}, []
    for stage in procedure.stages:
        if stage.deadline is None:
            continue
        for due in stage.deadline.columns:
            columns.setdefault(due.column, []).extend(due.states or stage.states)
        if stage.deadline.review_deadline:
            reviewed.extend(stage.states)
    return columns, reviewed


def due_by_q(day):
    """Dossiers whose current step is due on or before `day` (one query for the rule sets)."""
    rule_sets = list(RuleSet.objects.values_list("pk", "review_deadline", "title_type__code"))
    terms = []
    for procedure in IN_USE:
        mine = [(pk, review) for pk, review, code in rule_sets if procedure_for_title(code) is procedure]
        # A dossier is the procedure's by its rule set's title: every dossier while one procedure runs all.
        scope = Q() if len(IN_USE) == 1 else Q(rule_set_id__in=[pk for pk, _ in mine])
        columns, reviewed = _binding(procedure)
        terms += [scope & Q(state__in=states, **{f"{column}__lte": day}) for column, states in columns.items()]
        for pk, review in mine:
            if review and reviewed:
                years = Q(year__lt=day.year)
                if review_day(review, day.year) <= day:
                    years |= Q(year=day.year)
                terms.append(Q(rule_set_id=pk, state__in=reviewed) & years)
    return reduce(or_, terms) if terms else Q(pk__in=[])


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
