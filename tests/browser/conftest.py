"""What every browser test shares: Debian's Chromium launched once for the package (each test gets
its own browser context: cookies, storage and service workers do not carry over), and the ORM
allowed beside Playwright's event loop. Marks, the test password and the login helper are in
tests/browser/support.py."""

import pytest
from django.db import connections

from .support import CHROMIUM


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright():
    # Playwright's sync API leaves its event loop visible as running in this thread for as long as
    # the browser is open, so Django refuses ORM calls as "async unsafe": the test's own, and the
    # database set-up and flush of every test while the package's browser is open.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_orm_beside_playwright, django_db_setup):
    # Started once: the driver and Chromium cost about 0.6 s, paid per test before.
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - a dev-only package, imported when used

    # While Playwright's loop is visible, Django's `connections` (an asgiref Local) hand out other
    # connection objects than the thread's: give them the migrations' data that serialized_rollback
    # restores before each test, which Django keeps on the connection object it created the test
    # database with.
    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()
        # Those connections are not the thread's and would stay open (on PostgreSQL, past the
        # test database's removal); SQLite's in-memory test database ignores the close.
        connections.close_all()


@pytest.fixture
def phone(browser):
    # A 360px-wide phone, in English so the assertions read the msgids.
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US",
                                  extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
