"""Cultural hamlet rounds for the figures' tests, made through the real services."""

import datetime

from directory.models import Level, UnitKind
from tests.factories import UnitFactory
from workflows import services

YEAR = 2026


def d(year, month, day):
    return datetime.date(year, month, day)


def hamlet_round(*, officer, commune, title, chair=None, strike=None, year=YEAR):
    """Open the commune's round and register its hamlets; with a chair, meet, send, appraise (striking the
    hamlet `strike`) and decide: under the 2025 rule set the commune appraises and decides."""
    dossier = services.open_round(actor=officer, unit=commune, title_type=title, year=year, opened_on=d(year, 2, 1))
    hamlets = list(commune.children.filter(level=Level.HAMLET).valid_on(d(year, 3, 1)).order_by("pk"))
    services.register_subjects(actor=officer, dossier=dossier, subject_ids=[h.pk for h in hamlets],
                               registered_on=d(year, 3, 1), dates_confirmed=True)
    if chair is None:
        return dossier
    nominations = {n.hamlet_id: n for n in dossier.nominations.all()}
    services.record_self_assessments(actor=officer, dossier=dossier, assessed_on=d(year, 3, 1), dates_confirmed=True,
                                     assessments={n.pk: "Đạt 5 tiêu chuẩn" for n in nominations.values()})
    services.record_meeting(actor=officer, dossier=dossier, held_on=d(year, 9, 10), invited=20, present=16,
                            method="show_of_hands", votes={n.pk: (14, 2) for n in nominations.values()},
                            dates_confirmed=True)
    dossier.refresh_from_db()
    if dossier.rule_set.has_step("posting"):
        services.post_list(actor=officer, dossier=dossier, starts_on=d(year, 9, 11), place="Trụ sở UBND xã",
                           dates_confirmed=True)
    services.submit_dossier(actor=officer, dossier=dossier, submitted_on=d(year, 9, 25), dates_confirmed=True)
    dossier.refresh_from_db()
    strikes = {nominations[strike.pk].pk: "Chưa đạt tiêu chuẩn 3"} if strike else None
    services.appraise_dossier(actor=officer, dossier=dossier, strikes=strikes, appraised_on=d(year, 9, 26))
    dossier.refresh_from_db()
    services.decide(actor=chair, dossier=dossier, number="12/QĐ-UBND", signed_on=d(year, 10, 1), signer="Chủ tịch",
                    dates_confirmed=True)
    dossier.refresh_from_db()
    return dossier


def district_rounds(district, title, *, commune_officer, commune_chair, other_commune_officer):
    """Gia Kiệm: 2 of its 3 hamlets recognized (one struck at appraisal). Gia Tân 1: its 2 hamlets registered,
    the round not decided. Gia Tân 2: no round this year; 2 hamlets in force at the year's end, one
    dissolved in June, one formed only next year. Returns (decided, undecided, commune without a round)."""
    UnitFactory(level=Level.HAMLET, kind=UnitKind.KHU_PHO, name="Khu phố 3", parent=district.commune)
    UnitFactory(level=Level.HAMLET, name="Ấp Phú Lợi", parent=district.other_commune)
    missing = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name="Gia Tân 2", parent=district.district)
    for name in ("Ấp Tân Yên", "Ấp Tân Hiệp"):
        UnitFactory(level=Level.HAMLET, name=name, parent=missing)
    UnitFactory(level=Level.HAMLET, name="Ấp Cũ", parent=missing, valid_to=d(YEAR, 6, 30))
    UnitFactory(level=Level.HAMLET, name="Ấp Mới", parent=missing, valid_from=d(YEAR + 1, 1, 1))
    decided = hamlet_round(officer=commune_officer, chair=commune_chair, commune=district.commune, title=title,
                           strike=district.other_hamlet)
    undecided = hamlet_round(officer=other_commune_officer, commune=district.other_commune, title=title)
    return decided, undecided, missing
