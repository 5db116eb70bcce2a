"""The two eras of the demo, played through the real workflow services.

Nothing here writes a state, a vote or an audit row itself: every step is the
service a person would trigger from the UI, acting as a demo account, so the
audit trail, the viewflow tasks and the notifications are the real ones.
"""

import datetime
import math
import random

from django.utils import timezone

from directory.models import Membership
from directory.services import end_membership, grant_membership
from titles.models import RuleSet, TitleType
from workflows import services
from workflows.models import Decision, Dossier, NominationState, VotingMethod
from workflows.services.calendar import posting_last_day

from .accounts import ACCOUNTS
from .geography import OLD_FROM, OLD_TO, old_hamlet_code, successor_map

TITLE_CODE = "gia-dinh-van-hoa"
YEAR_2021 = 2021

# Old hamlets whose 2021 round is complete: the township's quarters, decided by
# the chair of Thị trấn Dầu Giây under Decree 122/2018.
HAMLETS_2021 = (
    # (old hamlet, its head, the decision's number)
    (old_hamlet_code("DAUGIAY", 1), "truongap.lapthanh", "87/QĐ-UBND"),
    (old_hamlet_code("DAUGIAY", 2), "truongap.trancaovan", "88/QĐ-UBND"),
    (old_hamlet_code("DAUGIAY", 3), "truongap.tranhungdao", "89/QĐ-UBND"),
)
OFFICER_2021, CHAIR_2021 = "canbo.daugiay", "chutich.daugiay"

# Current-year stages, each in one hamlet of the new xã Dầu Giây, named here by
# the old hamlet the new row replaces.
STAGES = ("open", "reviewed", "posting", "submitted", "returned", "appraised", "decided")
STAGE_OLD_HAMLETS = {
    "open": old_hamlet_code("DAUGIAY", 2),  # Trần Cao Vân, whose households hold 2021 titles
    "reviewed": old_hamlet_code("DAUGIAY", 1),
    "posting": old_hamlet_code("DAUGIAY", 3),
    "submitted": old_hamlet_code("DAUGIAY", 4),
    "returned": old_hamlet_code("HUNGLOC", 1),
    "appraised": old_hamlet_code("BAUHAM2", 1),
    "decided": old_hamlet_code("LO25", 1),
}
# Days before the story's last day on which each later stage was sent to the commune.
SUBMITTED_DAYS_AGO = {"submitted": 1, "returned": 3, "appraised": 6, "decided": 12}

SELF_ASSESSMENTS = (
    "Gia đình chấp hành tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước; tham gia đầy đủ "
    "các phong trào thi đua ở địa phương.",
    "Gia đình hòa thuận, con cháu chăm ngoan, học tập tốt; giữ gìn vệ sinh môi trường, nhà ở sạch đẹp.",
    "Tích cực lao động sản xuất, kinh tế ổn định; tham gia đóng góp quỹ vì người nghèo và xây dựng nông thôn mới.",
    "Thực hiện nếp sống văn minh trong việc cưới, việc tang; đoàn kết, giúp đỡ hàng xóm.",
)
STRIKE_REASON_2021 = (
    "Hộ có thành viên bị xử phạt vi phạm hành chính về đánh bạc trong năm 2021 (thông báo của Công an thị trấn)."
)
STRIKE_REASON = (
    "Hộ có thành viên bị xử phạt vi phạm hành chính về trật tự, an toàn giao thông trong năm "
    "(thông báo của Công an xã)."
)
RETURN_REASON = (
    "Biên bản họp bình xét chưa có chữ ký của thư ký và danh sách người dự họp; đề nghị bổ sung rồi gửi lại."
)


def _inline(name):
    """A unit name inside a sentence: "Thị trấn Dầu Giây" -> "thị trấn Dầu Giây"."""
    return name[:1].lower() + name[1:]


def story_year(today):
    """The current campaign year, or the previous one before 1 March, so the story has room."""
    return today.year if today >= datetime.date(today.year, 3, 1) else today.year - 1


def stage_hamlet_codes():
    successors = successor_map()
    return {stage: successors[old] for stage, old in STAGE_OLD_HAMLETS.items()}


def _tally(rng, nominations, *, present, rules, weak=()):
    """Realistic votes: nearly everyone agrees; the `weak` households fall short of the rule."""
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


def _attendance(rng, registered, rules):
    invited = registered // 2 + rng.randint(15, 25)
    present = round(invited * rng.uniform(0.72, 0.9))
    if rules.quorum_pct is not None:
        present = max(present, math.ceil(invited * rules.quorum_pct / 100))
    return invited, min(present, invited)


def _register(rng, *, actor, dossier, hamlet, share, registered_on):
    households = list(hamlet.households.order_by("code"))
    chosen = [h.pk for h in households if rng.random() < share]
    services.register_households(actor=actor, dossier=dossier, household_ids=chosen, registered_on=registered_on)
    return list(dossier.nominations.order_by("household__code"))


def _self_assess(rng, *, actor, dossier, nominations, assessed_on):
    services.record_self_assessments(
        actor=actor, dossier=dossier, assessed_on=assessed_on,
        assessments={n.pk: rng.choice(SELF_ASSESSMENTS) for n in nominations},
    )


def _meet(rng, *, actor, dossier, nominations, held_on, weak_count, exclude=False):
    rules = dossier.rule_set
    invited, present = _attendance(rng, len(nominations), rules)
    picked = rng.sample(nominations, weak_count + (1 if exclude else 0))
    weak = {n.pk for n in picked[:weak_count]}
    exclusions = {}
    grounds = [g["code"] for g in rules.exclusion_grounds]
    if exclude and grounds:
        exclusions[picked[-1].pk] = "gambling" if "gambling" in grounds else grounds[0]
    return services.record_meeting(
        actor=actor, dossier=dossier, held_on=held_on, invited=invited, present=present,
        method=rng.choice((VotingMethod.SHOW_OF_HANDS, VotingMethod.SECRET_BALLOT)),
        votes=_tally(rng, nominations, present=present, rules=rules, weak=weak), exclusions=exclusions,
        chaired_by=actor.first_name,
    )


def _strike_one(rng, dossier):
    proposed = list(dossier.nominations.filter(state=NominationState.PROPOSED).order_by("household__code"))
    return rng.choice(proposed)


# ---------------------------------------------------------------- 2021, under the old units

def ensure_2021(units, users, title):
    """The complete 2021 round in a few quarters of Thị trấn Dầu Giây (Decree 122/2018).

    Services authorise on today's memberships, so the 2019-2025 memberships are
    granted first (since 2019-07-01), used, then ended on 2025-06-30.
    """
    codes = [code for code, *_ in HAMLETS_2021]
    done = set(Dossier.objects.filter(title_type=title, year=YEAR_2021, unit__code__in=codes)
               .values_list("unit__code", flat=True))
    if len(done) == len(codes):
        return []
    rng = random.Random(YEAR_2021)
    former = _grant_former(units, users)
    officer, chair = users[OFFICER_2021], users[CHAIR_2021]
    dossiers = []
    for hamlet_code, head_name, number in HAMLETS_2021:
        if hamlet_code in done:
            continue
        head, hamlet = users[head_name], units[hamlet_code]
        # Dated in 2021: the units and memberships of that year ceased on 2025-06-30.
        dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=YEAR_2021,
                                      opened_on=datetime.date(2021, 2, 15))
        nominations = _register(rng, actor=head, dossier=dossier, hamlet=hamlet, share=0.9,
                                registered_on=datetime.date(2021, 2, 22))
        _self_assess(rng, actor=head, dossier=dossier, nominations=nominations,
                     assessed_on=datetime.date(2021, 3, 8))
        _meet(rng, actor=head, dossier=dossier, nominations=nominations, held_on=datetime.date(2021, 11, 10),
              weak_count=rng.randint(1, 3))
        services.submit_dossier(actor=head, dossier=dossier, submitted_on=datetime.date(2021, 11, 12))
        services.appraise_dossier(actor=officer, dossier=dossier, appraised_on=datetime.date(2021, 11, 15),
                                  strikes={_strike_one(rng, dossier).pk: STRIKE_REASON_2021})
        services.decide(actor=chair, dossier=dossier, number=number, signed_on=datetime.date(2021, 11, 18),
                        signer=f"{chair.first_name} – Chủ tịch UBND {_inline(hamlet.parent.name)}")
        dossiers.append(dossier)
    for membership in former:
        end_membership(membership=membership, until=OLD_TO)
    return dossiers


def _grant_former(units, users):
    granted = []
    for account in ACCOUNTS:
        for unit_code, role in account.former:
            user, unit = users[account.username], units[unit_code]
            if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
                granted.append(grant_membership(user=user, unit=unit, role=role, since=OLD_FROM))
    return granted


# ---------------------------------------------------------------- the current year, under the new units

def _latest_start(rules, send_on):
    """The latest day a posting can start and still be over before `send_on` (the
    dossier is sent from the day after the posting's last day)."""
    start = send_on - datetime.timedelta(days=rules.posting_days or 0)
    while posting_last_day(rules, start) >= send_on:
        start -= datetime.timedelta(days=1)
    return start


def _review_end(rules, last_day, year):
    """The last day a review meeting may be held: before the rule set's deadline, if it has one."""
    if not rules.review_deadline:
        return last_day
    month, day = (int(part) for part in rules.review_deadline.split("-"))
    return min(last_day, datetime.date(year, month, day) - datetime.timedelta(days=1))


def _plan(stage, rules, last_day, year):
    """Dates for one stage, counted back from `last_day` so none lies in the future,
    with every review meeting before the rule set's review deadline."""
    first = datetime.date(year, 1, 2)
    review_end = _review_end(rules, last_day, year)
    post_start = decided_on = submitted_on = held_on = None
    if stage == "open":
        registered_on = max(first, last_day - datetime.timedelta(days=20))
    elif stage in ("reviewed", "posting"):
        held_on = review_end - datetime.timedelta(days=2 if stage == "reviewed" else 4)
        if stage == "posting":
            post_start = held_on + datetime.timedelta(days=1)
    else:
        submitted_on = last_day - datetime.timedelta(days=SUBMITTED_DAYS_AGO[stage])
        if rules.has_step("posting"):
            post_start = _latest_start(rules, submitted_on)
            held_on = min(post_start - datetime.timedelta(days=1), review_end)
        else:
            held_on = min(submitted_on - datetime.timedelta(days=2), review_end)
        if stage == "decided":
            decided_on = submitted_on + datetime.timedelta(days=4)
    if held_on is not None:
        registered_on = max(first, held_on - datetime.timedelta(days=30))
    assessed_on = min(registered_on + datetime.timedelta(days=5), held_on or last_day)
    return {"registered_on": registered_on, "assessed_on": assessed_on, "held_on": held_on,
            "post_start": post_start, "submitted_on": submitted_on, "decided_on": decided_on}


def _free_decision_number(unit, signed_on):
    """A number like 425/QĐ-UBND not yet used by `unit` (numbering restarts each year in
    practice, but the register keeps numbers unique per unit)."""
    number = 100 + signed_on.timetuple().tm_yday
    used = set(Decision.objects.filter(unit=unit).values_list("number", flat=True))
    while f"{number}/QĐ-UBND" in used:
        number += 1
    return f"{number}/QĐ-UBND"


def _head_of(stage, users):
    account = next(a for a in ACCOUNTS if a.stage == stage and a.role == "hamlet_head")
    return users[account.username]


def ensure_current_year(units, users, title, *, today=None):
    """One dossier of `story_year` at every stage, in the hamlets of the new xã Dầu Giây."""
    today = today or timezone.localdate()
    year = story_year(today)
    last_day = min(today, datetime.date(year, 12, 31))
    rules = RuleSet.objects.in_force_for(title, year)
    hamlet_codes = stage_hamlet_codes()
    existing = {d.unit.code: d for d in Dossier.objects.filter(title_type=title, year=year,
                                                              unit__code__in=hamlet_codes.values())
                .select_related("unit")}
    officer, chair = users["canbo.daugiay"], users["chutich.daugiay"]
    front_head = users["truongbanmt.trancaovan"]
    dossiers = {}
    for index, stage in enumerate(STAGES):
        code = hamlet_codes[stage]
        if code in existing:
            dossiers[stage] = existing[code]
            continue
        if stage == "posting" and not rules.has_step("posting"):
            continue
        rng = random.Random(year * 10 + index)
        head, hamlet = _head_of(stage, users), units[code]
        plan = _plan(stage, rules, last_day, year)
        dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=year)
        dossiers[stage] = dossier
        nominations = _register(rng, actor=head, dossier=dossier, hamlet=hamlet,
                                share=0.85 if stage == "open" else 0.92, registered_on=plan["registered_on"])
        if stage == "open":
            # The hamlet Front head collects the forms; some are still missing.
            _self_assess(rng, actor=front_head, dossier=dossier, assessed_on=plan["assessed_on"],
                         nominations=[n for n in nominations if rng.random() < 0.6])
            continue
        _self_assess(rng, actor=head, dossier=dossier, nominations=nominations, assessed_on=plan["assessed_on"])
        _meet(rng, actor=head, dossier=dossier, nominations=nominations, held_on=plan["held_on"],
              weak_count=rng.randint(1, 2), exclude=True)
        if plan["post_start"]:
            posting = services.post_list(actor=head, dossier=dossier, starts_on=plan["post_start"],
                                         place=f"Nhà văn hóa {_inline(hamlet.name)}")
            if stage == "posting":
                proposed = _strike_one(rng, dossier)
                services.record_comment(
                    actor=head, dossier=dossier, received_on=min(posting.starts_on + datetime.timedelta(days=1),
                                                                 last_day),
                    author="Ông Trần Văn Lực, tổ 2", nomination_id=proposed.pk,
                    text=f"Đề nghị xem xét lại hộ {proposed.household.head_name}: thường xuyên để rác ra đường.",
                )
        if stage in ("reviewed", "posting"):
            continue
        services.submit_dossier(actor=head, dossier=dossier, submitted_on=plan["submitted_on"])
        if stage == "submitted":
            continue
        if stage == "returned":
            services.return_dossier(actor=officer, dossier=dossier, reason=RETURN_REASON)
            continue
        services.appraise_dossier(actor=officer, dossier=dossier, strikes={_strike_one(rng, dossier).pk: STRIKE_REASON})
        if stage == "decided":
            services.decide(actor=chair, dossier=dossier, signed_on=plan["decided_on"],
                            number=_free_decision_number(dossier.deciding_unit, plan["decided_on"]),
                            signer=f"{chair.first_name} – Chủ tịch UBND {_inline(dossier.deciding_unit.name)}")
    for dossier in dossiers.values():
        dossier.refresh_from_db()
    return year, dossiers


def family_title():
    return TitleType.objects.get(code=TITLE_CODE)


def dossiers_2021(title):
    return list(Dossier.objects.filter(title_type=title, year=YEAR_2021,
                                       unit__code__in=[c for c, *_ in HAMLETS_2021]).select_related("unit"))

