"""Opening a round, registering its subjects (households, hamlets), recording their self-assessments."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.utils.text import capfirst

from core import bulk
from directory.models import Household, Level, Unit
from directory.selectors import require_acting
from titles.models import RuleSet, Step
from titles.subjects import SUBJECT_FIELDS, subject_kind_of

from ..flows import flow_of
from ..models import CaseKind, Dossier, Nomination, NominationState
from ..procedures import procedure_for_title
from . import merit
from . import messages as notify
from .audit import AuditTrail, open_case
from .common import (
    acting_for,
    allowed,
    check_act_date,
    check_revision,
    check_text,
    check_unit_in_force,
    finish,
    lock_dossier,
    names_of,
    parse_ids,
    require_confirmation,
    unusual_date,
    write_fields,
)
from .errors import RuleViolation

# ---------------------------------------------------------------- opening and registration

@transaction.atomic
def open_round(*, actor, unit, title_type, year, opened_on=None):
    """Open the year's round of `title_type` for `unit`: creates the dossier and its flow.

    The unit is the one whose list the dossier is: a hamlet for the Cultural Family (its
    households), a commune for the hamlet title (its hamlets); the title's subject kind
    says which level. `opened_on`: the day of the act, today unless a loader of past
    years says otherwise."""
    # Whoever acts in the procedure's first stage opens its rounds.
    acting = require_acting(actor, unit, procedure_for_title(title_type.code).opening_permission)
    opened_on = opened_on or timezone.localdate()
    subjects = subject_kind_of(title_type)
    if unit.level != subjects.dossier_level:
        raise RuleViolation(
            _("A %(title)s round lists %(subjects)s, so it is opened by a unit at the level “%(level)s”; "
              "%(unit)s is at the level “%(unit_level)s”.")
            % {"title": title_type, "subjects": subjects.nouns, "level": Level(subjects.dossier_level).label,
               "unit": unit, "unit_level": unit.get_level_display()}
        )
    check_unit_in_force(unit, opened_on, _("Opening of the round"))
    if year > timezone.localdate().year:
        raise RuleViolation(_("The campaign year %(year)s has not started.") % {"year": year})
    if not (unit.valid_from <= datetime.date(year, 12, 31)
            and (unit.valid_to is None or unit.valid_to >= datetime.date(year, 1, 1))):
        raise RuleViolation(
            _("%(unit)s did not exist in %(year)s.") % {"unit": unit, "year": year}
        )
    rule_set = RuleSet.objects.in_force_for(title_type, year)
    if rule_set is None:
        raise RuleViolation(
            _("No rule set for %(title)s is in force for %(year)s.") % {"title": title_type, "year": year}
        )
    if merit.is_merit(rule_set):
        # A certificate of merit opens only under rules in force (the province's unconfirmed ones are
        # not); its list is then the register's eligible subjects (register_subjects).
        merit.check_can_open(title_type, year)
    if Dossier.objects.filter(title_type=title_type, unit=unit, year=year).exists():
        raise RuleViolation(
            _("%(unit)s already has a %(title)s dossier for %(year)s.")
            % {"unit": unit, "title": title_type, "year": year}
        )
    appraising_unit = unit.ancestor_at(rule_set.appraising_level)
    deciding_unit = unit.ancestor_at(rule_set.deciding_level)
    if appraising_unit is None or deciding_unit is None:
        raise RuleViolation(
            _("%(unit)s has no unit at the level %(level)s that the rule set %(rules)s requires.")
            % {"unit": unit, "level": rule_set.deciding_level if appraising_unit else rule_set.appraising_level,
               "rules": rule_set}
        )
    # The units that will appraise and decide must still exist to do it: a round of a
    # reorganised unit belongs under its successor.
    check_unit_in_force(appraising_unit, opened_on, _("Appraisal of this round"))
    check_unit_in_force(deciding_unit, opened_on, _("Decision on this round"))
    try:
        # The case first (the dossier's chain and revision); the raise below rolls it back too.
        dossier = Dossier.objects.create(
            case=open_case(CaseKind.DOSSIER), title_type=title_type, rule_set=rule_set, unit=unit, year=year,
            appraising_unit=appraising_unit, deciding_unit=deciding_unit,
            households_on_roll=subjects.roll(unit, opened_on),
        )
    except IntegrityError:
        # Two people opened the round at the same moment: both passed the check
        # above, the unique constraint let one in. The raise rolls the rest back.
        raise RuleViolation(
            _("%(unit)s already has a %(title)s dossier for %(year)s.")
            % {"unit": unit, "title": title_type, "year": year}
        ) from None
    flow_of(dossier).start.run(dossier=dossier)
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="open_round", target=dossier, to_state=dossier.state, rule_set=rule_set.code)
    finish(dossier, trail)
    return dossier


@transaction.atomic
def register_subjects(*, actor, dossier, subject_ids, registered_on, expected_revision=None,
                      expected_count=None, dates_confirmed=None):
    """Register subjects of the dossier's unit (households of a hamlet, hamlets of a commune),
    one or hundreds at once: exactly the ones named. `expected_count`: how many the user was
    shown when asking for "all not yet registered"; the list must not have changed since.
    `dates_confirmed`: see common.require_confirmation."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "register")
    check_revision(dossier, expected_revision)
    kind = subject_kind_of(dossier.title_type)
    if not allowed(dossier, "register"):
        raise RuleViolation(
            _("%(subjects)s can only be registered while the dossier is open or returned; it is “%(state)s”.")
            % {"subjects": capfirst(kind.nouns), "state": dossier.get_state_display()}
        )
    check_act_date(dossier, acting, registered_on, _("Registration date"), Step.REGISTRATION)
    ids = parse_ids(subject_ids)
    if not ids:
        raise RuleViolation(_("Choose at least one %(subject)s to register.") % {"subject": kind.noun})
    if expected_count is not None and len(ids) != expected_count:
        raise RuleViolation(
            _("The list changed since you opened it: %(n)s %(subjects)s are now to be registered, not "
              "%(shown)s. Check the list and try again.")
            % {"n": len(ids), "subjects": kind.nouns, "shown": expected_count}
        )
    # Only what the checks, the audit payload and the error texts read: a batch is hundreds of rows.
    subjects = list(kind.candidates(dossier.unit).filter(pk__in=ids).only(*kind.loaded_fields))
    if len(subjects) != len(ids):
        # Another unit's subject and an id that exists nowhere get the same answer:
        # the refusal names only what the actor may see (the count and their own unit).
        strangers = len(ids) - len(subjects)
        raise RuleViolation(
            ngettext("%(n)s of the chosen %(subjects)s is not in the list of %(unit)s; only its own %(subjects)s "
                     "can be registered here.",
                     "%(n)s of the chosen %(subjects)s are not in the list of %(unit)s; only its own %(subjects)s "
                     "can be registered here.", strangers)
            % {"n": strangers, "subjects": kind.nouns, "unit": dossier.unit}
        )
    for refused, message in kind.ineligible(subjects, dossier.unit, registered_on):
        raise RuleViolation(
            "%(names)s: %(message)s" % {"names": ", ".join(kind.label(s) for s in refused[:5]), "message": message}
        )
    # A certificate of merit lists only whom the register makes eligible, each with its streak.
    streaks = merit.streaks(dossier, subjects) if merit.is_merit(dossier.rule_set) else {}
    existing = list(Nomination.objects.filter(title_type=dossier.title_type, year=dossier.year,
                                              **{f"{kind.field}__in": ids}))
    already = [n for n in existing if n.state != NominationState.WITHDRAWN]
    if already:
        raise RuleViolation(
            _("Already registered for %(title)s in %(year)s: %(names)s. A %(subject)s registers once a year.")
            % {"title": dossier.title_type, "year": dossier.year, "names": names_of(already), "subject": kind.noun}
        )
    # The rest of the round, for a typo of the month: the latest registration already made.
    latest = (dossier.nominations.exclude(state=NominationState.WITHDRAWN)
              .aggregate(latest=Max("registered_on"))["latest"])
    require_confirmation([unusual_date(registered_on, _("Registration date"), reference=latest,
                                       reference_label=_("the round's other registrations"))], dates_confirmed)
    subjects.sort(key=lambda subject: subject.code)
    # A withdrawn registration of the year is registered again in place: the
    # subject keeps one nomination per title and year (the unique constraint),
    # and its whole story stays on one row. It may come from another dossier if
    # the household moved hamlet since.
    key = f"{kind.field}_id"
    again = {getattr(n, key): n for n in existing}
    for nomination in again.values():
        nomination.register_again()
        nomination.dossier_id = dossier.pk
        nomination.registered_on = registered_on
        nomination.self_assessment, nomination.self_assessed_on, nomination.reason = "", None, ""
        nomination.streak = streaks.get(getattr(nomination, key), {})
    write_fields(list(again.values()),
                 ["dossier", "state", "registered_on", "self_assessment", "self_assessed_on", "reason", "streak"])
    fresh = [subject for subject in subjects if subject.pk not in again]
    rows = [
        {"dossier_id": dossier.pk, "title_type_id": dossier.title_type_id, "year": dossier.year,
         **{f"{name}_id": None for name in SUBJECT_FIELDS}, key: subject.pk, "registered_on": registered_on,
         "state": NominationState.REGISTERED, "streak": streaks.get(subject.pk, {})}
        for subject in fresh
    ]
    try:
        new_ids = bulk.insert(Nomination, rows)
    except IntegrityError:
        # Another dossier registered one of them between the check above and this
        # insert (a household that moved hamlet); the unique constraint decides.
        raise RuleViolation(
            _("One of these %(subjects)s was registered for %(title)s in %(year)s by someone else just now. "
              "A %(subject)s registers once a year; reload the list.")
            % {"title": dossier.title_type, "year": dossier.year, "subjects": kind.nouns, "subject": kind.noun}
        ) from None
    inserted = {row[key]: Nomination(pk=pk, **row) for pk, row in zip(new_ids, rows)}
    trail = AuditTrail(dossier.case, acting)
    created = []
    for subject in subjects:
        nomination = again.get(subject.pk) or inserted[subject.pk]
        created.append(nomination)
        # The payload names the subject by its code under its kind ("household" or "hamlet"), and a
        # certificate of merit's nomination the window and decisions it counts.
        counted = {"streak": streaks[subject.pk]} if streaks else {}
        if subject.pk in again:
            trail.add(action="register", target=nomination, from_state=NominationState.WITHDRAWN,
                      to_state=NominationState.REGISTERED, registered_on=registered_on, **{kind.field: subject.code},
                      **counted)
        else:
            trail.add(action="register", target=nomination, to_state=NominationState.REGISTERED,
                      registered_on=registered_on, **{kind.field: subject.code}, **counted)
    dossier.households_count += len(created)
    finish(dossier, trail, fields=["households_count"])
    notify.households_registered(dossier=dossier, nominations=created, actor=actor)
    return created


def register_households(*, actor, dossier, household_ids, **kwargs):
    """register_subjects for a Cultural Family dossier, by household ids."""
    return register_subjects(actor=actor, dossier=dossier, subject_ids=household_ids, **kwargs)


@transaction.atomic
def withdraw_registrations(*, actor, dossier, nomination_ids, reason, expected_revision=None):
    """Withdraw registrations made by mistake, before the review meeting votes on them.

    The household can be registered again afterwards (register_households reuses
    the withdrawn nomination)."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "withdraw")
    check_revision(dossier, expected_revision)
    ids = parse_ids(nomination_ids or [])
    if not ids:
        raise RuleViolation(_("Choose the registration to withdraw."))
    reason = check_text((reason or "").strip(), _("The reason for withdrawing"))
    if not reason:
        raise RuleViolation(_("Say why the registration is withdrawn: the reason is kept in the dossier's history."))
    nominations = list(dossier.nominations.filter(pk__in=ids).select_related("household", "hamlet", "person", "collective").order_by("pk"))
    if len(nominations) != len(ids):
        raise RuleViolation(_("The registration to withdraw is not in this dossier."))
    kind = subject_kind_of(dossier.title_type)
    withdrawn = [n for n in nominations if n.state == NominationState.WITHDRAWN]
    if withdrawn:
        raise RuleViolation(
            _("The registration of %(names)s is already withdrawn.")
            % {"names": ", ".join(str(n.subject) for n in withdrawn[:5])}
        )
    reviewed = [n for n in nominations if n.state != NominationState.REGISTERED]
    if reviewed or not allowed(dossier, "withdraw"):
        meeting = dossier.meetings.first()
        raise RuleViolation(
            _("%(names)s were already reviewed at the meeting of %(date)s (the dossier is “%(state)s”); a "
              "registration can only be withdrawn before the review meeting.")
            % {"names": ", ".join(str(n.subject) for n in (reviewed or nominations)[:5]),
               "date": meeting.held_on.strftime("%d/%m/%Y") if meeting else "–",
               "state": dossier.get_state_display()}
        )
    trail = AuditTrail(dossier.case, acting)
    for nomination in nominations:
        nomination.withdraw()
        nomination.reason = reason
        trail.add(action="withdraw_registration", target=nomination, from_state=NominationState.REGISTERED,
                  to_state=nomination.state, reason=reason, **{kind.field: nomination.subject.code})
    write_fields(nominations, ["state", "reason"])
    dossier.households_count -= len(nominations)
    finish(dossier, trail, fields=["households_count"])
    return nominations


@transaction.atomic
def record_self_assessments(*, actor, dossier, assessments, assessed_on, expected_revision=None,
                            dates_confirmed=None):
    """Record households' self-assessments (Mẫu 03): {nomination id: text}.
    `dates_confirmed`: see common.require_confirmation."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "assess")
    check_revision(dossier, expected_revision)
    if not allowed(dossier, "assess"):
        raise RuleViolation(
            _("Self-assessments can only be recorded while the dossier is open or returned; it is “%(state)s”.")
            % {"state": dossier.get_state_display()}
        )
    check_act_date(dossier, acting, assessed_on, _("Self-assessment date"), Step.REGISTRATION)
    assessments = assessments or {}
    parse_ids(assessments)
    texts = {int(k): (v or "").strip() for k, v in assessments.items() if (v or "").strip()}
    for text in texts.values():
        check_text(text, _("A self-assessment"))
    if not texts:
        raise RuleViolation(_("No self-assessment to record: write at least one household's text."))
    # By id: the default order (household code) would join every household for nothing.
    nominations = list(dossier.nominations.filter(pk__in=texts).exclude(state=NominationState.WITHDRAWN)
                       .order_by("pk"))
    if len(nominations) != len(texts):
        raise RuleViolation(_("Some self-assessments name households that are not in this dossier."))
    # The page sends back every text it shows: only the ones that differ from what
    # is recorded are new, the others keep their date and get no event.
    nominations = [n for n in nominations if n.self_assessment != texts[n.pk]]
    if not nominations:
        raise RuleViolation(_("No self-assessment was changed: nothing to record."))
    registered = max(n.registered_on for n in nominations)
    require_confirmation([unusual_date(assessed_on, _("Self-assessment date"), reference=registered,
                                       reference_label=_("the registration"))], dates_confirmed)
    trail = AuditTrail(dossier.case, acting)
    for nomination in nominations:
        nomination.self_assessment = texts[nomination.pk]
        nomination.self_assessed_on = assessed_on
        trail.add(action="self_assessment", target=nomination, assessed_on=assessed_on,
                  text=nomination.self_assessment)
    write_fields(nominations, ["self_assessment", "self_assessed_on"])
    finish(dossier, trail)
    return nominations


# ---------------------------------------------------------------- the review meeting
