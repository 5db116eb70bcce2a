"""Sending the dossier up, appraising or returning it, and the recognition decision."""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import bulk
from titles.calendar import add_days
from titles.subjects import SUBJECT_FIELDS, subject_kind_of
from titles.models import CERTIFICATE_ALPHABET, CERTIFICATE_CODE_LENGTH, Award, Step

from ..models import AuditEvent, Decision, DossierState, NominationState
from . import festival, merit
from . import messages as notify
from .audit import AuditTrail
from .common import (
    acting_for,
    allowed,
    check_act_date,
    check_revision,
    check_text,
    check_transition,
    check_units_in_force,
    complete_task,
    finish,
    lock_dossier,
    names_of,
    parse_ids,
    propose_registered,
    require_confirmation,
    shown_day,
    unusual_date,
    write_fields,
)
from .errors import RuleViolation


@transaction.atomic
def submit_dossier(*, actor, dossier, submitted_on, answer="", expected_revision=None, dates_confirmed=None):
    """Send the dossier to the appraising level. A returned dossier is sent again only
    with an answer to the return: a note (`answer`), or a correction recorded since.
    `dates_confirmed`: see common.require_confirmation."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "submit")
    check_revision(dossier, expected_revision)
    check_act_date(dossier, acting, submitted_on, _("Submission date"), Step.SUBMISSION)
    festival.check_submission(dossier, submitted_on)
    meeting = dossier.meetings.first()
    if meeting is not None and submitted_on < meeting.held_on:
        raise RuleViolation(
            _("The dossier cannot be sent on %(date)s, before the review meeting of %(held)s.")
            % {"date": submitted_on.strftime("%d/%m/%Y"), "held": meeting.held_on.strftime("%d/%m/%Y")}
        )
    rules = dossier.rule_set
    from_state = dossier.state
    reference, reference_label = (meeting.held_on, _("the meeting")) if meeting else (None, "")
    if dossier.state == DossierState.POSTING:
        posting = dossier.postings.first()
        # Comments are received through the posting's last day: sending starts the day after.
        if submitted_on < posting.sendable_from:
            raise RuleViolation(
                _("The list is posted until %(end)s included (%(days)s %(day_type)s from %(start)s); residents' "
                  "comments are received through that day and the dossier can be sent from %(send)s.")
                % {"end": shown_day(posting.ends_on), "days": rules.posting_days,
                   "day_type": rules.get_posting_day_type_display(), "start": shown_day(posting.starts_on),
                   "send": shown_day(posting.sendable_from)}
            )
        reference, reference_label = posting.ends_on, _("the end of the posting")
        dossier.submit_after_posting()
    elif dossier.state == DossierState.RETURNED:
        answer = (answer or "").strip()
        if not answer and not _corrected_since_return(dossier):
            raise RuleViolation(
                _("The dossier was returned because: “%(reason)s”. Answer it before sending again: say what "
                  "was corrected, or correct the dossier (for instance attach the signed minutes).")
                % {"reason": dossier.return_reason}
            )
        dossier.resubmit()
    else:
        if not allowed(dossier, "submit") and allowed(dossier, "posting"):
            raise RuleViolation(
                _("Under %(rules)s the list must first be posted publicly for %(days)s %(day_type)s.")
                % {"rules": rules.name, "days": rules.posting_days,
                   "day_type": rules.get_posting_day_type_display()}
            )
        check_transition(dossier, dossier.submit)
        dossier.submit()
    proposed_now = propose_registered(dossier, acting, submitted_on, _("Submission date"))
    if not proposed_now and not dossier.nominations.filter(state=NominationState.PROPOSED).exists():
        raise RuleViolation(_("No %(subject)s is proposed: there is nothing to send.")
                            % {"subject": subject_kind_of(dossier.title_type).noun})
    require_confirmation([unusual_date(submitted_on, _("Submission date"), reference=reference,
                                       reference_label=reference_label)], dates_confirmed)
    dossier.submitted_on = submitted_on
    dossier.decision_due = add_days(submitted_on, rules.decision_days, rules.decision_day_type)
    late = bool(dossier.submission_due and submitted_on > dossier.submission_due)
    trail = AuditTrail(dossier.case, acting)
    # The answer to a return is kept in the chain beside the return it answers
    # (the dossier page's return history reads both from there).
    answered = {"answer": answer} if from_state == DossierState.RETURNED else {}
    trail.add(action="submit", target=dossier, from_state=from_state, to_state=dossier.state,
              submitted_on=submitted_on, submission_due=dossier.submission_due, late=late,
              proposed=dossier.nominations.filter(state=NominationState.PROPOSED).count(), **answered)
    finish(dossier, trail, fields=["submitted_on", "decision_due", "proposed_count"])
    complete_task(dossier, "preparation")
    notify.dossier_submitted(dossier=dossier)
    return dossier


def _corrected_since_return(dossier):
    """Whether the hamlet recorded any change (a meeting, a document, a text) since the
    dossier was last returned; supervision concerns are not corrections."""
    last_return = (AuditEvent.objects.filter(case_id=dossier.case_id, action="return").order_by("-seq")
                   .values("seq")[:1])
    return (AuditEvent.objects.filter(case_id=dossier.case_id, seq__gt=Subquery(last_return))
            .exclude(action__startswith="concern_").exists())


# ---------------------------------------------------------------- appraisal

def _appraisal_plan(dossier, strikes):
    """The proposed nominations and {nomination id: reason} of those struck, or a RuleViolation."""
    parse_ids(strikes or {})
    strikes = {int(k): (v or "").strip() for k, v in (strikes or {}).items()}
    for reason in strikes.values():
        check_text(reason, _("The reason for striking a household"))
    nominations = list(dossier.nominations.filter(state=NominationState.PROPOSED))
    if set(strikes) - {n.pk for n in nominations}:
        raise RuleViolation(_("Only households proposed in this dossier can be struck."))
    blank = [n for n in nominations if n.pk in strikes and not strikes[n.pk]]
    if blank:
        raise RuleViolation(
            _("Give the reason for every household you strike; missing for: %(names)s.")
            % {"names": names_of(blank)}
        )
    return nominations, strikes


def check_appraisal(*, actor, dossier, strikes=None, expected_revision=None):
    """Everything appraise_dossier would refuse, refused now, and nothing written: the
    page shows what the acceptance will do before the irreversible step. Returns
    {nomination id: reason} of the households that would be struck."""
    acting = acting_for(actor, dossier, "appraise")
    check_units_in_force(dossier, acting, timezone.localdate(), _("Appraisal"))
    check_revision(dossier, expected_revision)
    check_transition(dossier, dossier.accept)
    nominations, strikes = _appraisal_plan(dossier, strikes)
    merit.check_cap_at_appraisal(dossier, nominations, strikes)
    return strikes


@transaction.atomic
def appraise_dossier(*, actor, dossier, strikes=None, expected_revision=None, appraised_on=None):
    """Accept the dossier, striking individual households with a reason: {nomination id: reason}.

    `appraised_on`: the day of the act, today unless a loader of past years says otherwise."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "appraise")
    check_units_in_force(dossier, acting, appraised_on or timezone.localdate(), _("Appraisal"))
    check_revision(dossier, expected_revision)
    check_transition(dossier, dossier.accept)
    nominations, strikes = _appraisal_plan(dossier, strikes)
    merit.check_cap_at_appraisal(dossier, nominations, strikes)
    trail = AuditTrail(dossier.case, acting)
    for nomination in nominations:
        if nomination.pk in strikes:
            nomination.reason = strikes[nomination.pk]
            nomination.strike()
        else:
            nomination.accept()
        trail.add(action="appraise", target=nomination, from_state=NominationState.PROPOSED,
                  to_state=nomination.state, reason=strikes.get(nomination.pk, ""))
    write_fields(nominations, ["state", "reason"])
    from_state = dossier.state
    # Where the rule set has the emulation council's step, the council meets before the decision.
    if dossier.rule_set.has_step(Step.COUNCIL):
        dossier.accept_for_council()
    else:
        dossier.accept()
    trail.add(action="accept", target=dossier, from_state=from_state, to_state=dossier.state,
              accepted=len(nominations) - len(strikes), struck=len(strikes))
    dossier.proposed_count -= len(strikes)  # accepted ones still count as proposed
    finish(dossier, trail, fields=["proposed_count"])
    complete_task(dossier, "appraisal")
    notify.dossier_appraised(dossier=dossier, struck=[n for n in nominations if n.pk in strikes],
                             accepted=len(nominations) - len(strikes))
    return dossier


def _check_return(dossier, reason):
    check_transition(dossier, dossier.return_for_correction)
    check_text(reason, _("The reason for returning"))
    if not (reason or "").strip():
        raise RuleViolation(_("Say why the dossier is returned: the hamlet must know what to correct."))


def check_return(*, actor, dossier, reason, expected_revision=None):
    """What return_dossier would refuse, refused now without writing (the confirmation step)."""
    acting = acting_for(actor, dossier, "return")
    check_units_in_force(dossier, acting, timezone.localdate(), _("Return for correction"))
    check_revision(dossier, expected_revision)
    _check_return(dossier, reason)


@transaction.atomic
def return_dossier(*, actor, dossier, reason, expected_revision=None, returned_on=None):
    """Send the whole dossier back to the hamlet for correction (`returned_on`: as appraise_dossier)."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "return")
    check_units_in_force(dossier, acting, returned_on or timezone.localdate(), _("Return for correction"))
    check_revision(dossier, expected_revision)
    _check_return(dossier, reason)
    from_state = dossier.state
    dossier.return_for_correction()
    dossier.return_reason = reason.strip()
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="return", target=dossier, from_state=from_state, to_state=dossier.state,
              reason=dossier.return_reason)
    finish(dossier, trail, fields=["return_reason"])
    complete_task(dossier, "appraisal")
    notify.dossier_returned(dossier=dossier)
    return dossier


# ---------------------------------------------------------------- decision

# Random bytes to code characters: byte b is character b % 31, and the bytes at or above the
# last whole multiple of 31 (248-255) are dropped, so every character is equally likely.
_CODE_TABLE = bytes(ord(CERTIFICATE_ALPHABET[b % len(CERTIFICATE_ALPHABET)]) for b in range(256))
_CODE_DROPPED = bytes(range(256 - 256 % len(CERTIFICATE_ALPHABET), 256))


def _certificate_codes(count):
    """`count` certificate codes from the system's secure random source, drawn for the whole
    decision at once: a character at a time (secrets.choice) was a sixth of a 1,000-award decision."""
    need = count * CERTIFICATE_CODE_LENGTH
    chars = b""
    while len(chars) < need:
        chars += secrets.token_bytes(need - len(chars) + need // 16 + 16).translate(_CODE_TABLE, _CODE_DROPPED)
    text = chars[:need].decode("ascii")
    return [text[i:i + CERTIFICATE_CODE_LENGTH] for i in range(0, need, CERTIFICATE_CODE_LENGTH)]


@transaction.atomic
def decide(*, actor, dossier, number, signed_on, signer, expected_revision=None, dates_confirmed=None):
    """Sign the recognition decision: every accepted household enters the register."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "decide")
    check_revision(dossier, expected_revision)
    if not allowed(dossier, "decide"):
        raise RuleViolation(
            _("A decision can only be signed on an appraised dossier; this one is “%(state)s”.")
            % {"state": dossier.get_state_display()}
        )
    # The Front's supervision: no decision while one of its concerns is not closed.
    pending = dossier.concerns.exclude(state="closed").count()
    if pending:
        raise RuleViolation(
            ngettext("%(n)s supervision concern on this dossier is not closed; it must be answered and closed "
                     "before the decision.",
                     "%(n)s supervision concerns on this dossier are not closed; they must be answered and closed "
                     "before the decision.", pending) % {"n": pending}
        )
    number, signer = (number or "").strip(), (signer or "").strip()
    check_text(number, _("Decision number"), None)
    check_text(signer, _("Signer"), None)
    if not number or not signer:
        raise RuleViolation(_("The decision needs its number and its signer."))
    check_act_date(dossier, acting, signed_on, _("Signing date"), Step.DECISION)
    if dossier.submitted_on and signed_on < dossier.submitted_on:
        raise RuleViolation(
            _("The decision cannot be signed on %(date)s, before the dossier was sent on %(sent)s.")
            % {"date": signed_on.strftime("%d/%m/%Y"), "sent": dossier.submitted_on.strftime("%d/%m/%Y")}
        )
    require_confirmation([unusual_date(signed_on, _("Signing date"))], dates_confirmed)
    if Decision.objects.filter(unit=dossier.deciding_unit, number=number).exists():
        raise RuleViolation(
            _("Decision number %(number)s is already used by %(unit)s.")
            % {"number": number, "unit": dossier.deciding_unit}
        )
    try:
        decision = Decision.objects.create(dossier=dossier, unit=dossier.deciding_unit, number=number,
                                           signed_on=signed_on, signer=signer, recorded_by=actor)
    except IntegrityError:
        # The dossier lock does not cover another dossier signed with the same number
        # at the same moment; the unique constraint does, and the raise rolls back.
        raise RuleViolation(
            _("Decision number %(number)s is already used by %(unit)s.")
            % {"number": number, "unit": dossier.deciding_unit}
        ) from None
    # By id (registration order): the default order would join every household for nothing.
    nominations = list(dossier.nominations.filter(state=NominationState.ACCEPTED).order_by("pk"))
    trail = AuditTrail(dossier.case, acting)
    # An 18 November list: the proposals for a higher instrument are forwarded, not granted here.
    nominations, forwarded = festival.split_at_decision(dossier, trail, nominations)
    awards = []
    for nomination, code in zip(nominations, _certificate_codes(len(nominations))):
        nomination.recognize()
        awards.append({"title_type_id": dossier.title_type_id, "year": dossier.year,
                       **{f"{name}_id": getattr(nomination, f"{name}_id") for name in SUBJECT_FIELDS},
                       "nomination_id": nomination.pk, "decision_id": decision.pk,
                       "certificate_code": code})
        trail.add(action="recognize", target=nomination, from_state=NominationState.ACCEPTED,
                  to_state=nomination.state, decision=number)
    write_fields(nominations, ["state"])
    bulk.insert(Award, awards, ids=False)
    from_state = dossier.state
    dossier.decide()
    late = bool(dossier.decision_due and signed_on > dossier.decision_due)
    dossier.households_on_roll = subject_kind_of(dossier.title_type).roll(dossier.unit, signed_on)
    trail.add(action="decide", target=dossier, from_state=from_state, to_state=dossier.state,
              decision=number, signed_on=signed_on, signer=signer, recognized=len(nominations), late=late,
              **({"forwarded": len(forwarded)} if forwarded else {}),
              households_on_roll=dossier.households_on_roll)
    dossier.recognized_count += len(nominations)
    finish(dossier, trail, fields=["recognized_count", "households_on_roll"])
    complete_task(dossier, "decision")
    notify.decision_signed(dossier=dossier, decision=decision, recognized=nominations, actor=actor)
    return decision
