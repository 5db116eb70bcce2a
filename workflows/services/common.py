"""Checks and writes shared by every transition of a dossier.

Each transition takes the acting user, checks the permission on the unit that must
act, validates against the dossier's rule set, performs the django-fsm transitions,
writes the audit events and the notification outbox, and completes the viewflow
task, all in one transaction on a locked dossier row. They work on whole sets: the
query count does not depend on the number of households."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_fsm import can_proceed

from core import bulk
from core.text import TEXT_MAX_LENGTH, text_problem
from directory.selectors import require_acting

from titles.models import Step
from titles.subjects import SUBJECT_NAME

from ..flows import flow_of
from ..models import Dossier, Nomination, NominationState
from ..procedures import procedure_of
from .audit import AuditTrail, save_case
from .errors import DateNeedsConfirmation, RuleViolation

# The storage limit of a vote count (a 32-bit integer column), not a rule of law:
# a typo of that size must be refused, not crash the database write.
COUNT_LIMIT = 2_147_483_647

REVIEWABLE = [NominationState.REGISTERED, NominationState.PROPOSED, NominationState.NOT_PROPOSED]

LOCKED_WITH = ("rule_set", "unit", "appraising_unit", "deciding_unit", "title_type")


def lock_dossier(dossier, related=LOCKED_WITH):
    """Re-read the dossier under a row lock, with the `related` rows a service reads.

    Two officers acting on one dossier at once: the second waits here, then sees
    the first one's state and revision and is refused with a clear message. A service
    that reads neither the appraising nor the deciding unit leaves them out: planning
    the six-table join was most of the statement's time (0.6 of 0.8 ms on the bench).
    The dossier's case (its chain's head and revision) is read and locked with it, in
    the same statement.
    """
    return (Dossier.objects.select_for_update(of=("self", "case")).select_related("case", *related)
            .get(pk=dossier.pk))


def check_revision(dossier, expected_revision):
    if expected_revision is not None and int(expected_revision) != dossier.revision:
        raise RuleViolation(
            _("Someone else changed this dossier after you opened it (it is now: %(state)s). "
              "Reload the page and check before acting again.")
            % {"state": dossier.get_state_display()}
        )


def check_transition(dossier, method):
    if not can_proceed(method):
        raise RuleViolation(
            _("This action is not possible while the dossier is “%(state)s”.")
            % {"state": dossier.get_state_display()}
        )


def check_in_year(dossier, day, label):
    if day is None:
        raise RuleViolation(_("%(field)s is required.") % {"field": label})
    if day.year != dossier.year:
        raise RuleViolation(
            _("%(field)s %(date)s is outside the campaign year %(year)s.")
            % {"field": label, "date": day.strftime("%d/%m/%Y"), "year": dossier.year}
        )
    if day > timezone.localdate():
        raise RuleViolation(
            _("%(field)s %(date)s is in the future.") % {"field": label, "date": day.strftime("%d/%m/%Y")}
        )


def check_text(value, label, max_length=TEXT_MAX_LENGTH):
    """`value` as given, or a RuleViolation: over the one length limit of free texts, or
    carrying a text-direction control (core.text). Services check every text they
    store, so the web forms' raw fields and the API obey the same rule."""
    problem = text_problem(value, label, max_length)
    if problem:
        raise RuleViolation(problem)
    return value


def shown_day(day):
    return day.strftime("%d/%m/%Y")


def check_law_in_force(rules, day, label, step):
    """`day` lies in the rule set's period of force, or the rule set's own data
    (acts_before_effective) lets acts of `step` be dated before it took effect."""
    if day < rules.effective_from and not rules.allows_before_effective(step):
        raise RuleViolation(
            _("%(field)s %(date)s is before %(rules)s took effect on %(start)s; this act must be dated "
              "from that day on.")
            % {"field": label, "date": shown_day(day), "rules": rules.name, "start": shown_day(rules.effective_from)}
        )
    if rules.effective_to is not None and day > rules.effective_to:
        raise RuleViolation(
            _("%(field)s %(date)s is after %(rules)s (in force from %(start)s) ceased to apply on %(end)s.")
            % {"field": label, "date": shown_day(day), "rules": rules.name, "start": shown_day(rules.effective_from),
               "end": shown_day(rules.effective_to)}
        )


def _successor_text(unit):
    if unit.successor_id:
        return " " + _("Its successor is %(successor)s.") % {"successor": unit.successor}
    return ""


def check_unit_in_force(unit, day, label):
    """No act of a unit dated after it ceased: a reorganised unit is a new row, so
    acts after the reorganisation belong to the successor, named when known. (A
    round opens only for a year the unit existed in: open_round.)"""
    if unit.valid_to is not None and day > unit.valid_to:
        raise RuleViolation(
            _("%(unit)s ceased to exist on %(end)s: it can record no act dated %(date)s (%(field)s).")
            % {"unit": unit, "end": shown_day(unit.valid_to), "date": shown_day(day), "field": label}
            + _successor_text(unit)
        )


def check_role_in_force(acting, day):
    """A membership ends with its unit (its effective end is the earlier of its own
    end and the unit's valid_to, Membership.effective_until): nobody acts for a unit
    on a day after it ceased. Reading stays possible, so past years remain auditable."""
    unit = acting.unit
    if unit.valid_to is not None and day > unit.valid_to:
        raise RuleViolation(
            _("Your role in %(unit)s ended on %(end)s, when the unit ceased to exist; it can record no act "
              "dated %(date)s.")
            % {"unit": unit, "end": shown_day(unit.valid_to), "date": shown_day(day)}
            + _successor_text(unit)
        )


def check_units_in_force(dossier, acting, day, label):
    """The dossier's hamlet existed on `day`, and so did the unit the actor acts for
    (the appraising or deciding unit, or the hamlet itself)."""
    check_unit_in_force(dossier.unit, day, label)
    if acting.unit.pk != dossier.unit_id:
        check_role_in_force(acting, day)


def check_act_date(dossier, acting, day, label, step):
    """Every dated act of a dossier: in its campaign year, not in the future, inside
    the period of force of its rule set, and inside the life of its hamlet and of the
    unit that acts."""
    check_in_year(dossier, day, label)
    check_law_in_force(dossier.rule_set, day, label, step)
    check_units_in_force(dossier, acting, day, label)


def unusual_date(day, label, *, reference=None, reference_label=""):
    """Why `day` should be confirmed by whoever typed it, or None.

    More than DATE_CONFIRM_AFTER_DAYS before the day it is entered, or in another
    month than the act it follows (`reference`). Not a rule of law: a safeguard
    against typos, a setting rather than rule-set data."""
    limit = settings.DATE_CONFIRM_AFTER_DAYS
    today = timezone.localdate()
    if day < today - datetime.timedelta(days=limit):
        return _("%(field)s %(date)s is %(days)s days ago (more than %(limit)s).") % {
            "field": label, "date": shown_day(day), "days": (today - day).days, "limit": limit}
    if reference is not None and (day.year, day.month) != (reference.year, reference.month):
        return _("%(field)s %(date)s is in another month than %(other)s (%(other_date)s).") % {
            "field": label, "date": shown_day(day), "other": reference_label, "other_date": shown_day(reference)}
    return None


def require_confirmation(warnings, confirmed):
    """Refuse until unusual dates are confirmed. `confirmed` None: the caller does not
    ask (the API and scripts send ISO dates and get them back in the response)."""
    warnings = [w for w in warnings if w]
    if warnings and confirmed is False:
        raise DateNeedsConfirmation(
            " ".join(warnings) + " " + _("Check the date; if it is right, tick “The dates are correct” and "
                                         "send again.")
        )


def _text(label):
    return label() if callable(label) else label


def parse_count(value, label):
    """`value` as a count, or a RuleViolation naming `label` (a text, or a function
    returning it: a meeting checks two counts per household, and translating their
    labels is only worth it when one is wrong)."""
    # int() alone would turn 29.5 into 29 and True into 1: a typo must not become a count.
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleViolation(_("%(field)s must be a whole number; it is missing.") % {"field": _text(label)})
    if isinstance(value, bool) or not isinstance(value, (int, str)) or (
        isinstance(value, str) and not value.strip().lstrip("-").isdecimal()
    ):
        raise RuleViolation(
            _("%(field)s must be a whole number (got “%(value)s”).") % {"field": _text(label), "value": value}
        )
    number = int(value)
    if number < 0:
        raise RuleViolation(
            _("%(field)s cannot be negative (got %(value)s).") % {"field": _text(label), "value": number}
        )
    if number > COUNT_LIMIT:
        raise RuleViolation(
            _("%(field)s is %(value)s, more than any meeting can count (at most %(limit)s).")
            % {"field": _text(label), "value": number, "limit": COUNT_LIMIT}
        )
    return number


def percent(part, whole):
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else Decimal(0)


def shown_pct(pct):
    # Decimal("60.00").normalize() prints as "6E+1": format it as a plain number.
    return format(Decimal(pct).normalize(), "f")


def parse_ids(keys):
    """Primary keys from a form; a malformed one is refused instead of crashing."""
    ids = set()
    for key in keys:
        try:
            ids.add(int(key))
        except (TypeError, ValueError):
            raise RuleViolation(
                _("“%(value)s” is not a household number in this form.") % {"value": key}
            ) from None
    return ids


def meets(part, whole, threshold_pct):
    # Integer arithmetic: 60% of 40 is exactly 24, no rounding at the boundary.
    return Decimal(part) * 100 >= Decimal(threshold_pct) * whole


def write_fields(rows, fields):
    """Write `fields` of already loaded nominations in one statement (core.bulk.update)."""
    bulk.update(rows, fields)


def finish(dossier, trail, *, fields=()):
    """Flush the audit events, write the case row (head, revision) and the dossier row once each.

    Services that change nominations adjust the dossier's counters
    (households_count, proposed_count, recognized_count) from the rows they
    changed and name them in `fields`: the dossier is locked, so the counters they
    read are current, and no extra query is needed to keep them exact.
    """
    save_case(dossier.case, trail)
    dossier.save(update_fields=["state", *fields])


def acting_for(actor, dossier, code):
    """The role through which `actor` does action `code` on `dossier`, or PermissionDenied:
    the permission and the unit it is held on (the dossier's unit, appraising or deciding
    unit) are the dossier's procedure's (workflows.procedures)."""
    procedure = procedure_of(dossier)
    return require_acting(actor, procedure.stage_of(code).unit_of(dossier), procedure.action(code).permission)


def allowed(dossier, code):
    """Whether the dossier's procedure lets its action `code` act on the dossier now
    (state, rule-set steps): every state list a service checks is read from there."""
    return procedure_of(dossier).allows(code, dossier)


def complete_task(dossier, stage_code):
    """Complete the viewflow task of the dossier's stage `stage_code` (its procedure's)."""
    node = flow_of(dossier).stage_node(stage_code)
    task = dossier.process.task_set.get(flow_task=node, status="NEW")
    node.run(task)


def propose_registered(dossier, acting, day, label):
    """Without a review meeting (a rule set with no "meeting" step) the registrations
    still standing are the proposal: the act that follows them (the posting or the
    sending, dated `day`) proposes every registered subject, each audited. Writes the
    events and the nominations; the caller saves the dossier with `proposed_count`.
    Returns how many were proposed (none under a rule set with a meeting)."""
    if dossier.rule_set.has_step(Step.MEETING):
        return 0
    nominations = list(dossier.nominations.filter(state=NominationState.REGISTERED).order_by("pk"))
    if not nominations:
        return 0
    latest = max(nominations, key=lambda n: n.registered_on)
    if day < latest.registered_on:
        raise RuleViolation(
            _("%(field)s %(date)s is before the registration of %(name)s on %(day)s, which it proposes.")
            % {"field": label, "date": shown_day(day), "name": names_of([latest]),
               "day": shown_day(latest.registered_on)}
        )
    trail = AuditTrail(dossier.case, acting)
    for nomination in nominations:
        nomination.propose()
        trail.add(action="propose", target=nomination, from_state=NominationState.REGISTERED,
                  to_state=nomination.state, rule_set=dossier.rule_set.code)
    write_fields(nominations, ["state"])
    trail.flush()
    dossier.proposed_count += len(nominations)
    return len(nominations)


class SubjectNames:
    """The names of a dossier's subjects for error texts, read in one query when the first is
    shown: a tally that is accepted reads none, and the nominations are read without joining
    their households or hamlets."""

    def __init__(self, dossier):
        self._dossier_id = dossier.pk
        self._names = None

    def __getitem__(self, nomination_id):
        if self._names is None:
            self._names = dict(Nomination.objects.filter(dossier_id=self._dossier_id).order_by()
                               .values_list("pk", SUBJECT_NAME))
        return self._names[nomination_id]


def names_of(nominations, limit=5):
    """The first subjects' names for an error text (a household's head, a hamlet's name),
    read in one query: the batch services load nominations without their subjects."""
    shown = [n.pk for n in nominations[:limit]]
    named = dict(Nomination.objects.filter(pk__in=shown).values_list("pk", SUBJECT_NAME))
    names = [named[pk] for pk in shown]
    more = len(nominations) - limit
    text = ", ".join(names)
    if more > 0:
        text += " " + ngettext("and %(n)s other", "and %(n)s others", more) % {"n": more}
    return text
