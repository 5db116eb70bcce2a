"""Writes on the people and collectives of a hamlet, whom its Front work committee proposes on 18 November.

They are dated records (on record from/until) belonging to a hamlet, managed by whoever holds
manage_front_records there (the hamlet's Front head) or on its commune (the commune Front chair). A
record is never deleted: it ends (valid_to), so the proposals and awards that name it keep it. Every
change is a FrontRecordChange row in the same transaction: who, in which role, for which unit, when, what.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.text import text_problem

from .models import Collective, CollectiveKind, FrontRecordChange, Level, Person
from .selectors import require_acting

PERSON_FIELDS = ("full_name", "birth_year", "hamlet_role", "valid_from", "valid_to")
COLLECTIVE_FIELDS = ("name", "kind", "valid_from", "valid_to")
# The oldest year of birth taken: a typo (1093 for 1993) is refused rather than stored.
EARLIEST_BIRTH_YEAR = 1900


def _acting_on_hamlet(actor, hamlet):
    """The role through which `actor` manages `hamlet`'s people and collectives, or PermissionDenied;
    a ceased hamlet takes no new records."""
    acting = require_acting(actor, hamlet, "manage_front_records", inherited=True)
    if hamlet.level != Level.HAMLET:
        raise ValidationError(_("%(unit)s is not a hamlet: people and collectives belong to a hamlet.")
                              % {"unit": hamlet})
    today = timezone.localdate()
    if not hamlet.is_valid_on(today):
        raise ValidationError(_("%(unit)s ceased on %(day)s: its people and collectives can no longer be changed.")
                              % {"unit": hamlet, "day": date_format(hamlet.valid_to, "d/m/Y")})
    return acting


def _clean_text(value):
    return " ".join((value or "").split())


def _dates_problems(values, model):
    problems = []
    if not values.get("valid_from"):
        problems.append(_("The date from which the record holds is missing."))
    elif values.get("valid_to") and values["valid_to"] < values["valid_from"]:
        problems.append(_("The record cannot end (%(to)s) before it starts (%(from)s).") % {
            "to": date_format(values["valid_to"], "d/m/Y"), "from": date_format(values["valid_from"], "d/m/Y")})
    return problems


def _text_problems(values, model, names):
    problems = []
    for name in names:
        field = model._meta.get_field(name)
        problem = text_problem(values.get(name), field.verbose_name, max_length=field.max_length)
        if problem:
            problems.append(problem)
    return problems


def person_problems(values):
    """What is wrong with a person's data, as translated messages naming the rule (empty when fine)."""
    problems = []
    if not values.get("full_name"):
        problems.append(_("The person's full name is missing."))
    year, this_year = values.get("birth_year"), timezone.localdate().year
    if year is not None and not EARLIEST_BIRTH_YEAR <= year <= this_year:
        problems.append(_("The year of birth must be from %(first)s to %(last)s (got %(value)s).")
                        % {"first": EARLIEST_BIRTH_YEAR, "last": this_year, "value": year})
    return problems + _text_problems(values, Person, ("full_name", "hamlet_role")) + _dates_problems(values, Person)


def collective_problems(values):
    problems = []
    if not values.get("name"):
        problems.append(_("The collective's name is missing."))
    if values.get("kind") not in CollectiveKind.values:
        problems.append(_("Choose what kind of collective it is."))
    return problems + _text_problems(values, Collective, ("name",)) + _dates_problems(values, Collective)


def _recorded(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _record_change(acting, action, changes, reason, **record):
    FrontRecordChange.objects.create(action=action, changes=changes, reason=reason, actor=acting.user,
                                     role=acting.role, unit=acting.unit, at=timezone.now(), **record)


def _add(actor, hamlet, values, reason, model, fields, problems_of, record_name):
    acting = _acting_on_hamlet(actor, hamlet)
    values = {name: values.get(name) for name in fields}
    for name in fields:
        if isinstance(values[name], str):
            values[name] = _clean_text(values[name])
    problems = problems_of(values)
    if problems:
        raise ValidationError(problems)
    record = model.objects.create(unit=hamlet, **values)
    _record_change(acting, FrontRecordChange.Action.CREATED,
                   {name: [None, _recorded(values[name])] for name in fields}, reason, **{record_name: record})
    return record


def _edit(actor, record, values, reason, model, fields, problems_of, record_name):
    record = model.objects.select_for_update().select_related("unit").get(pk=record.pk)
    acting = _acting_on_hamlet(actor, record.unit)
    merged = {name: getattr(record, name) for name in fields}
    merged.update({name: values[name] for name in fields if name in values})
    for name in fields:
        if isinstance(merged[name], str):
            merged[name] = _clean_text(merged[name])
    problems = problems_of(merged)
    if problems:
        raise ValidationError(problems)
    changes = {name: [_recorded(getattr(record, name)), _recorded(merged[name])]
               for name in fields if getattr(record, name) != merged[name]}
    if not changes:
        return record
    for name, value in merged.items():
        setattr(record, name, value)
    record.save()
    _record_change(acting, FrontRecordChange.Action.UPDATED, changes, reason, **{record_name: record})
    return record


@transaction.atomic
def add_person(*, actor, hamlet, values, reason=""):
    """Put a person of `hamlet` on record (values: full_name, birth_year, hamlet_role, valid_from, valid_to)."""
    return _add(actor, hamlet, values, reason, Person, PERSON_FIELDS, person_problems, "person")


@transaction.atomic
def edit_person(*, actor, person, values, reason=""):
    """Change a person's data or end the record (valid_to); only what changed is written and recorded."""
    return _edit(actor, person, values, reason, Person, PERSON_FIELDS, person_problems, "person")


@transaction.atomic
def add_collective(*, actor, hamlet, values, reason=""):
    return _add(actor, hamlet, values, reason, Collective, COLLECTIVE_FIELDS, collective_problems, "collective")


@transaction.atomic
def edit_collective(*, actor, collective, values, reason=""):
    return _edit(actor, collective, values, reason, Collective, COLLECTIVE_FIELDS, collective_problems, "collective")
