"""Issue 18, items 1 and 10 in a real browser on a 375 px phone: "select all" then
two boxes unticked registers exactly the ticked households, and a double tap on
"save the comment" records one comment.

Set BROWSER_SCREENSHOTS=<directory> to keep a screenshot of each page visited.
"""

import os
import re
import threading
from pathlib import Path

import pytest

from workflows import services
from workflows.models import PostingComment

from ..workflows.scenario import d, meet, open_with_households
from .support import MARKS, log_in

pytestmark = MARKS

WIDTH = 375


@pytest.fixture
def small_phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 760}, locale="en-US",
                                  extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def shot(page, name):
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_select_all_then_untick_two_registers_exactly_the_ticked_households(
    live_server, small_phone, district, hamlet_head, family_title, households
):
    homes = sorted(households(6), key=lambda h: h.code)
    dossier = services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=2025)
    page = small_phone
    log_in(page, live_server, hamlet_head)
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/register/")
    page.fill("input[name=registered_on]", "01/03/2025")
    master = page.locator("[data-select-all]")
    master.check()
    boxes = page.locator("input.reg-box")
    assert boxes.count() == 6 and all(boxes.nth(i).is_checked() for i in range(6))
    unticked = homes[1], homes[4]
    for home in unticked:
        page.uncheck(f"input.reg-box[value='{home.pk}']")
    # The master box no longer claims "all".
    assert not master.is_checked() and master.evaluate("box => box.indeterminate")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shot(page, "register-375")
    page.click("button:has-text('Register the selected households')")
    # 01/03/2025 is long past: the page comes back, the same boxes ticked, asking to confirm the date.
    page.wait_for_selector("input[name=dates_confirmed]")
    assert "days ago" in page.inner_text("[data-testid=rule-error]")
    assert dossier.nominations.count() == 0
    assert [home.pk for home in homes if page.is_checked(f"input.reg-box[value='{home.pk}']")] == \
        [home.pk for home in homes if home not in unticked]
    page.check("input[name=dates_confirmed]")
    page.click("button:has-text('Register the selected households')")
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier.pk}/$"))
    assert "4 households registered" in page.inner_text(".messages")

    registered = set(dossier.nominations.values_list("household_id", flat=True))
    assert registered == {h.pk for h in homes} - {h.pk for h in unticked}

    # The registration made by mistake can be withdrawn from the same page.
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/register/")
    page.click(f"[data-withdraw='{homes[0].pk}']")
    page.fill("textarea[name=reason]", "Registered by mistake")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shot(page, "withdraw-375")
    page.click("button:has-text('Withdraw the registration')")
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier.pk}/$"))
    assert dossier.nominations.get(household=homes[0]).state == "withdrawn"


def test_double_tap_on_save_the_comment_records_one_comment(
    live_server, small_phone, district, hamlet_head, family_title, households, monkeypatch
):
    from workflows.views import common

    # A slow connection: the first answer is held back while the second tap is made.
    answered, second, release = threading.Event(), threading.Event(), threading.Event()
    real_done = common.done

    def slow_done(*args, **kwargs):
        response = real_done(*args, **kwargs)
        if answered.is_set():
            second.set()
        else:
            answered.set()
            release.wait(20)
        return response

    monkeypatch.setattr(common, "done", slow_done)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(3))
    meet(head=hamlet_head, dossier=dossier, held_on=d(2025, 11, 2))
    dossier.refresh_from_db()
    services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(2025, 11, 3), place="Nhà văn hóa ấp")
    page = small_phone
    log_in(page, live_server, hamlet_head)
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/comments/new/")
    page.fill("input[name=received_on]", "04/11/2025")
    page.fill("input[name=author]", "Bà Lê Thị Hoa")
    page.fill("textarea[name=text]", "Đồng ý với danh sách.")
    if not page.locator("input[name=dates_confirmed]").count():
        # A date of 2025 is long past: the first send asks to confirm it, recording nothing.
        page.click("button:has-text('Save the comment')")
        page.wait_for_selector("input[name=dates_confirmed]")
    page.check("input[name=dates_confirmed]")
    assert PostingComment.objects.filter(posting__dossier=dossier).count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shot(page, "comment-375")
    # The second tap comes from the page itself, 300 ms after the first, while the
    # first answer is still held back (Playwright's own clicks would wait for it).
    page.evaluate("() => setTimeout(() => document.querySelector('form.card button[type=submit]').click(), 300)")
    page.click("button:has-text('Save the comment')", no_wait_after=True)
    try:
        assert answered.wait(20), "the first tap never reached the server"
        second.wait(3)  # a second request, if the page sent one, is answered by now
        assert not second.is_set(), "the page sent the comment a second time"
    finally:
        release.set()
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier.pk}/$"))
    page.wait_for_load_state("networkidle")
    shot(page, "dossier-375")
    assert PostingComment.objects.filter(posting__dossier=dossier).count() == 1
    # One comment in the list of resident comments.
    assert page.locator("strong", has_text="04/11/2025 · Bà Lê Thị Hoa").count() == 1
