"""The cultural hamlet title ("Ấp, khu phố văn hóa") in the demo's two eras, through the real services.

A round of this title belongs to a commune: its hamlets register and self-assess, the commune
meeting reviews them (one tally row per hamlet), the list goes up for appraisal and the
decision recognizes hamlets. 2021: in each of the ten 2019-2025 communes of Thống Nhất under
Decree 122/2018, prepared by the commune officer, appraised by the district culture office and
decided by the district chair. This year: under the 2025 two-level rule set, one commune at
every stage, appraised by the commune and decided by its chair.
"""

import datetime
import random

from django.utils import timezone

from directory.models import Role
from titles.models import RuleSet, TitleType
from workflows import services
from workflows.models import Dossier

from .accounts import ACCOUNTS, FORMER_ACCOUNTS
from .geography import DISTRICT_CODE, OLD_COMMUNES, new_commune_code, old_commune_code
from .rounds import (
    YEAR_2021, carry_on, inline, last_day_of, meet, plan, post_with_comment, refreshed, register, self_assess,
    story_year, strike_one,
)

TITLE_CODE = "ap-khu-pho-van-hoa"
OFFICE_2021, CHAIR_2021 = "phongvh.thongnhat", "chutich.thongnhat"

# The commune that holds this year's round at each stage. "registered": every hamlet
# registered and self-assessed, waiting for the commune meeting (the one to try on the web).
STAGES = ("open", "registered", "reviewed", "posting", "submitted", "returned", "appraised", "decided")
STAGE_COMMUNES = {
    "open": new_commune_code("THONGNHAT"),
    "registered": new_commune_code("DAUGIAY"),
    "reviewed": new_commune_code("GIAKIEM"),
    "posting": new_commune_code("TRANGBOM"),
    "submitted": new_commune_code("BINHMINH"),
    "returned": new_commune_code("HUNGTHINH"),
    "appraised": new_commune_code("ANVIEN"),
    "decided": new_commune_code("XUANLOC"),
}
# The 2021 commune whose hamlet the district struck at the appraisal.
STRUCK_2021 = old_commune_code("XUANTHIEN")

SELF_ASSESSMENTS = (
    "Đời sống kinh tế ổn định: không còn nhà tạm, nhà dột nát; đường giao thông chính đã được bê tông hóa; "
    "tỷ lệ hộ nghèo thấp hơn bình quân chung của tỉnh.",
    "Đời sống văn hóa, tinh thần lành mạnh: nhà văn hóa và sân thể thao hoạt động thường xuyên; trẻ em trong "
    "độ tuổi đều được đến trường; tổ hòa giải hoạt động hiệu quả.",
    "Môi trường an toàn, xanh, sạch, đẹp: rác thải được thu gom hằng tuần; các hộ sử dụng nước hợp vệ sinh; "
    "duy trì ngày chủ nhật xanh.",
    "Chấp hành tốt chủ trương, pháp luật; không có tụ điểm tệ nạn xã hội; nhân dân đoàn kết, tương trợ, tham "
    "gia đầy đủ các phong trào thi đua.",
)
STRIKE_REASON_2021 = (
    "Trong năm 2021 trên địa bàn ấp xảy ra vụ việc an ninh, trật tự phức tạp kéo dài (báo cáo của Công an "
    "huyện), chưa đạt tiêu chuẩn chấp hành pháp luật."
)
STRIKE_REASON = (
    "Tỷ lệ hộ gia đình được công nhận “Gia đình văn hóa” của ấp trong năm chưa đạt mức tỉnh quy định "
    "(báo cáo của Ban công tác Mặt trận ấp)."
)
RETURN_REASON = (
    "Thiếu báo cáo thành tích của hai ấp và biên bản họp Hội đồng thi đua – khen thưởng xã chưa có chữ ký "
    "của chủ tọa; đề nghị bổ sung rồi gửi lại."
)


def hamlet_title():
    return TitleType.objects.get(code=TITLE_CODE)


def _officer_2021(commune_code):
    return next(a.username for a in (*ACCOUNTS, *FORMER_ACCOUNTS)
                if (commune_code, Role.COMMUNE_OFFICER) in a.former)


def _held_by(unit_code, role):
    return next((a.username for a in ACCOUNTS if a.unit == unit_code and a.role == role), None)


# ---------------------------------------------------------------- 2021, the district decides

def pending_2021(title):
    """The 2019-2025 communes whose 2021 hamlet round is still to be played."""
    codes = [old_commune_code(c.slug) for c in OLD_COMMUNES]
    done = set(Dossier.objects.filter(title_type=title, year=YEAR_2021, unit__code__in=codes)
               .values_list("unit__code", flat=True))
    return [code for code in codes if code not in done]


def ensure_2021(units, users, title):
    """Every commune's 2021 round under Decree 122/2018, after the households' own (decided by
    18 November): the commune meetings in the week of 22 November, the proposals sent on the
    25th (within 3 working days), appraised by the district on the 29th and decided on
    1 December (within 5 working days). Played while the former roles are in force."""
    pending = pending_2021(title)
    office, chair, district = users[OFFICE_2021], users[CHAIR_2021], units[DISTRICT_CODE]
    for index, commune in enumerate(OLD_COMMUNES):
        code = old_commune_code(commune.slug)
        if code not in pending:
            continue
        rng = random.Random(YEAR_2021 * 100 + index)
        officer, unit = users[_officer_2021(code)], units[code]
        dossier = services.open_round(actor=officer, unit=unit, title_type=title, year=YEAR_2021,
                                      opened_on=datetime.date(2021, 2, 1))
        nominations = register(rng, actor=officer, dossier=dossier, share=1.0,
                               registered_on=datetime.date(2021, 3, 1) + datetime.timedelta(days=index))
        self_assess(rng, actor=officer, dossier=dossier, nominations=nominations,
                    assessed_on=datetime.date(2021, 10, 11) + datetime.timedelta(days=index), texts=SELF_ASSESSMENTS)
        meet(rng, actor=officer, dossier=dossier, nominations=nominations,
             held_on=datetime.date(2021, 11, 22) + datetime.timedelta(days=index % 3),
             weak_count=rng.choice((0, 0, 1)))
        services.submit_dossier(actor=officer, dossier=dossier, submitted_on=datetime.date(2021, 11, 25))
        strikes = {strike_one(rng, dossier).pk: STRIKE_REASON_2021} if code == STRUCK_2021 else {}
        services.appraise_dossier(actor=office, dossier=dossier, appraised_on=datetime.date(2021, 11, 29),
                                  strikes=strikes)
        services.decide(actor=chair, dossier=dossier, number=f"{2145 + index}/QĐ-UBND",
                        signed_on=datetime.date(2021, 12, 1),
                        signer=f"{chair.first_name} – Chủ tịch UBND {inline(district.name)}")


def dossiers_2021(title):
    return list(Dossier.objects.filter(title_type=title, year=YEAR_2021, unit__code__in=[
        old_commune_code(c.slug) for c in OLD_COMMUNES]).select_related("unit").order_by("pk"))


# ---------------------------------------------------------------- this year, the commune decides

def ensure_current_year(units, users, title, *, today=None):
    """One commune's round of `story_year` at every stage under the rule set in force."""
    today = today or timezone.localdate()
    year = story_year(today)
    last_day = last_day_of(year, today)
    rules = RuleSet.objects.in_force_for(title, year)
    existing = {d.unit.code: d for d in Dossier.objects.filter(
        title_type=title, year=year, unit__code__in=STAGE_COMMUNES.values()).select_related("unit")}
    dossiers = {}
    for index, stage in enumerate(STAGES):
        code = STAGE_COMMUNES[stage]
        if code in existing:
            dossiers[stage] = existing[code]
            continue
        if stage == "posting" and not rules.has_step("posting"):
            continue
        rng = random.Random(year * 100 + index)
        commune = units[code]
        officer = users[_held_by(code, Role.COMMUNE_OFFICER)]
        chair = users.get(_held_by(code, Role.COMMUNE_CHAIR))
        dates = plan(stage, rules, last_day, year)
        dossier = services.open_round(actor=officer, unit=commune, title_type=title, year=year)
        dossiers[stage] = dossier
        if stage == "open":
            continue
        nominations = register(rng, actor=officer, dossier=dossier, share=1.0, registered_on=dates["registered_on"])
        self_assess(rng, actor=officer, dossier=dossier, nominations=nominations, assessed_on=dates["assessed_on"],
                    texts=SELF_ASSESSMENTS)
        if stage == "registered":
            continue
        meet(rng, actor=officer, dossier=dossier, nominations=nominations, held_on=dates["held_on"],
             weak_count=rng.randint(0, 1),
             chaired_by=chair.first_name if chair else f"Chủ tịch UBND {inline(commune.name)}")
        post_with_comment(
            rng, actor=officer, dossier=dossier, stage=stage, dates=dates, last_day=last_day,
            place=f"Trụ sở UBND {inline(commune.name)} và nhà văn hóa các ấp, khu phố", comment_after=2,
            author="Bà Nguyễn Thị Sương, tổ 5",
            comment=lambda proposed: (f"Đề nghị xem xét lại {proposed.hamlet.name}: đường nội bộ còn ngập nước "
                                      "sau mưa, chưa được sửa chữa."),
        )
        carry_on(rng, stage=stage, dossier=dossier, dates=dates, sender=officer, officer=officer, chair=chair,
                 return_reason=RETURN_REASON, strike_reason=STRIKE_REASON)
    return refreshed(dossiers)

