"""Writes on the directory: memberships and their object permissions; households' master data.

A membership grants its role from `since` to `until`, both days included. What
grants it is the user's place in the guardian group of (unit, role): every reader
of permissions (find_acting and the inbox through grants_of, the API's querysets
through guardian, viewflow's task queue, the notification recipients) reads those
tables and nothing else. So the group membership is kept equal to the dated rows:
at once when a membership is granted or ended, and on the dates themselves by
apply_membership_dates, which beat runs at the top of every hour (the midnight run
starts and ends the memberships of the day; the others catch up a missed one).
"""

import datetime
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from core import bulk
from core.lookups import AnyOf
from core.text import text_problem

from .models import (
    GRANTABLE_ROLES, GROUP_PREFIX, ROLE_PERMISSIONS, Household, HouseholdChange, HouseholdImport, Level, Membership,
    MembershipChange,
    Role, Unit, group_name, membership_group_name,
)
from .search import Folded, fold
from .selectors import acting_on_each, grants_of, hamlets_managed_by, require_acting
from .spreadsheets import read_household_rows


def _role_group(unit, role):
    """The guardian group of (unit, role), created with the role's object permissions on the unit."""
    group, created = Group.objects.get_or_create(name=membership_group_name(unit, role))
    if created:
        for codename in ROLE_PERMISSIONS[role]:
            assign_perm(f"directory.{codename}", group, unit)
    return group


@transaction.atomic
def grant_membership(*, user, unit, role, since=None, until=None):
    """Give `user` the `role` in `unit` from `since` (default today) to `until` (default: open).

    One group per (unit, role) holds the object permissions, so granting and
    ending a membership is only a change of group membership; a membership that
    starts later gives nothing until its first day.
    """
    since = since or timezone.localdate()
    membership = Membership.objects.create(user=user, unit=unit, role=role, since=since, until=until)
    _role_group(unit, role)
    _apply_dates(timezone.localdate(), user_ids=[user.pk])
    return membership


@transaction.atomic
def end_membership(*, membership, until=None):
    """End `membership` after the day `until`, its last day with the role.

    Without `until` it ends now: its last day was yesterday. A date still to come
    keeps the role until the end of that day."""
    membership.until = until or timezone.localdate() - datetime.timedelta(days=1)
    membership.save(update_fields=["until"])
    _apply_dates(timezone.localdate(), user_ids=[membership.user_id])
    return membership


@transaction.atomic
def apply_membership_dates(*, today=None):
    """Put every user in exactly the (unit, role) groups of their memberships valid `today`.

    Idempotent; returns (added, removed) counts. A constant number of queries
    whatever the number of memberships."""
    return _apply_dates(today or timezone.localdate())


def _apply_dates(today, user_ids=None):
    memberships = Membership.objects.all() if user_ids is None else Membership.objects.filter(user_id__in=user_ids)
    wanted, roles = set(), {}
    for user_id, unit_id, code, role, since, until in memberships.values_list(
        "user_id", "unit_id", "unit__code", "role", "since", "until"
    ):
        name = group_name(code, role)
        roles[name] = (unit_id, role)
        if since <= today and (until is None or until >= today):
            wanted.add((user_id, name))
    links = get_user_model().groups.through.objects.filter(group__name__startswith=GROUP_PREFIX)
    if user_ids is not None:
        links = links.filter(user_id__in=user_ids)
    held = {(user_id, name): pk for pk, user_id, name in links.values_list("pk", "user_id", "group__name")}
    removed = [pk for key, pk in held.items() if key not in wanted]
    missing = wanted - held.keys()
    if removed:
        get_user_model().groups.through.objects.filter(pk__in=removed).delete()
    if missing:
        groups = dict(Group.objects.filter(name__in={name for _user, name in missing}).values_list("name", "pk"))
        absent = {roles[name] for _user, name in missing if name not in groups}
        if absent:  # a group someone deleted by hand: recreate it with its permissions
            units = Unit.objects.in_bulk({unit_id for unit_id, _role in absent})
            for unit_id, role in absent:
                group = _role_group(units[unit_id], role)
                groups[group.name] = group.pk
        get_user_model().groups.through.objects.bulk_create(
            [get_user_model().groups.through(user_id=user_id, group_id=groups[name]) for user_id, name in missing],
            ignore_conflicts=True,
        )
    return len(missing), len(removed)


# --- Households: the hamlet's master data -------------------------------------------------------------

# Vietnamese mobile and landline numbers as people write them: 0 or +84, then 8 to 10 digits.
PHONE_PATTERN = re.compile(r"^(?:\+84|0)\d{8,10}$")
HOUSEHOLD_FIELDS = ("code", "head_name", "address", "members", "phone")


def _acting_on_hamlet(actor, hamlet):
    """The role through which `actor` manages `hamlet`'s households (its own head, or the officer of
    its commune), or PermissionDenied; a ceased hamlet takes no new data."""
    acting = require_acting(actor, hamlet, "manage_households", inherited=True)
    today = timezone.localdate()
    if hamlet.level != Level.HAMLET:
        raise ValidationError(_("%(unit)s is not a hamlet: households belong to a hamlet.") % {"unit": hamlet})
    if not hamlet.is_valid_on(today):
        raise ValidationError(
            _("%(unit)s ceased on %(day)s: its households can no longer be changed.")
            % {"unit": hamlet, "day": date_format(hamlet.valid_to, "d/m/Y")})
    return acting


def household_problems(values):
    """What is wrong with one household's data, as translated messages (empty when it is fine).
    Shared by the form and the spreadsheet import, so both refuse the same things with the same words."""
    problems = []
    if not (values.get("code") or "").strip():
        problems.append(_("The household code is missing."))
    if not (values.get("head_name") or "").strip():
        problems.append(_("The head of household is missing."))
    # A file without the Members column leaves an existing household's members as they are (a new one: 1).
    members = values.get("members", 1)
    if not isinstance(members, int) or members < 1 or members > 99:
        problems.append(_("Members must be a whole number from 1 to 99 (got %(value)s).") % {"value": members})
    phone = (values.get("phone") or "").replace(" ", "").replace(".", "")
    if phone and not PHONE_PATTERN.match(phone):
        problems.append(_("The phone number %(phone)s is not a Vietnamese number (0… or +84…, 9 to 11 digits).")
                        % {"phone": values.get("phone")})
    for name in ("code", "head_name", "address"):
        limit = Household._meta.get_field(name).max_length
        if len(values.get(name) or "") > limit:
            problems.append(_("%(field)s is longer than %(limit)s characters.")
                            % {"field": Household._meta.get_field(name).verbose_name, "limit": limit})
        bidi = text_problem(values.get(name), Household._meta.get_field(name).verbose_name, max_length=None)
        if bidi:
            problems.append(bidi)
    return problems


def _clean(values):
    cleaned = {field: values.get(field) for field in HOUSEHOLD_FIELDS if field in values}
    for field in ("code", "head_name", "address"):
        if field in cleaned:
            cleaned[field] = " ".join((cleaned[field] or "").split())
    if "phone" in cleaned:
        cleaned["phone"] = (cleaned["phone"] or "").replace(" ", "").replace(".", "")
    return cleaned


def _change(household, action, changes, acting, at, reason="", source=""):
    return HouseholdChange(household=household, action=action, changes=changes, reason=reason, source=source,
                           actor=acting.user, role=acting.role, unit=acting.unit, at=at)


@transaction.atomic
def add_household(*, actor, hamlet, values, reason=""):
    acting = _acting_on_hamlet(actor, hamlet)
    values = _clean(values)
    problems = household_problems(values)
    if not problems and Household.objects.filter(code=values["code"]).exists():
        problems.append(_("The household code %(code)s is already used.") % {"code": values["code"]})
    if problems:
        raise ValidationError(problems)
    household = Household.objects.create(hamlet=hamlet, **values)
    HouseholdChange.objects.bulk_create([_change(
        household, HouseholdChange.Action.CREATED, {f: [None, values[f]] for f in values}, acting,
        timezone.now(), reason)])
    return household


@transaction.atomic
def edit_household(*, actor, household, values, hamlet=None, reason=""):
    """Change a household's data and, with `hamlet`, move it to another hamlet (the actor must manage
    both). Only what changed is written and recorded; an edit that changes nothing writes nothing."""
    household = Household.objects.select_for_update().select_related("hamlet").get(pk=household.pk)
    acting = _acting_on_hamlet(actor, household.hamlet)
    values = _clean({**{f: getattr(household, f) for f in HOUSEHOLD_FIELDS}, **values})
    problems = household_problems(values)
    if values["code"] != household.code and Household.objects.filter(code=values["code"]).exists():
        problems.append(_("The household code %(code)s is already used.") % {"code": values["code"]})
    moving = hamlet is not None and hamlet.pk != household.hamlet_id
    if moving:
        _acting_on_hamlet(actor, hamlet)
        if not reason.strip():
            problems.append(_("Moving a household to another hamlet needs a reason."))
    if problems:
        raise ValidationError(problems)
    changes = {f: [getattr(household, f), values[f]] for f in HOUSEHOLD_FIELDS if getattr(household, f) != values[f]}
    if moving:
        changes["hamlet"] = [household.hamlet.name, hamlet.name]
    if not changes:
        return household
    for name, value in values.items():
        setattr(household, name, value)
    if moving:
        household.hamlet = hamlet
    household.save()
    HouseholdChange.objects.bulk_create([_change(
        household, HouseholdChange.Action.MOVED if moving else HouseholdChange.Action.UPDATED, changes, acting,
        timezone.now(), reason)])
    return household


@transaction.atomic
def set_household_active(*, actor, household, active, reason):
    """Deactivate (moved away, merged, dissolved) or reactivate a household. The row stays, with its
    nominations and awards; an inactive household cannot be registered for a title."""
    household = Household.objects.select_for_update().select_related("hamlet").get(pk=household.pk)
    acting = _acting_on_hamlet(actor, household.hamlet)
    if not reason.strip():
        raise ValidationError(_("Say why the household is deactivated or reactivated."))
    if household.active == active:
        raise ValidationError(_("%(household)s is already %(state)s.") % {
            "household": household, "state": _("active") if active else _("inactive")})
    household.active = active
    household.save(update_fields=["active"])
    HouseholdChange.objects.bulk_create([_change(
        household, HouseholdChange.Action.REACTIVATED if active else HouseholdChange.Action.DEACTIVATED,
        {"active": [not active, active]}, acting, timezone.now(), reason)])
    return household


# --- Importing a household list: one hamlet's, or a commune's or district's with a Hamlet column ---------

# What importing a row does, in the order the pages list them.
OUTCOMES = ("add", "change", "move", "deactivate", "reactivate", "unchanged", "refused")
_RECORDED = {"add": HouseholdChange.Action.CREATED, "change": HouseholdChange.Action.UPDATED,
             "move": HouseholdChange.Action.MOVED, "deactivate": HouseholdChange.Action.DEACTIVATED,
             "reactivate": HouseholdChange.Action.REACTIVATED}
# The keys of an applied import's result, one per outcome written or left alone.
RESULT_KEYS = {"add": "added", "change": "changed", "move": "moved", "deactivate": "deactivated",
               "reactivate": "reactivated", "unchanged": "unchanged"}
IMPORT_FIELDS = (*HOUSEHOLD_FIELDS, "active")


@dataclass
class ImportRow:
    """One spreadsheet row and what importing it does: add, change (with the changes), move to the row's
    hamlet, deactivate or reactivate, nothing, or refuse (with the problems)."""

    number: int
    values: dict
    outcome: str = "unchanged"
    problems: list = field(default_factory=list)
    changes: dict = field(default_factory=dict)
    household: object = None
    hamlet: object = None      # the hamlet the row is for, once matched among the importer's
    hamlet_text: str = ""      # what the file's Hamlet column said
    from_hamlet_id: int = None  # where an existing household is before the import


@dataclass
class HamletTally:
    """How many rows of the file do what in one hamlet; `hamlet` None gathers the rows matched to no hamlet
    of the importer (named by nothing but what the file said)."""

    hamlet: object
    counts: dict


@dataclass
class ImportPlan:
    """The dry run: the rows in the file's order, and their outcomes counted hamlet by hamlet."""

    rows: list
    hamlets: list
    counts: dict
    acting: dict = field(default_factory=dict, repr=False)  # hamlet id -> Acting, for the apply

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    @property
    def refused(self):
        return [row for row in self.rows if row.outcome == "refused"]


def _key(text):
    """A hamlet's code or name as compared with what a file says: case, Unicode form and spacing aside."""
    return " ".join(unicodedata.normalize("NFC", str(text or "")).split()).casefold()


class _HamletIndex:
    def __init__(self, hamlets):
        self.by_code, self.by_name = {}, defaultdict(list)
        for hamlet in hamlets:
            self.by_code[_key(hamlet.code)] = hamlet
            self.by_name[_key(hamlet.name)].append(hamlet)

    def match(self, text, commune_text):
        key = _key(text)
        found = [self.by_code[key]] if key in self.by_code else list(self.by_name.get(key, ()))
        if commune_text:
            commune = _key(commune_text)
            found = [h for h in found if h.parent_id and commune in (_key(h.parent.code), _key(h.parent.name))]
        return found


def _unmatched_hamlet_problems(texts, paths):
    """{text: the problem} for Hamlet cells that match none of the importer's hamlets, in one query. A cell
    naming a hamlet outside the importer's units is told so with nothing but the file's own words: not the
    hamlet's name when the file gave its code, nor its commune, nor anything of its households."""
    texts = sorted(texts)
    units = (Unit.objects.filter(level=Level.HAMLET)
             .annotate(code_upper=Upper("code"), name_folded=Folded("name"))
             .filter(Q(code_upper__in={text.upper() for text in texts}) | Q(name_folded__in={fold(t) for t in texts}))
             .values_list("code", "name", "path", "valid_to"))
    units = list(units)
    today = timezone.localdate()
    problems = {}
    for text in texts:
        key = _key(text)
        same = [(path, valid_to) for code, name, path, valid_to in units if key in (_key(code), _key(name))]
        ceased = [valid_to for path, valid_to in same if valid_to is not None and valid_to < today
                  and (paths is None or any(path.startswith(p) for p in paths))]
        if ceased:
            problems[text] = (_("“%(hamlet)s” ceased on %(day)s: its households can no longer be changed.")
                              % {"hamlet": text, "day": date_format(max(ceased), "d/m/Y")})
        elif same:
            problems[text] = (_("“%(hamlet)s” is not a hamlet whose households you manage: a file lists only "
                                "the households of your own hamlets.") % {"hamlet": text})
        else:
            problems[text] = (_("No hamlet has the code or name “%(hamlet)s”: see the sheet “Hamlets” of the "
                                "template for the codes.") % {"hamlet": text})
    return problems


def _active_problem(values):
    active = values.get("active")
    if active is None or isinstance(active, bool):
        return None
    return _("Active must be yes or no, or empty to leave the household as it is (got %(value)s).") % {"value": active}


def plan_household_import(*, actor, rows, hamlet=None, lock=False):
    """The dry run: what importing `rows` (dicts of IMPORT_FIELDS, with "hamlet" and "commune" when the file
    has those columns, numbered as in the file) would do, row by row and hamlet by hamlet.

    With `hamlet`, the file is that hamlet's: rows with no Hamlet cell go there, and a row naming another
    hamlet is refused. Without it, each row goes to the hamlet its Hamlet cell names (code or name), among
    the hamlets `actor` manages (directory.selectors.hamlets_managed_by). A row whose code exists in another
    of those hamlets moves the household there. Reads in a constant number of queries whatever the number of
    rows (one more per 5,000 codes); `lock` (the apply) locks the households the file names."""
    if hamlet is not None:
        _acting_on_hamlet(actor, hamlet)
    if hamlet is None and rows and not any("hamlet" in values for _number, values in rows):
        raise ValidationError(_("The file has no Hamlet column: choose the hamlet it is for, or name each row's "
                                "hamlet in a Hamlet column (see the template)."))
    grants = grants_of(actor)
    paths = grants.unit_paths("directory.manage_households")
    managed = list(hamlets_managed_by(actor, paths=paths).select_related("parent"))  # the tree's order
    acting = acting_on_each(actor, managed, "manage_households", grants=grants)
    index = _HamletIndex(managed)
    plan = []
    for number, values in rows:
        cleaned = _clean(values)
        if "active" in values:
            cleaned["active"] = values["active"]
        hamlet_text = " ".join(str(values.get("hamlet") or "").split())
        plan.append(ImportRow(number=number, values=cleaned, hamlet_text=hamlet_text))
    unmatched = defaultdict(list)
    for row, (_number, values) in zip(plan, rows):
        if not row.hamlet_text:
            if hamlet is None:
                row.problems.append(_("The hamlet is missing: fill the Hamlet column, or choose the hamlet on the "
                                      "import page."))
            row.hamlet = hamlet
            continue
        found = index.match(row.hamlet_text, values.get("commune"))
        if len(found) > 1:
            row.problems.append(
                _("%(count)s of the hamlets you manage are called “%(hamlet)s”: write the hamlet's code (sheet "
                  "“Hamlets” of the template) or add a Commune column.")
                % {"count": len(found), "hamlet": row.hamlet_text})
        elif not found:
            unmatched[row.hamlet_text].append(row)
        elif hamlet is not None and found[0].pk != hamlet.pk:
            row.problems.append(_("This row is for “%(hamlet)s”, but the file is imported into %(chosen)s: empty its "
                                  "Hamlet cell, or import the file for every hamlet it names.")
                                % {"hamlet": row.hamlet_text, "chosen": hamlet.name})
        else:
            row.hamlet = found[0]
    if unmatched:
        for text, problem in _unmatched_hamlet_problems(unmatched, paths).items():
            for row in unmatched[text]:
                row.problems.append(problem)
    for row in plan:
        if row.hamlet is not None and row.hamlet.pk not in acting:
            row.problems.append(_("You hold no role in %(unit)s that allows this action.") % {"unit": row.hamlet})
    codes = [row.values.get("code") for row in plan if row.values.get("code")]
    existing = {}
    households = Household.objects.select_related("hamlet")
    if lock:
        households = households.select_for_update(of=("self",))
    for chunk_start in range(0, len(codes), 5000):
        for household in households.filter(AnyOf(F("code"), codes[chunk_start:chunk_start + 5000])):
            existing[household.code] = household
    seen = {}
    for row in plan:
        row.problems += household_problems(row.values)
        active_problem = _active_problem(row.values)
        if active_problem:
            row.problems.append(active_problem)
        code = row.values.get("code")
        if code in seen:
            row.problems.append(_("The code %(code)s is also on row %(row)s.") % {"code": code, "row": seen[code]})
        elif code:
            seen[code] = row.number
        current = existing.get(code)
        if current is not None and current.hamlet_id not in acting:
            # Say only that the code is taken: the other hamlet's household is not this actor's to read.
            row.problems.append(_("The household code %(code)s is already used.") % {"code": code})
        if row.problems:
            row.outcome = "refused"
            continue
        if current is None:
            row.outcome = "add"
            continue
        row.household, row.from_hamlet_id = current, current.hamlet_id
        row.changes = {f: [getattr(current, f), row.values[f]] for f in IMPORT_FIELDS
                       if row.values.get(f) is not None and getattr(current, f) != row.values[f]}
        moving = row.hamlet.pk != current.hamlet_id
        if moving:
            row.changes["hamlet"] = [current.hamlet.name, row.hamlet.name]
        row.outcome = ("move" if moving else
                       ("reactivate" if row.values["active"] else "deactivate") if "active" in row.changes else
                       "change" if row.changes else "unchanged")
    return ImportPlan(rows=plan, hamlets=_tally(plan, managed), counts=_count(plan), acting=acting)


def _count(rows):
    counts = dict.fromkeys(OUTCOMES, 0)
    for row in rows:
        counts[row.outcome] += 1
    return counts


def _tally(plan, managed):
    by_hamlet = defaultdict(list)
    for row in plan:
        by_hamlet[row.hamlet.pk if row.hamlet is not None else None].append(row)
    tallies = [HamletTally(hamlet=h, counts=_count(by_hamlet[h.pk])) for h in managed if h.pk in by_hamlet]
    if None in by_hamlet:
        tallies.append(HamletTally(hamlet=None, counts=_count(by_hamlet[None])))
    return tallies


IMPORT_BATCH = 2000


@transaction.atomic
def import_households(*, actor, rows, hamlet=None, source="", progress=None):
    """Apply a spreadsheet (see plan_household_import): every row is re-checked (the server judges, not the
    dry run the user saw), and one refused row refuses the whole file, so nothing is half imported.
    Importing the same file again changes nothing. Every row written gets its dated HouseholdChange (added,
    edited, moved, deactivated, reactivated), in the role through which the actor manages the hamlet.
    Bulk statements of IMPORT_BATCH rows: the query count grows by a few per batch, never per row.
    `progress(done, total)` is called after each batch (the background import's progress bar)."""
    plan = plan_household_import(actor=actor, hamlet=hamlet, rows=rows, lock=True)
    refused = plan.refused
    if refused:
        raise ValidationError(
            _("%(count)s of %(total)s rows are refused (first: row %(row)s: %(problem)s); nothing was imported.")
            % {"count": len(refused), "total": len(plan), "row": refused[0].number, "problem": refused[0].problems[0]})
    now = timezone.now()
    work = [row for row in plan if row.outcome != "unchanged"]
    for start in range(0, len(work), IMPORT_BATCH):
        batch = work[start:start + IMPORT_BATCH]
        additions = [row for row in batch if row.outcome == "add"]
        for row in additions:
            row.changes = {f: [None, row.values[f] if f in row.values else Household._meta.get_field(f).get_default()]
                           for f in HOUSEHOLD_FIELDS}
            row.changes["active"] = [None, row.values.get("active") is not False]
        # Plain rows through core.bulk (COPY on PostgreSQL): a district's 45,000 households would otherwise
        # build 90,000 model instances and have the driver quote every value in Python.
        new_ids = bulk.insert(Household, [
            {"hamlet_id": row.hamlet.pk, **{f: new for f, (_old, new) in row.changes.items()}} for row in additions])
        edits = [row for row in batch if row.outcome != "add"]
        for row in edits:
            for field_name, (_old, value) in row.changes.items():
                if field_name != "hamlet":
                    setattr(row.household, field_name, value)
            row.household.hamlet = row.hamlet
        bulk.update([row.household for row in edits], [*IMPORT_FIELDS, "hamlet"])
        household_ids = dict(zip((id(row) for row in additions), new_ids))
        bulk.insert(HouseholdChange, [
            {"household_id": household_ids[id(row)] if row.outcome == "add" else row.household.pk,
             "action": _RECORDED[row.outcome], "changes": row.changes, "reason": "", "source": source, "at": now,
             # A move is recorded in the role held over the hamlet the household leaves, as edit_household does.
             **_acting_columns(plan.acting[row.from_hamlet_id if row.outcome == "move" else row.hamlet.pk])}
            for row in batch], ids=False)
        if progress is not None:
            progress(start + len(batch), len(work))
    return import_result(plan)


def _acting_columns(acting):
    return {"actor_id": acting.user.pk, "role": acting.role, "unit_id": acting.unit.pk}


def import_result(plan):
    """What an applied plan did, as kept on a background import: the counts, and hamlet by hamlet."""
    def counted(counts):
        return {key: counts[outcome] for outcome, key in RESULT_KEYS.items()}

    return {**counted(plan.counts), "hamlets": [
        {"hamlet": str(tally.hamlet), **counted(tally.counts)} for tally in plan.hamlets]}
def import_progress_key(household_import):
    return f"household-import:{household_import.pk}"


def record_household_import(*, actor, hamlet, stored_name, source, rows):
    """Record a confirmed import for the background worker (directory.tasks.apply_household_import, which
    the caller sends once this row is committed). `hamlet` None: the file names each row's hamlet."""
    if hamlet is not None:
        _acting_on_hamlet(actor, hamlet)
    elif not acting_on_each(actor, hamlets_managed_by(actor), "manage_households"):
        raise PermissionDenied(_("You manage no hamlet's households."))
    return HouseholdImport.objects.create(hamlet=hamlet, actor=actor, stored_name=stored_name, source=source,
                                          rows=rows)


def run_household_import(import_id, *, max_rows):
    """The worker's side: claim the queued import (a redelivered task finds it claimed and does nothing),
    re-read and re-check the stored file as its author, apply it, keep the result, delete the file."""
    claimed = HouseholdImport.objects.filter(pk=import_id, status=HouseholdImport.Status.QUEUED).update(
        status=HouseholdImport.Status.APPLYING)
    if not claimed:
        return None
    household_import = HouseholdImport.objects.select_related("hamlet", "actor").get(pk=import_id)
    key = import_progress_key(household_import)

    def progress(done, total):
        cache.set(key, (done, total), timeout=3600)

    try:
        with default_storage.open(household_import.stored_name) as stored:
            rows = read_household_rows(stored, max_rows=max_rows)
        result = import_households(actor=household_import.actor, hamlet=household_import.hamlet, rows=rows,
                                   source=household_import.source, progress=progress)
    except (ValidationError, PermissionDenied, FileNotFoundError) as error:
        household_import.status = HouseholdImport.Status.FAILED
        household_import.error = " ".join(getattr(error, "messages", [str(error)]))
    else:
        household_import.status = HouseholdImport.Status.APPLIED
        household_import.result = result
        default_storage.delete(household_import.stored_name)
    household_import.finished_at = timezone.now()
    household_import.save(update_fields=["status", "error", "result", "finished_at"])
    return household_import


# --- Roles given by the offices -------------------------------------------------------------------------

def _acting_on_roles_of(actor, unit):
    """The office role through which `actor` gives or ends roles in `unit`: manage_roles held on a unit
    strictly above it (a commune officer for its hamlets, a district or province office for its communes)."""
    if unit.parent_id is None:
        raise PermissionDenied(_("Roles in %(unit)s are given outside this engine.") % {"unit": unit})
    return require_acting(actor, unit.parent, "manage_roles", inherited=True)


def _membership_change(membership, action, acting, reason):
    return MembershipChange(membership=membership, action=action, since=membership.since, until=membership.until,
                            reason=reason, actor=acting.user, role=acting.role, unit=acting.unit,
                            at=timezone.now())


@transaction.atomic
def give_role(*, actor, unit, role, since, until=None, user=None, new_account=None, reason=""):
    """Give `role` in `unit` to an existing `user` or to a new account (`new_account`: username, full name,
    email), dated from `since` to `until` (both included), recorded with who gave it. A new account has no
    password: its holder sets one through the one-time link the office hands over (or that is mailed)."""
    acting = _acting_on_roles_of(actor, unit)
    problems = []
    if role not in GRANTABLE_ROLES.get(unit.level, ()):
        problems.append(_("The role “%(role)s” is not given in a %(level)s.")
                        % {"role": Role(role).label, "level": Level(unit.level).label.lower()})
    if until is not None and until < since:
        problems.append(_("The role cannot end (%(until)s) before it starts (%(since)s).")
                        % {"until": date_format(until, "d/m/Y"), "since": date_format(since, "d/m/Y")})
    if unit.valid_to is not None and since > unit.valid_to:
        problems.append(_("%(unit)s ceased on %(day)s: no role can start there after that day.")
                        % {"unit": unit, "day": date_format(unit.valid_to, "d/m/Y")})
    if (user is None) == (new_account is None):
        problems.append(_("Choose an existing account or create a new one."))
    User = get_user_model()
    if new_account is not None:
        username = (new_account.get("username") or "").strip()
        if not username:
            problems.append(_("The new account needs a user name."))
        elif User.objects.filter(username__iexact=username).exists():
            problems.append(_("The user name %(username)s is taken; choose another or pick the existing account.")
                            % {"username": username})
        for label, value in ((_("User name"), username), (_("Full name"), new_account.get("full_name"))):
            bidi = text_problem(value, label, max_length=None)
            if bidi:
                problems.append(bidi)
    if user is not None and Membership.objects.filter(user=user, unit=unit, role=role).filter(
            Q(until__isnull=True) | Q(until__gte=since)).filter(since__lte=until or datetime.date.max).exists():
        problems.append(_("%(user)s already holds this role in %(unit)s for part of these dates.")
                        % {"user": user.get_full_name() or user.username, "unit": unit})
    if problems:
        raise ValidationError(problems)
    if new_account is not None:
        first, _sep, last = (new_account.get("full_name") or "").strip().rpartition(" ")
        user = User(username=new_account["username"].strip(), email=(new_account.get("email") or "").strip(),
                    first_name=first, last_name=last)
        user.set_unusable_password()
        user.save()
    membership = grant_membership(user=user, unit=unit, role=role, since=since, until=until)
    MembershipChange.objects.bulk_create([_membership_change(membership, MembershipChange.Action.GRANTED, acting,
                                                             reason)])
    return membership


@transaction.atomic
def end_role(*, actor, membership, until, reason):
    """End a role given through the offices: `until` is its last day (today or later; an earlier end would
    rewrite what the holder was entitled to do). Recorded with who ended it and why."""
    membership = Membership.objects.select_for_update().select_related("unit", "user").get(pk=membership.pk)
    acting = _acting_on_roles_of(actor, membership.unit)
    problems = []
    if not reason.strip():
        problems.append(_("Say why the role ends."))
    today = timezone.localdate()
    if until < today - datetime.timedelta(days=1):
        problems.append(_("A role ends today at the earliest (its last day was yesterday); %(day)s is past.")
                        % {"day": date_format(until, "d/m/Y")})
    if until < membership.since - datetime.timedelta(days=1):
        problems.append(_("The role starts on %(since)s: it cannot end before.")
                        % {"since": date_format(membership.since, "d/m/Y")})
    if membership.until is not None and membership.until < today:
        problems.append(_("This role already ended on %(day)s.") % {"day": date_format(membership.until, "d/m/Y")})
    if problems:
        raise ValidationError(problems)
    end_membership(membership=membership, until=until)
    MembershipChange.objects.bulk_create([_membership_change(membership, MembershipChange.Action.ENDED, acting,
                                                             reason)])
    return membership
