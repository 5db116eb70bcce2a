"""Writes of the documents app: the dossier's verification code, marking a decision's list published,
and the reminders and escalations of a list not yet published."""

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.selectors import require_acting
from titles.calendar import add_days
from titles.models import CERTIFICATE_ALPHABET, CERTIFICATE_CODE_LENGTH, Award
from workflows.deadlines import Deadline
from workflows.models import Decision, DossierState
from workflows.procedures import procedure_of
from workflows.services import deadlines
from workflows.services.audit import AuditTrail
from workflows.services.common import check_revision, finish, lock_dossier
from workflows.services.errors import RuleViolation

from . import registry, selectors
from .models import DossierCode, Publication


def _new_code():
    return "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))


def dossier_code(*, actor, dossier):
    """The dossier's verification code, issued the first time one of its documents is printed.

    Not a change of the dossier's state: no audit event. Two first prints at the
    same moment both end with the one code that won the unique constraint.
    """
    found = DossierCode.objects.filter(dossier=dossier).values_list("code", flat=True).first()
    if found:
        return found
    for _attempt in range(5):
        code = _new_code()
        # A certificate code is checked on the same page: never reuse one.
        if Award.objects.filter(certificate_code=code).exists():
            continue
        try:
            with transaction.atomic():
                return DossierCode.objects.create(dossier=dossier, code=code, issued_by=actor).code
        except IntegrityError:
            found = DossierCode.objects.filter(dossier=dossier).values_list("code", flat=True).first()
            if found:
                return found
    raise RuntimeError("could not draw a free verification code")


@transaction.atomic
def mark_published(*, actor, dossier, published_on, place, expected_revision=None):
    """Record that the decision's list of recognized households was made public (by the deciding unit)."""
    dossier = lock_dossier(dossier)
    acting = require_acting(actor, dossier.deciding_unit, "decide_title")
    check_revision(dossier, expected_revision)
    if dossier.state != DossierState.DECIDED:
        raise RuleViolation(_("Only the list of a decided dossier can be published; this one is “%(state)s”.")
                            % {"state": dossier.get_state_display()})
    decision = Decision.objects.get(dossier=dossier)
    if Publication.objects.filter(decision=decision).exists():
        raise RuleViolation(_("The list of decision %(number)s is already marked as published.")
                            % {"number": decision.number})
    place = (place or "").strip()
    if not place:
        raise RuleViolation(_("Say where the list was published (the notice board, the website)."))
    if not isinstance(published_on, datetime.date):
        raise RuleViolation(_("%(field)s is required.") % {"field": _("Publication date")})
    today = timezone.localdate()
    if published_on < decision.signed_on or published_on > today:
        raise RuleViolation(
            _("The list can be published between the decision's date %(signed)s and today %(today)s, "
              "not on %(date)s.")
            % {"signed": decision.signed_on.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y"),
               "date": published_on.strftime("%d/%m/%Y")}
        )
    publication = Publication.objects.create(decision=decision, published_on=published_on, place=place,
                                             recorded_by=actor)
    due = publication_due(decision, dossier.rule_set.code)
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="publish_list", target=publication, decision=decision.number, published_on=published_on,
              place=place, late=bool(due and published_on > due))
    finish(dossier, trail)
    return publication


def publication_due(decision, rule_set_code):
    """The last day to publish the decision's list, from the rule set's data; None where it sets none."""
    spec = registry.for_rule_set(rule_set_code)
    return add_days(decision.signed_on, spec.publication_days, spec.publication_day_type)


def check_publication_deadlines(*, today=None):
    """Remind whoever decided to make the list of recognized households public within the rule
    set's period (documents.registry), and tell the level above once it is overdue, as for a
    step of the route (workflows.services.deadlines.alert). Returns the alerts created."""
    today = today or timezone.localdate()
    found = []
    for dossier, due in selectors.publication_deadlines(today, deadlines.horizon(today)):
        # Published by whoever decided: the procedure's last stage.
        decided = procedure_of(dossier).stages[-1]
        found.append((dossier, Deadline("publication", _("publish the list of recognized households"), due,
                                        decided.unit_of(dossier), decided.owner_permission,
                                        page="documents:index", state="publication")))
    return deadlines.alert(found, today)
