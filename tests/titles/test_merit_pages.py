"""The eligibility page of a unit and year, and the links to it from the household and dossier pages."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Household, Role
from directory.services import grant_membership
from titles.models import TitleType
from workflows.models import Dossier

from ..factories import HouseholdFactory, UserFactory
from .register import record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

MERIT = "giay-khen-gia-dinh-van-hoa"


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def register(district):
    clerk = UserFactory(username="so_theo_doi")
    family = TitleType.objects.get(code="gia-dinh-van-hoa")
    an = HouseholdFactory(hamlet=district.hamlet, code="DK-1", head_name="Nguyễn Văn An")
    binh = HouseholdFactory(hamlet=district.hamlet, code="DK-2", head_name="Lê Thị Bình")
    far = HouseholdFactory(hamlet=district.far_hamlet, code="PL-1", head_name="Phạm Văn Xa")
    record(family, [(an, y) for y in (2019, 2020, 2021, 2022, 2023, 2024)]
           + [(binh, 2019), (binh, 2021)] + [(far, y) for y in (2019, 2020, 2021)], actor=clerk)
    return an, binh, far


def text(response):
    return html.unescape(response.content.decode())


def url(unit, year, title=MERIT):
    return reverse("titles:merit", args=[title, unit.pk, year])


def test_the_hamlet_head_reads_who_is_eligible_and_why_not(client, district, hamlet_head, register):
    client.force_login(hamlet_head)
    response = client.get(url(district.hamlet, 2021))
    assert response.status_code == 200
    page = text(response)
    eligible, excluded = page.split('data-testid="merit-eligible"')[1].split('data-testid="merit-excluded"')
    assert "Nguyễn Văn An" in eligible and "Lê Thị Bình" not in eligible
    assert f"2021 · 2021/{district.hamlet.code}" in eligible
    assert "Lê Thị Bình" in excluded and "a gap in 2020: no title that year" in excluded
    assert "Phạm Văn Xa" not in page
    assert "at most 1 can be proposed: 15% of 1 eligible" in page
    assert "Gia đình văn hóa: 3 consecutive years" in page or "Counts Gia đình văn hóa: 3 consecutive years" in page
    assert 'data-testid="merit-not-in-force"' not in page


def test_a_year_without_rules_in_force_says_so_and_still_lists(client, district, hamlet_head, register):
    client.force_login(hamlet_head)
    page = text(client.get(url(district.hamlet, 2024)))
    notice = page.split('data-testid="merit-not-in-force"')[1].split("</div>")[0]
    assert "No certificate-of-merit rule set in force for 2024" in notice
    assert "awaits the province's confirmation" in notice and "no round can be opened" in notice
    assert "Nguyễn Văn An" in page.split('data-testid="merit-eligible"')[1].split('data-testid="merit-excluded"')[0]


def test_units_one_may_not_see_are_404(client, district, hamlet_head, other_hamlet_head, outsider, commune_officer,
                                       other_commune_officer, register):
    for user, unit, status in [(other_hamlet_head, district.hamlet, 404), (outsider, district.hamlet, 404),
                               (other_commune_officer, district.hamlet, 404), (commune_officer, district.hamlet, 200),
                               (commune_officer, district.commune, 200), (hamlet_head, district.commune, 404)]:
        client.force_login(user)
        assert client.get(url(unit, 2021)).status_code == status, (user, unit)
    client.force_login(commune_officer)
    # A title that is not a certificate of merit, a unit whose list holds no household, a year to come.
    assert client.get(url(district.hamlet, 2021, title="gia-dinh-van-hoa")).status_code == 404
    assert client.get(url(district.district, 2021)).status_code == 404
    assert client.get(url(district.hamlet, datetime.date.today().year + 1)).status_code == 404
    assert client.get(url(district.commune, 2021, title="giay-khen-ap-van-hoa")).status_code == 200


def test_a_role_that_has_ended_no_longer_opens_the_list(client, district, register):
    former = UserFactory(username="truong_ap_cu")
    grant_membership(user=former, unit=district.hamlet, role=Role.HAMLET_HEAD, since=datetime.date(2018, 1, 1),
                     until=datetime.date(2020, 12, 31))
    client.force_login(former)
    assert client.get(url(district.hamlet, 2021)).status_code == 404


def test_the_household_page_shows_its_streak_and_links_to_the_list(client, district, hamlet_head, register):
    an, binh, _ = register
    client.force_login(hamlet_head)
    page = text(client.get(reverse("workflows:household", args=[an.pk])))
    standing = page.split('data-testid="merit-standing"')[1].split("</section>")[0]
    # An's last title is of 2024: no rule set in force, the standing is still shown.
    assert "2022–2024" in standing and "Eligible" in standing
    assert "No certificate-of-merit rule set is in force for 2024" in standing
    assert url(district.hamlet, 2024) in standing
    page = text(client.get(reverse("workflows:household", args=[binh.pk])))
    assert "a gap in 2020: no title that year" in page and url(district.hamlet, 2021) in page


def test_the_dossier_page_links_to_the_year_s_list(client, district, hamlet_head, register):
    client.force_login(hamlet_head)
    dossier = Dossier.objects.get(unit=district.hamlet, year=2021, title_type__code="gia-dinh-van-hoa")
    page = text(client.get(reverse("workflows:dossier", args=[dossier.pk])))
    links = page.split('data-testid="merit-links"')[1].split("</section>")[0]
    assert url(district.hamlet, 2021) in links


@pytest.mark.vietnamese
def test_the_page_reads_in_vietnamese(client, settings, district, hamlet_head, register):
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    client.force_login(hamlet_head)
    page = text(client.get(url(district.hamlet, 2021)))
    assert "gián đoạn năm 2020: năm đó không đạt danh hiệu" in page
    assert "Không quá 15% số đủ điều kiện" in page
    page = text(client.get(url(district.hamlet, 2024)))
    assert "Không có bộ quy tắc Giấy khen nào có hiệu lực cho năm 2024" in page


def test_the_page_takes_as_many_queries_for_100_households_as_for_10(client, district, commune_officer):
    clerk = UserFactory(username="so_theo_doi")
    family = TitleType.objects.get(code="gia-dinh-van-hoa")
    client.force_login(commune_officer)
    counts = []
    for n, hamlet in ((10, district.hamlet), (100, district.other_hamlet)):
        homes = Household.objects.bulk_create([
            Household(hamlet=hamlet, code=f"P{hamlet.pk}-{i}", head_name=f"Võ Văn {i}", members=3) for i in range(n)])
        record(family, [(home, y) for home in homes for y in (2019, 2020, 2021) if (home.pk + y) % 7],
               actor=clerk)
        client.get(url(hamlet, 2021))  # the session and the user's grants, read once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(hamlet, 2021)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
