"""The commune meeting of hamlets on a 360 px phone: one tally row per hamlet, its figures beside it."""

import datetime

import pytest

from directory.models import Level, UnitKind
from titles.models import TitleType
from workflows import services
from workflows.models import DossierState, NominationState

from ..factories import HouseholdFactory, UnitFactory
from .support import MARKS, log_in

pytestmark = MARKS

TODAY = datetime.date.today()
HAMLETS = 24


@pytest.fixture
def commune_round(district, commune_officer):
    title = TitleType.objects.get(code="ap-khu-pho-van-hoa")
    for index in range(HAMLETS - 2):
        hamlet = UnitFactory(level=Level.HAMLET, kind=UnitKind.KHU_PHO if index % 3 else UnitKind.AP,
                             name=f"{'Khu phố' if index % 3 else 'Ấp'} {index + 1}", parent=district.commune)
        HouseholdFactory.create_batch(index % 4 + 1, hamlet=hamlet)
    dossier = services.open_round(actor=commune_officer, unit=district.commune, title_type=title, year=TODAY.year)
    services.register_subjects(
        actor=commune_officer, dossier=dossier, registered_on=TODAY, dates_confirmed=True,
        subject_ids=list(district.commune.children.filter(level=Level.HAMLET).values_list("pk", flat=True)))
    dossier.refresh_from_db()
    return dossier


def test_the_commune_officer_tallies_every_hamlet_on_a_phone_and_one_typo_is_shown_on_its_row(
    live_server, phone, commune_officer, commune_round
):
    dossier = commune_round
    rows = list(dossier.nominations.select_related("hamlet").order_by("hamlet__code"))
    page = phone
    log_in(page, live_server, commune_officer)
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/meeting/")
    assert f"Tally: {HAMLETS} hamlets" in page.inner_text("#tally-h")
    # Each hamlet's households are beside its name, inside the 360 px.
    first = page.locator(f"#r{rows[0].pk}")
    assert "Households:" in first.locator("[data-testid=figures]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.fill("input[name=held_on]", TODAY.strftime("%d/%m/%Y"))
    page.fill("input[name=invited]", "30")
    page.fill("input[name=present]", "25")
    page.check("input[name=method][value=show_of_hands]")
    page.click("[data-fill-all]")
    page.fill(f"input[name=against_{rows[5].pk}]", "4o")
    page.click("button:has-text('Record the meeting')")
    page.wait_for_selector("[data-testid=tally-errors]")
    assert page.locator(".tally-row.wrong").count() == 1
    assert rows[5].hamlet.name in page.locator(f"#r{rows[5].pk} .row-error").inner_text()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.OPEN

    page.fill(f"input[name=against_{rows[5].pk}]", "0")
    page.click("button:has-text('Record the meeting')")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED
    assert dossier.nominations.filter(state=NominationState.PROPOSED).count() == HAMLETS
    assert "Khu phố 2" in page.inner_text("main")
