"""Appraisal on a 375 px phone in a real browser (issue 18, item 9): a strike reason
typed without ticking the box is not lost, and the confirmation summary comes before
anything is recorded."""

import re

import pytest

from workflows.models import DossierState, NominationState

from ..workflows.scenario import meet, open_with_households, send
from .support import MARKS, log_in

WIDTH = 375

pytestmark = MARKS


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="en-US",
                                  extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_a_typed_strike_reason_survives_to_the_confirmation_summary_and_is_recorded_only_when_confirmed(
    live_server, phone, district, hamlet_head, commune_officer, family_title, households, tmp_path
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(4))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    first, second, *_ = dossier.nominations.select_related("household").order_by("household__code")
    page = phone

    log_in(page, live_server, commune_officer)
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/appraise/")
    # A reason typed, the box left unticked.
    page.fill(f"input[name=reason_{second.pk}]", "Chưa đạt tiêu chí môi trường")
    assert not page.is_checked(f"input[name=strike_{second.pk}]")
    page.click("button:has-text('Accept the dossier')")

    summary = page.locator("[data-testid=confirm-summary]")
    summary.wait_for()
    assert "Accepted: 3 households, sent to Gia Kiệm for the decision. Struck: 1." in summary.inner_text()
    struck = page.locator("section.summary-group").first
    assert second.household.head_name in struck.inner_text()
    assert "Chưa đạt tiêu chí môi trường" in struck.inner_text()
    assert first.household.head_name not in struck.inner_text()
    # Nothing sideways on a 375 px screen, and the confirm button is on the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert page.locator("[data-testid=confirm]").is_visible()
    page.screenshot(path=str(tmp_path / "confirm-375.png"), full_page=True)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED

    # Back to the form: the reason is still there, now shown as a strike.
    page.click("button:has-text('Go back and change')")
    page.wait_for_selector(f"input[name=reason_{second.pk}]")
    assert page.input_value(f"input[name=reason_{second.pk}]") == "Chưa đạt tiêu chí môi trường"
    assert page.is_checked(f"input[name=strike_{second.pk}]")

    page.click("button:has-text('Accept the dossier')")
    page.click("[data-testid=confirm]")
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier.pk}/$"))
    assert "3 households go to the decision, 1 struck" in page.inner_text(".messages")
    second.refresh_from_db()
    assert (second.state, second.reason) == (NominationState.STRUCK, "Chưa đạt tiêu chí môi trường")
