"""The hamlet Front committee fills its evaluation report on a 360 px phone: the register's figures are
shown locked with their source, the committee types its own, saves, signs and sends."""

import datetime

import pytest

from evaluations.models import IndicatorValue, ReportState
from evaluations.services import open_report

from ..factories import HouseholdFactory
from .support import MARKS, log_in

pytestmark = MARKS

TODAY = datetime.date.today()


@pytest.fixture
def report(district, hamlet_front_head):
    HouseholdFactory.create_batch(6, hamlet=district.hamlet)
    return open_report(actor=hamlet_front_head, unit=district.hamlet, year=TODAY.year, period="month",
                       number=TODAY.month)


def test_the_hamlet_committee_fills_signs_and_sends_its_report_on_a_phone(live_server, phone, hamlet_front_head,
                                                                           report):
    page = phone
    log_in(page, live_server, hamlet_front_head)
    page.goto(f"{live_server.url}/evaluations/reports/{report.pk}/")
    households = page.locator("[data-testid=line-households]")
    assert "6" in households.inner_text() and "active households in the register" in households.inner_text()
    assert households.locator("input").count() == 0  # locked: the engine's figure
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#v_great_unity_houses", "2")
    page.check("#v_huong_uoc")
    page.fill("#v_roads_lit_pct", "140")
    page.fill("#n_1", "Vận động xây 2 nhà Đại đoàn kết")
    page.click("button:has-text('Save')")
    assert "at most 100" in page.inner_text(".messages")
    assert not IndicatorValue.objects.filter(report=report).exists()  # nothing stored from the wrong form
    page.fill("#v_great_unity_houses", "2")
    page.check("#v_huong_uoc")
    page.fill("#v_roads_lit_pct", "75")
    page.click("button:has-text('Save')")
    assert "Saved." in page.inner_text(".messages")
    page.click("button:has-text('Sign and send')")
    assert page.inner_text("[data-testid=state]") == "Sent"
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert IndicatorValue.objects.get(report=report, code="households").number == 6
    assert IndicatorValue.objects.get(report=report, code="great_unity_houses").number == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
