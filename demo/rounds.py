"""How the demo's people act in a round, whatever its title: the shared steps of the stories.

Every write is the workflow service a person would trigger from the web, acting as a demo
account. The helpers here choose the subjects, the texts, the votes and the dates; the
stories (family.py for the Cultural Family, hamlets.py for the cultural hamlet title)
choose who acts where and when.
"""

import datetime
import math
from contextlib import contextmanager

from django.utils import timezone

from directory.models import Membership
from directory.services import end_membership, grant_membership
from titles.subjects import subject_kind_of
from workflows import services
from workflows.models import Decision, NominationState, VotingMethod
from titles.calendar import posting_last_day

from .accounts import ACCOUNTS, FORMER_ACCOUNTS
from .geography import OLD_FROM, OLD_TO

YEAR_2021 = 2021

# Days before the story's last day on which each later stage was sent for appraisal.
SUBMITTED_DAYS_AGO = {"submitted": 1, "returned": 3, "appraised": 6, "decided": 12}


def inline(name):
    """A unit name inside a sentence: "Thị trấn Dầu Giây" -> "thị trấn Dầu Giây"."""
    return name[:1].lower() + name[1:]


def story_year(today):
    """The current campaign year, or the previous one before 1 March, so the story has room."""
    return today.year if today >= datetime.date(today.year, 3, 1) else today.year - 1


def last_day_of(year, today):
    return min(today, datetime.date(year, 12, 31))


# ---------------------------------------------------------------- the 2019-2025 roles

@contextmanager
def former_roles(units, users):
    """The 2019-2025 memberships, in force for the time of the 2021 stories.

    Services authorise on today's memberships, so each former role is granted (since
    2019-07-01), or, on a demo seeded before, extended to today, used by the stories, then
    ended on 2025-06-30 again."""
    today = timezone.localdate()
    held = {(m.user_id, m.unit_id, m.role): m for m in Membership.objects.filter(
        user__in=users.values(), since=OLD_FROM, until__isnull=False)}
    opened = []
    for account in (*ACCOUNTS, *FORMER_ACCOUNTS):
        for unit_code, role in account.former:
            user, unit = users[account.username], units[unit_code]
            membership = held.get((user.pk, unit.pk, role))
            if membership is None:
                opened.append(grant_membership(user=user, unit=unit, role=role, since=OLD_FROM))
            elif membership.until < today:
                opened.append(end_membership(membership=membership, until=today))
    yield
    for membership in opened:
        end_membership(membership=membership, until=OLD_TO)


# ---------------------------------------------------------------- the steps of a round

def _order(dossier):
    return f"{subject_kind_of(dossier.title_type).field}__code"


def tally(rng, nominations, *, present, rules, weak=()):
    """Realistic votes: nearly everyone agrees; the `weak` subjects fall short of the rule."""
    votes = {}
    for nomination in nominations:
        abstain = rng.randint(0, 2)
        if nomination.pk in weak:
            if rules.approval_pct is not None:
                votes_for = max(0, math.ceil(present * rules.approval_pct / 100) - rng.randint(3, 8))
            else:
                votes_for = max(0, present // 2 - rng.randint(2, 5))
            abstain = min(abstain, 1)
        else:
            votes_for = present - rng.choice((0, 0, 0, 1, 1, 2, 3)) - abstain
        votes[nomination.pk] = (votes_for, present - votes_for - abstain)
    return votes


def attendance(rng, registered, rules):
    invited = registered // 2 + rng.randint(15, 25)
    present = round(invited * rng.uniform(0.72, 0.9))
    if rules.quorum_pct is not None:
        present = max(present, math.ceil(invited * rules.quorum_pct / 100))
    return invited, min(present, invited)


def register(rng, *, actor, dossier, share, registered_on):
    """Register a `share` of the candidates of the dossier's unit (its households, or its hamlets)."""
    candidates = list(subject_kind_of(dossier.title_type).candidates(dossier.unit).order_by("code"))
    chosen = [subject.pk for subject in candidates if rng.random() < share]
    services.register_subjects(actor=actor, dossier=dossier, subject_ids=chosen, registered_on=registered_on)
    return list(dossier.nominations.order_by(_order(dossier)))


def self_assess(rng, *, actor, dossier, nominations, assessed_on, texts):
    services.record_self_assessments(
        actor=actor, dossier=dossier, assessed_on=assessed_on,
        assessments={n.pk: rng.choice(texts) for n in nominations},
    )


def meet(rng, *, actor, dossier, nominations, held_on, weak_count, exclude=False, chaired_by=None):
    rules = dossier.rule_set
    invited, present = attendance(rng, len(nominations), rules)
    picked = rng.sample(nominations, weak_count + (1 if exclude else 0))
    weak = {n.pk for n in picked[:weak_count]}
    exclusions = {}
    grounds = [g["code"] for g in rules.exclusion_grounds]
    if exclude and grounds:
        exclusions[picked[-1].pk] = "gambling" if "gambling" in grounds else grounds[0]
    return services.record_meeting(
        actor=actor, dossier=dossier, held_on=held_on, invited=invited, present=present,
        method=rng.choice((VotingMethod.SHOW_OF_HANDS, VotingMethod.SECRET_BALLOT)),
        votes=tally(rng, nominations, present=present, rules=rules, weak=weak), exclusions=exclusions,
        chaired_by=chaired_by or actor.first_name,
    )


def strike_one(rng, dossier):
    proposed = list(dossier.nominations.filter(state=NominationState.PROPOSED).order_by(_order(dossier)))
    return rng.choice(proposed)


def free_decision_number(unit, signed_on):
    """A number like 425/QĐ-UBND not yet used by `unit` (numbering restarts each year in
    practice, but the register keeps numbers unique per unit)."""
    number = 100 + signed_on.timetuple().tm_yday
    used = set(Decision.objects.filter(unit=unit).values_list("number", flat=True))
    while f"{number}/QĐ-UBND" in used:
        number += 1
    return f"{number}/QĐ-UBND"


# ---------------------------------------------------------------- dates of the current year

def _latest_start(rules, send_on):
    """The latest day a posting can start and still be over before `send_on` (the
    dossier is sent from the day after the posting's last day)."""
    start = send_on - datetime.timedelta(days=rules.posting_days or 0)
    while posting_last_day(rules, start) >= send_on:
        start -= datetime.timedelta(days=1)
    return start


def review_end(rules, last_day, year):
    """The last day a review meeting may be held: before the rule set's deadline, if it has one."""
    if not rules.review_deadline:
        return last_day
    month, day = (int(part) for part in rules.review_deadline.split("-"))
    return min(last_day, datetime.date(year, month, day) - datetime.timedelta(days=1))


def plan(stage, rules, last_day, year):
    """Dates for one stage, counted back from `last_day` so none lies in the future,
    with every review meeting before the rule set's review deadline."""
    first = datetime.date(year, 1, 2)
    meetings_end = review_end(rules, last_day, year)
    post_start = decided_on = submitted_on = held_on = None
    if stage == "open":
        registered_on = max(first, last_day - datetime.timedelta(days=20))
    elif stage == "registered":
        # Early enough that the meeting still waiting for its turn can be held before the deadline.
        registered_on = max(first, meetings_end - datetime.timedelta(days=20))
    elif stage in ("reviewed", "posting"):
        held_on = meetings_end - datetime.timedelta(days=2 if stage == "reviewed" else 4)
        if stage == "posting":
            post_start = held_on + datetime.timedelta(days=1)
    else:
        submitted_on = last_day - datetime.timedelta(days=SUBMITTED_DAYS_AGO[stage])
        if rules.has_step("posting"):
            post_start = _latest_start(rules, submitted_on)
            held_on = min(post_start - datetime.timedelta(days=1), meetings_end)
        else:
            held_on = min(submitted_on - datetime.timedelta(days=2), meetings_end)
        if stage == "decided":
            decided_on = submitted_on + datetime.timedelta(days=4)
    if held_on is not None:
        registered_on = max(first, held_on - datetime.timedelta(days=30))
    assessed_on = min(registered_on + datetime.timedelta(days=5), held_on or last_day)
    return {"registered_on": registered_on, "assessed_on": assessed_on, "held_on": held_on,
            "post_start": post_start, "submitted_on": submitted_on, "decided_on": decided_on}


# ---------------------------------------------------------------- the current year's later stages

def post_with_comment(rng, *, actor, dossier, stage, dates, last_day, place, comment_after, author, comment):
    """Post the list when the rule set asks for it; at the "posting" stage a resident objects
    to one proposed subject, `comment_after` days into the posting (`comment` writes the text)."""
    if not dates["post_start"]:
        return
    posting = services.post_list(actor=actor, dossier=dossier, starts_on=dates["post_start"], place=place)
    if stage != "posting":
        return
    proposed = strike_one(rng, dossier)
    services.record_comment(
        actor=actor, dossier=dossier,
        received_on=min(posting.starts_on + datetime.timedelta(days=comment_after), last_day),
        author=author, nomination_id=proposed.pk, text=comment(proposed),
    )


def carry_on(rng, *, stage, dossier, dates, sender, officer, chair, return_reason, strike_reason):
    """From the sending for appraisal up to the stage the story wants: sent, returned with
    `return_reason`, appraised with one strike, or decided by `chair`."""
    if stage in ("reviewed", "posting"):
        return
    services.submit_dossier(actor=sender, dossier=dossier, submitted_on=dates["submitted_on"])
    if stage == "submitted":
        return
    if stage == "returned":
        services.return_dossier(actor=officer, dossier=dossier, reason=return_reason)
        return
    services.appraise_dossier(actor=officer, dossier=dossier, strikes={strike_one(rng, dossier).pk: strike_reason})
    if stage == "decided":
        deciding_unit = dossier.deciding_unit
        services.decide(actor=chair, dossier=dossier, signed_on=dates["decided_on"],
                        number=free_decision_number(deciding_unit, dates["decided_on"]),
                        signer=f"{chair.first_name} – Chủ tịch UBND {inline(deciding_unit.name)}")


def refreshed(dossiers):
    for dossier in dossiers.values():
        dossier.refresh_from_db()
    return dossiers
