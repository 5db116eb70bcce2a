"""Constants, marks and the login step of the browser tests (fixtures: tests/browser/conftest.py)."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pw-Thidua-2026"

MARKS = [
    pytest.mark.browser,
    # serialized_rollback: the flush after a live-server test must not take the
    # rule sets and holidays loaded by data migrations away from later tests.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
