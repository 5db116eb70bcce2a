"""Opening a round, registering households, recording their self-assessments."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config import bulk
from directory.models import Household
from directory.selectors import require_acting
from notifications.services import messages as notify
from titles.models import RuleSet

from ..flows import DossierFlow
from ..models import Dossier, DossierState, Nomination, NominationState
from .audit import AuditTrail
from .common import check_in_year, check_revision, finish, lock_dossier, names_of, parse_ids, write_fields
from .errors import RuleViolation

# ---------------------------------------------------------------- opening and registration

@transaction.atomic
def open_round(*, actor, hamlet, title_type, year):
    """Open the year's Cultural Family round for a hamlet: creates the dossier and its flow."""
    acting = require_acting(actor, hamlet, "prepare_dossier")
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
def register_households(*, actor, dossier, household_ids, registered_on, expected_revision=None):
    """Register households of the dossier's hamlet, one or hundreds at once."""
    dossier = lock_dossier(dossier)
    acting = require_acting(actor, dossier.unit, "prepare_dossier")
    check_revision(dossier, expected_revision)
    if dossier.state not in (DossierState.OPEN, DossierState.RETURNED):
        raise RuleViolation(
            _("Households can only be registered while the dossier is open or returned; it is “%(state)s”.")
            % {"state": dossier.get_state_display()}
        )
    check_in_year(dossier, registered_on, _("Registration date"))
    ids = parse_ids(household_ids)
    if not ids:
        raise RuleViolation(_("Choose at least one household to register."))
    # Only what the checks, the audit payload and the error texts read: a batch is hundreds of rows.
    households = list(Household.objects.filter(pk__in=ids, hamlet=dossier.unit_id).only("pk", "hamlet_id", "code"))
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
    already = list(Nomination.objects.filter(title_type=dossier.title_type, year=dossier.year, household__in=ids))
    if already:
        raise RuleViolation(
            _("Already registered for %(title)s in %(year)s: %(names)s. A household registers once a year.")
            % {"title": dossier.title_type, "year": dossier.year, "names": names_of(already)}
        )
    households.sort(key=lambda h: h.code)
    rows = [
        {"dossier_id": dossier.pk, "title_type_id": dossier.title_type_id, "year": dossier.year,
         "household_id": h.pk, "registered_on": registered_on, "state": NominationState.REGISTERED}
        for h in households
    ]
    try:
        ids = bulk.insert(Nomination, rows)
    except IntegrityError:
        # Another dossier registered one of them between the check above and this
        # insert (a household that moved hamlet); the unique constraint decides.
        raise RuleViolation(
            _("One of these households was registered for %(title)s in %(year)s by someone else just now. "
              "A household registers once a year; reload the list.")
            % {"title": dossier.title_type, "year": dossier.year}
        ) from None
    created = [Nomination(pk=pk, **row) for pk, row in zip(ids, rows)]
    trail = AuditTrail(dossier, acting)
    for nomination, household in zip(created, households):
        trail.add(action="register", target=nomination, to_state=NominationState.REGISTERED,
                  household=household.code, registered_on=registered_on)
    dossier.households_count += len(created)
    finish(dossier, trail, fields=["households_count"])
    notify.households_registered(dossier=dossier, nominations=created, actor=actor)
    return created


@transaction.atomic
def record_self_assessments(*, actor, dossier, assessments, assessed_on, expected_revision=None):
    """Record households' self-assessments (Mẫu 03): {nomination id: text}."""
    dossier = lock_dossier(dossier)
    acting = require_acting(actor, dossier.unit, "record_review")
    check_revision(dossier, expected_revision)
    if dossier.state not in (DossierState.OPEN, DossierState.RETURNED):
        raise RuleViolation(
            _("Self-assessments can only be recorded while the dossier is open or returned; it is “%(state)s”.")
            % {"state": dossier.get_state_display()}
        )
    check_in_year(dossier, assessed_on, _("Self-assessment date"))
    assessments = assessments or {}
    parse_ids(assessments)
    texts = {int(k): (v or "").strip() for k, v in assessments.items() if (v or "").strip()}
    if not texts:
        raise RuleViolation(_("No self-assessment to record: write at least one household's text."))
    # By id: the default order (household code) would join every household for nothing.
    nominations = list(dossier.nominations.filter(pk__in=texts).order_by("pk"))
    if len(nominations) != len(texts):
        raise RuleViolation(_("Some self-assessments name households that are not in this dossier."))
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
