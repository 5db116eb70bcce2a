"""A decided Cultural Family dossier tells the chair how many of its households become eligible for the
certificate of merit next year, or that no merit rule set is in force for next year."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Household
from titles.models import TitleType
from workflows.models import Dossier, DossierState

from ..factories import HouseholdFactory, UserFactory
from .register import record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text(response):
    return html.unescape(response.content.decode())


def dossier_page(client, hamlet, year):
    dossier = Dossier.objects.get(unit=hamlet, year=year, title_type__code="gia-dinh-van-hoa")
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.DECIDED)
    return text(client.get(reverse("workflows:dossier", args=[dossier.pk])))


def notice(page):
    return page.split('data-testid="merit-next-year"')[1].split("</div>")[0]


@pytest.fixture
def family(district):
    clerk = UserFactory(username="so_theo_doi")
    title = TitleType.objects.get(code="gia-dinh-van-hoa")
    an = HouseholdFactory(hamlet=district.hamlet, code="DK-1", head_name="Nguyễn Văn An")
    binh = HouseholdFactory(hamlet=district.hamlet, code="DK-2", head_name="Lê Thị Bình")
    chi = HouseholdFactory(hamlet=district.hamlet, code="DK-3", head_name="Trần Văn Chí")
    # An: 2019 and 2020, one more year makes three. Bình: 2020 only. Chí: 2019 revoked.
    record(title, [(an, 2019), (an, 2020), (binh, 2020), (chi, 2019, datetime.date(2020, 5, 4)), (chi, 2020),
                   (an, 2022), (an, 2023), (binh, 2023)], actor=clerk)
    return title


def test_the_chair_reads_how_many_become_eligible_next_year(client, district, commune_chair, family):
    client.force_login(commune_chair)
    line = notice(dossier_page(client, district.hamlet, 2020))
    assert "1 of the 3 households recognized becomes eligible for it in 2021 if recognized again in 2021" in line
    assert "3 years in a row" in line


def test_no_rule_set_in_force_next_year_says_so(client, district, commune_chair, family):
    client.force_login(commune_chair)
    # The province's rules from 2024 await its confirmation.
    line = notice(dossier_page(client, district.hamlet, 2023))
    assert "No certificate-of-merit rule set is in force for 2024" in line
    assert "becomes eligible" not in line and "become eligible" not in line


def test_an_undecided_dossier_says_nothing_of_next_year(client, district, commune_chair, family):
    client.force_login(commune_chair)
    dossier = Dossier.objects.get(unit=district.hamlet, year=2020, title_type=family)
    assert 'data-testid="merit-next-year"' not in text(client.get(reverse("workflows:dossier", args=[dossier.pk])))


@pytest.mark.vietnamese
def test_it_reads_in_vietnamese(client, settings, district, commune_chair, family):
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.force_login(commune_chair)
    line = notice(dossier_page(client, district.hamlet, 2020))
    assert "1 trong số 3 hộ gia đình được công nhận sẽ đủ điều kiện vào năm 2021 nếu tiếp tục được công nhận năm 2021" in line
    line = notice(dossier_page(client, district.hamlet, 2023))
    assert "Không có bộ quy tắc Giấy khen nào có hiệu lực cho năm 2024" in line


def test_queries_do_not_grow_with_the_households(client, district, commune_chair, family):
    clerk = UserFactory()
    homes = Household.objects.bulk_create([
        Household(hamlet=district.other_hamlet, code=f"VD-{i}", head_name=f"Võ Văn {i}", members=3) for i in range(40)])
    record(family, [(home, y) for home in homes for y in (2019, 2020) if (home.pk + y) % 3], actor=clerk)
    client.force_login(commune_chair)
    counts = []
    for hamlet in (district.hamlet, district.other_hamlet):
        dossier_page(client, hamlet, 2020)
        dossier = Dossier.objects.get(unit=hamlet, year=2020, title_type=family)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("workflows:dossier", args=[dossier.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
