"""What every browser test shares: Debian's Chromium launched once per test, and the ORM allowed beside
Playwright's event loop. Marks, the test password and the login helper are in tests/browser/support.py."""

import pytest

from .support import CHROMIUM


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls
    # made by the test itself would otherwise be refused as "async unsafe".
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - a dev-only package, imported when used

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    # A 360px-wide phone, in English so the assertions read the msgids.
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US",
                                  extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
