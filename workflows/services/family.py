"""Every transition of a Cultural Family dossier, one function each.

Each function takes the acting user, checks the permission on the unit that must
act, validates against the dossier's rule set, performs the django-fsm
transitions, writes the audit events and the notification outbox, and completes
the viewflow task, all in one transaction on a locked dossier row. They work on
whole sets: the query count does not depend on the number of households.
"""

import datetime
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_fsm import can_proceed

from directory.models import Household
from directory.selectors import require_acting
from notifications.services import messages as notify
from titles.models import Award, RuleSet

from ..flows import DossierFlow
from ..models import (
    Decision, Dossier, DossierState, Meeting, Nomination, NominationState, Posting,
    PostingComment, VotingMethod,
)
from .. import uploads
from .audit import AuditTrail
from .calendar import add_days
from .errors import RuleViolation

REVIEWABLE = [NominationState.REGISTERED, NominationState.PROPOSED, NominationState.NOT_PROPOSED]


# ---------------------------------------------------------------- helpers

def _lock(dossier):
    """Re-read the dossier under a row lock.

    Two officers acting on one dossier at once: the second waits here, then sees
    the first one's state and revision and is refused with a clear message.
    """
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("rule_set", "unit", "appraising_unit", "deciding_unit", "title_type")
        .get(pk=dossier.pk)
    )


def _check_revision(dossier, expected_revision):
    if expected_revision is not None and int(expected_revision) != dossier.revision:
        raise RuleViolation(
            _("Someone else changed this dossier after you opened it (it is now: %(state)s). "
              "Reload the page and check before acting again.")
            % {"state": dossier.get_state_display()}
        )


def _check_transition(dossier, method):
    if not can_proceed(method):
        raise RuleViolation(
            _("This action is not possible while the dossier is “%(state)s”.")
            % {"state": dossier.get_state_display()}
        )


def _check_in_year(dossier, day, label):
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


def _count(value, label):
    # int() alone would turn 29.5 into 29 and True into 1: a typo must not become a count.
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleViolation(_("%(field)s must be a whole number; it is missing.") % {"field": label})
    if isinstance(value, bool) or not isinstance(value, (int, str)) or (
        isinstance(value, str) and not value.strip().lstrip("-").isdecimal()
    ):
        raise RuleViolation(
            _("%(field)s must be a whole number (got “%(value)s”).") % {"field": label, "value": value}
        )
    number = int(value)
    if number < 0:
        raise RuleViolation(
            _("%(field)s cannot be negative (got %(value)s).") % {"field": label, "value": number}
        )
    return number


def _pct(part, whole):
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else Decimal(0)


def _shown(pct):
    # Decimal("60.00").normalize() prints as "6E+1": format it as a plain number.
    return format(Decimal(pct).normalize(), "f")


def _ids(keys):
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


def _meets(part, whole, threshold_pct):
    # Integer arithmetic: 60% of 40 is exactly 24, no rounding at the boundary.
    return Decimal(part) * 100 >= Decimal(threshold_pct) * whole


def _write_fields(rows, fields):
    """Write `fields` of already loaded nominations in one statement.

    bulk_update() builds a CASE WHEN id = ... branch per row and per field, which
    the database evaluates row by row: quadratic, about 30 s for a 2,000-household
    meeting. An upsert on the primary key (every row exists, so every row takes the
    UPDATE path) writes the same values in one linear-time statement.
    """
    if rows:
        Nomination.objects.bulk_create(rows, update_conflicts=True, unique_fields=["id"], update_fields=fields)


def _finish(dossier, trail, *, fields=()):
    trail.flush()
    dossier.revision += 1
    dossier.save(update_fields=["state", "revision", "audit_seq", "audit_head", *fields])


def _complete_task(dossier, node):
    task = dossier.process.task_set.get(flow_task=node, status="NEW")
    node.run(task)


def _names(nominations, limit=5):
    names = [n.household.head_name for n in nominations[:limit]]
    more = len(nominations) - limit
    text = ", ".join(names)
    if more > 0:
        text += " " + ngettext("and %(n)s other", "and %(n)s others", more) % {"n": more}
    return text


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
    _finish(dossier, trail)
    return dossier


@transaction.atomic
def register_households(*, actor, dossier, household_ids, registered_on, expected_revision=None):
    """Register households of the dossier's hamlet, one or hundreds at once."""
    dossier = _lock(dossier)
    acting = require_acting(actor, dossier.unit, "prepare_dossier")
    _check_revision(dossier, expected_revision)
    if dossier.state not in (DossierState.OPEN, DossierState.RETURNED):
        raise RuleViolation(
            _("Households can only be registered while the dossier is open or returned; it is “%(state)s”.")
            % {"state": dossier.get_state_display()}
        )
    _check_in_year(dossier, registered_on, _("Registration date"))
    ids = _ids(household_ids)
    if not ids:
        raise RuleViolation(_("Choose at least one household to register."))
    households = list(Household.objects.filter(pk__in=ids).select_related("hamlet"))
    if len(households) != len(ids):
        raise RuleViolation(
            _("%(n)s of the chosen households do not exist.") % {"n": len(ids) - len(households)}
        )
    foreign = [h for h in households if h.hamlet_id != dossier.unit_id]
    if foreign:
        raise RuleViolation(
            _("%(names)s do not belong to %(unit)s; only its own households can be registered here.")
            % {"names": ", ".join(str(h) for h in foreign[:5]), "unit": dossier.unit}
        )
    already = list(
        Nomination.objects.filter(title_type=dossier.title_type, year=dossier.year, household__in=ids)
        .select_related("household")
    )
    if already:
        raise RuleViolation(
            _("Already registered for %(title)s in %(year)s: %(names)s. A household registers once a year.")
            % {"title": dossier.title_type, "year": dossier.year, "names": _names(already)}
        )
    try:
        created = Nomination.objects.bulk_create([
            Nomination(dossier=dossier, title_type=dossier.title_type, year=dossier.year,
                       household=h, registered_on=registered_on)
            for h in sorted(households, key=lambda h: h.code)
        ])
    except IntegrityError:
        # Another dossier registered one of them between the check above and this
        # insert (a household that moved hamlet); the unique constraint decides.
        raise RuleViolation(
            _("One of these households was registered for %(title)s in %(year)s by someone else just now. "
              "A household registers once a year; reload the list.")
            % {"title": dossier.title_type, "year": dossier.year}
        ) from None
    if created and created[0].pk is None:  # backends without RETURNING
        created = list(Nomination.objects.filter(dossier=dossier, household__in=ids))
    trail = AuditTrail(dossier, acting)
    for nomination in created:
        trail.add(action="register", target=nomination, to_state=NominationState.REGISTERED,
                  household=nomination.household.code, registered_on=registered_on)
    _finish(dossier, trail)
    notify.households_registered(dossier=dossier, nominations=created, actor=actor)
    return created


@transaction.atomic
def record_self_assessments(*, actor, dossier, assessments, assessed_on, expected_revision=None):
    """Record households' self-assessments (Mẫu 03): {nomination id: text}."""
    dossier = _lock(dossier)
    acting = require_acting(actor, dossier.unit, "record_review")
    _check_revision(dossier, expected_revision)
    if dossier.state not in (DossierState.OPEN, DossierState.RETURNED):
        raise RuleViolation(
            _("Self-assessments can only be recorded while the dossier is open or returned; it is “%(state)s”.")
            % {"state": dossier.get_state_display()}
        )
    _check_in_year(dossier, assessed_on, _("Self-assessment date"))
    assessments = assessments or {}
    _ids(assessments)
    texts = {int(k): (v or "").strip() for k, v in assessments.items() if (v or "").strip()}
    if not texts:
        raise RuleViolation(_("No self-assessment to record: write at least one household's text."))
    nominations = list(dossier.nominations.filter(pk__in=texts))
    if len(nominations) != len(texts):
        raise RuleViolation(_("Some self-assessments name households that are not in this dossier."))
    trail = AuditTrail(dossier, acting)
    for nomination in nominations:
        nomination.self_assessment = texts[nomination.pk]
        nomination.self_assessed_on = assessed_on
        trail.add(action="self_assessment", target=nomination, assessed_on=assessed_on,
                  text=nomination.self_assessment)
    _write_fields(nominations, ["self_assessment", "self_assessed_on"])
    _finish(dossier, trail)
    return nominations


# ---------------------------------------------------------------- the review meeting

@transaction.atomic
def record_meeting(*, actor, dossier, held_on, invited, present, method, votes,
                   exclusions=None, minutes=None, chaired_by="", expected_revision=None):
    """Record the review meeting and the tally for every listed household.

    `votes` maps nomination id to (for, against); `exclusions` maps nomination id
    to an exclusion ground code of the rule set. Every household gets an outcome:
    proposed, or not proposed with the reason.
    """
    dossier = _lock(dossier)
    acting = require_acting(actor, dossier.unit, "record_review")
    _check_revision(dossier, expected_revision)
    _check_transition(dossier, dossier.record_meeting)
    minutes = uploads.validate_minutes(minutes)
    rules = dossier.rule_set
    _check_in_year(dossier, held_on, _("Meeting date"))
    invited = _count(invited, _("Invited"))
    present = _count(present, _("Present"))
    if invited == 0:
        raise RuleViolation(_("At least one person must be invited to the meeting."))
    if present > invited:
        raise RuleViolation(
            _("%(present)s present is more than the %(invited)s invited.") % {"present": present, "invited": invited}
        )
    if method not in VotingMethod.values:
        raise RuleViolation(_("Choose the voting method: secret ballot or show of hands."))
    if rules.quorum_pct is not None and not _meets(present, invited, rules.quorum_pct):
        raise RuleViolation(
            _("%(present)s of %(invited)s invited attended (%(pct)s%%); the quorum under %(rules)s is "
              "%(quorum)s%% of those invited. The meeting is not valid.")
            % {"present": present, "invited": invited, "pct": _pct(present, invited),
               "quorum": _shown(rules.quorum_pct), "rules": rules.name}
        )
    _ids(exclusions or {})
    exclusions = {int(k): v for k, v in (exclusions or {}).items() if v}
    known_grounds = {g["code"] for g in rules.exclusion_grounds}
    unknown = set(exclusions.values()) - known_grounds
    if unknown:
        raise RuleViolation(
            _("Exclusion ground “%(code)s” is not one of the grounds of %(rules)s.")
            % {"code": sorted(unknown)[0], "rules": rules.name}
        )

    nominations = list(dossier.nominations.filter(state__in=REVIEWABLE).select_related("household"))
    if not nominations:
        raise RuleViolation(_("No household is registered in this dossier."))
    votes = votes or {}
    _ids(votes)
    tallies = {int(k): v for k, v in votes.items()}
    missing = [n for n in nominations if n.pk not in tallies]
    if missing:
        raise RuleViolation(
            ngettext("The votes of %(n)s household are missing: %(names)s.",
                     "The votes of %(n)s households are missing: %(names)s.", len(missing))
            % {"n": len(missing), "names": _names(missing)}
        )
    stray = set(tallies) - {n.pk for n in nominations}
    if stray or set(exclusions) - {n.pk for n in nominations}:
        raise RuleViolation(_("The tally names households that are not listed in this dossier."))

    trail = AuditTrail(dossier, acting)
    from_state = dossier.state
    proposed = 0
    for nomination in nominations:
        name = nomination.household.head_name
        pair = tallies[nomination.pk]
        if not isinstance(pair, (list, tuple)) or len(pair) != 2 or pair[0] in (None, "") or pair[1] in (None, ""):
            raise RuleViolation(_("Votes for %(name)s are missing.") % {"name": name})
        votes_for = _count(pair[0], _("Votes for %(name)s") % {"name": name})
        votes_against = _count(pair[1], _("Votes against %(name)s") % {"name": name})
        if votes_for + votes_against > present:
            raise RuleViolation(
                _("%(name)s: %(for)s for and %(against)s against make %(total)s votes, more than the "
                  "%(present)s attendees.")
                % {"name": name, "for": votes_for, "against": votes_against,
                   "total": votes_for + votes_against, "present": present}
            )
        before = nomination.state
        nomination.votes_for, nomination.votes_against = votes_for, votes_against
        nomination.exclusion = exclusions.get(nomination.pk, "")
        if nomination.exclusion:
            nomination.reason = _("Excluded: %(ground)s.") % {"ground": rules.exclusion_label(nomination.exclusion)}
            nomination.decline()
        elif rules.approval_pct is not None and not _meets(votes_for, present, rules.approval_pct):
            nomination.reason = (
                _("%(for)s of %(present)s attendees agreed (%(pct)s%%); at least %(need)s%% is required.")
                % {"for": votes_for, "present": present, "pct": _pct(votes_for, present),
                   "need": _shown(rules.approval_pct)}
            )
            nomination.decline()
        elif rules.approval_pct is None and votes_for <= votes_against:
            nomination.reason = (
                _("%(for)s for and %(against)s against: the meeting did not agree.")
                % {"for": votes_for, "against": votes_against}
            )
            nomination.decline()
        else:
            nomination.reason = ""
            nomination.propose()
            proposed += 1
        trail.add(action="meeting_vote", target=nomination, from_state=before, to_state=nomination.state,
                  votes_for=votes_for, votes_against=votes_against, exclusion=nomination.exclusion,
                  reason=nomination.reason)

    meeting = Meeting(dossier=dossier, held_on=held_on, invited=invited, present=present, method=method,
                      chaired_by=chaired_by, recorded_by=actor)
    if minutes:
        meeting.minutes.save(minutes.name, minutes, save=False)
    meeting.save()
    _write_fields(nominations, ["state", "votes_for", "votes_against", "exclusion", "reason"])
    dossier.record_meeting()
    dossier.submission_due = add_days(held_on, rules.submission_days, rules.submission_day_type)
    trail.add(action="record_meeting", target=dossier, from_state=from_state, to_state=dossier.state,
              meeting=meeting.pk, held_on=held_on, invited=invited, present=present, method=method,
              minutes=meeting.minutes.name or "", proposed=proposed,
              not_proposed=len(nominations) - proposed)
    _finish(dossier, trail, fields=["submission_due"])
    notify.review_outcomes(dossier=dossier, nominations=nominations)
    return meeting


# ---------------------------------------------------------------- public posting

@transaction.atomic
def post_list(*, actor, dossier, starts_on, place, expected_revision=None):
    """Post the proposed list publicly for the period the rule set requires."""
    dossier = _lock(dossier)
    acting = require_acting(actor, dossier.unit, "record_review")
    _check_revision(dossier, expected_revision)
    _check_transition(dossier, dossier.post_publicly)
    _check_in_year(dossier, starts_on, _("Posting date"))
    meeting = dossier.meetings.first()
    if starts_on < meeting.held_on:
        raise RuleViolation(
            _("The list cannot be posted on %(date)s, before the meeting of %(held)s.")
            % {"date": starts_on.strftime("%d/%m/%Y"), "held": meeting.held_on.strftime("%d/%m/%Y")}
        )
    if not (place or "").strip():
        raise RuleViolation(_("Say where the list is posted."))
    rules = dossier.rule_set
    posting = Posting.objects.create(
        dossier=dossier, starts_on=starts_on, place=place.strip(), recorded_by=actor,
        ends_on=add_days(starts_on, rules.posting_days, rules.posting_day_type),
    )
    from_state = dossier.state
    dossier.post_publicly()
    trail = AuditTrail(dossier, acting)
    trail.add(action="post_list", target=dossier, from_state=from_state, to_state=dossier.state,
              posting=posting.pk, starts_on=starts_on, ends_on=posting.ends_on, place=posting.place)
    _finish(dossier, trail)
    return posting


@transaction.atomic
def record_comment(*, actor, dossier, received_on, author, text, nomination_id=None, expected_revision=None):
    """Record a resident's comment received during the posting period."""
    dossier = _lock(dossier)
    acting = require_acting(actor, dossier.unit, "record_review")
    _check_revision(dossier, expected_revision)
    if dossier.state != DossierState.POSTING:
        raise RuleViolation(_("Comments are recorded only while the list is posted."))
    posting = dossier.postings.first()
    if received_on is None or not (posting.starts_on <= received_on <= posting.ends_on):
        raise RuleViolation(
            _("The posting runs from %(start)s to %(end)s; a comment must be received in that period.")
            % {"start": posting.starts_on.strftime("%d/%m/%Y"), "end": posting.ends_on.strftime("%d/%m/%Y")}
        )
    if received_on > timezone.localdate():
        raise RuleViolation(
            _("Comment date %(date)s is in the future.") % {"date": received_on.strftime("%d/%m/%Y")}
        )
    if not (text or "").strip() or not (author or "").strip():
        raise RuleViolation(_("A comment needs its author and its text."))
    nomination = None
    if nomination_id:
        nomination = dossier.nominations.filter(pk=nomination_id).first()
        if nomination is None:
            raise RuleViolation(_("The comment names a household that is not in this dossier."))
    comment = PostingComment.objects.create(posting=posting, nomination=nomination, received_on=received_on,
                                            author=author.strip(), text=text.strip())
    trail = AuditTrail(dossier, acting)
    trail.add(action="posting_comment", target=comment, author=comment.author, text=comment.text,
              nomination=nomination.pk if nomination else None, received_on=received_on)
    _finish(dossier, trail)
    return comment


# ---------------------------------------------------------------- submission

@transaction.atomic
def submit_dossier(*, actor, dossier, submitted_on, expected_revision=None):
    """Send the dossier to the appraising level."""
    dossier = _lock(dossier)
    acting = require_acting(actor, dossier.unit, "prepare_dossier")
    _check_revision(dossier, expected_revision)
    _check_in_year(dossier, submitted_on, _("Submission date"))
    meeting = dossier.meetings.first()
    if meeting is not None and submitted_on < meeting.held_on:
        raise RuleViolation(
            _("The dossier cannot be sent on %(date)s, before the review meeting of %(held)s.")
            % {"date": submitted_on.strftime("%d/%m/%Y"), "held": meeting.held_on.strftime("%d/%m/%Y")}
        )
    rules = dossier.rule_set
    from_state = dossier.state
    if dossier.state == DossierState.POSTING:
        posting = dossier.postings.first()
        if submitted_on < posting.ends_on:
            raise RuleViolation(
                _("The list is posted until %(end)s (%(days)s %(day_type)s from %(start)s); it can be sent "
                  "from that day on.")
                % {"end": posting.ends_on.strftime("%d/%m/%Y"), "days": rules.posting_days,
                   "day_type": rules.get_posting_day_type_display(),
                   "start": posting.starts_on.strftime("%d/%m/%Y")}
            )
        dossier.submit_after_posting()
    elif dossier.state == DossierState.RETURNED:
        dossier.resubmit()
    else:
        if dossier.state == DossierState.REVIEWED and rules.has_step("posting"):
            raise RuleViolation(
                _("Under %(rules)s the list must first be posted publicly for %(days)s %(day_type)s.")
                % {"rules": rules.name, "days": rules.posting_days,
                   "day_type": rules.get_posting_day_type_display()}
            )
        _check_transition(dossier, dossier.submit)
        dossier.submit()
    if not dossier.nominations.filter(state=NominationState.PROPOSED).exists():
        raise RuleViolation(_("No household is proposed: there is nothing to send."))
    dossier.submitted_on = submitted_on
    dossier.decision_due = add_days(submitted_on, rules.decision_days, rules.decision_day_type)
    late = bool(dossier.submission_due and submitted_on > dossier.submission_due)
    trail = AuditTrail(dossier, acting)
    trail.add(action="submit", target=dossier, from_state=from_state, to_state=dossier.state,
              submitted_on=submitted_on, submission_due=dossier.submission_due, late=late,
              proposed=dossier.nominations.filter(state=NominationState.PROPOSED).count())
    _finish(dossier, trail, fields=["submitted_on", "decision_due"])
    _complete_task(dossier, DossierFlow.hamlet_review)
    notify.dossier_submitted(dossier=dossier)
    return dossier


# ---------------------------------------------------------------- appraisal

@transaction.atomic
def appraise_dossier(*, actor, dossier, strikes=None, expected_revision=None):
    """Accept the dossier, striking individual households with a reason: {nomination id: reason}."""
    dossier = _lock(dossier)
    acting = require_acting(actor, dossier.appraising_unit, "appraise_dossier")
    _check_revision(dossier, expected_revision)
    _check_transition(dossier, dossier.accept)
    _ids(strikes or {})
    strikes = {int(k): (v or "").strip() for k, v in (strikes or {}).items()}
    nominations = list(dossier.nominations.filter(state=NominationState.PROPOSED).select_related("household"))
    if set(strikes) - {n.pk for n in nominations}:
        raise RuleViolation(_("Only households proposed in this dossier can be struck."))
    blank = [n for n in nominations if n.pk in strikes and not strikes[n.pk]]
    if blank:
        raise RuleViolation(
            _("Give the reason for every household you strike; missing for: %(names)s.")
            % {"names": _names(blank)}
        )
    trail = AuditTrail(dossier, acting)
    for nomination in nominations:
        if nomination.pk in strikes:
            nomination.reason = strikes[nomination.pk]
            nomination.strike()
        else:
            nomination.accept()
        trail.add(action="appraise", target=nomination, from_state=NominationState.PROPOSED,
                  to_state=nomination.state, reason=strikes.get(nomination.pk, ""))
    _write_fields(nominations, ["state", "reason"])
    from_state = dossier.state
    dossier.accept()
    trail.add(action="accept", target=dossier, from_state=from_state, to_state=dossier.state,
              accepted=len(nominations) - len(strikes), struck=len(strikes))
    _finish(dossier, trail)
    _complete_task(dossier, DossierFlow.appraisal)
    notify.dossier_appraised(dossier=dossier, struck=[n for n in nominations if n.pk in strikes])
    return dossier


@transaction.atomic
def return_dossier(*, actor, dossier, reason, expected_revision=None):
    """Send the whole dossier back to the hamlet for correction."""
    dossier = _lock(dossier)
    acting = require_acting(actor, dossier.appraising_unit, "appraise_dossier")
    _check_revision(dossier, expected_revision)
    _check_transition(dossier, dossier.return_for_correction)
    if not (reason or "").strip():
        raise RuleViolation(_("Say why the dossier is returned: the hamlet must know what to correct."))
    from_state = dossier.state
    dossier.return_for_correction()
    dossier.return_reason = reason.strip()
    trail = AuditTrail(dossier, acting)
    trail.add(action="return", target=dossier, from_state=from_state, to_state=dossier.state,
              reason=dossier.return_reason)
    _finish(dossier, trail, fields=["return_reason"])
    _complete_task(dossier, DossierFlow.appraisal)
    notify.dossier_returned(dossier=dossier)
    return dossier


# ---------------------------------------------------------------- decision

def _certificate_code():
    # 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def decide(*, actor, dossier, number, signed_on, signer, expected_revision=None):
    """Sign the recognition decision: every accepted household enters the register."""
    dossier = _lock(dossier)
    acting = require_acting(actor, dossier.deciding_unit, "decide_title")
    _check_revision(dossier, expected_revision)
    if dossier.state != DossierState.APPRAISED:
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
    if not number or not signer:
        raise RuleViolation(_("The decision needs its number and its signer."))
    _check_in_year(dossier, signed_on, _("Signing date"))
    if dossier.submitted_on and signed_on < dossier.submitted_on:
        raise RuleViolation(
            _("The decision cannot be signed on %(date)s, before the dossier was sent on %(sent)s.")
            % {"date": signed_on.strftime("%d/%m/%Y"), "sent": dossier.submitted_on.strftime("%d/%m/%Y")}
        )
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
    nominations = list(dossier.nominations.filter(state=NominationState.ACCEPTED))
    trail = AuditTrail(dossier, acting)
    awards = []
    for nomination in nominations:
        nomination.recognize()
        awards.append(Award(title_type=dossier.title_type, year=dossier.year, household_id=nomination.household_id,
                            nomination=nomination, decision=decision, certificate_code=_certificate_code()))
        trail.add(action="recognize", target=nomination, from_state=NominationState.ACCEPTED,
                  to_state=nomination.state, decision=number)
    Nomination.objects.filter(pk__in=[n.pk for n in nominations]).update(state=NominationState.RECOGNIZED)
    Award.objects.bulk_create(awards)
    from_state = dossier.state
    dossier.decide()
    late = bool(dossier.decision_due and signed_on > dossier.decision_due)
    trail.add(action="decide", target=dossier, from_state=from_state, to_state=dossier.state,
              decision=number, signed_on=signed_on, signer=signer, recognized=len(nominations), late=late)
    _finish(dossier, trail)
    _complete_task(dossier, DossierFlow.decision)
    notify.decision_signed(dossier=dossier, decision=decision, recognized=nominations, actor=actor)
    return decision
