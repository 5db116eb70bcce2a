"""Reports travel hamlet → commune → district (until 2025-06-30) or province (from 2025-07-01); each
stage is refused in the wrong state, to the wrong role and on another unit, changing nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import RuleViolation
from directory.models import Household
from evaluations.models import IndicatorValue, Report, ReportState
from evaluations.selectors import reviewing_unit, sheet
from evaluations.services.deadlines import check_deadlines
from evaluations.services import (
    accept_report, add_sponsor, list_households, open_report, record_inspection, return_report, save_report,
    submit_report,
)
from notifications.models import Notification
from tests.dossiers import dossier_at

pytestmark = pytest.mark.django_db
SENT = datetime.date(2021, 12, 28)


def _hamlet_report(front, hamlet=None, user=None, **values):
    hamlet = hamlet or front.hamlet
    user = user or (front.people.hamlet_front if hamlet == front.hamlet else front.people.other_hamlet_front)
    report = open_report(actor=user, unit=hamlet, year=2021, period="year")
    save_report(actor=user, report=report, values=values, narrative={"1": "Vận động xây 2 nhà đại đoàn kết"}, on=SENT)
    return submit_report(actor=user, report=report, sent_on=SENT)


def test_the_2021_route_runs_hamlet_commune_district(front):
    people = front.people
    first = _hamlet_report(front, great_unity_houses="2", cultural_house="yes", roads_concreted_pct="80")
    second = _hamlet_report(front, hamlet=front.hamlets[1], great_unity_houses="3", cultural_house="no",
                            roads_concreted_pct="90")
    assert first.state == ReportState.SUBMITTED and reviewing_unit(first) == front.commune
    assert Notification.objects.filter(recipient=people.commune_front, kind="evaluation").exists()
    accept_report(actor=people.commune_front, report=first, on=SENT)
    accept_report(actor=people.commune_front, report=second, on=SENT)
    commune = open_report(actor=people.commune_front, unit=front.commune, year=2021, period="year")
    lines = {line.indicator["code"]: line for line in sheet(commune).lines}
    assert lines["great_unity_houses"].value == 5 and lines["great_unity_houses"].locked
    assert lines["cultural_house"].value == 1
    assert lines["roads_concreted_pct"].value == 85
    assert lines["households"].value == 8  # the engine, over the commune's hamlets
    submit_report(actor=people.commune_front, report=commune, sent_on=SENT)
    assert set(Report.objects.filter(level="hamlet").values_list("state", flat=True)) == {ReportState.ROLLED_UP}
    assert reviewing_unit(commune) == front.district
    accept_report(actor=people.district_front, report=commune, on=SENT)
    district = open_report(actor=people.district_front, unit=front.district, year=2021, period="year")
    district = submit_report(actor=people.district_front, report=district, sent_on=SENT)
    assert district.state == ReportState.ACCEPTED  # the top of the 2021 route closes its roll-up
    assert IndicatorValue.objects.get(report=district, code="great_unity_houses").number == 5
    assert Report.objects.get(pk=commune.pk).state == ReportState.ROLLED_UP


def test_from_july_2025_the_commune_reports_to_the_province(front):
    people = front.people
    hamlet = open_report(actor=people.new_hamlet_front, unit=front.new_hamlet, year=2025, period="year")
    assert hamlet.scheme.code == "mttq-dong-nai-2025-minh-hoa"
    with pytest.raises(RuleViolation, match="did not exist yet"):
        open_report(actor=people.new_commune_front, unit=front.new_commune, year=2025, period="half")
    commune = open_report(actor=people.new_commune_front, unit=front.new_commune, year=2025, period="year")
    assert reviewing_unit(commune) == front.province
    with pytest.raises(RuleViolation, match="does not report"):
        open_report(actor=people.district_front, unit=front.district, year=2025, period="year")


def test_a_return_needs_a_reason_and_the_report_is_corrected_and_sent_again(front):
    people = front.people
    report = _hamlet_report(front, great_unity_houses="2")
    with pytest.raises(RuleViolation, match="Say why"):
        return_report(actor=people.commune_front, report=report, reason=" ", on=SENT)
    report = return_report(actor=people.commune_front, report=report, reason="Thiếu số liệu môi trường", on=SENT)
    assert report.state == ReportState.RETURNED and report.return_reason == "Thiếu số liệu môi trường"
    save_report(actor=people.hamlet_front, report=report, values={"trees_planted": "120"}, on=SENT)
    assert submit_report(actor=people.hamlet_front, report=report, sent_on=SENT).state == ReportState.SUBMITTED


def test_wrong_state_wrong_role_and_other_unit_are_refused_and_change_nothing(front):
    people = front.people
    report = open_report(actor=people.hamlet_front, unit=front.hamlet, year=2021, period="year")
    # the hamlet head holds no report_evaluation; another hamlet's committee none here
    for user in (people.hamlet_head, people.other_hamlet_front, people.commune_front):
        with pytest.raises(PermissionDenied):
            save_report(actor=user, report=report, values={"trees_planted": "1"}, on=SENT)
        with pytest.raises(PermissionDenied):
            submit_report(actor=user, report=report, sent_on=SENT)
    with pytest.raises(RuleViolation, match="cannot be accepted"):
        accept_report(actor=people.commune_front, report=report, on=SENT)
    with pytest.raises(RuleViolation, match="cannot be returned"):
        return_report(actor=people.commune_front, report=report, reason="x", on=SENT)
    submit_report(actor=people.hamlet_front, report=report, sent_on=SENT)
    for user in (people.hamlet_front, people.other_commune_front, people.district_front):
        with pytest.raises(PermissionDenied):
            accept_report(actor=user, report=report)
    with pytest.raises(RuleViolation, match="cannot be changed"):
        save_report(actor=people.hamlet_front, report=report, values={"trees_planted": "1"}, on=SENT)
    assert Report.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    assert not IndicatorValue.objects.filter(report=report, code="trees_planted").exists()


def test_bad_values_are_all_named_and_nothing_is_stored(front):
    user = front.people.hamlet_front
    report = open_report(actor=user, unit=front.hamlet, year=2021, period="year")
    with pytest.raises(RuleViolation) as refused:
        save_report(actor=user, report=report, values={"trees_planted": "many", "roads_lit_pct": "140",
                                                       "huong_uoc": "maybe"}, on=SENT)
    text = " ".join(refused.value.messages)
    assert "many" in text and "140" in text and "maybe" in text
    with pytest.raises(RuleViolation, match="cannot be typed"):
        save_report(actor=user, report=report, values={"households": "99"}, on=SENT)
    assert not IndicatorValue.objects.filter(report=report).exists()


def test_a_stale_form_is_refused(front):
    user = front.people.hamlet_front
    report = open_report(actor=user, unit=front.hamlet, year=2021, period="year")
    stale = report.revision
    save_report(actor=user, report=report, values={"trees_planted": "5"}, expected_revision=stale, on=SENT)
    with pytest.raises(RuleViolation, match="Someone changed"):
        save_report(actor=user, report=report, values={"trees_planted": "6"}, expected_revision=stale, on=SENT)


def test_the_ledger_feeds_the_sponsored_indicator_and_what_was_sent_stays(front):
    user = front.people.hamlet_front
    poor = list(Household.objects.filter(hamlet=front.hamlet)[:3])
    list_households(actor=user, hamlet=front.hamlet, year=2021, households=poor[:2], category="poor")
    list_households(actor=user, hamlet=front.hamlet, year=2021, households=poor[2:], category="near_poor")
    entry = poor[0].poverty_entries.get()
    add_sponsor(actor=user, entry=entry, kind="organisation", name="Hội Nông dân xã", since=datetime.date(2021, 3, 1))
    report = open_report(actor=user, unit=front.hamlet, year=2021, period="year")
    lines = {line.indicator["code"]: line for line in sheet(report).lines}
    assert (lines["poor_households"].value, lines["poor_and_near_poor"].value, lines["poor_sponsored"].value) == (2, 3, 1)
    assert lines["poor_sponsored_rate"].value == Decimal("33.33")
    submit_report(actor=user, report=report, sent_on=SENT)
    add_sponsor(actor=user, entry=poor[1].poverty_entries.get(), kind="person", name="Ông Tư",
                since=datetime.date(2021, 4, 1))
    lines = {line.indicator["code"]: line for line in sheet(Report.objects.get(pk=report.pk)).lines}
    assert lines["poor_sponsored"].value == 1  # frozen when sent


def test_a_report_is_reminded_before_its_due_day_and_escalated_once_late(front):
    people = front.people
    report = open_report(actor=people.hamlet_front, unit=front.hamlet, year=2021, period="year")
    assert report.due_on == datetime.date(2022, 1, 5)  # the scheme: 5 days after the period for a hamlet
    assert not check_deadlines(today=datetime.date(2021, 12, 30))
    assert check_deadlines(today=datetime.date(2022, 1, 3))
    assert not check_deadlines(today=datetime.date(2022, 1, 3))  # once
    reminded = Notification.objects.get(kind="evaluation_deadline")
    assert reminded.recipient == people.hamlet_front and "05/01/2022" in reminded.text
    assert reminded.case_id == report.case_id  # the report's own record, as a dossier's messages are
    check_deadlines(today=datetime.date(2022, 1, 7))
    escalated = Notification.objects.filter(kind="evaluation_deadline").exclude(pk=reminded.pk).get()
    assert escalated.recipient == people.commune_front and "Overdue" in escalated.text
    submit_report(actor=people.hamlet_front, report=report, sent_on=SENT)
    assert not check_deadlines(today=datetime.date(2022, 1, 20))


def test_inspections_grade_from_the_bands_and_a_reinspection_passes_at_the_schemes_share(front):
    people = front.people
    report = open_report(actor=people.hamlet_front, unit=front.hamlet, year=2021, period="year")
    points = {f"c{n}": 16 for n in range(1, 6)}  # 80 of 100
    with pytest.raises(RuleViolation, match="has not been sent"):
        record_inspection(actor=people.district_front, report=report, inspected_on=SENT, team="Đoàn", points=points)
    submit_report(actor=people.hamlet_front, report=report, sent_on=SENT)
    for user in (people.hamlet_front, people.commune_front, people.far_hamlet_front):
        with pytest.raises(PermissionDenied):
            record_inspection(actor=user, report=report, inspected_on=SENT, team="Đoàn", points=points)
    with pytest.raises(RuleViolation) as wrong:
        record_inspection(actor=people.district_front, report=report, inspected_on=SENT, team="Đoàn",
                          points={**points, "c2": 25, "c3": "x"})
    assert len(wrong.value.messages) == 2
    passed = record_inspection(actor=people.district_front, report=report, inspected_on=SENT, team="Đoàn",
                               points=points, reinspection=True)
    assert (passed.total, passed.grade_label, passed.passed) == (80, "Mạnh", True)
    failed = record_inspection(actor=people.district_front, report=report, inspected_on=SENT, team="Đoàn",
                               points={**points, "c1": 15}, reinspection=True)
    assert (failed.grade_label, failed.passed) == ("Mạnh", False)  # 79 of 100: under the 80 % pass share
    commune = open_report(actor=people.commune_front, unit=front.commune, year=2021, period="year")
    submit_report(actor=people.commune_front, report=commune, sent_on=SENT)
    with pytest.raises(RuleViolation, match="Re-inspection"):
        record_inspection(actor=people.district_front, report=commune, inspected_on=SENT, team="Đoàn", points=points,
                          reinspection=True)
    graded = record_inspection(actor=people.district_front, report=commune, inspected_on=SENT, team="Đoàn",
                               points={f"c{n}": 17 for n in range(1, 6)})
    assert graded.grade_label == "Vững mạnh"


def test_the_18_november_proposals_of_the_hamlet_are_counted_by_the_engine(front):
    dossier_at("khen-thuong-18-11-ca-nhan", "open", unit=front.new_hamlet, subjects=3, year=2025)
    report = open_report(actor=front.people.new_hamlet_front, unit=front.new_hamlet, year=2025, period="year")
    line = next(line for line in sheet(report).lines if line.indicator["code"] == "commendations_1811")
    assert (line.value, line.locked) == (3, True)
