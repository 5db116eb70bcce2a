"""The merit round's own rules, called by the shared services at each step.

A certificate of merit's dossier runs on the shared services (open_round, register_subjects,
record_meeting, appraise_dossier, decide) and its own route (workflows.procedures.merit_round);
what differs is here, read from the rule set (titles.merit.MeritRules):

- a round opens only under a rule set in force (a province's unconfirmed rules are not);
- only subjects the register makes eligible go on the list, each recording its window and the
  decisions of its streak (Nomination.streak);
- the review meeting ranks those it approves by agree votes and keeps the cap (the rule set's
  rounding and tie-break); the appraisal checks again, against the register as it is then;
- the emulation council's meeting, where the rule set has that step, is recorded with its minutes;
- revoking a title a certificate counted flags the certificate for review.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from titles.merit import (
    ROUNDING_LABELS, Ballot, MeritRules, cap_refusal, eligibility, format_pct, rank_within_cap, rules_for,
)
from titles.models import Award, CertificateReview, RuleSet, Step
from titles.subjects import SUBJECT_CODE, subject_kind_of

from .. import uploads
from ..models import CouncilMeeting, Dossier, Nomination, NominationState
from .audit import AuditTrail, save_case
from .common import (
    acting_for,
    check_act_date,
    check_revision,
    check_text,
    check_transition,
    complete_task,
    finish,
    lock_dossier,
    parse_count,
    require_confirmation,
    shown_day,
    unusual_date,
)
from .errors import RuleViolation
from .messages import notify_unit


def is_merit(rule_set):
    return bool((rule_set.merit or {}).get("base_title"))


def check_can_open(title_type, year):
    """A merit round opens only where a rule set in force for `year` says so; else the reason the
    page shows (no rule set covers the year, or the province has not confirmed its rules)."""
    rules, in_force, why_not = rules_for(title_type, year)
    if not in_force:
        raise RuleViolation(why_not)
    return rules


# ---------------------------------------------------------------- the list: eligible only

def streaks(dossier, subjects):
    """{subject id: the streak the nomination records} for `subjects` of the dossier's unit, or a
    RuleViolation naming each one the register does not make eligible, with the reason."""
    rules = MeritRules.of(dossier.rule_set)
    kind = subject_kind_of(dossier.title_type)
    result = eligibility(dossier.title_type, dossier.unit, dossier.year, subjects=subjects)
    refused = [standing for standing in result.standings if not standing.eligible]
    if refused:
        raise RuleViolation(
            ngettext("%(n)s of the chosen %(subjects)s is not eligible for %(title)s %(first)s–%(last)s: %(why)s.",
                     "%(n)s of the chosen %(subjects)s are not eligible for %(title)s %(first)s–%(last)s: %(why)s.",
                     len(refused))
            % {"n": len(refused), "subjects": kind.nouns, "title": dossier.title_type,
               "first": rules.window(dossier.year)[0], "last": dossier.year,
               "why": "; ".join(f"{kind.label(s.subject)}: " + ", ".join(e.message for e in s.judgement.exclusions)
                                for s in refused[:5])}
        )
    first, last = rules.window(dossier.year)
    return {standing.subject.pk: {"first": first, "last": last, "titles": [
        {"year": title.year, "decision": title.decision} for title in standing.judgement.streak if title.year >= first
    ]} for standing in result.standings}


# ---------------------------------------------------------------- the cap

def _eligible_count(dossier):
    return len(eligibility(dossier.title_type, dossier.unit, dossier.year).eligible)


def _ballots(nominations):
    codes = dict(Nomination.objects.filter(pk__in=[n.pk for n in nominations]).values_list("pk", SUBJECT_CODE))
    return [Ballot(key=n.pk, votes_for=n.votes_for or 0, votes_against=n.votes_against or 0,
                   registered_on=n.registered_on, code=codes.get(n.pk, "")) for n in nominations]


def merit_cap_line(dossier):
    """What the tally sheet says of the cap before the votes: "At most 3 of the 21 eligible (15%, rounded
    down) can be proposed, ranked by agree votes." """
    rules = MeritRules.of(dossier.rule_set)
    eligible = _eligible_count(dossier)
    return _("At most %(cap)s of the %(eligible)s eligible (%(pct)s%%, %(rounding)s) can be proposed, ranked by "
             "agree votes.") % {"cap": rules.cap(eligible), "eligible": eligible, "pct": format_pct(rules.cap_pct),
                                "rounding": ROUNDING_LABELS[rules.cap_rounding]}


def cap_meeting(dossier, approved):
    """Of the nominations the meeting `approved` (by the rule set's 60%), those the cap leaves
    out, ranked by agree votes and broken at the cut-off as the rule set says: {nomination id:
    the reason they are not proposed}. Nothing where the rule set is not a certificate of merit."""
    if not is_merit(dossier.rule_set) or not approved:
        return {}
    rules = MeritRules.of(dossier.rule_set)
    eligible = _eligible_count(dossier)
    ranked = rank_within_cap(_ballots(approved), rules.cap(eligible), rules.tie_break)
    if not ranked.left_out:
        return {}
    said = cap_refusal(len(approved), eligible, rules)
    place = {key: number for number, key in enumerate((*ranked.admitted, *ranked.left_out), start=1)}
    return {key: _("%(cap)s Ranked %(place)s by agree votes, it is not proposed.") % {"cap": said,
                                                                                      "place": place[key]}
            for key in ranked.left_out}


def check_cap_at_appraisal(dossier, nominations, strikes):
    """The appraisal accepts no more than the cap of the subjects eligible today, and none the
    register no longer makes eligible (a title revoked since the meeting): a RuleViolation that
    names the numbers, or the subjects and why; the appraiser strikes what must go."""
    if not is_merit(dossier.rule_set):
        return
    rules = MeritRules.of(dossier.rule_set)
    kept = [n for n in nominations if n.pk not in strikes]
    kind = subject_kind_of(dossier.title_type)
    result = eligibility(dossier.title_type, dossier.unit, dossier.year)
    eligible = {s.subject.pk for s in result.eligible}
    field = f"{kind.field}_id"
    gone = [n for n in kept if getattr(n, field) not in eligible]
    if gone:
        names = dict(Nomination.objects.filter(pk__in=[n.pk for n in gone]).values_list("pk", SUBJECT_CODE))
        raise RuleViolation(
            ngettext("%(n)s proposed %(subject)s is no longer eligible in the register (%(names)s): strike it "
                     "with the reason.",
                     "%(n)s proposed %(subjects)s are no longer eligible in the register (%(names)s): strike "
                     "them with the reason.", len(gone))
            % {"n": len(gone), "subject": kind.noun, "subjects": kind.nouns,
               "names": ", ".join(names[n.pk] for n in gone[:5])}
        )
    ranked = rank_within_cap(_ballots(kept), rules.cap(len(eligible)), rules.tie_break)
    if ranked.left_out:
        raise RuleViolation(
            cap_refusal(len(kept), len(eligible), rules) + " "
            + _("Strike the ones beyond the cap, with the reason, before accepting the dossier.")
        )


# ---------------------------------------------------------------- the emulation council

@transaction.atomic
def record_council(*, actor, dossier, held_on, members, present, conclusion, minutes=None,
                   expected_revision=None, dates_confirmed=None):
    """Record the emulation council's meeting on an appraised certificate-of-merit dossier (its
    rule set's "council" step): the day, how many members sat, its conclusion and its minutes.
    The chair's decision waits for it."""
    dossier = lock_dossier(dossier)
    acting = acting_for(actor, dossier, "council")
    check_revision(dossier, expected_revision)
    check_transition(dossier, dossier.record_council)
    check_act_date(dossier, acting, held_on, _("Council meeting date"), Step.COUNCIL)
    if dossier.submitted_on and held_on < dossier.submitted_on:
        raise RuleViolation(
            _("The council cannot have met on %(date)s, before the dossier was sent on %(sent)s.")
            % {"date": shown_day(held_on), "sent": shown_day(dossier.submitted_on)})
    members = parse_count(members, _("Council members"))
    present = parse_count(present, _("Present"))
    if members == 0:
        raise RuleViolation(_("The council has at least one member."))
    if present == 0 or present > members:
        raise RuleViolation(_("%(present)s present of %(members)s members: the number present must be between 1 "
                              "and the council's members.") % {"present": present, "members": members})
    conclusion = check_text((conclusion or "").strip(), _("Conclusion"))
    if not conclusion:
        raise RuleViolation(_("Write the council's conclusion, as its minutes state it."))
    pages = uploads.validate_minutes_pages(minutes)
    require_confirmation([unusual_date(held_on, _("Council meeting date"))], dates_confirmed)
    council = CouncilMeeting(dossier=dossier, held_on=held_on, members=members, present=present,
                             conclusion=conclusion, recorded_by=actor)
    if pages:
        council.minutes.save(pages[0].name, pages[0], save=False)
    council.save()
    from_state = dossier.state
    dossier.record_council()
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="record_council", target=dossier, from_state=from_state, to_state=dossier.state,
              council=council.pk, name=(dossier.rule_set.merit.get("council") or {}).get("name", ""),
              held_on=held_on, members=members, present=present, conclusion=conclusion,
              minutes=council.minutes.name or "")
    finish(dossier, trail)
    complete_task(dossier, "council")
    notify_unit(dossier=dossier, unit=dossier.deciding_unit, codename="decide_title", exclude=actor,
                text=_("The emulation council met on %(date)s on %(dossier)s: the decision can be signed.")
                % {"date": shown_day(held_on), "dossier": dossier})
    return council


# ---------------------------------------------------------------- revocation flags certificates

def certificates_counting(award):
    """The valid certificates of merit of the award's subject whose window counts its year."""
    kind = subject_kind_of(award.title_type)
    merit_rule_sets = RuleSet.objects.filter(merit__base_title=award.title_type.code)
    candidates = (Award.objects.filter(title_type__in=merit_rule_sets.values("title_type_id"), revoked_at__isnull=True,
                                       year__gte=award.year, **{kind.field: getattr(award, f"{kind.field}_id")})
                  .select_related("nomination__dossier__rule_set", "nomination__dossier__deciding_unit",
                                  "title_type", "decision"))
    return [c for c in candidates
            if c.year - (c.nomination.dossier.rule_set.consecutive_years or 1) + 1 <= award.year <= c.year]


def flag_certificates(*, award, revocation, acting):
    """Flag for review each certificate of merit that counted the revoked `award`: a review row, an
    event in the certificate's dossier chain (under its lock), and the supervisor and the deciding
    unit told through the outbox. The certificate itself stays valid until its own revocation."""
    flagged = []
    for certificate in certificates_counting(award):
        # The certificate's dossier and its case (its audit chain), locked as every writer of the chain does.
        dossier = lock_dossier(Dossier(pk=certificate.nomination.dossier_id), related=())
        CertificateReview.objects.create(certificate=certificate, revocation=revocation)
        rules = certificate.nomination.dossier.rule_set
        first = certificate.year - (rules.consecutive_years or 1) + 1
        trail = AuditTrail(dossier.case, acting)
        trail.add(action="flag_certificate", target=certificate, from_state="valid", to_state="flagged",
                  certificate=certificate.certificate_code, window=[first, certificate.year],
                  revoked_title=str(award.title_type), revoked_year=award.year,
                  revocation=revocation.decision_number, reason=revocation.reason)
        save_case(dossier.case, trail)
        text = (_("Decision %(number)s revokes the %(title)s %(year)s title of %(holder)s, which the certificate of "
                  "merit %(code)s (%(first)s–%(last)s) counted: review the certificate; revoking it is a decision of "
                  "its own.")
                % {"number": revocation.decision_number, "title": award.title_type, "year": award.year,
                   "holder": award.subject_name, "code": certificate.certificate_code, "first": first,
                   "last": certificate.year})
        unit = certificate.decision.unit
        for codename in ("decide_title", "supervise"):
            notify_unit(dossier=dossier, unit=unit, codename=codename, text=text, kind="certificate_review")
        flagged.append(certificate)
    return flagged


__all__ = ["cap_meeting", "certificates_counting", "check_can_open", "check_cap_at_appraisal", "flag_certificates",
           "is_merit", "merit_cap_line", "record_council", "streaks"]
