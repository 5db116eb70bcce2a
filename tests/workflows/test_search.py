"""Search ignores Vietnamese diacritics and case: "nguyen" finds "Nguyễn", "dong" finds "Đông",
on the register page, the dossier page and the inbox, on SQLite and PostgreSQL alike."""

import unicodedata

import pytest
from django.urls import reverse

from directory.models import Household
from directory.search import Folded, fold
from tests.factories import HouseholdFactory

from .scenario import open_with_households

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(district):
    return [
        HouseholdFactory(hamlet=district.hamlet, head_name="Nguyễn Thị Hồng", code="DK-001"),
        HouseholdFactory(hamlet=district.hamlet, head_name="Đặng Văn Đức", code="DK-002"),
        # Typed on a keyboard that sends decomposed letters (NFD).
        HouseholdFactory(hamlet=district.hamlet, head_name=unicodedata.normalize("NFD", "Trần Ngọc Ẩn"),
                         code="DK-003"),
        HouseholdFactory(hamlet=district.hamlet, head_name="Lê Minh Tâm", code="DK-004"),
    ]


@pytest.fixture
def dossier(district, hamlet_head, family_title, homes):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=homes)
    dossier.refresh_from_db()
    return dossier


def test_fold_drops_marks_and_case_and_reads_d_bar_as_d():
    assert fold("Nguyễn Thị Hồng") == "nguyen thi hong"
    assert fold("ĐẶNG VĂN ĐỨC") == "dang van duc"
    assert fold(unicodedata.normalize("NFD", "Ẩn")) == "an"


@pytest.mark.parametrize("typed, found", [
    ("nguyen", {"DK-001"}), ("NGUYỄN", {"DK-001"}), ("dang van duc", {"DK-002"}), ("đức", {"DK-002"}),
    ("ngoc an", {"DK-003"}), ("NGỌC ẨN", {"DK-003"}), ("tam", {"DK-004"}), ("van", {"DK-002"}),
])
def test_folded_column_matches_whatever_the_accents_and_case(homes, typed, found):
    rows = Household.objects.alias(folded=Folded("head_name")).filter(folded__contains=fold(typed))
    assert set(rows.values_list("code", flat=True)) == found


def test_register_page_finds_nguyen_without_accents(client, dossier, hamlet_head):
    client.force_login(hamlet_head)
    response = client.get(reverse("workflows:register", args=[dossier.pk]), {"q": "nguyen"})
    assert [h.code for h in response.context["households"]] == ["DK-001"]
    response = client.get(reverse("workflows:register", args=[dossier.pk]), {"q": "duc"})
    assert [h.code for h in response.context["households"]] == ["DK-002"]


def test_dossier_page_household_search_ignores_accents_and_case(client, dossier, hamlet_head):
    client.force_login(hamlet_head)
    response = client.get(reverse("workflows:dossier", args=[dossier.pk]), {"q": "DANG"})
    assert [n.household.code for n in response.context["nominations"]] == ["DK-002"]
    response = client.get(reverse("workflows:dossier", args=[dossier.pk]), {"q": "ngoc an"})
    assert [n.household.code for n in response.context["nominations"]] == ["DK-003"]


def test_inbox_unit_search_finds_dong_kinh_without_accents(client, dossier, commune_officer):
    client.force_login(commune_officer)
    for typed in ("dong kinh", "ĐÔNG KINH", "gia kiem"):
        response = client.get(reverse("workflows:home"), {"q": typed})
        assert [row.pk for row in response.context["dossiers"]] == [dossier.pk], typed
    response = client.get(reverse("workflows:home"), {"q": "vo dong"})
    assert list(response.context["dossiers"]) == []
