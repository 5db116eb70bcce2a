"""The cultural hamlet title ("Ấp / Khu phố văn hóa") on the same engine as the Cultural Family:
the commune lists its hamlets, its meeting tallies one row per hamlet, and the level the rule
set names decides, under each of the three rule sets."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Level, Role, UnitKind
from directory.services import grant_membership
from titles.models import Award, TitleType
from workflows import services
from workflows.models import AuditEvent, Dossier, DossierState, Nomination, NominationState
from workflows.services import RuleViolation

from ..factories import UnitFactory, UserFactory
from .scenario import assert_audit_chain_intact, open_with_households, through_appraisal

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Thidua-2026"


def d(year, month, day):
    return datetime.date(year, month, day)


@pytest.fixture
def hamlet_title(db):
    return TitleType.objects.get(code="ap-khu-pho-van-hoa")


@pytest.fixture
def quarter(district):
    """A third hamlet of the commune, an urban quarter (khu phố)."""
    return UnitFactory(level=Level.HAMLET, kind=UnitKind.KHU_PHO, name="Khu phố 3", parent=district.commune)


@pytest.fixture
def district_office(district):
    user = UserFactory(username="phong_van_hoa")
    grant_membership(user=user, unit=district.district, role=Role.DISTRICT_OFFICE, since=d(2018, 1, 1))
    return user


def _through(dossier, *, officer, appraiser, decider, dates, votes):
    """Register the commune's hamlets, meet, post where the rules say so, send, appraise, decide."""
    hamlets = list(dossier.unit.children.filter(level=Level.HAMLET).order_by("pk"))
    services.register_subjects(actor=officer, dossier=dossier, subject_ids=[h.pk for h in hamlets],
                               registered_on=dates["registered"], dates_confirmed=True)
    nominations = {n.hamlet_id: n for n in dossier.nominations.all()}
    services.record_self_assessments(
        actor=officer, dossier=dossier, assessed_on=dates["registered"], dates_confirmed=True,
        assessments={nominations[h.pk].pk: "Đạt 5 tiêu chuẩn" for h in hamlets})
    services.record_meeting(
        actor=officer, dossier=dossier, held_on=dates["meeting"], invited=20, present=16, method="show_of_hands",
        votes={nominations[h.pk].pk: votes.get(h.pk, (14, 2)) for h in hamlets}, dates_confirmed=True)
    dossier.refresh_from_db()
    if dossier.rule_set.has_step("posting"):
        services.post_list(actor=officer, dossier=dossier, starts_on=dates["meeting"] + datetime.timedelta(days=1),
                           place="Trụ sở UBND xã", dates_confirmed=True)
    services.submit_dossier(actor=officer, dossier=dossier, submitted_on=dates["submitted"], dates_confirmed=True)
    dossier.refresh_from_db()
    services.appraise_dossier(actor=appraiser, dossier=dossier, appraised_on=dates["submitted"])
    dossier.refresh_from_db()
    services.decide(actor=decider, dossier=dossier, number="12/QĐ-UBND", signed_on=dates["decided"],
                    signer="Chủ tịch", dates_confirmed=True)
    dossier.refresh_from_db()
    return nominations


@pytest.mark.parametrize("year, rules, decider_level", [
    (2021, "apvh-nd122-2018", Level.DISTRICT),
    (2024, "apvh-nd86-2023", Level.DISTRICT),
    (2026, "apvh-2025-hai-cap", Level.COMMUNE),
])
def test_a_commune_lists_its_hamlets_and_the_level_its_rule_set_names_decides(
        district, quarter, commune_officer, commune_chair, district_chair, district_office, hamlet_title,
        year, rules, decider_level):
    dossier = services.open_round(actor=commune_officer, unit=district.commune, title_type=hamlet_title, year=year,
                                  opened_on=d(year, 2, 1))
    assert dossier.rule_set.code == rules
    assert dossier.deciding_unit.level == decider_level
    # The roll is the commune's hamlets, not its households.
    assert dossier.households_on_roll == 3
    by_district = decider_level == Level.DISTRICT
    appraiser, decider = (district_office, district_chair) if by_district else (commune_officer, commune_chair)
    # Under Decree 122/2018 a hamlet needs 60% of attendees; 9 of 16 is 56%.
    votes = {quarter.pk: (9, 7)}
    nominations = _through(dossier, officer=commune_officer, appraiser=appraiser, decider=decider, votes=votes,
                           dates={"registered": d(year, 3, 1), "meeting": d(year, 9, 10),
                                  "submitted": d(year, 9, 25), "decided": d(year, 10, 1)})
    assert dossier.state == DossierState.DECIDED
    awarded = set(Award.objects.filter(decision__dossier=dossier).values_list("hamlet_id", flat=True))
    quarter_state = Nomination.objects.get(pk=nominations[quarter.pk].pk).state
    if rules == "apvh-nd122-2018":
        assert awarded == {district.hamlet.pk, district.other_hamlet.pk}
        assert quarter_state == NominationState.NOT_PROPOSED
    else:
        # Decree 86/2023 sets no vote threshold: more for than against passes.
        assert awarded == {district.hamlet.pk, district.other_hamlet.pk, quarter.pk}
    assert not Award.objects.filter(decision__dossier=dossier, household__isnull=False).exists()
    assert dossier.recognized_count == len(awarded)
    assert AuditEvent.objects.filter(case_id=dossier.case_id, action="decide").get().unit_id == dossier.deciding_unit_id
    assert_audit_chain_intact(dossier)


def test_a_hamlet_title_round_is_opened_by_a_commune_and_never_by_a_hamlet(
        district, commune_officer, hamlet_head, hamlet_title, family_title):
    with pytest.raises(RuleViolation, match="opened by a unit at the level"):
        services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=hamlet_title, year=2026)
    with pytest.raises(RuleViolation, match="opened by a unit at the level"):
        services.open_round(actor=commune_officer, unit=district.commune, title_type=family_title, year=2026)
    # The hamlet head holds nothing on the commune.
    with pytest.raises(PermissionDenied):
        services.open_round(actor=hamlet_head, unit=district.commune, title_type=hamlet_title, year=2026)
    assert not Dossier.objects.exists() and not AuditEvent.objects.exists()


def test_another_communes_hamlet_is_refused_by_count_and_nothing_is_registered(
        district, commune_officer, hamlet_title):
    dossier = services.open_round(actor=commune_officer, unit=district.commune, title_type=hamlet_title, year=2026)
    before = AuditEvent.objects.count()
    with pytest.raises(RuleViolation, match="1 of the chosen hamlets is not in the list of Gia Kiệm"):
        services.register_subjects(actor=commune_officer, dossier=dossier,
                                   subject_ids=[district.hamlet.pk, district.far_hamlet.pk],
                                   registered_on=d(2026, 3, 1), dates_confirmed=True)
    assert not dossier.nominations.exists() and AuditEvent.objects.count() == before


def test_a_hamlet_registers_once_a_year_for_the_title(district, commune_officer, hamlet_title):
    dossier = services.open_round(actor=commune_officer, unit=district.commune, title_type=hamlet_title, year=2026)
    services.register_subjects(actor=commune_officer, dossier=dossier, subject_ids=[district.hamlet.pk],
                               registered_on=d(2026, 3, 1), dates_confirmed=True)
    dossier.refresh_from_db()
    with pytest.raises(RuleViolation, match="Already registered for Ấp, khu phố văn hóa in 2026: Ấp Đông Kinh"):
        services.register_subjects(actor=commune_officer, dossier=dossier, subject_ids=[district.hamlet.pk],
                                   registered_on=d(2026, 3, 2), dates_confirmed=True)
    assert dossier.nominations.count() == 1


def test_registering_hamlets_takes_the_same_queries_for_ten_as_for_a_hundred(
        district, commune_officer, hamlet_title):
    counts = []
    for size, year in ((10, 2025), (100, 2026)):
        commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name=f"Xã {size}", parent=district.district)
        grant_membership(user=commune_officer, unit=commune, role=Role.COMMUNE_OFFICER, since=d(2018, 1, 1))
        hamlets = [UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name=f"Ấp {i}", parent=commune)
                   for i in range(size)]
        dossier = services.open_round(actor=commune_officer, unit=commune, title_type=hamlet_title, year=year)
        with CaptureQueriesContext(connection) as queries:
            services.register_subjects(actor=commune_officer, dossier=dossier, subject_ids=[h.pk for h in hamlets],
                                       registered_on=d(year, 3, 1), dates_confirmed=True)
        counts.append(len(queries))
        assert dossier.nominations.count() == size
    assert counts[0] == counts[1]


def _login(client, user):
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def test_the_commune_officer_runs_the_hamlet_title_on_the_web(
        client, settings, district, quarter, commune_officer, commune_chair, hamlet_title):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _login(client, commune_officer)
    home = client.get(reverse("workflows:home")).content.decode()
    # The officer is offered the commune for the hamlet title, and no hamlet for the Cultural Family.
    assert f'value="{hamlet_title.pk}:{district.commune.pk}"' in home
    assert f':{district.hamlet.pk}"' not in home
    response = client.post(reverse("workflows:open_round"),
                           {"round": f"{hamlet_title.pk}:{district.commune.pk}", "year": 2026})
    dossier = Dossier.objects.get(unit=district.commune, title_type=hamlet_title, year=2026)
    assert response.status_code == 302

    page = client.get(reverse("workflows:register", args=[dossier.pk])).content.decode()
    assert "Register hamlets" in page and "Ấp Đông Kinh" in page and "Khu phố 3" in page
    assert "Ấp Phú Lập" not in page  # another commune's hamlet
    response = client.post(reverse("workflows:register", args=[dossier.pk]), {
        "expected_revision": dossier.revision, "registered_on": "02/03/2026", "register_all": "3",
        "dates_confirmed": "on"})
    assert response.status_code == 302
    assert set(dossier.nominations.values_list("hamlet_id", flat=True)) == {
        district.hamlet.pk, district.other_hamlet.pk, quarter.pk}

    dossier.refresh_from_db()
    meeting = client.get(reverse("workflows:meeting", args=[dossier.pk])).content.decode()
    assert "Tally: 3 hamlets" in meeting and "Khu phố 3" in meeting
    data = {"expected_revision": dossier.revision, "held_on": "05/11/2026", "invited": 20, "present": 16,
            "method": "show_of_hands", "chaired_by": "Chủ tịch UBND xã", "dates_confirmed": "on"}
    for n in dossier.nominations.all():
        data[f"for_{n.pk}"], data[f"against_{n.pk}"] = (12, 4)
    response = client.post(reverse("workflows:meeting", args=[dossier.pk]), data)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED
    assert dossier.nominations.filter(state=NominationState.PROPOSED).count() == 3
    page = client.get(reverse("workflows:dossier", args=[dossier.pk])).content.decode()
    assert "Ấp Võ Dõng" in page and "Khu phố 3" in page


def test_the_commune_meeting_shows_each_hamlets_households_and_cultural_family_rate(
        client, settings, district, commune_officer, hamlet_head, commune_chair, family_title, hamlet_title,
        households):
    """The register's figures beside each hamlet: its households, and the share of them its decided
    Cultural Family round recognized, against the rule set's (unconfirmed) threshold."""
    homes = households(4)
    dossier = through_appraisal(head=hamlet_head, officer=commune_officer, hamlet=district.hamlet,
                                title=family_title, year=2026, households=homes)
    services.decide(actor=commune_chair, dossier=dossier, number="7/QĐ-UBND", signed_on=d(2026, 11, 20),
                    signer="Chủ tịch", dates_confirmed=True)
    recognized = Award.objects.filter(decision__dossier=dossier).count()
    households(2, hamlet=district.other_hamlet)
    commune_round = services.open_round(actor=commune_officer, unit=district.commune, title_type=hamlet_title,
                                        year=2026)
    services.register_subjects(actor=commune_officer, dossier=commune_round,
                               subject_ids=[district.hamlet.pk, district.other_hamlet.pk],
                               registered_on=d(2026, 3, 1), dates_confirmed=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _login(client, commune_officer)
    page = client.get(reverse("workflows:meeting", args=[commune_round.pk])).content.decode()
    rows = dict(re.findall(r'<span id="h\d+">([^<]+)</span>(.*?)</div>', page, re.S))
    rate = f"{recognized * 100 / 4:.1f}".replace(".", ",")
    assert "Households: <b>4</b>" in rows["Ấp Đông Kinh"]
    assert f"Cultural Families 2026: <b>{rate}%</b> (threshold 70%, unconfirmed" in rows["Ấp Đông Kinh"]
    assert "Households: <b>2</b>" in rows["Ấp Võ Dõng"]
    assert "Cultural Families 2026: <b>no round this year</b>" in rows["Ấp Võ Dõng"]
    assert "threshold" not in rows["Ấp Võ Dõng"]
    assert "Đời sống kinh tế ổn định" in page  # the standards, for reference


def test_the_api_registers_hamlets_by_hamlet_ids_and_names_them(client, district, commune_officer, hamlet_title):
    dossier = services.open_round(actor=commune_officer, unit=district.commune, title_type=hamlet_title, year=2026)
    client.force_login(commune_officer)
    url = reverse("api:dossier-register", args=[dossier.pk])
    wrong = client.post(url, {"household_ids": [district.hamlet.pk], "registered_on": "2026-03-01"},
                        content_type="application/json")
    assert wrong.status_code == 400 and "hamlet_ids" in wrong.content.decode()
    assert not dossier.nominations.exists()
    response = client.post(url, {"hamlet_ids": [district.hamlet.pk], "registered_on": "2026-03-01"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    listed = client.get(reverse("api:nomination-list"), {"dossier": dossier.pk}).json()["results"]
    # Every nomination has the same shape: the other kind's fields are there, null.
    assert [(n["hamlet"], n["hamlet_name"], n["household"], n["household_code"]) for n in listed] == [
        (district.hamlet.pk, "Ấp Đông Kinh", None, None)]


def test_the_inbox_and_the_api_filter_dossiers_by_title_with_one_filterset(
        client, settings, district, commune_officer, hamlet_head, hamlet_title, family_title, households):
    family = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2026,
                                  households=households(2))
    commune_round = services.open_round(actor=commune_officer, unit=district.commune, title_type=hamlet_title,
                                        year=2026)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(commune_officer)
    # The dossier list, not the tasks above it.
    page = client.get(reverse("workflows:home"), {"title_type": hamlet_title.code}).content.decode()
    listed = page.split('id="dossiers-h"')[1]
    assert f'/dossiers/{commune_round.pk}/' in listed and f'/dossiers/{family.pk}/' not in listed
    assert f'<option value="{hamlet_title.code}" selected>' in page
    listed = client.get(reverse("workflows:home"), {"title_type": family_title.code}).content.decode().split(
        'id="dossiers-h"')[1]
    assert f'/dossiers/{family.pk}/' in listed and f'/dossiers/{commune_round.pk}/' not in listed
    found = client.get(reverse("api:dossier-list"), {"title_type": hamlet_title.code, "q": "gia kiem"}).json()
    assert [d["id"] for d in found["results"]] == [commune_round.pk]
