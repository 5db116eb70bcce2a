"""The Front's evaluation in the demo: 2021 complete for the former district (every hamlet's and
commune's six-month and year-end report, the district's roll-up closed, two inspections, roadmaps and
the poor households' sponsors) and the current year's reports of xã Dầu Giây at every stage, with its
roadmap copied from last year and its sponsorship ledger. Figures typed by the committees are
illustrative, drawn from a seeded generator; those the engine knows come from the demo's register.

The committees' people are story accounts (bcmt.<hamlet code>, mttq.<commune>), created here: the
2021 ones hold their roles for 2019-07-01 .. 2025-06-30 like the other former roles."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from directory.models import Household, Level, Membership, Role
from directory.services import end_membership, grant_membership
from evaluations import services
from evaluations.models import PoorHousehold, Report, RoadmapTarget
from evaluations.services.reports import entered_indicators

from .accounts import ADMIN, DEMO_PASSWORD
from .family import stage_hamlet_codes
from .geography import DISTRICT_CODE, NEW_FROM, OLD_COMMUNES, OLD_FROM, OLD_TO, PROVINCE_CODE, new_commune_code, \
    old_commune_code, old_hamlet_code

CURRENT_COMMUNE = new_commune_code("DAUGIAY")
DAY = datetime.date


def _story_user(username, name, cache):
    if username not in cache:
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"first_name": name})
        if created:
            # The demo's accounts share one hash of the demo password (demo.accounts.ensure_accounts).
            if "_password" not in cache:
                shared = get_user_model().objects.filter(username=ADMIN.username).values_list("password", flat=True)
                cache["_password"] = shared.first() or make_password(DEMO_PASSWORD)
            user.password = cache["_password"]
            user.save(update_fields=["password"])
        cache[username] = user
    return cache[username]


def _role(user, unit, role, since):
    membership = Membership.objects.filter(user=user, unit=unit, role=role).first()
    if membership is None:
        return grant_membership(user=user, unit=unit, role=role, since=since)
    if membership.until is not None and membership.until < timezone.localdate():
        end_membership(membership=membership, until=timezone.localdate())
    return membership


def _values(report, rng):
    """Illustrative figures for the indicators the committee types itself."""
    values = {}
    for indicator in entered_indicators(report):
        code, kind = indicator["code"], indicator["type"]
        if kind == "boolean":
            values[code] = "yes" if rng.random() < 0.8 else "no"
        elif kind == "text":
            values[code] = rng.choice(["Mô hình “Tuyến đường hoa”", "Tổ tự quản an ninh trật tự",
                                       "Quỹ khuyến học dòng họ", "Camera an ninh tuyến đường"])
        elif indicator["unit"] == "%":
            values[code] = str(rng.randint(70, 100))
        elif indicator["unit"] == "đồng":
            values[code] = str(rng.randint(5, 60) * 1_000_000)
        else:
            values[code] = str(rng.randint(0, 12))
    if "mediation_cases" in values and "mediation_success" in values:
        values["mediation_success"] = str(min(int(values["mediation_success"]), int(values["mediation_cases"])))
    return values


NARRATIVE = {
    "1": "Vận động hội viên giúp nhau phát triển kinh tế; mỗi hộ nghèo có người nhận đỡ đầu.",
    "2": "Duy trì sinh hoạt văn hóa, thể thao tại nhà văn hóa; thăm hỏi gia đình chính sách.",
    "3": "Ra quân vệ sinh môi trường mỗi tháng; trồng cây xanh trên các tuyến đường.",
    "4": "Tổ hòa giải hoạt động thường xuyên; không để xảy ra điểm nóng.",
    "5": "Tổ chức họp dân, lấy ý kiến người dân về các công trình của ấp.",
}


def _fill_and_send(user, unit, year, period, number, sent_on, rng, *, send=True):
    report = services.open_report(actor=user, unit=unit, year=year, period=period, number=number)
    services.save_report(actor=user, report=report, values=_values(report, rng),
                         narrative=NARRATIVE if unit.level == Level.HAMLET else {}, on=sent_on)
    if send:
        report = services.submit_report(actor=user, report=report, sent_on=sent_on)
    return report


def _ledger(user, hamlet, year, rng, since):
    households = list(Household.objects.filter(hamlet=hamlet, active=True).order_by("code")[:40])
    if not households or PoorHousehold.objects.filter(hamlet=hamlet, year=year).exists():
        return
    chosen = rng.sample(households, min(len(households), rng.randint(2, 4)))
    services.list_households(actor=user, hamlet=hamlet, year=year, households=chosen[:1], category="poor")
    services.list_households(actor=user, hamlet=hamlet, year=year, households=chosen[1:], category="near_poor")
    sponsors = ["Hội Cựu chiến binh ấp", "Chi hội Phụ nữ", "Hộ ông Nguyễn Văn Tâm", "Doanh nghiệp Tân Phát",
                "Bà Lê Thị Mười"]
    for entry in PoorHousehold.objects.filter(hamlet=hamlet, year=year).order_by("pk")[: len(chosen) - 1]:
        kind = rng.choice(["organisation", "household", "person"])
        sponsor = services.add_sponsor(actor=user, entry=entry, kind=kind, name=rng.choice(sponsors), since=since)
        services.record_support(actor=user, sponsor=sponsor, kind=rng.choice(["Tiền mặt", "Gạo", "Bò giống"]),
                                value=str(rng.randint(1, 10) * 500_000), given_on=since + datetime.timedelta(days=20))


def _roadmap(user, commune, year, factor=1):
    if RoadmapTarget.objects.filter(unit=commune, year=year).exists():
        return
    targets = {("great_unity_houses", "half", 1): 2 * factor, ("great_unity_houses", "year", 1): 6 * factor,
               ("cf_rate", "year", 1): 92, ("poor_sponsored_rate", "year", 1): 100,
               ("satisfaction_pct", "year", 1): 90, ("roads_concreted_pct", "year", 1): 85,
               ("gifts_given", "half", 1): 40 * factor, ("gifts_given", "year", 1): 100 * factor}
    services.set_targets(actor=user, unit=commune, year=year, targets={k: str(v) for k, v in targets.items()})


def ensure_2021(units, cache):
    """The former district's 2021: every report sent, accepted and rolled up, two inspections."""
    district = units[DISTRICT_CODE]
    if Report.objects.filter(unit=district, year=2021).exists():
        return
    rng = random.Random(2021)
    board = _story_user("mttq.thongnhat", "Dương Văn Hải", cache)
    former = []
    chairs = {}
    for commune_spec in OLD_COMMUNES:
        commune = units[old_commune_code(commune_spec.slug)]
        chair = _story_user(f"mttq.{commune_spec.slug.lower()}.2021", f"Chủ tịch MTTQ {commune.name}", cache)
        former.append(_role(chair, commune, Role.COMMUNE_FRONT_CHAIR, OLD_FROM))
        chairs[commune.pk] = chair
        _roadmap(chair, commune, 2021)
        for number in range(1, len(commune_spec.hamlets) + 1):
            hamlet = units[old_hamlet_code(commune_spec.slug, number)]
            head = _story_user(f"bcmt.{hamlet.code.lower()}", f"Trưởng ban công tác Mặt trận {hamlet.name}", cache)
            former.append(_role(head, hamlet, Role.HAMLET_FRONT_HEAD, OLD_FROM))
            _ledger(head, hamlet, 2021, rng, DAY(2021, 3, 15))
            for period, sent in (("half", DAY(2021, 6, 28)), ("year", DAY(2021, 12, 20))):
                report = _fill_and_send(head, hamlet, 2021, period, 1, sent, rng)
                services.accept_report(actor=chair, report=report, on=sent + datetime.timedelta(days=3))
    for commune_spec in OLD_COMMUNES:
        commune = units[old_commune_code(commune_spec.slug)]
        for period, sent in (("half", DAY(2021, 7, 8)), ("year", DAY(2022, 1, 5))):
            report = _fill_and_send(chairs[commune.pk], commune, 2021, period, 1, sent, rng)
            services.accept_report(actor=board, report=report, on=sent + datetime.timedelta(days=2))
    for period, sent in (("half", DAY(2021, 7, 15)), ("year", DAY(2022, 1, 12))):
        services.submit_report(actor=board, report=services.open_report(
            actor=board, unit=district, year=2021, period=period), sent_on=sent)
    year_end = Report.objects.filter(year=2021, period="year")
    gia_kiem = year_end.get(unit=units[old_commune_code("GIAKIEM")])
    services.record_inspection(actor=board, report=gia_kiem, inspected_on=DAY(2022, 1, 10),
                               team="Đoàn kiểm tra Ủy ban MTTQ huyện Thống Nhất", findings=(
                                   "Triển khai đủ 5 nội dung; hồ sơ đầy đủ; cần đẩy mạnh vận động Quỹ Vì người nghèo."),
                               points={"c1": 17, "c2": 19, "c3": 16, "c4": 18, "c5": 17})
    dong_kinh = year_end.get(unit=units[old_hamlet_code("GIAKIEM", 1)])
    services.record_inspection(actor=board, report=dong_kinh, inspected_on=DAY(2022, 1, 11), reinspection=True,
                               team="Tổ phúc tra Ủy ban MTTQ huyện", findings="Số liệu khớp với sổ theo dõi của ấp.",
                               points={"c1": 17, "c2": 18, "c3": 15, "c4": 17, "c5": 16})
    for membership in former:
        end_membership(membership=membership, until=OLD_TO)


def ensure_current_year(units, cache, *, today=None):
    """xã Dầu Giây this year: the period before the current one rolled up to the province, and the
    current one at every stage (draft, sent, returned, accepted; the commune's own draft)."""
    today = today or timezone.localdate()
    year = today.year
    commune = units[CURRENT_COMMUNE]
    if Report.objects.filter(unit=commune, year=year).exists():
        return {}
    rng = random.Random(year)
    province_board = _story_user("mttq.dongnai", "Nguyễn Thị Thanh Xuân", cache)
    chair = _story_user("mttq.daugiay", "Phan Thị Kim Loan", cache)
    hamlets = sorted((u for u in units.values() if u.parent_id == commune.pk and u.level == Level.HAMLET),
                     key=lambda u: u.code)
    heads = []
    for hamlet in hamlets:
        head = _story_user(f"bcmt.{hamlet.code.lower()}", f"Trưởng ban công tác Mặt trận {hamlet.name}", cache)
        _role(head, hamlet, Role.HAMLET_FRONT_HEAD, NEW_FROM)
        heads.append((hamlet, head))
        _ledger(head, hamlet, year, rng, DAY(year, 2, 1))
    _roadmap(chair, commune, year - 1)
    if not RoadmapTarget.objects.filter(unit=commune, year=year).exists():
        services.copy_last_year(actor=chair, unit=commune, year=year)
    # The complete period: the six months when they are over, else last month.
    done = ("half", 1, DAY(year, 7, 5)) if today >= DAY(year, 7, 10) else None
    if done is None and today.month > 1:
        done = ("month", today.month - 1, DAY(year, today.month - 1, 28))
    if done:
        period, number, sent = done
        for hamlet, head in heads:
            report = _fill_and_send(head, hamlet, year, period, number, sent, rng)
            services.accept_report(actor=chair, report=report, on=sent)
        report = _fill_and_send(chair, commune, year, period, number, sent, rng)
        services.accept_report(actor=province_board, report=report, on=sent)
        services.record_inspection(actor=province_board, report=report, inspected_on=sent,
                                   team="Đoàn kiểm tra Ủy ban MTTQ tỉnh Đồng Nai",
                                   findings="Tổng hợp đủ các ấp, khu phố; lộ trình bám sát.",
                                   points={"c1": 16, "c2": 18, "c3": 15, "c4": 17, "c5": 16})
        services.submit_report(actor=province_board, report=services.open_report(
            actor=province_board, unit=units[PROVINCE_CODE], year=year, period=period, number=number), sent_on=sent)
    # The current period at every stage: year end in December, else this month.
    period, number = ("year", 1) if today.month == 12 else ("month", today.month)
    stages = {}
    # The hamlet of the demo's Front head account (truongbanmt.trancaovan) drafts; the others cycle.
    drafting = stage_hamlet_codes()["open"]
    cycle = ("submitted", "returned", "accepted", "draft")
    for index, (hamlet, head) in enumerate(heads):
        stage = "draft" if hamlet.code == drafting else cycle[index % 4]
        report = _fill_and_send(head, hamlet, year, period, number, today, rng, send=stage != "draft")
        if stage == "returned":
            services.return_report(actor=chair, report=report, reason=(
                "Đề nghị bổ sung số liệu nội dung 3 (môi trường) và thuyết minh nội dung 5."))
        elif stage == "accepted":
            services.accept_report(actor=chair, report=report)
        stages.setdefault(stage, Report.objects.get(pk=report.pk))
    stages["commune_draft"] = _fill_and_send(chair, commune, year, period, number, today, rng, send=False)
    return stages


def ensure_2021_reports(units):
    ensure_2021(units, {})


def ensure_current_reports(units, *, today=None):
    return ensure_current_year(units, {}, today=today)

