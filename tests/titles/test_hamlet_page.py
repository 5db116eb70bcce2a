"""A hamlet's page: its cultural hamlet titles, its streak toward the certificate of merit and its
Cultural Family rate each year; linked from the hamlet-title dossier and the award page."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Role
from directory.services import grant_membership
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


def page_of(hamlet):
    return reverse("workflows:hamlet", args=[hamlet.pk])


def section(page, testid):
    return page.split(f'data-testid="{testid}"')[1].split("</section>")[0]


def build(hamlet, years, *, revoked=()):
    """`hamlet` holding the cultural hamlet title in `years` (revoked in those of `revoked`), and a
    decided Cultural Family round each of those years with 3 of 4 households recognized."""
    clerk = UserFactory()
    hamlet_title = TitleType.objects.get(code="ap-khu-pho-van-hoa")
    family = TitleType.objects.get(code="gia-dinh-van-hoa")
    awards = record(hamlet_title, [(hamlet, y, datetime.date(y + 1, 3, 2)) if y in revoked else (hamlet, y)
                                   for y in years], actor=clerk)
    homes = [HouseholdFactory(hamlet=hamlet, code=f"{hamlet.code}-{i}") for i in range(3)]
    record(family, [(home, y) for home in homes for y in years], actor=clerk)
    Dossier.objects.filter(unit=hamlet, title_type=family).update(
        state=DossierState.DECIDED, recognized_count=3, households_on_roll=4)
    return awards


@pytest.fixture
def titled(district):
    return build(district.hamlet, range(2019, 2024), revoked=(2020,))


def test_the_commune_reads_the_hamlet_s_titles_streak_and_rates(client, district, commune_officer, titled):
    client.force_login(commune_officer)
    response = client.get(page_of(district.hamlet))
    assert response.status_code == 200
    page = text(response)
    titles = section(page, "hamlet-titles")
    commune = district.commune
    for year in range(2019, 2024):
        assert f"{year}/{commune.code}" in titles
    assert titles.count("Revoked") == 1 and "2020 · " in titles.split("Revoked")[0].rsplit("<tr", 1)[1]
    assert reverse("workflows:certificate", args=[titled[0].pk]) in titles
    standing = section(page, "merit-standing")
    # 2019–2023 would count, but the 2020 title was revoked: the streak runs 2021–2023.
    assert "2019–2023" in standing and "Not eligible" in standing
    assert "the title of 2020 was revoked on 02/03/2021" in standing
    assert f"2021 · 2021/{commune.code}" in standing and f"2020 · 2020/{commune.code}" not in standing
    rates = section(page, "family-rates")
    assert rates.count("75.0%") == 5


def test_an_eligible_hamlet_says_so(client, district, commune_officer):
    build(district.hamlet, range(2019, 2024))
    client.force_login(commune_officer)
    standing = section(text(client.get(page_of(district.hamlet))), "merit-standing")
    assert "Eligible" in standing and "Not eligible" not in standing
    assert reverse("titles:merit", args=["giay-khen-ap-van-hoa", district.commune.pk, 2023]) in standing


def test_hamlets_one_may_not_see_are_404(client, district, hamlet_head, other_hamlet_head, outsider,
                                         other_commune_officer, commune_officer, titled):
    for user, status in [(hamlet_head, 200), (commune_officer, 200), (other_hamlet_head, 404),
                         (other_commune_officer, 404), (outsider, 404)]:
        client.force_login(user)
        assert client.get(page_of(district.hamlet)).status_code == status, user
    former = UserFactory(username="truong_ap_cu")
    grant_membership(user=former, unit=district.hamlet, role=Role.HAMLET_HEAD, since=datetime.date(2018, 1, 1),
                     until=datetime.date(2020, 12, 31))
    client.force_login(former)
    assert client.get(page_of(district.hamlet)).status_code == 404
    client.force_login(commune_officer)
    # A commune is not a hamlet.
    assert client.get(page_of(district.commune)).status_code == 404


def test_the_dossier_and_the_award_page_link_to_the_hamlet(client, district, commune_officer, titled):
    client.force_login(commune_officer)
    dossier = titled[-1].nomination.dossier
    page = text(client.get(reverse("workflows:dossier", args=[dossier.pk])))
    assert f'href="{page_of(district.hamlet)}"' in page
    page = text(client.get(reverse("workflows:provenance", args=[titled[-1].pk])))
    assert f'href="{page_of(district.hamlet)}"' in page.split('data-testid="hamlet-link"')[0].rsplit("<a", 1)[1]


@pytest.mark.vietnamese
def test_the_page_reads_in_vietnamese(client, settings, district, commune_officer, titled):
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.force_login(commune_officer)
    page = text(client.get(page_of(district.hamlet)))
    assert "Danh hiệu qua các năm" in page
    assert "Gia đình văn hóa qua các năm" in page
    assert "Số hộ trong sổ" in page and "Tỷ lệ" in page
    assert "Đã hủy bỏ" in page and "Không đủ điều kiện" in page


def test_queries_do_not_grow_with_the_years(client, district, commune_officer):
    build(district.hamlet, range(2022, 2024))
    build(district.other_hamlet, range(2016, 2024))
    client.force_login(commune_officer)
    counts = []
    for hamlet in (district.hamlet, district.other_hamlet):
        client.get(page_of(hamlet))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_of(hamlet)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
