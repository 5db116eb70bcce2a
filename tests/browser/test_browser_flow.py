"""The core flow in a real browser: Playwright driving Debian's Chromium.

A hamlet head records the review meeting on the tally sheet (on a phone-sized
screen), then the commune chair signs the decision. The steps in between go
through the services, as in the other tests.
"""

import re

from titles.models import Award
from workflows import services
from workflows.models import DossierState

from ..workflows.scenario import d, open_with_households, send
from .support import MARKS, log_in

pytestmark = MARKS


def log_out(page):
    page.click("form.logout button")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))


def test_hamlet_head_records_the_meeting_and_commune_chair_signs_the_decision(
    live_server, phone, district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    homes = households(6)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=homes)
    nominations = list(dossier.nominations.order_by("household__code"))
    page = phone

    log_in(page, live_server, hamlet_head)
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/meeting/")
    page.fill("input[name=held_on]", "02/11/2021")
    page.fill("input[name=chaired_by]", "Nguyễn Văn Trưởng")
    page.fill("input[name=invited]", "40")
    page.fill("input[name=present]", "30")
    page.check("input[name=method][value=secret_ballot]")
    page.click("[data-fill-all]")
    assert page.input_value(f"input[name=for_{nominations[0].pk}]") == "30"
    assert page.input_value(f"input[name=against_{nominations[0].pk}]") == "0"
    # One household does not pass: typed over the filled values.
    page.fill(f"input[name=for_{nominations[-1].pk}]", "12")
    page.fill(f"input[name=against_{nominations[-1].pk}]", "15")
    # Nothing on the tally sheet may scroll sideways on a 360px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("button:has-text('Record the meeting')")
    # 02/11/2021 is years ago: the sheet comes back, as typed, with the warning and a box to confirm the date.
    page.wait_for_selector("input[name=dates_confirmed]")
    assert "days ago" in page.inner_text("[data-testid=rule-error]")
    assert page.input_value(f"input[name=for_{nominations[-1].pk}]") == "12"
    page.check("input[name=dates_confirmed]")
    page.click("button:has-text('Record the meeting')")
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier.pk}/$"))
    assert "5 of 6 households proposed" in page.inner_text(".messages")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED
    assert dossier.meetings.get().method == "secret_ballot"
    log_out(page)

    send(head=hamlet_head, dossier=dossier)
    services.appraise_dossier(actor=commune_officer, dossier=dossier)

    log_in(page, live_server, commune_chair)
    page.click(f"a[href='/dossiers/{dossier.pk}/decide/']")
    page.fill("input[name=number]", "88/QĐ-UBND")
    page.fill("input[name=signed_on]", "10/11/2021")
    page.fill("input[name=signer]", "Trần Văn Chủ Tịch")
    page.click("button:has-text('Sign')")
    page.check("input[name=dates_confirmed]")
    page.click("button:has-text('Sign')")
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier.pk}/$"))
    assert page.inner_text("[data-testid=decision-number]") == "88/QĐ-UBND"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    dossier.refresh_from_db()
    assert dossier.state == DossierState.DECIDED
    assert Award.objects.filter(decision__number="88/QĐ-UBND", year=2021).count() == 5
    assert d(2021, 11, 10) == dossier.decision.signed_on
