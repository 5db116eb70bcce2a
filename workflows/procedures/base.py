"""The vocabulary in which a procedure is declared: stages, their actions, deadlines and inbox links.

A procedure is data about the route, read by everything that used to restate it:
the viewflow flow (one task per stage, owned by the stage's unit and permission),
the django-fsm transitions (whether they may run now), the dossier page's action
menu, the action pages' wrong-state guard, the inbox's task links, the due dates,
reminders and escalation, and supervision's "who must answer". What the law of a
year says (which optional steps exist, which level appraises and decides, how many
days each step has) stays in the rule set; the procedure says what each step means.

Everything here is evaluated on plain values (a state, the rule set's steps, a
count), so the inbox can ask it about rows read without model instances and no
answer costs a query, except a `When.offer_if` (the menu only).
"""

import datetime
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class When:
    """What must hold, beyond its state, for an action to act there: rule-set steps
    the dossier's rule set has (`steps`) and has not (`without`), and whether the
    dossier must already list a subject (`subjects`). `offer_if(dossier)`: a further
    condition of the dossier page's menu only, for what the state cannot tell (the
    posting period is over); the service judges it with its own message and the day
    of the act, and the inbox, which reads no dossier, links elsewhere."""

    steps: tuple = ()
    without: tuple = ()
    subjects: bool = False
    offer_if: object = None

    def holds(self, steps, subjects):
        return (all(step in steps for step in self.steps)
                and not any(step in steps for step in self.without)
                and (not self.subjects or subjects > 0))


ALWAYS = When()


@dataclass(frozen=True, eq=False)
class Action:
    """One thing a user does on a dossier, through one page and one service.

    `states`: the states it acts in, each with its condition (a tuple of states
    means: always there). `step`: the rule-set step it belongs to; a rule set
    without that step has no such action. `permission`: the codename the actor
    holds on the unit of the action's stage. `primary`: the button the page puts
    first (True, or the states in which it is). `menu`: offered in the dossier
    page's menu (an action on one subject, like withdrawing a registration, is
    offered beside the subject instead)."""

    code: str
    label: object
    url_name: str
    permission: str
    states: object
    step: str = ""
    primary: object = False
    menu: bool = True

    def __post_init__(self):
        states = self.states
        if not isinstance(states, dict):
            states = dict.fromkeys(states, ALWAYS)
        object.__setattr__(self, "states", MappingProxyType(dict(states)))

    def acts_in(self, state, steps, subjects=0):
        """Whether the action acts in `state` under a rule set with `steps`, the dossier
        listing `subjects` subjects (the registrations still standing)."""
        if self.step and self.step not in steps:
            return False
        when = self.states.get(state)
        return when is not None and when.holds(steps, subjects)

    def allows(self, dossier):
        return self.acts_in(dossier.state, dossier.rule_set.steps, subjects_of(dossier))

    def offered(self, dossier):
        """Whether the dossier page offers it now (one query at most, for an `offer_if`)."""
        if not self.allows(dossier):
            return False
        offer_if = self.states[dossier.state].offer_if
        return offer_if is None or offer_if(dossier)

    def linkable(self, state, steps, subjects):
        """Whether an inbox task may open on it, knowing only the row's values."""
        return self.acts_in(state, steps, subjects) and self.states[state].offer_if is None

    def is_primary(self, state):
        return self.primary if isinstance(self.primary, bool) else state in self.primary


def subjects_of(dossier):
    """How many subjects the dossier lists (its counter: no query)."""
    return dossier.households_count


@dataclass(frozen=True)
class DueColumn:
    """A due date the services store on the dossier (computed from the rule set's days
    and day type when the step before is recorded), binding in `states` (every
    state of the stage when empty)."""

    column: str
    states: tuple = ()


@dataclass(frozen=True)
class Deadline:
    """When a stage is due: the earliest of its columns that bind in the dossier's
    state and, with `review_deadline`, the rule set's "review finished before MM-DD"
    in the dossier's year. `shown`: (prefix, column) of the short line lists show,
    e.g. "Send by 14/11/2025"."""

    code: str
    label: object
    columns: tuple = ()
    review_deadline: bool = False
    shown: tuple = ()

    def due_on(self, state, year, review_deadline, dates):
        days = [review_day(review_deadline, year)] if self.review_deadline else []
        days += [dates.get(due.column) for due in self.columns if not due.states or state in due.states]
        days = [day for day in days if day]
        return min(days) if days else None


def review_day(review_deadline, year):
    """The rule set's review deadline ("MM-DD") as the date it falls on in `year`, or None."""
    if not review_deadline:
        return None
    month, day = (int(part) for part in review_deadline.split("-"))
    return datetime.date(year, month, day)


@dataclass(frozen=True)
class TaskLink:
    """Where an inbox task opens: on `action`'s page, in `states`, if the action acts
    there and has no menu-only condition (`subjects`: only once a subject is listed)."""

    action: str
    states: tuple
    subjects: bool = False


@dataclass(frozen=True, eq=False)
class Stage:
    """Whose turn it is: one viewflow task, owned by the unit the dossier names in
    `unit_attr` ("unit", "appraising_unit", "deciding_unit") through `permissions[0]`.

    `states`: the dossier states in which the task waits (each state belongs to one
    stage at most; none: the dossier waits on nobody). `node`: the flow node's name,
    stable because stored tasks name it. `permissions`: every codename the stage's
    actions need, the owner's first; holders of the others find the task in their
    inbox too. `answered_by`: who answers a supervision concern while the dossier is
    here (default: `permissions`). `task_links`: {permission: links}: a task opens on
    the first link that applies of the first permission its reader holds, else on
    `page`."""

    code: str
    node: str
    states: tuple
    unit_attr: str
    permissions: tuple
    task_title: object
    page: str
    actions: tuple
    deadline: Deadline = None
    task_links: dict = field(default_factory=dict)
    answered_by: tuple = ()

    @property
    def owner_permission(self):
        return self.permissions[0]

    @property
    def concern_answerers(self):
        return self.answered_by or self.permissions

    def unit_of(self, dossier):
        return getattr(dossier, self.unit_attr)

    def task_link(self, state, steps, subjects, held):
        """The url name an inbox task of this stage opens on, for a reader holding the
        permissions `held` on the task's unit; from row values only (no query)."""
        by_code = {action.code: action for action in self.actions}
        for permission, links in self.task_links.items():
            if permission not in held:
                continue
            for link in links:
                action = by_code[link.action]
                if (state in link.states and action.linkable(state, steps, subjects)
                        and (not link.subjects or subjects > 0)):
                    return action.url_name
            break
        return self.page


@dataclass(frozen=True, eq=False)
class Procedure:
    """A route: its stages in order, and who hears at the level above that a step is
    overdue (`escalate_to`: codenames held on the parent of the late unit).
    `optional_steps`: the rule-set steps a rule set may leave out; every other step
    an action names must be in every rule set the procedure runs under."""

    code: str
    name: object
    stages: tuple
    escalate_to: tuple
    optional_steps: tuple = ()

    def __post_init__(self):
        stage_of_state, stage_of_action, actions = {}, {}, {}
        for stage in self.stages:
            for state in stage.states:
                assert state not in stage_of_state, f"{self.code}: {state} belongs to two stages"
                stage_of_state[state] = stage
            for action in stage.actions:
                assert action.code not in actions, f"{self.code}: two actions named {action.code}"
                actions[action.code] = action
                stage_of_action[action.code] = stage
        object.__setattr__(self, "_stage_of_state", stage_of_state)
        object.__setattr__(self, "_stage_of_action", stage_of_action)
        object.__setattr__(self, "_actions", actions)

    def __str__(self):
        return str(self.name)

    def stage(self, code):
        return next(stage for stage in self.stages if stage.code == code)

    def stage_for(self, state):
        """The stage the dossier waits on in `state`, or None (decided: nobody)."""
        return self._stage_of_state.get(state)

    def action(self, code):
        return self._actions[code]

    def stage_of(self, code):
        """The stage whose unit does action `code`."""
        return self._stage_of_action[code]

    @property
    def actions(self):
        return tuple(self._actions.values())

    def allows(self, code, dossier):
        """Whether action `code` acts on `dossier` now (state, rule-set steps, subjects); an action
        the procedure does not have (a posting in the merit round) never does."""
        action = self._actions.get(code)
        return action is not None and action.allows(dossier)

    def menu(self, dossier):
        """[(action, stage)] the dossier page may offer now, before permissions."""
        stage = self.stage_for(dossier.state)
        if stage is None:
            return []
        return [(action, stage) for action in stage.actions if action.menu and action.offered(dossier)]

    def deadline_of(self, state):
        stage = self.stage_for(state)
        return (stage, stage.deadline) if stage is not None and stage.deadline else (stage, None)

    def due_on(self, *, state, year, review_deadline, dates):
        """The due date of the stage a dossier in `state` waits on, or None; `dates`: the
        dossier's due-date columns by name."""
        _, deadline = self.deadline_of(state)
        return deadline.due_on(state, year, review_deadline, dates) if deadline else None

    @property
    def opening_permission(self):
        """Who opens a round: whoever owns the first stage's task on the dossier's unit."""
        return self.stages[0].owner_permission

    @property
    def permissions(self):
        """Every codename the procedure's stages need, in the order they first appear: the
        object permissions on units (directory.Unit) that roles grant (directory.models
        ROLE_PERMISSIONS); tests/security/test_permission_matrix.py is generated from them."""
        codenames = []
        for stage in self.stages:
            codenames += [*stage.permissions, *stage.concern_answerers, *(action.permission for action in stage.actions)]
        return tuple(dict.fromkeys(codenames))

    @property
    def steps(self):
        return tuple(dict.fromkeys(action.step for action in self.actions if action.step))

    @property
    def required_steps(self):
        return tuple(step for step in self.steps if step not in self.optional_steps)

    def rule_set_problems(self, steps):
        """What keeps a rule set with `steps` from running under this procedure: the
        steps it lacks, and the steps no stage of the procedure knows."""
        missing = [step for step in self.required_steps if step not in steps]
        unknown = [step for step in steps if step not in self.steps]
        return missing, unknown
