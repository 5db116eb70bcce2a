"""Reads for the web UI: what a user may see, their inbox, and what they may do next.

Every list here is built with a fixed number of queries (select_related and
the dossiers' own counters), whatever the number of dossiers or households.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, Max, Min, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Household, Level, Unit
from directory.selectors import can_see_unit, find_acting, find_acting_each, grants_of, visible_unit_paths
from directory.search import Folded, fold
from .deadlines import current_due_on, overdue_q
from titles.models import Award, RuleSet, SubjectKind, TitleType
from titles.subjects import SUBJECT_CODE, SUBJECT_KINDS, SUBJECT_NAME, subject_kind_of

from .audit.labels import ACTION_LABELS, describe, nomination_of, role_label, state_label, state_labels
from .models import Dossier, DossierState, Nomination, NominationState, PostingComment
from .procedures import IN_USE, procedure_for_title, procedure_of


def _paths_q(paths, field):
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths))


def visible_dossiers(user):
    """Dossiers of every unit in the subtrees where `user` holds view_unit_dossiers."""
    today = timezone.localdate()
    return (
        Dossier.objects.filter(_paths_q(visible_unit_paths(user), "unit_path"))
        .select_related("unit", "unit__parent", "rule_set", "title_type")
        .annotate(
            # The dossier's own counters (kept by the services): no GROUP BY over the
            # nominations, so the database can stop at the page's LIMIT.
            households=F("households_count"),
            proposed=F("proposed_count"),
            is_overdue=_overdue_q(today),
        )
        .order_by("-year", "unit_path", "pk")
    )


def _overdue_q(today):
    # One definition of "overdue" for lists, reminders and escalation: the step's
    # own due date or the rule set's review deadline (25 November under Decree 86).
    return ExpressionWrapper(overdue_q(today), output_field=BooleanField())


# The permissions that open a round, one per procedure in use.
OPENING = tuple(dict.fromkeys(f"directory.{procedure.opening_permission}" for procedure in IN_USE))


def rounds_open_to(grants, *, titles, year=None):
    """[(title type, [units])]: for each of `titles` (yearly titles, already read), the units where the
    holder of `grants` may open its round (its procedure's opening permission on a unit at the level the
    title's subject kind lists: hamlets for the Cultural Family, communes for the hamlet title). With
    `year`, units whose round of that title and year is open are left out. One query, whatever the
    number of units or titles: whether each unit's round is open comes with the unit."""
    levels = sorted({kind.dossier_level for kind in SUBJECT_KINDS.values()})
    held = {}
    if grants.superuser:
        units = Unit.objects.filter(level__in=levels)
    else:
        held = {perm: {unit.pk for level in levels for unit in grants.units_with(perm, level)} for perm in OPENING}
        pks = set().union(*held.values())
        if not pks:
            return []
        units = Unit.objects.filter(pk__in=pks)
    if year is not None:
        units = units.annotate(**{
            f"opened_{title.pk}": Exists(Dossier.objects.filter(unit=OuterRef("pk"), year=year, title_type=title.pk))
            for title in titles})
    units = list(units.order_by("path"))
    options = []
    for title in titles:
        level = subject_kind_of(title).dossier_level
        opens = held.get(f"directory.{procedure_for_title(title.code).opening_permission}", set())
        free = [unit for unit in units if unit.level == level and not getattr(unit, f"opened_{title.pk}", False)
                and (grants.superuser or unit.pk in opens)]
        if free:
            options.append((title, free))
    return options


def rounds_to_open(user):
    """Where `user` may open a round of each yearly title, whether or not the year's is already open
    (the service refuses a second one, naming it): what the "open a round" form accepts."""
    return rounds_open_to(grants_of(user), titles=list(TitleType.objects.yearly().order_by("pk")))


def dossier_for(user, pk):
    """The dossier if `user` may see it (a view permission on its unit or an ancestor), else 404."""
    return dossier_with_viewer(user, pk)[0]


def dossier_with_viewer(user, pk, access=None):
    """(the dossier, the role through which `user` sees it), or 404 as dossier_for. `access`: the
    request's directory.selectors.Access of `user`, when the page asks it more (its buttons)."""
    dossier = (
        Dossier.objects.select_related("unit", "unit__parent", "rule_set", "title_type", "case")
        .filter(pk=pk).first()
    )
    if dossier is not None:
        _appraising_and_deciding_units(dossier)
    viewer = find_acting(user, dossier.unit, "view_unit_dossiers", inherited=True, access=access) if dossier else None
    if viewer is None:
        raise Http404(_("No such dossier."))
    return dossier, viewer


def _appraising_and_deciding_units(dossier):
    """Fill the dossier's appraising and deciding units, which are nearly always its unit's parent (the
    commune for a hamlet's dossier): joining the units table twice more cost the dossier's statement
    ~1 ms of PostgreSQL planning and SQL building on every page (issue 17). Any other unit is read, both
    in one query."""
    parent = dossier.unit.parent
    missing = set()
    for field in ("appraising_unit", "deciding_unit"):
        unit_id = getattr(dossier, f"{field}_id")
        if parent is not None and unit_id == parent.pk:
            setattr(dossier, field, parent)
        elif unit_id is not None:
            missing.add(unit_id)
    if missing:
        found = Unit.objects.in_bulk(missing)
        for field in ("appraising_unit", "deciding_unit"):
            if getattr(dossier, f"{field}_id") in found:
                setattr(dossier, field, found[getattr(dossier, f"{field}_id")])


def household_for(user, pk):
    household = Household.objects.select_related("hamlet", "hamlet__parent").filter(pk=pk).first()
    if household is None or not can_see_unit(user, household.hamlet):
        raise Http404(_("No such household."))
    return household


def household_titles(household):
    return (
        Award.objects.filter(household=household)
        .select_related("title_type", "decision", "decision__unit")
        .order_by("-year")
    )


def household_nominations(household):
    return (
        Nomination.objects.filter(household=household)
        .select_related("dossier", "title_type")
        .order_by("-year")
    )


def hamlet_for(user, pk):
    """The hamlet if `user` may see its dossiers (a dated membership there or above), else 404."""
    hamlet = Unit.objects.select_related("parent").filter(pk=pk, level=Level.HAMLET).first()
    if hamlet is None or not can_see_unit(user, hamlet):
        raise Http404(_("No such hamlet."))
    return hamlet


def hamlet_titles(hamlet):
    """The hamlet's own awards (its titles and certificates of merit), newest first: one query."""
    return (
        Award.objects.filter(hamlet=hamlet)
        .select_related("title_type", "decision", "decision__unit")
        .order_by("-year", "title_type_id")
    )


@dataclass(frozen=True)
class FamilyYear:
    """A year of the hamlet's Cultural Family round, from its dossier's counters."""

    dossier_id: int
    year: int
    decided: bool
    recognized: int
    roll: int | None

    @property
    def rate(self):
        return round(100 * self.recognized / self.roll, 1) if self.decided and self.roll else None


def hamlet_family_years(hamlet):
    """[FamilyYear] of the hamlet's household titles that are not certificates of merit (the Cultural
    Family), newest first: one query, the dossiers' own counters, whatever the number of households."""
    merit_titles = RuleSet.objects.filter(merit__has_key="base_title").values("title_type_id")
    rows = (Dossier.objects.filter(unit=hamlet, title_type__subject_kind=SubjectKind.HOUSEHOLD)
            .exclude(title_type_id__in=merit_titles).order_by("-year")
            .values_list("pk", "year", "state", "recognized_count", "households_on_roll"))
    return [FamilyYear(pk, year, state == DossierState.DECIDED, recognized, roll)
            for pk, year, state, recognized, roll in rows]


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    url_name: str
    primary: bool = False


def available_actions(user, dossier):
    """The actions `user` may take on `dossier` now. Only a display aid: the services
    check permission and state again on every POST."""
    return actions_and_ceased_unit(user, dossier)[0]


def actions_and_ceased_unit(user, dossier, access=None):
    """(the actions `user` may take on `dossier` now, the unit that ceased and withholds
    the others, or None).

    Every act needs the dossier's hamlet and the unit that acts still in existence
    (services.common.check_units_in_force): once one ceased (valid_to past), its acts
    could only be refused, so they are not offered and the page names the unit and
    its successor instead. Reading is unaffected."""
    today = timezone.localdate()
    offered, ceased = [], None
    for action, acting_unit in _candidate_actions(user, dossier, access):
        blocking = next((unit for unit in (dossier.unit, acting_unit)
                         if unit.valid_to is not None and unit.valid_to < today), None)
        if blocking is None:
            offered.append(action)
        elif ceased is None:
            ceased = blocking
    return offered, ceased


def _candidate_actions(user, dossier, access=None):
    """[(action, the unit it is done for)] by permission, state and rule set alone: the
    dossier procedure's menu for its state (workflows.procedures), filtered by the
    permissions the user holds on the unit of the stage it waits on (one read)."""
    menu = procedure_of(dossier).menu(dossier)
    if not menu:
        return []
    unit = menu[0][1].unit_of(dossier)
    held = find_acting_each(user, unit, tuple(dict.fromkeys(action.permission for action, _ in menu)), access=access)
    # A label may name the dossier's subjects ("Register %(subjects)s"): households, or hamlets.
    kind = subject_kind_of(dossier.title_type)
    nouns = {"subject": kind.noun, "subjects": kind.nouns}
    return [(Action(action.code, str(action.label) % nouns, action.url_name, primary=action.is_primary(dossier.state)),
             unit) for action, _ in menu if held[action.permission] is not None]


def next_action(dossier, actions):
    primary = [a for a in actions if a.primary]
    return (primary or actions or [None])[0]


def is_overdue(dossier, today=None):
    """The step the dossier waits on is past due: the rule of overdue_q, read from
    the loaded dossier and its rule set (no query)."""
    today = today or timezone.localdate()
    due_on = current_due_on(dossier)
    return bool(due_on and due_on < today)


def nomination_counts(dossier):
    """[(state label, count)] of the dossier's nominations, in the order of the states."""
    counts = dict(dossier.nominations.values_list("state").annotate(n=Count("pk")).order_by())
    return [(value, label, counts[value]) for value, label in NominationState.choices if value in counts]


def dossier_comments(dossier):
    return PostingComment.objects.filter(posting__dossier=dossier).select_related(
        "nomination__household", "nomination__hamlet", "posting")


def dossier_history(dossier):
    return dossier.audit_events.select_related("unit").order_by("seq")


@dataclass
class HistoryStep:
    """One service call as the dossier page shows it: who did what, when, to how many
    households. A per-household batch carries its transitions counted, not its rows."""

    first_seq: int
    last_seq: int
    action: str
    label: str
    at: object
    actor: str
    role: str
    unit: str
    households: int = 0
    transitions: list = field(default_factory=list)  # [(from label, to label, count)]
    event: object = None  # the described event of a dossier-wide step


def dossier_wide_events(dossier):
    """The dossier's events that are not about one household (opening, meeting, posting,
    comments, sending, return, decision, concerns, revocations), in order: few whatever
    the number of households."""
    return list(dossier.audit_events.exclude(target_type="nomination").select_related("unit").order_by("seq"))


def history_steps(dossier, events=None):
    """The dossier's history by step, in two queries whatever the number of households.

    Dossier-wide events (a meeting, a posting, a comment, a concern) are few and shown
    whole; per-household events are counted in SQL by batch, a batch being the events
    one service call wrote for one action (same time, actor, role and unit: the audit
    trail stamps a call's events with one time).
    """
    labels, rule_set = state_labels(), dossier.rule_set
    events = dossier_wide_events(dossier) if events is None else events
    households = history_households(dossier, events)
    steps = []
    for event in events:
        shown = describe(event, rule_set=rule_set, households=households, labels=labels, unit_name=event.unit.name)
        steps.append(HistoryStep(first_seq=event.seq, last_seq=event.seq, action=event.action, label=shown.label,
                                 at=event.at, actor=shown.actor, role=shown.role, unit=shown.unit, event=shown))
    # Grouped by the unit's id, its name looked up after: joining the units to every per-household
    # event before grouping them cost PostgreSQL a third more for a 300-household dossier. The units
    # that act per household act on the whole dossier too (its dossier-wide events carry their names).
    batches = list(
        dossier.audit_events.filter(target_type="nomination")
        .values("at", "action", "actor_name", "role", "unit_id", "from_state", "to_state")
        .annotate(n=Count("pk"), first=Min("seq"), last=Max("seq")).order_by("first")
    )
    unit_names = {event.unit_id: event.unit.name for event in events}
    if missing := {row["unit_id"] for row in batches} - unit_names.keys():
        unit_names.update(Unit.objects.filter(pk__in=missing).values_list("pk", "name"))
    by_key = {}
    for row in batches:
        row["unit__name"] = unit_names.get(row["unit_id"], "")
        key = (row["at"], row["action"], row["actor_name"], row["role"], row["unit_id"])
        step = by_key.get(key)
        if step is None:
            step = by_key[key] = HistoryStep(
                first_seq=row["first"], last_seq=row["last"], action=row["action"],
                label=ACTION_LABELS.get(row["action"], row["action"]), at=row["at"], actor=row["actor_name"],
                role=role_label(row["role"]), unit=row["unit__name"])
            steps.append(step)
        step.first_seq, step.last_seq = min(step.first_seq, row["first"]), max(step.last_seq, row["last"])
        step.households += row["n"]
        if row["from_state"] or row["to_state"]:  # a self-assessment changes no state
            step.transitions.append((state_label("nomination", row["from_state"], labels),
                                     state_label("nomination", row["to_state"], labels), row["n"]))
    steps.sort(key=lambda step: step.first_seq)
    return steps


def history_events(dossier, first_seq=None, last_seq=None):
    """The dossier's events one by one, optionally those of one step (a seq range)."""
    events = dossier_history(dossier)
    if first_seq is not None:
        events = events.filter(seq__gte=first_seq)
    if last_seq is not None:
        events = events.filter(seq__lte=last_seq)
    return events


def describe_events(dossier, events):
    """The events of one page as people read them, household names in one query."""
    events = list(events)
    households, labels = history_households(dossier, events), state_labels()
    return [describe(e, rule_set=dossier.rule_set, households=households, labels=labels, unit_name=e.unit.name)
            for e in events]


def history_households(dossier, events):
    """{nomination id or subject code: (name, code)} for the subjects (households, hamlets) the
    given events are about, in one query whatever their number."""
    ids, codes = set(), set()
    for event in events:
        nomination = nomination_of(event)
        if nomination is not None:
            ids.add(nomination)
        for key in ("household", "hamlet"):
            if event.payload.get(key):
                codes.add(event.payload[key])
    if not ids and not codes:
        return {}
    rows = (dossier.nominations.filter(Q(pk__in=ids) | Q(household__code__in=codes) | Q(hamlet__code__in=codes))
            .values_list("pk", SUBJECT_CODE, SUBJECT_NAME))
    found = {}
    for pk, code, name in rows:
        found[pk] = found[code] = (name, code)
    return found


def return_history(dossier, events=None):
    """Each time the dossier was returned, oldest first: {"returned": the return event,
    "answered": the event that sent it again (its payload holds the answer) or None}.
    Read from the audit chain, which keeps them all; one query, or none given the
    dossier-wide events already loaded (`events`, in seq order)."""
    # The first sending after a return answers it, whatever state it left from: a
    # re-recorded meeting takes the dossier out of "returned" before it is sent.
    if events is None:
        events = dossier.audit_events.filter(action__in=["return", "submit"]).select_related("unit").order_by("seq")
    else:
        events = [e for e in events if e.action in ("return", "submit")]
    rounds = []
    for event in events:
        if event.action == "return":
            rounds.append({"returned": event, "answered": None})
        elif rounds and rounds[-1]["answered"] is None:
            rounds[-1]["answered"] = event
    return rounds
