"""The dashboard and its export show the recognition figures to the levels above the hamlets, and to
nobody else."""

import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from directory.models import Level, Role, UnitKind
from directory.services import grant_membership
from tests.factories import HouseholdFactory, UnitFactory, UserFactory
from tests.workflows.scenario import d, meet, open_with_households, send, through_appraisal
from workflows import services

YEAR = 2025


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def decided(district, family_title, hamlet_head, other_hamlet_head, commune_officer, commune_chair, households):
    """Ấp Đông Kinh: 3 of 4 households recognized (one struck); Ấp Võ Dõng: appraised, not yet decided."""
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=YEAR,
                                   households=households(4))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    struck = dossier.nominations.order_by("pk").first()
    services.appraise_dossier(actor=commune_officer, dossier=dossier, strikes={struck.pk: "Vi phạm hương ước"})
    services.decide(actor=commune_chair, dossier=dossier, number="7/QĐ-UBND", signed_on=d(YEAR, 12, 1),
                    signer="Nguyễn Văn Chủ")
    through_appraisal(head=other_hamlet_head, officer=commune_officer, hamlet=district.other_hamlet,
                      title=family_title, year=YEAR, households=households(2, hamlet=district.other_hamlet))
    return dossier


def test_commune_chair_sees_the_rate_by_hamlet_and_the_rounds_by_stage(client, decided, district, commune_chair):
    client.force_login(commune_chair)

    response = client.get(reverse("figures:dashboard"), {"unit": district.commune.pk, "year": YEAR,
                                                         "title_type": decided.title_type_id})

    figures = response.context["figures"]
    rows = {r.name: (r.roll, r.recognized, r.rate) for r in figures["hamlets"]}
    assert rows["Ấp Đông Kinh"] == (4, 3, 75.0)
    assert rows["Ấp Võ Dõng"][1] == 0
    stages = {state: n for state, _label, n in response.context["progress"]["stages"]}
    assert stages["decided"] == 1 and stages["appraised"] == 1
    assert figures["total"].recognized == 3
    page = response.content.decode()
    assert "75.0" in page and "vendor/chartjs/chart.umd.min.js" in page and 'id="chart-data"' in page


def test_the_district_reads_every_commune_and_the_years(client, decided, district, district_chair):
    client.force_login(district_chair)

    response = client.get(reverse("figures:dashboard"), {"unit": district.district.pk, "year": YEAR,
                                                         "title_type": decided.title_type_id})

    communes = {r.name: (r.recognized, r.rate) for r in response.context["figures"]["communes"]}
    assert communes["Gia Kiệm"] == (3, 50.0) and communes["Gia Tân 1"] == (0, None)
    total = response.context["figures"]["total"]
    assert response.context["years"][-1] == (YEAR, total.roll, 3, total.rate)  # one rule for both panels
    assert [y for y, *_ in response.context["years"]] == list(range(YEAR - 5, YEAR + 1))


def test_the_export_reads_back_with_the_same_figures(client, decided, district, commune_chair):
    client.force_login(commune_chair)

    response = client.get(reverse("figures:export"), {"unit": district.commune.pk, "year": YEAR,
                                                      "title_type": decided.title_type_id})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(c.value for c in row if c.value is not None) for row in sheet.iter_rows()]
    assert ("Ấp Đông Kinh", "Gia Kiệm", 4, 4, 3, 75.0) in rows
    assert ("Gia Kiệm", 6, 3, 50.0) in rows
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage


def test_hamlet_roles_and_outsiders_get_no_figures_and_nobody_reads_another_communes(
        client, decided, district, hamlet_head, other_commune_officer, outsider):
    for user in (hamlet_head, outsider):
        client.force_login(user)
        assert client.get(reverse("figures:dashboard")).status_code == 404
        assert client.get(reverse("figures:export")).status_code == 404
    client.force_login(other_commune_officer)
    response = client.get(reverse("figures:dashboard"), {"unit": district.commune.pk, "year": YEAR})
    assert response.context["root"] == district.other_commune  # the other commune is not a choice
    assert response.context["year"] == YEAR  # what was validly chosen is kept
    assert all(r.name != "Ấp Đông Kinh" for r in response.context["figures"]["hamlets"])


def test_a_supervisor_of_the_province_reads_the_province(client, decided, district):
    supervisor = UserFactory(username="giam_sat_tinh")
    grant_membership(user=supervisor, unit=district.province, role=Role.SUPERVISOR, since=datetime.date(2018, 1, 1))
    client.force_login(supervisor)

    response = client.get(reverse("figures:dashboard"), {"year": YEAR})

    assert response.context["root"] == district.province
    assert {r.name for r in response.context["figures"]["districts"]} == {"Thống Nhất"}


@pytest.mark.parametrize("size", [2, 12])
def test_the_dashboard_takes_as_many_queries_for_many_hamlets_as_for_few(
        client, district, family_title, commune_chair, django_assert_max_num_queries, size):
    head = UserFactory(username=f"head_many_{size}")
    for index in range(size):
        hamlet = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name=f"Ấp {index}", parent=district.commune)
        grant_membership(user=head, unit=hamlet, role=Role.HAMLET_HEAD, since=datetime.date(2018, 1, 1))
        open_with_households(head=head, hamlet=hamlet, title=family_title, year=YEAR,
                             households=HouseholdFactory.create_batch(2, hamlet=hamlet))
    client.force_login(commune_chair)
    with django_assert_max_num_queries(23):
        response = client.get(reverse("figures:dashboard"), {"unit": district.commune.pk, "year": YEAR})
    assert len(response.context["figures"]["hamlets"]) == size
