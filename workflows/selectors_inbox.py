"""Reads for the inbox page (workflows:home): the user's permissions, their open
tasks, the dossier list and its filter choices.

The page is read on every login and after every action, by people who may see
10,000 dossiers, so each read here is built to cost the same for 10 rows as for
10,000:
- the permissions are read once, in one statement (`grants_of`), and every other
  read takes its answers from them instead of asking guardian or viewflow again;
- each list is sorted on its narrow rows (ids and sort keys) in a subquery and
  only the page's rows are joined, read as plain values (no model instances);
- each list is counted only up to a bound (views.common.bounded_page), in the
  same query as its page's rows.
Visibility is the same rule as selectors.visible_dossiers (guardian's
view_unit_dossiers on the unit or an ancestor) and the task list the same as
viewflow's Task.objects.user_queue; tests/workflows/test_inbox_page.py holds them
to it.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext
from viewflow.workflow.models import Task

from directory.models import Level, Unit
from directory.selectors import grants_of  # noqa: F401 (the page's permissions; views read them from here)
from .deadlines import due_on
from titles.models import RuleSet, TitleType
from titles.subjects import SUBJECT_KINDS, subject_kind_of

from .flows import FLOWS
from .models import Concern, ConcernState, Dossier, DossierState
from .procedures import IN_USE, procedure_for_title, titles_q
from .selectors import _paths_q, rounds_open_to

VIEW = "directory.view_unit_dossiers"
# Who opens a round: each procedure's opening permission (its first stage's owner).
STATE_LABELS = dict(DossierState.choices)


def _visible_q(paths, field):
    return Q() if paths is None else _paths_q(paths, field)


def page_ids(queryset, offset, size):
    """The ids of rows [offset, offset + size) of `queryset` in its order, as a
    subquery: the sort runs on narrow rows and nothing else is joined for it."""
    return queryset.values("pk")[offset:offset + size]


def _quote(name):
    return connection.ops.quote_name(name)


def _column(alias, model, name):
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return field, f"{alias}.{_quote(field.column)}"


def _page_rows(statement, queryset, offset, size, limit):
    """How many rows `queryset` has, counted up to `limit` + 1, and its rows
    [offset, offset + size) as read by `statement` = (joins, order, fields), each
    value converted as the ORM converts the field's (what values_list returns);
    one query.

    The count comes first and the page's ids (page_ids) are left-joined to it, so
    an empty page still returns the count; `joins` joins the rows to the ids
    (`page`.`pk`). The statement is written once rather than built as a values_list
    query over the relations: building and compiling that query cost ~3 ms of
    Python per list on every inbox load. Both subqueries are the ORM's, so the list,
    its filters and its order stay those of `queryset`."""
    joins, order, fields = statement
    try:
        count_sql, count_params = queryset.order_by().values("pk")[:limit + 1].query.sql_with_params()
        ids_sql, ids_params = page_ids(queryset, offset, size).query.sql_with_params()
    except EmptyResultSet:  # e.g. no visible unit: the ORM knows there is no row without asking
        return 0, []
    columns = ", ".join(sql for _, sql in fields)
    sql = (f"SELECT counted.n, page.pk, {columns} FROM (SELECT COUNT(*) AS n FROM ({count_sql}) listed) counted "
           f"LEFT JOIN ({ids_sql}) page ON 1 = 1 {joins} ORDER BY {order}")
    converters = []
    for index, (field, _) in enumerate(fields):
        col = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if functions:
            converters.append((index, functions, col))
    with connection.cursor() as cursor:
        cursor.execute(sql, (*count_params, *ids_params))
        result = cursor.fetchall()
    rows = []
    for row in result:
        if row[1] is None:  # the count alone: an empty page
            continue
        row = list(row[2:])
        for index, functions, col in converters:
            for function in functions:
                row[index] = function(row[index], col, connection)
        rows.append(row)
    return result[0][0], rows


# ---------------------------------------------------------------- tasks

def open_tasks(user, grants):
    """The user's open viewflow tasks, oldest first: the tasks viewflow's
    Task.objects.user_queue(user) lists (no owner permission, the user's own, or a
    permission the user holds on the model or on the task's object), matched on the
    permission and object columns rather than on their concatenation, so the
    inbox_open_task_owner index serves it. No joins (see task_rows).

    Beyond viewflow's queue: a stage's task is owned by its first permission, but
    its other permissions act in it too (the hamlet's review task is owned by whoever
    prepares the dossier, its self-assessments and tally are done by whoever records
    the review, the hamlet Front head): their holders on the task's unit see it too."""
    tasks = Task.objects.filter(flow_task_type="HUMAN", status="NEW")
    if not grants.superuser:
        allowed = Q(owner_permission__isnull=True) | Q(owner=user)
        if grants.model_perms:
            allowed |= Q(owner_permission__in=sorted(grants.model_perms))
        objects = defaultdict(list)
        for perm, pk in sorted(grants.object_perms):
            objects[perm].append(pk)
        for perm, pks in objects.items():
            allowed |= Q(owner_permission=perm, owner_permission_obj_pk__in=pks)
        for flow_class in FLOWS.values():
            for stage in flow_class.procedure.stages:
                for codename in stage.permissions[1:]:
                    if pks := objects.get(f"directory.{codename}"):
                        allowed |= Q(flow_task=getattr(flow_class, stage.node),
                                     owner_permission=f"directory.{stage.owner_permission}",
                                     owner_permission_obj_pk__in=pks)
        tasks = tasks.filter(allowed)
    return tasks.order_by("created", "pk")


class _DossierState:
    """What a task row and a dossier row both show of their dossier's state and deadline.

    The texts are made here rather than in the template: the page lists 35 rows, and
    each template variable, filter and translate tag cost the inbox ~0.3 ms a row."""

    @property
    def state_label(self):
        return STATE_LABELS.get(self.state, self.state)

    @functools.cached_property
    def due_text(self):
        """'Send by 14/11/2025' while the hamlet still has to send, 'Decide by …' while
        the commune has it (the stage's deadline says which); '' otherwise."""
        stage = self.procedure.stage_for(self.state)
        if stage is None or stage.deadline is None or not stage.deadline.shown:
            return ""
        prefix, column = stage.deadline.shown
        day = getattr(self, column)
        return f"{gettext(prefix)} {day:%d/%m/%Y}" if day else ""

    def due_on(self):
        return due_on(state=self.state, year=self.year, review_deadline=self.review_deadline,
                      submission_due=self.submission_due, decision_due=self.decision_due, procedure=self.procedure)


@dataclass
class TaskRow(_DossierState):
    node: object  # the flow node (viewflow's Task.flow_task)
    dossier_pk: int
    unit_name: str
    year: int
    state: str
    submission_due: object
    decision_due: object
    households_count: int
    steps: list
    review_deadline: str
    owner_unit_pk: str  # the unit the task's owner permission is held on

    @property
    def procedure(self):
        return self.node.flow_class.procedure

    @property
    def stage(self):
        return self.node.stage

    def held(self, grants):
        """The codenames of the task's stage its reader holds on the task's unit (from
        the grants already read)."""
        return {codename for codename in self.stage.permissions
                if grants.superuser or f"directory.{codename}" in grants.model_perms
                or (f"directory.{codename}", self.owner_unit_pk) in grants.object_perms}

    @property
    def title(self):
        # What viewflow's Task.title shows.
        return self.node.task_title or str(self.node)

    @property
    def heading(self):
        return f"{self.unit_name} · {self.year}"


@functools.cache
def _task_rows_sql():
    """The statement of task_rows (see _page_rows); table and column names come from
    the models. A task's dossier is the one of its process (Dossier.process)."""
    fields = [_column("t", Task, "flow_task"), _column("d", Dossier, "pk"), _column("u", Unit, "name"),
              *(_column("d", Dossier, name) for name in
                ("year", "state", "submission_due", "decision_due", "households_count")),
              _column("r", RuleSet, "steps"), _column("r", RuleSet, "review_deadline"),
              _column("t", Task, "owner_permission_obj_pk")]
    task, dossier = Task._meta, Dossier._meta
    joins = f"""
        LEFT JOIN {_quote(task.db_table)} t ON t.{_quote(task.pk.column)} = page.pk
        LEFT JOIN {_quote(dossier.db_table)} d ON d.{_quote(dossier.get_field("process").column)}
                                                   = t.{_quote(task.get_field("process").column)}
        LEFT JOIN {_quote(Unit._meta.db_table)} u ON u.{_quote(Unit._meta.pk.column)}
                                                   = d.{_quote(dossier.get_field("unit").column)}
        LEFT JOIN {_quote(RuleSet._meta.db_table)} r ON r.{_quote(RuleSet._meta.pk.column)}
                                                      = d.{_quote(dossier.get_field("rule_set").column)}"""
    order = f"t.{_quote(task.get_field('created').column)}, t.{_quote(task.pk.column)}"
    return joins, order, fields


def task_rows(tasks, offset, size, limit):
    """How many tasks `tasks` (open_tasks) has, up to `limit` + 1, and its rows
    [offset, offset + size), oldest first, with their dossiers; one query."""
    count, rows = _page_rows(_task_rows_sql(), tasks, offset, size, limit)
    return count, [TaskRow(*row) for row in rows]


# ---------------------------------------------------------------- dossiers

def visible_dossiers(grants):
    """The dossiers the user may see, for the inbox's list and its filters (workflows.filters)."""
    return Dossier.objects.filter(_visible_q(grants.unit_paths(VIEW), "unit_path"))


def dossier_list(filters):
    """The inbox's dossier list: the visible dossiers as `filters` (a DossierFilterSet over
    visible_dossiers) narrow them, newest year first, then in unit order (ties by id). No
    joins beyond the filters' (see dossier_rows)."""
    return filters.qs.order_by("-year", "unit_path", "pk")


@dataclass
class DossierRow(_DossierState):
    pk: int
    year: int
    state: str
    submission_due: object
    decision_due: object
    households_count: int
    proposed_count: int
    unit_name: str
    parent_name: str | None
    title_name: str
    review_deadline: str
    title_code: str
    subject_kind: str

    @property
    def procedure(self):
        return procedure_for_title(self.title_code)

    @property
    def proposed_text(self):
        return gettext("%(p)s of %(n)s %(subjects)s proposed") % {
            "p": self.proposed_count, "n": self.households_count, "subjects": SUBJECT_KINDS[self.subject_kind].nouns}

    @property
    def heading(self):
        """'Ấp 3 (Xã An Phú) · 2025', the parent muted (escaped HTML)."""
        if self.parent_name:
            return format_html('{} <span class="muted">({})</span> · {}', self.unit_name, self.parent_name, self.year)
        return f"{self.unit_name} · {self.year}"

    @property
    def subtitle(self):
        return f"{self.title_name} · {self.proposed_text}"


@functools.cache
def _dossier_rows_sql(order_by):
    """The statement of dossier_rows (see _page_rows) in the order `order_by`
    (the dossier list's field names); names come from the models."""
    fields = [*(_column("d", Dossier, name) for name in (
        "pk", "year", "state", "submission_due", "decision_due", "households_count", "proposed_count")),
        _column("u", Unit, "name"), _column("p", Unit, "name"), _column("tt", TitleType, "name"),
        _column("r", RuleSet, "review_deadline"), _column("tt", TitleType, "code"),
        _column("tt", TitleType, "subject_kind")]
    dossier, unit = Dossier._meta, Unit._meta
    joins = f"""
        LEFT JOIN {_quote(dossier.db_table)} d ON d.{_quote(dossier.pk.column)} = page.pk
        LEFT JOIN {_quote(unit.db_table)} u ON u.{_quote(unit.pk.column)} = d.{_quote(dossier.get_field("unit").column)}
        LEFT JOIN {_quote(unit.db_table)} p ON p.{_quote(unit.pk.column)} = u.{_quote(unit.get_field("parent").column)}
        LEFT JOIN {_quote(TitleType._meta.db_table)} tt ON tt.{_quote(TitleType._meta.pk.column)}
                                                          = d.{_quote(dossier.get_field("title_type").column)}
        LEFT JOIN {_quote(RuleSet._meta.db_table)} r ON r.{_quote(RuleSet._meta.pk.column)}
                                                      = d.{_quote(dossier.get_field("rule_set").column)}"""
    order = ", ".join(
        f"{_column('d', Dossier, name.lstrip('-'))[1]}{' DESC' if name.startswith('-') else ''}" for name in order_by
    )
    return joins, order, fields


def dossier_rows(dossiers, offset, size, limit):
    """How many dossiers `dossiers` (dossier_list) has, up to `limit` + 1, and its
    rows [offset, offset + size) with their units, title and rule set's review
    deadline; one query."""
    count, rows = _page_rows(_dossier_rows_sql(tuple(dossiers.query.order_by)), dossiers, offset, size, limit)
    return count, [DossierRow(*row) for row in rows]


# ---------------------------------------------------------------- supervision concerns to answer


CONCERNS_SHOWN = 20


def concerns_to_answer(grants):
    """The open supervision concerns the user must answer: those on dossiers whose
    responsible level now (workflows.supervision: the hamlet while it prepares, the
    appraising unit while it appraises, then the deciding unit) is a unit where the
    user holds the answering permission (each stage's `concern_answerers`); oldest
    first, at most CONCERNS_SHOWN. One query when there is none, two when there are, none when
    the user holds no answering permission."""

    def units(perms):
        return sorted({unit.pk for perm in perms for unit in grants.units.get(f"directory.{perm}", ())})

    if grants.superuser:
        where = Q(case__dossier__isnull=False)
    else:
        where, answering = Q(pk__in=[]), False
        for procedure in IN_USE:
            # Several procedures: each its own titles' dossiers (a title not named runs on the default).
            scope = Q() if len(IN_USE) == 1 else titles_q(procedure, "case__dossier__title_type__code")
            for stage in procedure.stages:
                if pks := units(stage.concern_answerers):
                    answering = True
                    where |= scope & Q(case__dossier__state__in=stage.states,
                                       **{f"case__dossier__{stage.unit_attr}_id__in": pks})
        if not answering:
            return []
    concerns = Concern.objects.filter(where, state=ConcernState.OPEN)
    # Usually there is none to answer: asked first, because the statement with the joins the list shows
    # costs ~1.5 ms of SQL building on every inbox load (issue 17).
    if not concerns.exists():
        return []
    # Concerns on a dossier's case only (the procedures' stages say who answers a dossier's).
    return list(concerns.select_related("case__dossier__unit", "nomination__household", "nomination__hamlet")
                .order_by("raised_at", "pk")[:CONCERNS_SHOWN])


# ---------------------------------------------------------------- filter and open-round choices

FILTER_UNITS_MAX = 200


@dataclass(frozen=True)
class UnitChoice:
    pk: int
    name: str
    path: str

    def __str__(self):
        return self.name


@functools.cache
def _filter_units_sql(prefixes):
    """The statement of filter_units for units under any of `prefixes` path
    prefixes (None: every unit)."""
    meta = Unit._meta

    def col(field):
        return connection.ops.quote_name(meta.get_field(field).column)

    table, path = connection.ops.quote_name(meta.db_table), col("path")
    like = f"{path} {connection.operators['startswith'] % '%s'}"
    visible = "1 = 1" if prefixes is None else "(" + " OR ".join([like] * prefixes) + ")"
    columns = f"{col('id')}, {col('name')}, {path}"
    return f"""
        SELECT {columns}, 0 FROM {table} WHERE {visible} AND {col('level')} <> %s
        UNION ALL
        SELECT * FROM (SELECT {columns}, 1 FROM {table} WHERE {visible} LIMIT %s) first_units
    """


def filter_units(grants):
    """Units the user may filter the dossier list by, ordered by path: every visible
    unit, or only those above hamlet level when there are more than 200. One query:
    the visible units above hamlet level (the unit_above_hamlet_path index) and any
    201 visible units, which tell whether there are more than 200.

    Raw SQL on purpose: the ORM puts the 201 units in an `id IN (... LIMIT 201)`
    subquery, which PostgreSQL ran as a hash join over every unit of the province
    (~3 ms at 11,000 units, growing with it), and compiling the union cost ~3 ms
    of Python. Here each member reads its units directly by the path index. The
    second member sits in a FROM subquery: SQLite refuses LIMIT on a member of a
    UNION. Table and column names come from the model."""
    paths = grants.unit_paths(VIEW)
    if paths == []:
        return []
    # None (a superuser) sees every unit.
    patterns = [] if paths is None else [connection.ops.prep_for_like_query(path) + "%" for path in paths]
    sql = _filter_units_sql(None if paths is None else len(paths))
    params = [*patterns, Level.HAMLET.value, *patterns, FILTER_UNITS_MAX + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    everything = [row for row in rows if row[3] == 1]
    chosen = everything if len(everything) <= FILTER_UNITS_MAX else [row for row in rows if row[3] == 0]
    return [UnitChoice(pk, name, path) for pk, name, path, _ in sorted(chosen, key=lambda row: row[2])]


def rounds_to_open(grants, *, year, titles):
    """The rounds of `year` the inbox offers to open: selectors.rounds_open_to without the
    units whose round of that title is already open; None when there is nothing to open."""
    return rounds_open_to(grants, titles=titles, year=year) or None
