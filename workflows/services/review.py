"""The review meeting and its tally, the public posting and residents' comments."""

import hashlib
from pathlib import PurePosixPath

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from titles.calendar import add_days, posting_last_day
from titles.models import Step
from titles.subjects import subject_kind_of

from .. import uploads
from ..models import DossierState, Meeting, MinutesPage, NominationState, Posting, PostingComment, VotingMethod
from . import merit
from . import messages as notify
from .audit import AuditTrail
from .common import (
    REVIEWABLE,
    SubjectNames,
    acting_for,
    allowed,
    check_act_date,
    check_revision,
    check_text,
    check_transition,
    finish,
    lock_dossier,
    meets,
    names_of,
    parse_count,
    parse_ids,
    percent,
    propose_registered,
    require_confirmation,
    shown_day,
    shown_pct,
    unusual_date,
    write_fields,
)
from .errors import RuleViolation, TallyRefused


def _row_counts(name_of, pair, present):
    """(for, against) of one tally row, or a RuleViolation naming the subject (`name_of()`, read
    only for the message)."""
    if not isinstance(pair, (list, tuple)) or len(pair) != 2 or pair[0] in (None, "") or pair[1] in (None, ""):
        raise RuleViolation(_("Votes for %(name)s are missing.") % {"name": name_of()})
    votes_for = parse_count(pair[0], lambda: _("Votes for %(name)s") % {"name": name_of()})
    votes_against = parse_count(pair[1], lambda: _("Votes against %(name)s") % {"name": name_of()})
    if votes_for + votes_against > present:
        raise RuleViolation(
            _("%(name)s: %(for)s for and %(against)s against make %(total)s votes, more than the "
              "%(present)s attendees.")
            % {"name": name_of(), "for": votes_for, "against": votes_against,
               "total": votes_for + votes_against, "present": present}
        )
    return votes_for, votes_against


@transaction.atomic
def record_meeting(*, actor, dossier, held_on, invited, present, method, votes,
                   exclusions=None, minutes=None, chaired_by="", expected_revision=None, dates_confirmed=None,
                   change_reasons=None):
    """Record the review meeting and the tally for every listed household.

    `votes` maps nomination id to (for, against); `exclusions` maps nomination id
    to an exclusion ground code of the rule set. Every household gets an outcome:
    proposed, or not proposed with the reason. A meeting that replaces an earlier
    one and changes a household's result or drops its exclusion ground needs a
    reason for that household in `change_reasons` (nomination id: text), kept in
    its audit event. `dates_confirmed`: see common.require_confirmation.
    """
    # The meeting reads its hamlet's or commune's unit, rule set and title, not the levels above.
    dossier = lock_dossier(dossier, related=("rule_set", "unit", "title_type"))
    acting = acting_for(actor, dossier, "meeting")
    check_revision(dossier, expected_revision)
    check_transition(dossier, dossier.record_meeting)
    check_text(chaired_by, _("Chaired by"), None)
    pages = uploads.validate_minutes_pages(minutes)
    rules = dossier.rule_set
    check_act_date(dossier, acting, held_on, _("Meeting date"), Step.MEETING)
    # Open is only ever the first state (no transition leads back to it): an open dossier
    # has no meeting to replace, and its first meeting, the usual case, need not look for one.
    replaced = dossier.meetings.first() if dossier.state != DossierState.OPEN else None
    if replaced is not None and held_on < replaced.held_on:
        raise RuleViolation(
            _("The meeting cannot be dated %(date)s, before the meeting of %(held)s that it replaces.")
            % {"date": shown_day(held_on), "held": shown_day(replaced.held_on)}
        )
    invited = parse_count(invited, _("Invited"))
    present = parse_count(present, _("Present"))
    if invited == 0:
        raise RuleViolation(_("At least one person must be invited to the meeting."))
    if present > invited:
        raise RuleViolation(
            _("%(present)s present is more than the %(invited)s invited.") % {"present": present, "invited": invited}
        )
    if method not in VotingMethod.values:
        raise RuleViolation(_("Choose the voting method: secret ballot or show of hands."))
    if rules.quorum_pct is not None and not meets(present, invited, rules.quorum_pct):
        raise RuleViolation(
            _("%(present)s of %(invited)s invited attended (%(pct)s%%); the quorum under %(rules)s is "
              "%(quorum)s%% of those invited. The meeting is not valid.")
            % {"present": present, "invited": invited, "pct": percent(present, invited),
               "quorum": shown_pct(rules.quorum_pct), "rules": rules.name}
        )
    parse_ids(exclusions or {})
    exclusions = {int(k): v for k, v in (exclusions or {}).items() if v}
    known_grounds = {g["code"] for g in rules.exclusion_grounds}
    unknown = set(exclusions.values()) - known_grounds
    if unknown:
        raise RuleViolation(
            _("Exclusion ground “%(code)s” is not one of the grounds of %(rules)s.")
            % {"code": sorted(unknown)[0], "rules": rules.name}
        )

    # By id (registration order), without the households or hamlets: a meeting is hundreds of
    # rows, and their names are read only for an error text.
    nominations = list(dossier.nominations.filter(state__in=REVIEWABLE).order_by("pk"))
    names = SubjectNames(dossier)
    kind = subject_kind_of(dossier.title_type)
    if not nominations:
        raise RuleViolation(_("No %(subject)s is registered in this dossier.") % {"subject": kind.noun})
    votes = votes or {}
    parse_ids(votes)
    tallies = {int(k): v for k, v in votes.items()}
    missing = [n for n in nominations if n.pk not in tallies]
    if missing:
        raise RuleViolation(
            ngettext("The votes of %(n)s %(subject)s are missing: %(names)s.",
                     "The votes of %(n)s %(subjects)s are missing: %(names)s.", len(missing))
            % {"n": len(missing), "names": names_of(missing), "subject": kind.noun, "subjects": kind.nouns}
        )
    stray = set(tallies) - {n.pk for n in nominations}
    if stray or set(exclusions) - {n.pk for n in nominations}:
        raise RuleViolation(_("The tally names %(subjects)s that are not listed in this dossier.")
                            % {"subjects": kind.nouns})
    # The meeting reviews what was registered and self-assessed: it cannot precede it.
    latest = max(nominations, key=lambda n: max(n.registered_on, n.self_assessed_on or n.registered_on))
    latest_on = max(latest.registered_on, latest.self_assessed_on or latest.registered_on)
    if held_on < latest_on:
        raise RuleViolation(
            _("The meeting cannot be dated %(date)s, before the registration or self-assessment of %(name)s "
              "on %(day)s that it reviews.")
            % {"date": shown_day(held_on), "name": names[latest.pk], "day": shown_day(latest_on)}
        )
    require_confirmation([unusual_date(held_on, _("Meeting date"))], dates_confirmed)

    # Every row is read before any is settled, and every wrong row is named at once.
    counts, wrong = {}, {}
    for nomination in nominations:
        try:
            counts[nomination.pk] = _row_counts(lambda pk=nomination.pk: names[pk], tallies[nomination.pk], present)
        except RuleViolation as exc:
            wrong[nomination.pk] = " ".join(exc.messages)
    if wrong:
        raise TallyRefused(wrong)

    change_reasons = change_reasons or {}
    parse_ids(change_reasons)
    change_reasons = {int(k): (v or "").strip() for k, v in change_reasons.items()}
    trail = AuditTrail(dossier.case, acting)
    from_state = dossier.state
    proposed = 0
    was_proposed = sum(1 for n in nominations if n.state == NominationState.PROPOSED)
    unexplained = []
    outcomes = []
    for nomination in nominations:
        previous_exclusion = nomination.exclusion
        votes_for, votes_against = counts[nomination.pk]
        before = nomination.state
        nomination.votes_for, nomination.votes_against = votes_for, votes_against
        nomination.exclusion = exclusions.get(nomination.pk, "")
        if nomination.exclusion:
            nomination.reason = _("Excluded: %(ground)s.") % {"ground": rules.exclusion_label(nomination.exclusion)}
            nomination.decline()
        elif rules.approval_pct is not None and not meets(votes_for, present, rules.approval_pct):
            nomination.reason = (
                _("%(for)s of %(present)s attendees agreed (%(pct)s%%); at least %(need)s%% is required.")
                % {"for": votes_for, "present": present, "pct": percent(votes_for, present),
                   "need": shown_pct(rules.approval_pct)}
            )
            nomination.decline()
        elif rules.approval_more_than and votes_for * 100 <= rules.approval_pct * present:
            nomination.reason = (
                _("%(for)s of %(present)s members present agreed (%(pct)s%%); more than %(need)s%% is required.")
                % {"for": votes_for, "present": present, "pct": percent(votes_for, present),
                   "need": shown_pct(rules.approval_pct)}
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
        outcomes.append((nomination, before, previous_exclusion))
    # A certificate of merit: of those approved, the cap keeps the best ranked (merit.cap_meeting).
    beyond_cap = merit.cap_meeting(dossier, [n for n in nominations if n.state == NominationState.PROPOSED])
    for nomination, before, previous_exclusion in outcomes:
        if nomination.pk in beyond_cap:
            nomination.reason = beyond_cap[nomination.pk]
            nomination.decline()
            proposed -= 1
        details = {}
        # A result settled by the meeting being replaced (registered ones had none) that
        # this one overturns, or an exclusion ground it drops: the reason is owed to the household.
        if replaced is not None and before != NominationState.REGISTERED and (
            nomination.state != before or (previous_exclusion and nomination.exclusion != previous_exclusion)
        ):
            if not change_reasons.get(nomination.pk):
                unexplained.append(nomination)
            details = {"change_reason": change_reasons.get(nomination.pk, ""), "previous_exclusion":
                       previous_exclusion}
        trail.add(action="meeting_vote", target=nomination, from_state=before, to_state=nomination.state,
                  votes_for=nomination.votes_for, votes_against=nomination.votes_against,
                  exclusion=nomination.exclusion, reason=nomination.reason, **details)
    if unexplained:
        summary = (
            ngettext("This meeting changes the result set by the meeting of %(held)s for %(n)s household, or "
                     "drops its exclusion ground: %(names)s. Give the reason for the change.",
                     "This meeting changes the results set by the meeting of %(held)s for %(n)s households, or "
                     "drops their exclusion grounds: %(names)s. Give the reason for each change.",
                     len(unexplained))
            % {"held": shown_day(replaced.held_on), "n": len(unexplained), "names": names_of(unexplained)}
        )
        # Named on each row too, where the reason is typed.
        raise TallyRefused({n.pk: _("Give the reason why the result of %(name)s changes (or why its exclusion "
                                    "ground is dropped).") % {"name": names[n.pk]} for n in unexplained}, summary)

    meeting = Meeting(dossier=dossier, held_on=held_on, invited=invited, present=present, method=method,
                      chaired_by=chaired_by, recorded_by=actor)
    if pages:
        meeting.minutes.save(pages[0].name, pages[0], save=False)
    meeting.save()
    for number, upload in enumerate(pages[1:], start=2):
        page = MinutesPage(meeting=meeting, number=number)
        page.file.save(upload.name, upload, save=False)
        page.save()
    write_fields(nominations, ["state", "votes_for", "votes_against", "exclusion", "reason"])
    dossier.record_meeting()
    dossier.submission_due = add_days(held_on, rules.submission_days, rules.submission_day_type)
    trail.add(action="record_meeting", target=dossier, from_state=from_state, to_state=dossier.state,
              meeting=meeting.pk, held_on=held_on, invited=invited, present=present, method=method,
              minutes=meeting.minutes.name or "", proposed=proposed,
              not_proposed=len(nominations) - proposed, **({"replaces": replaced.pk} if replaced else {}),
              # Only a multi-page record says how many pages: a one-file meeting's event keeps its shape.
              **({"minutes_pages": len(pages)} if len(pages) > 1 else {}))
    # Every reviewable nomination was voted on again: replace its share of the count.
    dossier.proposed_count += proposed - was_proposed
    finish(dossier, trail, fields=["submission_due", "proposed_count"])
    notify.review_outcomes(dossier=dossier, nominations=nominations)
    return meeting


@transaction.atomic
def attach_minutes(*, actor, dossier, minutes, expected_revision=None):
    """Attach the signed minutes (one file or several pages) to the meeting in force,
    after its votes were recorded without them (typed before the paper was signed, or
    sent from the phone's outbox, which carries no file). Pages are added after those
    already attached, up to MINUTES_MAX_PAGES; each is checked as at the meeting
    (workflows.uploads). The event names the meeting and every stored file with its
    SHA-256, so the file read later can be told to be the one attached."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "attach_minutes")
    check_revision(dossier, expected_revision)
    meeting = dossier.meetings.first()
    if not allowed(dossier, "attach_minutes") or meeting is None:
        raise RuleViolation(
            _("This action is not possible while the dossier is “%(state)s”.") % {"state": dossier.get_state_display()}
        )
    pages = uploads.validate_minutes_pages(minutes)
    if not pages:
        raise RuleViolation(_("Choose the file of the signed minutes (PDF, JPEG or PNG), or one file per page."))
    attached = (1 + meeting.minutes_pages.count()) if meeting.minutes else 0
    limit = settings.MINUTES_MAX_PAGES
    if attached + len(pages) > limit:
        raise RuleViolation(
            ngettext("The minutes of the meeting of %(held)s already have %(attached)s page; %(n)s more would make "
                     "%(total)s, and at most %(limit)s pages can be attached.",
                     "The minutes of the meeting of %(held)s already have %(attached)s pages; %(n)s more would make "
                     "%(total)s, and at most %(limit)s pages can be attached.", attached)
            % {"held": shown_day(meeting.held_on), "attached": attached, "n": len(pages),
               "total": attached + len(pages), "limit": limit}
        )
    digests = []
    for page in pages:
        page.seek(0)
        digests.append(hashlib.sha256(page.read()).hexdigest())
        page.seek(0)
    stored = []
    number = attached
    for upload in pages:
        number += 1
        if number == 1:
            meeting.minutes.save(upload.name, upload, save=False)
            meeting.save(update_fields=["minutes"])
            stored.append(meeting.minutes.name)
        else:
            page = MinutesPage(meeting=meeting, number=number)
            page.file.save(upload.name, upload, save=False)
            page.save()
            stored.append(page.file.name)
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="attach_minutes", target=dossier, meeting=meeting.pk, held_on=meeting.held_on,
              first_page=attached + 1, minutes_pages=number,
              files=[PurePosixPath(name).name for name in stored], sha256=digests)
    finish(dossier, trail)
    return meeting


# ---------------------------------------------------------------- public posting

@transaction.atomic
def post_list(*, actor, dossier, starts_on, place, expected_revision=None, dates_confirmed=None):
    """Post the proposed list publicly for the period the rule set requires."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "posting")
    check_revision(dossier, expected_revision)
    check_transition(dossier, dossier.post_publicly)
    check_act_date(dossier, acting, starts_on, _("Posting date"), Step.POSTING)
    # None under a rule set without a review meeting: the registrations are the proposal.
    meeting = dossier.meetings.first()
    if meeting is not None and starts_on < meeting.held_on:
        raise RuleViolation(
            _("The list cannot be posted on %(date)s, before the meeting of %(held)s.")
            % {"date": starts_on.strftime("%d/%m/%Y"), "held": meeting.held_on.strftime("%d/%m/%Y")}
        )
    if not (place or "").strip():
        raise RuleViolation(_("Say where the list is posted."))
    check_text(place, _("Place of posting"), None)
    require_confirmation([unusual_date(starts_on, _("Posting date"), reference=meeting.held_on if meeting else None,
                                       reference_label=_("the meeting"))], dates_confirmed)
    propose_registered(dossier, acting, starts_on, _("Posting date"))
    rules = dossier.rule_set
    posting = Posting.objects.create(
        dossier=dossier, starts_on=starts_on, place=place.strip(), recorded_by=actor,
        ends_on=posting_last_day(rules, starts_on),
    )
    from_state = dossier.state
    dossier.post_publicly()
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="post_list", target=dossier, from_state=from_state, to_state=dossier.state,
              posting=posting.pk, starts_on=starts_on, ends_on=posting.ends_on, place=posting.place)
    finish(dossier, trail, fields=["proposed_count"])
    return posting


@transaction.atomic
def record_comment(*, actor, dossier, received_on, author, text, nomination_id=None, expected_revision=None,
                   dates_confirmed=None):
    """Record a resident's comment received during the posting period: from the
    posting day through its last day (calendar.posting_last_day), both included."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "comment")
    check_revision(dossier, expected_revision)
    if not allowed(dossier, "comment"):
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
    check_act_date(dossier, acting, received_on, _("Comment date"), Step.POSTING)
    if not (text or "").strip() or not (author or "").strip():
        raise RuleViolation(_("A comment needs its author and its text."))
    check_text(author, _("From"), None)
    check_text(text, _("Comment"))
    require_confirmation([unusual_date(received_on, _("Comment date"))], dates_confirmed)
    nomination = None
    if nomination_id:
        nomination = dossier.nominations.filter(pk=nomination_id).first()
        if nomination is None:
            raise RuleViolation(_("The comment names a household that is not in this dossier."))
    comment = PostingComment.objects.create(posting=posting, nomination=nomination, received_on=received_on,
                                            author=author.strip(), text=text.strip())
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="posting_comment", target=comment, author=comment.author, text=comment.text,
              nomination=nomination.pk if nomination else None, received_on=received_on)
    finish(dossier, trail)
    return comment


# ---------------------------------------------------------------- submission
