"""The dashboard and its export for the cultural hamlet title: recognized hamlets over the hamlets on the
roll, by commune and by district, read from the commune dossiers' counters, in words that name hamlets."""

import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from directory.models import Level, Role, UnitKind
from directory.services import grant_membership
from tests.factories import UnitFactory, UserFactory
from titles.models import Award, TitleType
from workflows.services import revoke_award
from workflows.models import DossierState

from .scenario import YEAR, d, district_rounds, hamlet_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def hamlet_title(db):
    return TitleType.objects.get(code="ap-khu-pho-van-hoa")


def _person(username, unit, role):
    user = UserFactory(username=username)
    grant_membership(user=user, unit=unit, role=role, since=d(2018, 1, 1))
    return user


@pytest.fixture
def rounds(district, hamlet_title, commune_officer, commune_chair, other_commune_officer):
    return district_rounds(district, hamlet_title, commune_officer=commune_officer, commune_chair=commune_chair,
                           other_commune_officer=other_commune_officer)


def _query(title, unit, year=YEAR):
    return {"unit": unit.pk, "title_type": title.pk, "year": year}


def test_the_district_reads_the_cultural_hamlet_rate_of_decided_undecided_and_missing_rounds(
        client, rounds, district, district_chair, hamlet_title):
    decided, undecided, missing = rounds
    assert decided.state == DossierState.DECIDED and undecided.state != DossierState.DECIDED
    client.force_login(district_chair)

    response = client.get(reverse("figures:dashboard"), _query(hamlet_title, district.district))

    figures = response.context["figures"]
    communes = {r.name: (r.roll, r.recognized, r.rate) for r in figures["communes"]}
    # Decided: the roll of its round. Undecided: the roll recorded when it opened, nothing recognized yet.
    # No round: the hamlets in force on 31 December, not the one dissolved in June nor the one of next year.
    assert communes == {"Gia Kiệm": (3, 2, 66.67), "Gia Tân 1": (2, 0, 0.0), "Gia Tân 2": (2, 0, 0.0)}
    assert (figures["total"].roll, figures["total"].recognized, figures["total"].rate) == (7, 2, 28.57)
    stages = {state: n for state, _label, n in response.context["progress"]["stages"]}
    assert stages[DossierState.DECIDED] == 1 and response.context["progress"]["total"] == 2
    # The year before: no round anywhere, so every commune counts the hamlets it had then (Ấp Cũ too).
    years = dict((y, (roll, rec, rate)) for y, roll, rec, rate in response.context["years"])
    assert years[YEAR] == (7, 2, 28.57) and years[YEAR - 1] == (8, 0, 0.0)
    page = response.content.decode()
    assert "2 recognized of 7 hamlets" in page and "<th>Hamlets</th>" in page
    assert "Households" not in page and "households" not in page
    assert sorted(response.context["chart"]["labels"]) == ["Gia Kiệm", "Gia Tân 1", "Gia Tân 2"]


def test_the_province_reads_its_districts_and_the_commune_its_own_row(
        client, rounds, district, commune_chair, hamlet_title):
    superuser = UserFactory(username="quan_tri", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    response = client.get(reverse("figures:dashboard"), _query(hamlet_title, district.province))
    assert [(r.name, r.roll, r.recognized) for r in response.context["figures"]["districts"]] == [
        ("Thống Nhất", 7, 2)]
    assert 'Thống Nhất: 28.57% <span class="muted">(2/7)</span>' in response.content.decode()

    client.force_login(commune_chair)
    response = client.get(reverse("figures:dashboard"), _query(hamlet_title, district.commune))
    figures = response.context["figures"]
    assert [(r.name, r.roll, r.recognized) for r in figures["communes"]] == [("Gia Kiệm", 3, 2)]
    assert figures["hamlets"] == []  # a hamlet is recognized or not: no rate by hamlet


def test_a_revoked_hamlet_award_lowers_the_rate(client, rounds, district, district_chair, commune_chair,
                                                 hamlet_title):
    decided, _undecided, _missing = rounds
    award = Award.objects.get(decision__dossier=decided, hamlet=district.hamlet)
    revoke_award(actor=commune_chair, award=award, ground="d", decision_number="15/QĐ-UBND",
                 reason="Phúc tra: không đạt tiêu chuẩn môi trường", decided_on=d(YEAR, 11, 20))
    client.force_login(district_chair)

    response = client.get(reverse("figures:dashboard"), _query(hamlet_title, district.district))

    communes = {r.name: (r.roll, r.recognized, r.rate) for r in response.context["figures"]["communes"]}
    assert communes["Gia Kiệm"] == (3, 1, 33.33)
    assert response.context["figures"]["total"].rate == 14.29
    assert response.context["years"][-1] == (YEAR, 7, 1, 14.29)


def test_the_export_has_the_hamlet_rows_under_headings_that_name_hamlets(
        client, rounds, district, district_chair, hamlet_title):
    client.force_login(district_chair)

    response = client.get(reverse("figures:export"), _query(hamlet_title, district.district))

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(c.value for c in row if c.value is not None) for row in sheet.iter_rows()]
    assert ("Commune", "Hamlets", "Recognized", "Rate (per cent)") in rows
    assert ("Gia Kiệm", 3, 2, 66.67) in rows and ("Gia Tân 2", 2, 0, 0) in rows
    assert ("Thống Nhất", 7, 2, 28.57) in rows  # the total
    assert (YEAR, 7, 2, 28.57) in rows and (YEAR - 1, 8, 0, 0) in rows
    assert not any("Households" in row for row in rows)


def test_the_page_names_hamlets_in_vietnamese(client, rounds, district, district_chair, hamlet_title):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(district_chair)

    page = client.get(reverse("figures:dashboard"), _query(hamlet_title, district.district)).content.decode()

    assert "2 ấp, khu phố được công nhận trên 7 ấp, khu phố" in page
    assert "Hộ gia đình" not in page


def test_every_title_is_offered_the_cultural_family_first(client, district, district_chair):
    client.force_login(district_chair)

    response = client.get(reverse("figures:dashboard"))

    offered = list(response.context["form"].fields["title_type"].queryset.values_list("code", flat=True))
    assert sorted(offered) == ["ap-khu-pho-van-hoa", "gia-dinh-van-hoa"]
    # A certificate of merit has no yearly rate of its own, nor an 18 November proposal list.
    assert "giay-khen-gia-dinh-van-hoa" not in offered and "khen-thuong-18-11-gia-dinh" not in offered
    assert offered[0] == "gia-dinh-van-hoa" and response.context["title_type"].code == "gia-dinh-van-hoa"


@pytest.mark.parametrize("path", ["figures:dashboard", "figures:export"])
def test_the_hamlet_figures_take_as_many_queries_for_twelve_communes_as_for_two(client, hamlet_title, path):
    counts = []
    for size in (2, 12):
        province = UnitFactory(level=Level.PROVINCE, kind=UnitKind.TINH, name=f"Tỉnh {size}", parent=None)
        district = UnitFactory(level=Level.DISTRICT, kind=UnitKind.HUYEN, name=f"Huyện {size}", parent=province)
        officer = UserFactory(username=f"can_bo_{size}")
        chair = _person(f"chu_tich_huyen_{size}", district, Role.DISTRICT_CHAIR)
        for index in range(size):
            commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name=f"Xã {size}-{index}", parent=district)
            for number in range(3):
                UnitFactory(level=Level.HAMLET, name=f"Ấp {size}-{index}-{number}", parent=commune)
            grant_membership(user=officer, unit=commune, role=Role.COMMUNE_OFFICER, since=d(2018, 1, 1))
            # A third of the communes without a round: their hamlets are read from the directory.
            if index % 3:
                hamlet_round(officer=officer, commune=commune, title=hamlet_title)
        client.force_login(chair)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(path), _query(hamlet_title, district))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
