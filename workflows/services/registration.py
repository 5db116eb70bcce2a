"""Opening a round, registering households, recording their self-assessments."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config import bulk
from directory.models import Household
from directory.selectors import require_acting
from notifications.services import messages as notify
from titles.models import RuleSet, Step

from ..flows import DossierFlow
from ..models import Dossier, DossierState, Nomination, NominationState
from .audit import AuditTrail
from .common import (
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
def open_round(*, actor, hamlet, title_type, year, opened_on=None):
    """Open the year's Cultural Family round for a hamlet: creates the dossier and its flow.

    `opened_on`: the day of the act, today unless a loader of past years says otherwise."""
    acting = require_acting(actor, hamlet, "prepare_dossier")
    opened_on = opened_on or timezone.localdate()
    check_unit_in_force(hamlet, opened_on, _("Opening of the round"))
    if year > timezone.localdate().year:
        raise RuleViolation(_("The campaign year %(year)s has not started.") % {"year": year})
    if not (hamlet.valid_from <= datetime.date(year, 12, 31)
            and (hamlet.valid_to is None or hamlet.valid_to >= datetime.date(year, 1, 1))):
        raise RuleViolation(
            _("%(unit)s did not exist in %(year)s.") % {"unit": hamlet, "year": year}
        )
    rule_set = RuleSet.objects.in_force_for(title_type, year)
    if rule_set is None:
        raise RuleViolation(
            _("No rule set for %(title)s is in force for %(year)s.") % {"title": title_type, "year": year}
        )
    if Dossier.objects.filter(title_type=title_type, unit=hamlet, year=year).exists():
        raise RuleViolation(
            _("%(unit)s already has a %(title)s dossier for %(year)s.")
            % {"unit": hamlet, "title": title_type, "year": year}
        )
    appraising_unit = hamlet.ancestor_at(rule_set.appraising_level)
    deciding_unit = hamlet.ancestor_at(rule_set.deciding_level)
    if appraising_unit is None or deciding_unit is None:
        raise RuleViolation(
            _("%(unit)s has no unit at the level %(level)s that the rule set %(rules)s requires.")
            % {"unit": hamlet, "level": rule_set.deciding_level if appraising_unit else rule_set.appraising_level,
               "rules": rule_set}
        )
    # The units that will appraise and decide must still exist to do it: a round of a
    # reorganised hamlet belongs under its successor.
    check_unit_in_force(appraising_unit, opened_on, _("Appraisal of this round"))
    check_unit_in_force(deciding_unit, opened_on, _("Decision on this round"))
    try:
        dossier = Dossier.objects.create(
            title_type=title_type, rule_set=rule_set, unit=hamlet, year=year,
            appraising_unit=appraising_unit, deciding_unit=deciding_unit,
            households_on_roll=Household.objects.filter(hamlet=hamlet, active=True).count(),
        )
    except IntegrityError:
        # Two people opened the round at the same moment: both passed the check
        # above, the unique constraint let one in. The raise rolls the rest back.
        raise RuleViolation(
            _("%(unit)s already has a %(title)s dossier for %(year)s.")
            % {"unit": hamlet, "title": title_type, "year": year}
        ) from None
    DossierFlow.start.run(dossier=dossier)
    trail = AuditTrail(dossier, acting)
    trail.add(action="open_round", target=dossier, to_state=dossier.state, rule_set=rule_set.code)
    finish(dossier, trail)
    return dossier


@transaction.atomic
def register_households(*, actor, dossier, household_ids, registered_on, expected_revision=None,
                        expected_count=None, dates_confirmed=None):
    """Register households of the dossier's hamlet, one or hundreds at once: exactly
    the ones named. `expected_count`: how many the user was shown when asking for
    "all not yet registered"; the list must not have changed since.
    `dates_confirmed`: see common.require_confirmation."""
    dossier = lock_dossier(dossier)
    acting = require_acting(actor, dossier.unit, "prepare_dossier")
    check_revision(dossier, expected_revision)
    if dossier.state not in (DossierState.OPEN, DossierState.RETURNED):
        raise RuleViolation(
            _("Households can only be registered while the dossier is open or returned; it is “%(state)s”.")
            % {"state": dossier.get_state_display()}
        )
    check_act_date(dossier, acting, registered_on, _("Registration date"), Step.REGISTRATION)
    ids = parse_ids(household_ids)
    if not ids:
        raise RuleViolation(_("Choose at least one household to register."))
    if expected_count is not None and len(ids) != expected_count:
        raise RuleViolation(
            _("The list changed since you opened it: %(n)s households are now to be registered, not "
              "%(shown)s. Check the list and try again.") % {"n": len(ids), "shown": expected_count}
        )
    # Only what the checks, the audit payload and the error texts read: a batch is hundreds of rows.
    households = list(Household.objects.filter(pk__in=ids, hamlet=dossier.unit_id)
                      .only("pk", "hamlet_id", "code", "head_name", "active", "members"))
    if len(households) != len(ids):
        # Another hamlet's household and an id that exists nowhere get the same answer:
        # the refusal names only what the actor may see (the count and their own hamlet).
        strangers = len(ids) - len(households)
        raise RuleViolation(
            ngettext("%(n)s of the chosen households is not in the list of %(unit)s; only its own households "
                     "can be registered here.",
                     "%(n)s of the chosen households are not in the list of %(unit)s; only its own households "
                     "can be registered here.", strangers)
            % {"n": strangers, "unit": dossier.unit}
        )
    inactive = [h for h in households if not h.active]
    if inactive:
        raise RuleViolation(
            _("%(names)s: no longer an active household of %(unit)s (moved, merged or dissolved); an inactive "
              "household cannot be registered.")
            % {"names": ", ".join(str(h) for h in inactive[:5]), "unit": dossier.unit}
        )
    empty = [h for h in households if h.members == 0]
    if empty:
        raise RuleViolation(
            _("%(names)s: the household has no members on record (0 members); a household without members "
              "cannot be registered. Correct its members first.")
            % {"names": ", ".join(str(h) for h in empty[:5])}
        )
    existing = list(Nomination.objects.filter(title_type=dossier.title_type, year=dossier.year, household__in=ids))
    already = [n for n in existing if n.state != NominationState.WITHDRAWN]
    if already:
        raise RuleViolation(
            _("Already registered for %(title)s in %(year)s: %(names)s. A household registers once a year.")
            % {"title": dossier.title_type, "year": dossier.year, "names": names_of(already)}
        )
    # The rest of the round, for a typo of the month: the latest registration already made.
    latest = (dossier.nominations.exclude(state=NominationState.WITHDRAWN)
              .aggregate(latest=Max("registered_on"))["latest"])
    require_confirmation([unusual_date(registered_on, _("Registration date"), reference=latest,
                                       reference_label=_("the round's other registrations"))], dates_confirmed)
    households.sort(key=lambda h: h.code)
    # A withdrawn registration of the year is registered again in place: the
    # household keeps one nomination per title and year (the unique constraint),
    # and its whole story stays on one row. It may come from another dossier if
    # the household moved hamlet since.
    again = {n.household_id: n for n in existing}
    for nomination in again.values():
        nomination.register_again()
        nomination.dossier_id = dossier.pk
        nomination.registered_on = registered_on
        nomination.self_assessment, nomination.self_assessed_on, nomination.reason = "", None, ""
    write_fields(list(again.values()),
                 ["dossier", "state", "registered_on", "self_assessment", "self_assessed_on", "reason"])
    fresh = [h for h in households if h.pk not in again]
    rows = [
        {"dossier_id": dossier.pk, "title_type_id": dossier.title_type_id, "year": dossier.year,
         "household_id": h.pk, "registered_on": registered_on, "state": NominationState.REGISTERED}
        for h in fresh
    ]
    try:
        new_ids = bulk.insert(Nomination, rows)
    except IntegrityError:
        # Another dossier registered one of them between the check above and this
        # insert (a household that moved hamlet); the unique constraint decides.
        raise RuleViolation(
            _("One of these households was registered for %(title)s in %(year)s by someone else just now. "
              "A household registers once a year; reload the list.")
            % {"title": dossier.title_type, "year": dossier.year}
        ) from None
    inserted = {row["household_id"]: Nomination(pk=pk, **row) for pk, row in zip(new_ids, rows)}
    trail = AuditTrail(dossier, acting)
    created = []
    for household in households:
        nomination = again.get(household.pk) or inserted[household.pk]
        created.append(nomination)
        if household.pk in again:
            trail.add(action="register", target=nomination, from_state=NominationState.WITHDRAWN,
                      to_state=NominationState.REGISTERED, household=household.code, registered_on=registered_on)
        else:
            trail.add(action="register", target=nomination, to_state=NominationState.REGISTERED,
                      household=household.code, registered_on=registered_on)
    dossier.households_count += len(created)
    finish(dossier, trail, fields=["households_count"])
    notify.households_registered(dossier=dossier, nominations=created, actor=actor)
    return created


@transaction.atomic
def withdraw_registrations(*, actor, dossier, nomination_ids, reason, expected_revision=None):
    """Withdraw registrations made by mistake, before the review meeting votes on them.

    The household can be registered again afterwards (register_households reuses
    the withdrawn nomination)."""
    dossier = lock_dossier(dossier)
    acting = require_acting(actor, dossier.unit, "prepare_dossier")
    check_revision(dossier, expected_revision)
    ids = parse_ids(nomination_ids or [])
    if not ids:
        raise RuleViolation(_("Choose the registration to withdraw."))
    reason = check_text((reason or "").strip(), _("The reason for withdrawing"))
    if not reason:
        raise RuleViolation(_("Say why the registration is withdrawn: the reason is kept in the dossier's history."))
    nominations = list(dossier.nominations.filter(pk__in=ids).select_related("household").order_by("pk"))
    if len(nominations) != len(ids):
        raise RuleViolation(_("The registration to withdraw is not in this dossier."))
    withdrawn = [n for n in nominations if n.state == NominationState.WITHDRAWN]
    if withdrawn:
        raise RuleViolation(
            _("The registration of %(names)s is already withdrawn.")
            % {"names": ", ".join(str(n.household) for n in withdrawn[:5])}
        )
    reviewed = [n for n in nominations if n.state != NominationState.REGISTERED]
    if reviewed or dossier.state not in (DossierState.OPEN, DossierState.RETURNED):
        meeting = dossier.meetings.first()
        raise RuleViolation(
            _("%(names)s were already reviewed at the meeting of %(date)s (the dossier is “%(state)s”); a "
              "registration can only be withdrawn before the review meeting.")
            % {"names": ", ".join(str(n.household) for n in (reviewed or nominations)[:5]),
               "date": meeting.held_on.strftime("%d/%m/%Y") if meeting else "–",
               "state": dossier.get_state_display()}
        )
    trail = AuditTrail(dossier, acting)
    for nomination in nominations:
        nomination.withdraw()
        nomination.reason = reason
        trail.add(action="withdraw_registration", target=nomination, from_state=NominationState.REGISTERED,
                  to_state=nomination.state, household=nomination.household.code, reason=reason)
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
    acting = require_acting(actor, dossier.unit, "record_review")
    check_revision(dossier, expected_revision)
    if dossier.state not in (DossierState.OPEN, DossierState.RETURNED):
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
    trail = AuditTrail(dossier, acting)
    for nomination in nominations:
        nomination.self_assessment = texts[nomination.pk]
        nomination.self_assessed_on = assessed_on
        trail.add(action="self_assessment", target=nomination, assessed_on=assessed_on,
                  text=nomination.self_assessment)
    write_fields(nominations, ["self_assessment", "self_assessed_on"])
    finish(dossier, trail)
    return nominations


# ---------------------------------------------------------------- the review meeting
