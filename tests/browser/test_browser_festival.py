"""The hamlet Front committee's 18 November list on a 360 px phone: the list page offers its actions, the
instruments page takes a choice per proposal, and neither scrolls sideways."""

import pytest

from workflows.models import DossierState

from ..dossiers import actor, dossier_at
from .support import MARKS, PASSWORD, log_in

pytestmark = MARKS

WIDTH = 360


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="en-US",
                                  extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_the_front_head_chooses_what_each_proposal_asks_for_on_a_phone(live_server, phone):
    dossier = dossier_at("khen-thuong-18-11-ca-nhan", DossierState.OPEN, subjects=3, year=2025)
    head = actor(dossier, "instruments")
    head.set_password(PASSWORD)
    head.save()
    first = dossier.nominations.order_by("pk").first()
    page = phone
    log_in(page, live_server, head)

    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/")
    assert page.locator("[data-action=instruments]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.locator("[data-action=instruments]").first.click()
    page.select_option(f"select[name=instrument_{first.pk}]", "bang-khen-mttq-tinh")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dossiers/{dossier.pk}/")
    assert "1 proposal now says what it asks for" in page.content()
    first.refresh_from_db()
    assert first.instrument == "bang-khen-mttq-tinh"
