"""The merit round on a 360 px phone: the eligible list with its streaks opens the round, the
registration page lists only the eligible with their years and decisions, the tally's fourth of
21 is refused by the cap with the numbers, and the district council's page: no sideways scroll.

Set BROWSER_SCREENSHOTS=<directory> to keep a screenshot of each page visited.
"""

import os
from pathlib import Path

from directory.models import Level, Role, UnitKind
from titles.models import TitleType
from workflows import services
from workflows.models import Dossier, DossierState

from ..dossiers import d, persona
from ..factories import HouseholdFactory, UnitFactory, UserFactory
from ..titles.register import record
from .support import MARKS, log_in

pytestmark = MARKS

WIDTH = 360


def shot(page, name):
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_the_household_round_on_a_phone(live_server, phone, district, hamlet_head):
    clerk = UserFactory(username="so_theo_doi")
    homes = [HouseholdFactory(hamlet=district.hamlet, code=f"DK-{i:02d}", head_name=f"Nguyễn Văn {i:02d}")
             for i in range(21)]
    record(TitleType.objects.get(code="gia-dinh-van-hoa"), [(h, y) for h in homes for y in (2019, 2020, 2021)],
           actor=clerk)
    page = phone
    log_in(page, live_server, hamlet_head)
    page.goto(f"{live_server.url}/merit/giay-khen-gia-dinh-van-hoa/{district.hamlet.pk}/2021/")
    shot(page, "merit-list")
    assert "at most 3 can be proposed: 15% of 21 eligible" in page.inner_text("main") and fits(page)
    page.click("[data-testid=merit-open] button")
    dossier = Dossier.objects.get(title_type__code="giay-khen-gia-dinh-van-hoa", unit=district.hamlet)
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/register/")
    shot(page, "merit-register")
    text = page.inner_text("main")
    assert "Only the households the register makes eligible" in text and "2019–2021, decisions" in text
    assert fits(page)
    services.register_subjects(actor=hamlet_head, dossier=dossier, subject_ids=[h.pk for h in homes],
                               registered_on=d(2021, 12, 12))
    nominations = list(dossier.nominations.order_by("pk"))
    services.record_meeting(actor=hamlet_head, dossier=dossier, held_on=d(2021, 12, 15), invited=40, present=30,
                            method="show_of_hands",
                            votes={n.pk: ((30 - i, i) if i < 4 else (10, 20)) for i, n in enumerate(nominations)})
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/")
    shot(page, "merit-dossier")
    assert "4 proposed, the cap is 3 of 21 eligible (15%)." in page.inner_text("main") and fits(page)


def test_the_district_council_page_on_a_phone(live_server, phone, district):
    clerk = UserFactory(username="so_theo_doi")
    hamlets = [UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, parent=district.commune, valid_from=d(2004, 1, 1),
                           name=f"Ấp {i}") for i in range(2)]
    record(TitleType.objects.get(code="ap-khu-pho-van-hoa"), [(h, y) for h in hamlets for y in range(2017, 2022)],
           actor=clerk)
    officer = persona(district.commune, Role.COMMUNE_OFFICER)
    dossier = services.open_round(actor=officer, unit=district.commune,
                                  title_type=TitleType.objects.get(code="giay-khen-ap-van-hoa"), year=2021,
                                  opened_on=d(2021, 12, 11))
    services.register_subjects(actor=officer, dossier=dossier, subject_ids=[h.pk for h in hamlets],
                               registered_on=d(2021, 12, 12))
    services.record_meeting(actor=officer, dossier=dossier, held_on=d(2021, 12, 15), invited=40, present=30,
                            method="show_of_hands", votes={n.pk: (30, 0) for n in dossier.nominations.all()})
    services.submit_dossier(actor=officer, dossier=dossier, submitted_on=d(2021, 12, 16))
    office = persona(district.district, Role.DISTRICT_OFFICE)
    services.appraise_dossier(actor=office, dossier=dossier, appraised_on=d(2021, 12, 17))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.COUNCIL
    office.set_password("pw-Thidua-2026")
    office.save()
    page = phone
    log_in(page, live_server, office)
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/council/")
    shot(page, "merit-council")
    assert "meets on the appraised list before the chair signs the decision" in page.inner_text("main")
    assert fits(page)
    page.fill("input[name=held_on]", "18/12/2021")
    page.fill("input[name=members]", "9")
    page.fill("input[name=present]", "7")
    page.fill("textarea[name=conclusion]", "Thống nhất đề nghị tặng Giấy khen")
    page.click("main form button[type=submit]")
    # The council's date is years ago: the page asks to confirm it, then records the meeting.
    page.check("input[name=dates_confirmed]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dossiers/{dossier.pk}/")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPRAISED
