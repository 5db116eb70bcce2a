"""Eligibility for a certificate of merit, read from the register for a unit and a year."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Household
from titles.merit import eligibility
from titles.models import TitleType

from ..factories import HouseholdFactory, UserFactory
from .register import record

pytestmark = pytest.mark.django_db


def title(code):
    return TitleType.objects.get(code=code)


@pytest.fixture
def clerk(db):
    return UserFactory(username="so_theo_doi")


@pytest.fixture
def family_register(district, clerk):
    """Households of Ấp Đông Kinh (and one of the other hamlet) with 2018–2021 histories."""
    family, merit = title("gia-dinh-van-hoa"), title("giay-khen-gia-dinh-van-hoa")
    names = ["An", "Bình", "Cường", "Dũng", "Em", "Phúc", "Giang"]
    h = {name: HouseholdFactory(hamlet=district.hamlet, code=f"DK-{i}", head_name=f"Nguyễn Văn {name}")
         for i, name in enumerate(names)}
    h["Giang"].active = False
    h["Giang"].save()
    elsewhere = HouseholdFactory(hamlet=district.other_hamlet, code="VD-1", head_name="Trần Thị Hạnh")
    rows = [(h["An"], y) for y in (2019, 2020, 2021)]
    rows += [(h["Bình"], y) for y in (2019, 2021)]
    rows += [(h["Cường"], 2019), (h["Cường"], 2020, datetime.date(2021, 5, 4)), (h["Cường"], 2021)]
    rows += [(h[name], y) for name in ("Dũng", "Em", "Giang") for y in range(2018, 2022)]
    rows += [(elsewhere, y) for y in (2019, 2020, 2021)]
    record(family, rows, actor=clerk)
    record(merit, [(h["Dũng"], 2020), (h["Em"], 2020, datetime.date(2021, 1, 15))], actor=clerk)
    return h, elsewhere


def by_name(result):
    return {s.subject.head_name.split()[-1]: s for s in result.standings}


def test_each_household_of_the_hamlet_is_eligible_or_excluded_with_the_reason(district, family_register):
    result = eligibility(title("giay-khen-gia-dinh-van-hoa"), district.hamlet, 2021)
    assert result.in_force and result.window == (2019, 2021)
    standings = by_name(result)
    # The inactive household is not listed; the other hamlet's household is not either.
    assert set(standings) == {"An", "Bình", "Cường", "Dũng", "Em", "Phúc"}
    assert [(t.year, t.decision) for t in standings["An"].judgement.streak] == [
        (2019, f"2019/{district.hamlet.code}"), (2020, f"2020/{district.hamlet.code}"),
        (2021, f"2021/{district.hamlet.code}")]
    reasons = {name: [e.message for e in s.judgement.exclusions] for name, s in standings.items()}
    assert reasons["An"] == [] and reasons["Em"] == []  # Em's certificate was revoked: it blocks nothing
    assert reasons["Bình"] == ["a gap in 2020: no title that year"]
    assert reasons["Cường"] == [f"the title of 2020 was revoked on 04/05/2021 (decision 2020/{district.hamlet.code})"]
    assert reasons["Dũng"] == [f"overlaps the 2018–2020 certificate of merit (decision GK-2020/{district.hamlet.code})"]
    assert reasons["Phúc"] == ["gaps in 2019, 2020, 2021: no title those years"]
    assert [s.subject.head_name for s in result.eligible] == ["Nguyễn Văn An", "Nguyễn Văn Em"]
    assert result.cap == 1  # 15% of 2 is 0.3: at least one where anyone is eligible
    # Dũng's streak runs from 2018; his next window is 2021–2023.
    assert [t.year for t in standings["Dũng"].judgement.streak] == [2018, 2019, 2020, 2021]


def test_the_commune_list_holds_the_households_of_all_its_hamlets(district, family_register):
    result = eligibility(title("giay-khen-gia-dinh-van-hoa"), district.commune, 2021)
    assert "Trần Thị Hạnh" in [s.subject.head_name for s in result.eligible]
    assert len(result.standings) == 7


def test_a_year_without_rules_in_force_still_lists_who_would_be_eligible(district, family_register, clerk):
    h, _ = family_register
    record(title("gia-dinh-van-hoa"), [(h["An"], 2022), (h["An"], 2023), (h["An"], 2024)], actor=clerk)
    result = eligibility(title("giay-khen-gia-dinh-van-hoa"), district.hamlet, 2024)
    assert not result.in_force and "No certificate-of-merit rule set is in force for 2024" in result.not_in_force
    assert result.rules.rule_set.code == "gkgd-tinh-2024"
    assert [s.subject.head_name for s in result.eligible] == ["Nguyễn Văn An"]
    # 2023 is still Decree 122's year.
    assert eligibility(title("giay-khen-gia-dinh-van-hoa"), district.hamlet, 2023).in_force


def test_hamlets_count_five_years_and_the_district_lists_all_its_communes(district, clerk):
    hamlet_title, merit = title("ap-khu-pho-van-hoa"), title("giay-khen-ap-van-hoa")
    rows = [(district.hamlet, y) for y in range(2019, 2024)]
    rows += [(district.other_hamlet, y) for y in range(2020, 2024)]
    rows += [(district.far_hamlet, y) for y in range(2019, 2024)]
    record(hamlet_title, rows, actor=clerk)
    record(merit, [(district.far_hamlet, 2021)], actor=clerk)  # counted 2017–2021
    commune = eligibility(merit, district.commune, 2023)
    assert commune.in_force and commune.window == (2019, 2023)
    assert [s.subject for s in commune.eligible] == [district.hamlet]
    assert [e.message for e in commune.excluded[0].judgement.exclusions] == ["a gap in 2019: no title that year"]
    whole = eligibility(merit, district.district, 2023)
    excluded = {s.subject: [e.code for e in s.judgement.exclusions] for s in whole.excluded}
    assert excluded == {district.other_hamlet: ["gap"], district.far_hamlet: ["overlap"]}


def _count_queries(merit, unit, year):
    with CaptureQueriesContext(connection) as queries:
        result = eligibility(merit, unit, year)
    return len(queries), result


@pytest.mark.parametrize("years", [3, 6])
def test_the_number_of_queries_does_not_grow_with_households_or_years(district, clerk, years,
                                                                     django_assert_max_num_queries):
    family, merit = title("gia-dinh-van-hoa"), title("giay-khen-gia-dinh-van-hoa")
    counts = {}
    for n, hamlet in ((10, district.hamlet), (100, district.other_hamlet)):
        homes = Household.objects.bulk_create([
            Household(hamlet=hamlet, code=f"Q{hamlet.pk}-{i}", head_name=f"Lê Văn {i}", members=3)
            for i in range(n)])
        record(family, [(home, y) for home in homes for y in range(2022 - years, 2022)], actor=clerk)
        record(merit, [(home, 2019) for home in homes[::4]], actor=clerk)
        with django_assert_max_num_queries(5):
            counts[n], result = _count_queries(merit, hamlet, 2021)
        assert len(result.standings) == n
        assert len(result.eligible) == n - len(homes[::4])
    assert counts[10] == counts[100]
