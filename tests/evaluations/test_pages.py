"""The evaluation over HTTP: the hamlet fills and sends, the commune returns and accepts, rolls up and
sends, the district accepts and inspects; another unit gets 404, a wrong role 403."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Inspection, Report, ReportState
from evaluations.selectors import sheet
from evaluations.services import accept_report, open_report, save_report, submit_report
from tests.factories import HouseholdFactory, UnitFactory
from workflows.audit.models import Case

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the assertions read the msgids
    client.force_login(user)
    return client


@pytest.fixture
def y2021(monkeypatch):
    """The 2021 units ceased in 2025: their acts over the web are dated in 2021, as if it were then."""
    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None, tz=None: real(value, tz) if value else
                        datetime.date(2021, 12, 28))


def test_the_whole_round_over_http(front, y2021):
    people = front.people
    hamlet = _client(people.hamlet_front)
    response = hamlet.post(reverse("evaluations:open"), {"unit": front.hamlet.pk, "year": 2021, "period": "year"})
    report = Report.objects.get(unit=front.hamlet)
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:report", args=[report.pk])
    page = hamlet.get(reverse("evaluations:report", args=[report.pk])).content.decode()
    assert 'name="v_great_unity_houses"' in page and 'name="v_households"' not in page  # engine: locked
    assert "active households in the register" in page
    hamlet.post(reverse("evaluations:save", args=[report.pk]),
                {"expected_revision": report.revision, "v_great_unity_houses": "2", "shown_huong_uoc": "1",
                 "v_huong_uoc": "yes", "n_1": "Xây 2 nhà"})
    report.refresh_from_db()
    hamlet.post(reverse("evaluations:submit", args=[report.pk]), {"expected_revision": report.revision})
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.narrative["1"] == "Xây 2 nhà"
    # Frozen when sent, its sources still read in the reader's language.
    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi")
    vietnamese.force_login(people.hamlet_front)
    assert "số hộ đang hoạt động trong sổ" in vietnamese.get(reverse("evaluations:report", args=[report.pk])).content.decode()
    assert "active households in the register" in hamlet.get(reverse("evaluations:report", args=[report.pk])).content.decode()

    commune = _client(people.commune_front)
    commune.post(reverse("evaluations:return", args=[report.pk]),
                 {"expected_revision": report.revision, "reason": "Thiếu nội dung 3"})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert "Thiếu nội dung 3" in hamlet.get(reverse("evaluations:report", args=[report.pk])).content.decode()
    hamlet.post(reverse("evaluations:submit", args=[report.pk]), {"expected_revision": report.revision})
    report.refresh_from_db()
    commune.post(reverse("evaluations:accept", args=[report.pk]), {"expected_revision": report.revision})
    assert Report.objects.get(pk=report.pk).state == ReportState.ACCEPTED

    commune.post(reverse("evaluations:open"), {"unit": front.commune.pk, "year": 2021, "period": "year"})
    commune_report = Report.objects.get(unit=front.commune)
    page = commune.get(reverse("evaluations:report", args=[commune_report.pk])).content.decode()
    assert "Reported: 1 of 2" in page
    commune.post(reverse("evaluations:submit", args=[commune_report.pk]), {"expected_revision": commune_report.revision})
    commune_report.refresh_from_db()
    assert commune_report.state == ReportState.SUBMITTED

    district = _client(people.district_front)
    district.post(reverse("evaluations:accept", args=[commune_report.pk]),
                  {"expected_revision": commune_report.revision})
    response = district.post(reverse("evaluations:inspect", args=[commune_report.pk]), {
        "inspected_on": "20/12/2021", "team": "Đoàn kiểm tra MTTQ huyện", "findings": "Tốt",
        **{f"p_c{n}": "18" for n in range(1, 6)}})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and inspection.grade_label == "Vững mạnh" and inspection.total == 90


def test_another_unit_answers_404_and_a_wrong_role_403(front, y2021):
    people = front.people
    report = open_report(actor=people.hamlet_front, unit=front.hamlet, year=2021, period="year")
    for user in (people.far_hamlet_front, people.other_commune_front, people.other_hamlet_front):
        client = _client(user)
        assert client.get(reverse("evaluations:report", args=[report.pk])).status_code == 404
        assert client.post(reverse("evaluations:save", args=[report.pk]), {"v_trees_planted": "1"}).status_code == 404
    # the hamlet head sees the hamlet's report but may not fill it in
    head = _client(people.hamlet_head)
    assert head.get(reverse("evaluations:report", args=[report.pk])).status_code == 200
    assert head.post(reverse("evaluations:submit", args=[report.pk])).status_code == 403
    assert Report.objects.get(pk=report.pk).state == ReportState.DRAFT
    assert Client().get(reverse("evaluations:report", args=[report.pk])).status_code == 302


def test_the_roadmap_is_copied_from_last_year_and_compared(front, y2021):
    people = front.people
    client = _client(people.commune_front)
    client.post(reverse("evaluations:roadmap", args=[front.commune.pk, 2020]),
                {"t_great_unity_houses_year_1": "6", "t_cf_rate_year_1": "90"})
    client.post(reverse("evaluations:roadmap_copy", args=[front.commune.pk, 2021]))
    assert front.commune.roadmap_targets.filter(year=2021).count() == 2
    for hamlet, user, houses in ((front.hamlets[0], people.hamlet_front, "2"),
                                 (front.hamlets[1], people.other_hamlet_front, "3")):
        report = open_report(actor=user, unit=hamlet, year=2021, period="year")
        save_report(actor=user, report=report, values={"great_unity_houses": houses})
        submit_report(actor=user, report=report)
        accept_report(actor=people.commune_front, report=report)
    commune = open_report(actor=people.commune_front, unit=front.commune, year=2021, period="year")
    lines = {line.indicator["code"]: line for line in sheet(commune).lines}
    houses = lines["great_unity_houses"]
    assert (houses.value, houses.target, houses.difference, houses.behind) == (5, 6, -1, True)
    page = client.get(reverse("evaluations:report", args=[commune.pk])).content.decode()
    assert 'data-testid="behind-flag"' in page
    # another commune's officer cannot plan this one
    other = _client(people.other_commune_front)
    assert other.post(reverse("evaluations:roadmap", args=[front.commune.pk, 2021]),
                      {"t_great_unity_houses_year_1": "1"}).status_code == 404


def test_the_hamlet_sees_who_has_no_sponsor_and_records_one(front, y2021):
    people = front.people
    client = _client(people.hamlet_front)
    households = list(front.hamlet.households.all()[:2])
    client.post(reverse("evaluations:poor_add", args=[front.hamlet.pk, 2021]),
                {"households": [h.pk for h in households], "category": "poor"})
    page = client.get(reverse("evaluations:poor", args=[front.hamlet.pk, 2021]) + "?without=1").content.decode()
    assert page.count('data-testid="no-sponsor"') == 2
    entry = households[0].poverty_entries.get()
    client.post(reverse("evaluations:sponsor_add", args=[front.hamlet.pk, 2021, entry.pk]),
                {"kind": "organisation", "name": "Chi hội Phụ nữ", "since": "01/03/2021"})
    sponsor = entry.sponsors.get()
    client.post(reverse("evaluations:support_add", args=[front.hamlet.pk, 2021, sponsor.pk]),
                {"kind": "Tiền mặt", "value": "2.000.000", "given_on": "15/03/2021"})
    assert sponsor.supports.get().value == 2000000
    page = client.get(reverse("evaluations:poor", args=[front.hamlet.pk, 2021]) + "?without=1").content.decode()
    assert page.count('data-testid="no-sponsor"') == 1
    report = open_report(actor=people.hamlet_front, unit=front.hamlet, year=2021, period="year")
    lines = {line.indicator["code"]: line for line in sheet(report).lines}
    assert (lines["poor_sponsored"].value, lines["support_value"].value) == (1, 2000000)
    assert _client(people.far_hamlet_front).get(
        reverse("evaluations:poor", args=[front.hamlet.pk, 2021])).status_code == 404


@pytest.mark.parametrize("hamlets", [10, 100])
def test_the_commune_sheet_reads_a_bounded_number_of_queries(front, hamlets, django_assert_max_num_queries):
    commune = UnitFactory(level="commune", kind="xa", name="Xã thử", parent=front.district,
                          valid_from=datetime.date(2004, 1, 1))
    units = [UnitFactory(level="hamlet", kind="ap", parent=commune, valid_from=datetime.date(2004, 1, 1))
             for _ in range(hamlets)]
    for unit in units:
        HouseholdFactory(hamlet=unit)
    report = Report.objects.create(case=Case.objects.create(kind="evaluation_report"), scheme_id=front.scheme_pk,
                                   unit=commune, unit_path=commune.path, level="commune",
                                   year=2021, period="year", due_on=datetime.date(2022, 1, 10))
    cases = Case.objects.bulk_create([Case(kind="evaluation_report") for _ in units])
    Report.objects.bulk_create([Report(case=case, scheme_id=front.scheme_pk, unit=u, unit_path=u.path, level="hamlet",
                                       year=2021, period="year", due_on=datetime.date(2022, 1, 5))
                                for u, case in zip(units, cases)])
    report = Report.objects.select_related("scheme", "unit").get(pk=report.pk)
    with django_assert_max_num_queries(16):
        data = sheet(report)
        assert data.children_expected == hamlets


def test_a_sponsor_or_a_support_sent_twice_by_a_double_tap_is_recorded_once(front, y2021):
    people = front.people
    client = _client(people.hamlet_front)
    household = front.hamlet.households.first()
    client.post(reverse("evaluations:poor_add", args=[front.hamlet.pk, 2021]),
                {"households": [household.pk], "category": "poor"})
    entry = household.poverty_entries.get()
    page = client.get(reverse("evaluations:poor", args=[front.hamlet.pk, 2021])).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    sponsor = {"kind": "organisation", "name": "Chi hội Phụ nữ", "since": "01/03/2021", "form_token": token}
    for _tap in range(2):
        client.post(reverse("evaluations:sponsor_add", args=[front.hamlet.pk, 2021, entry.pk]), sponsor)
    assert entry.sponsors.count() == 1

    page = client.get(reverse("evaluations:poor", args=[front.hamlet.pk, 2021])).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    support = {"kind": "Tiền mặt", "value": "2.000.000", "given_on": "15/03/2021", "form_token": token}
    for _tap in range(2):
        response = client.post(reverse("evaluations:support_add", args=[front.hamlet.pk, 2021,
                                                                         entry.sponsors.get().pk]), support, follow=True)
    assert entry.sponsors.get().supports.count() == 1
    assert "already sent and recorded" in response.content.decode()
