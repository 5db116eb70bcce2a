"""What the 18 November proposals add to the shared route (workflows.procedures.festival): the
year's festival plan and each proposal's instrument (titles.commendations).

- `choose_instruments`: the hamlet Front head says what each proposal asks for; an instrument not in
  force on the festival's last day is refused with its end date (the district Front's Giấy khen after
  30/06/2025), and so is one whose granting unit does not exist that day.
- `check_submission` (called by routing.submit_dossier): a list first sent after the plan's nomination
  deadline is refused with both dates (one the commune Front returned is sent again after it); more proposals than the plan's quota per hamlet list is refused
  with the numbers; a proposal without an instrument is refused by name.
- `split_at_decision` (called by routing.decide): the commune Front's decision grants the instruments
  the hamlet committee or the commune Front issue; every other accepted proposal is forwarded to the unit
  that grants its instrument (the commune chair, the district or provincial Front), audited on the list's
  chain and told to that unit, and stays accepted, outside this decision's register.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from titles import commendations

from ..models import NominationState
from ..procedures import FESTIVAL, procedure_of
from . import messages as notify
from .audit import AuditTrail
from .common import acting_for, check_revision, finish, lock_dossier, parse_ids, write_fields
from .errors import RuleViolation

EDITABLE = ("open", "reviewed", "returned")


def is_festival(dossier):
    return procedure_of(dossier) is FESTIVAL


def festival_day(dossier):
    """The day the proposals are judged against the instruments in force: the plan's last festival day."""
    plan = commendations.festival_plan(dossier.year)
    return plan.window_to if plan else datetime.date(dossier.year, 11, 18)


@transaction.atomic
def choose_instruments(*, actor, dossier, instruments, expected_revision=None):
    """Record what each proposal asks for: `instruments` {nomination id: instrument code}."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "register")
    check_revision(dossier, expected_revision)
    if dossier.state not in EDITABLE:
        raise RuleViolation(_("The instruments can be chosen only before the list is sent; it is “%(state)s”.")
                            % {"state": dossier.get_state_display()})
    parse_ids(list(instruments))
    wanted = {int(pk): (code or "").strip() for pk, code in instruments.items()}
    nominations = list(dossier.nominations.filter(pk__in=wanted).exclude(state=NominationState.WITHDRAWN)
                       .order_by("pk"))
    if len(nominations) != len(wanted):
        raise RuleViolation(_("%(n)s of the chosen proposals are not on this list.")
                            % {"n": len(wanted) - len(nominations)})
    day = festival_day(dossier)
    problems = []
    for code in sorted(set(wanted.values())):
        problem = commendations.instrument_problem(code, day)
        if problem is None:
            item, unit = commendations.route(code, dossier.unit, day)
            if unit is None:
                problem = _("%(instrument)s: no unit of level “%(level)s” above %(unit)s on %(day)s to grant it.") % {
                    "instrument": item.name, "level": item.issuer_level, "unit": dossier.unit,
                    "day": day.strftime("%d/%m/%Y")}
        if problem:
            problems.append(problem)
    if problems:
        raise RuleViolation(" ".join(problems))
    trail = AuditTrail(dossier.case, acting)
    changed = []
    for nomination in nominations:
        code = wanted[nomination.pk]
        if nomination.instrument != code:
            trail.add(action="choose_instrument", target=nomination, instrument=code,
                      previous_instrument=nomination.instrument)
            nomination.instrument = code
            changed.append(nomination)
    if changed:
        write_fields(changed, ["instrument"])
        finish(dossier, trail, fields=[])
    return len(changed)


def check_submission(dossier, submitted_on):
    """Refuse sending a festival list late, over its quota, or with a proposal asking for nothing."""
    if not is_festival(dossier):
        return
    plan = commendations.festival_plan(dossier.year)
    if plan is None:
        raise RuleViolation(_("No festival plan is recorded for %(year)s: its deadline and quotas are unknown, so "
                              "no list can be sent.") % {"year": dossier.year})
    # The deadline is the list's first arrival: one the commune Front returned is sent again after it.
    if dossier.state != "returned" and submitted_on > plan.nomination_deadline:
        raise RuleViolation(
            _("The proposals of %(year)s had to reach the commune Front by %(deadline)s (%(plan)s); this list is "
              "sent on %(date)s, after the deadline.")
            % {"year": dossier.year, "deadline": plan.nomination_deadline.strftime("%d/%m/%Y"), "plan": plan.name,
               "date": submitted_on.strftime("%d/%m/%Y")})
    proposed = list(dossier.nominations.filter(state=NominationState.PROPOSED).order_by("pk"))
    kind = dossier.title_type.subject_kind
    quota = plan.quotas.get(kind)
    if quota is not None and len(proposed) > quota:
        raise RuleViolation(
            _("%(plan)s allows at most %(quota)s proposals of this kind per hamlet; the list proposes %(n)s. "
              "Withdraw %(over)s or hold the meeting again.")
            % {"plan": plan.name, "quota": quota, "n": len(proposed), "over": len(proposed) - quota})
    missing = [n for n in proposed if not n.instrument]
    if missing:
        raise RuleViolation(_("Say what each proposal asks for before sending: %(names)s.")
                            % {"names": ", ".join(str(n.subject) for n in missing[:5])})


def split_at_decision(dossier, trail, nominations):
    """(granted here, forwarded) among the accepted `nominations`; the forwards are audited on the decision's
    `trail` and told to the receiving unit. Not a festival list: every nomination is granted here."""
    if not is_festival(dossier):
        return nominations, []
    day = festival_day(dossier)
    granted, forwarded = [], []
    # One route per instrument asked for, not per proposal: a commune's 400 proposals ask for a handful.
    routes = {code: commendations.route(code, dossier.unit, day) for code in {n.instrument for n in nominations}}
    for nomination in nominations:
        item, unit = routes[nomination.instrument]
        if item is not None and (item.issuer_level == "hamlet"
                                 or (unit is not None and unit.pk == dossier.deciding_unit_id and item.by_front)):
            granted.append(nomination)
            continue
        forwarded.append((nomination, item, unit))
        trail.add(action="forward", target=nomination, instrument=nomination.instrument,
                  to_unit=unit.pk if unit else None, to_unit_name=str(unit) if unit else "")
    if forwarded:
        notify.commendations_forwarded(dossier=dossier, forwards=forwarded)
    return granted, forwarded
