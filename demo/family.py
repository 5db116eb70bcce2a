"""The Cultural Family in the demo's two eras, played through the real workflow services.

Nothing here writes a state, a vote or an audit row itself: every step is the
service a person would trigger from the UI, acting as a demo account, so the
audit trail, the viewflow tasks and the notifications are the real ones.
"""

import datetime
import random

from django.utils import timezone

from titles.models import RuleSet, TitleType
from workflows import services
from workflows.models import Dossier

from .accounts import ACCOUNTS
from .geography import old_hamlet_code, successor_map
from .rounds import (
    YEAR_2021, carry_on, inline, last_day_of, meet, plan, post_with_comment, refreshed, register, self_assess,
    story_year, strike_one,
)

TITLE_CODE = "gia-dinh-van-hoa"

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


def stage_hamlet_codes():
    successors = successor_map()
    return {stage: successors[old] for stage, old in STAGE_OLD_HAMLETS.items()}


# ---------------------------------------------------------------- 2021, under the old units

def pending_2021(title):
    """The 2021 hamlets whose round is still to be played."""
    codes = [code for code, *_ in HAMLETS_2021]
    done = set(Dossier.objects.filter(title_type=title, year=YEAR_2021, unit__code__in=codes)
               .values_list("unit__code", flat=True))
    return [code for code in codes if code not in done]


def ensure_2021(units, users, title):
    """The complete 2021 round in a few quarters of Thị trấn Dầu Giây (Decree 122/2018),
    played while the former roles are in force (rounds.former_roles)."""
    pending = pending_2021(title)
    rng = random.Random(YEAR_2021)
    officer, chair = users[OFFICER_2021], users[CHAIR_2021]
    for hamlet_code, head_name, number in HAMLETS_2021:
        if hamlet_code not in pending:
            continue
        head, hamlet = users[head_name], units[hamlet_code]
        # Dated in 2021: the units and memberships of that year ceased on 2025-06-30.
        dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=YEAR_2021,
                                      opened_on=datetime.date(2021, 2, 15))
        nominations = register(rng, actor=head, dossier=dossier, share=0.9,
                               registered_on=datetime.date(2021, 2, 22))
        self_assess(rng, actor=head, dossier=dossier, nominations=nominations,
                    assessed_on=datetime.date(2021, 3, 8), texts=SELF_ASSESSMENTS)
        meet(rng, actor=head, dossier=dossier, nominations=nominations, held_on=datetime.date(2021, 11, 10),
             weak_count=rng.randint(1, 3))
        services.submit_dossier(actor=head, dossier=dossier, submitted_on=datetime.date(2021, 11, 12))
        services.appraise_dossier(actor=officer, dossier=dossier, appraised_on=datetime.date(2021, 11, 15),
                                  strikes={strike_one(rng, dossier).pk: STRIKE_REASON_2021})
        services.decide(actor=chair, dossier=dossier, number=number, signed_on=datetime.date(2021, 11, 18),
                        signer=f"{chair.first_name} – Chủ tịch UBND {inline(hamlet.parent.name)}")


# ---------------------------------------------------------------- the current year, under the new units

def _head_of(stage, users):
    account = next(a for a in ACCOUNTS if a.stage == stage and a.role == "hamlet_head")
    return users[account.username]


def ensure_current_year(units, users, title, *, today=None):
    """One dossier of `story_year` at every stage, in the hamlets of the new xã Dầu Giây."""
    today = today or timezone.localdate()
    year = story_year(today)
    last_day = last_day_of(year, today)
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
        dates = plan(stage, rules, last_day, year)
        dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=year)
        dossiers[stage] = dossier
        nominations = register(rng, actor=head, dossier=dossier, share=0.85 if stage == "open" else 0.92,
                               registered_on=dates["registered_on"])
        if stage == "open":
            # The hamlet Front head collects the forms; some are still missing.
            self_assess(rng, actor=front_head, dossier=dossier, assessed_on=dates["assessed_on"],
                        nominations=[n for n in nominations if rng.random() < 0.6], texts=SELF_ASSESSMENTS)
            continue
        self_assess(rng, actor=head, dossier=dossier, nominations=nominations, assessed_on=dates["assessed_on"],
                    texts=SELF_ASSESSMENTS)
        meet(rng, actor=head, dossier=dossier, nominations=nominations, held_on=dates["held_on"],
             weak_count=rng.randint(1, 2), exclude=True)
        post_with_comment(
            rng, actor=head, dossier=dossier, stage=stage, dates=dates, last_day=last_day,
            place=f"Nhà văn hóa {inline(hamlet.name)}", comment_after=1, author="Ông Trần Văn Lực, tổ 2",
            comment=lambda proposed: (f"Đề nghị xem xét lại hộ {proposed.household.head_name}: "
                                      "thường xuyên để rác ra đường."),
        )
        carry_on(rng, stage=stage, dossier=dossier, dates=dates, sender=head, officer=officer, chair=chair,
                 return_reason=RETURN_REASON, strike_reason=STRIKE_REASON)
    return year, refreshed(dossiers)


def family_title():
    return TitleType.objects.get(code=TITLE_CODE)


def dossiers_2021(title):
    return list(Dossier.objects.filter(title_type=title, year=YEAR_2021,
                                       unit__code__in=[c for c, *_ in HAMLETS_2021]).select_related("unit"))
