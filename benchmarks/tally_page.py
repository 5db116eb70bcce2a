"""The tally sheet of a 300-household dossier on a throttled phone connection (issue 15).

Seeds a throwaway SQLite database (one hamlet, its head, N households registered),
serves the site with Django's live-server thread, and opens the meeting page in
Debian's Chromium at 360 px through Playwright with the DevTools network throttling
(CDP Network.emulateNetworkConditions). Prints, per profile:

- the HTML document's bytes on the wire (gzip, as the browser asked for it) and decoded;
- the static files the page loads (first visit; a later visit has them cached);
- the time to "usable": the running count written by app.js (the page parsed, the
  script run, every input there), and the load event, for a first and a later visit.

    python -m benchmarks.tally_page [--households 300] [--repeat 3]
    python -m benchmarks.tally_page --html-only [--households 300]   # the document's sizes, no browser

Nothing of the project's own database is touched. The figures are recorded in
benchmarks/README.md ("Issue 15: the tally sheet on a throttled phone").
"""

import argparse
import datetime
import gzip
import os
import statistics
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pw-Thidua-2026"
# Chromium DevTools' presets (the same numbers as its "Slow 3G" and "Fast 3G" menu items:
# latency is the round trip added to each request, throughput in bytes per second).
PROFILES = {
    "slow-3g": {"latency": 2000, "downloadThroughput": 500 * 1024 * 0.8 / 8, "uploadThroughput": 500 * 1024 * 0.8 / 8},
    "fast-3g": {"latency": 562.5, "downloadThroughput": 1.6 * 1024 * 1024 * 0.9 / 8,
                "uploadThroughput": 750 * 1024 * 0.9 / 8},
}


def setup_django(tmp):
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/tally-bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in the main thread
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(households):
    from directory.models import Level, Role, UnitKind
    from directory.services import grant_membership
    from tests.factories import HouseholdFactory, UnitFactory, UserFactory
    from titles.models import TitleType
    from workflows import services

    province = UnitFactory(level=Level.PROVINCE, kind=UnitKind.TINH, name="Đồng Nai", parent=None,
                           valid_from=datetime.date(1976, 1, 1))
    district = UnitFactory(level=Level.DISTRICT, kind=UnitKind.HUYEN, name="Thống Nhất", parent=province,
                           valid_from=datetime.date(2004, 1, 1))
    commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name="Gia Kiệm", parent=district)
    hamlet = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name="Ấp Đông Kinh", parent=commune)
    head = UserFactory(username="truong_ap")
    head.set_password(PASSWORD)
    head.save()
    grant_membership(user=head, unit=hamlet, role=Role.HAMLET_HEAD, since=datetime.date(2018, 1, 1))
    homes = HouseholdFactory.create_batch(households, hamlet=hamlet)
    # 2025: the rule set with ten exclusion grounds, the heaviest rows.
    dossier = services.open_round(actor=head, unit=hamlet, title_type=TitleType.objects.get(code="gia-dinh-van-hoa"),
                                  year=2025)
    services.register_households(actor=head, dossier=dossier, household_ids=[h.pk for h in homes],
                                 registered_on=datetime.date(2025, 3, 1))
    return head, dossier


def measure(url, base, profile, repeat):
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for _ in range(repeat):
            # The network path is measured: the service worker (which would answer from the phone's
            # copy, outside this page's DevTools session) is kept out.
            context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                          service_workers="block")
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "truong_ap")
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base}/")
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            # Both visits start from an empty cache: the login page loaded the same CSS/JS.
            cdp.send("Network.clearBrowserCache")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
            cdp.send("Network.emulateNetworkConditions", {"offline": False, **PROFILES[profile]})
            wire = {}
            cdp.on("Network.responseReceived", lambda e: wire.setdefault(e["requestId"], {}).update(
                url=e["response"]["url"],
                encoding={k.lower(): v for k, v in e["response"]["headers"].items()}.get("content-encoding", ""),
                from_cache=e["response"].get("fromDiskCache", False)))
            cdp.on("Network.loadingFinished", lambda e: wire.setdefault(e["requestId"], {}).update(
                encoded=e["encodedDataLength"]))
            visit = {}
            for name in ("first", "later"):
                wire.clear()
                response = page.goto(url, wait_until="load")
                # The running count written by app.js (absent before issue 15: then the load event).
                page.wait_for_function("!document.querySelector('[data-tally-count]') || "
                                       "document.querySelector('[data-tally-count]').textContent !== ''")
                timing = page.evaluate("""() => {
                    const nav = performance.getEntriesByType('navigation')[0];
                    return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                            usable: performance.now()};
                }""")
                page.wait_for_timeout(200)  # the last loadingFinished events
                doc = next(v for v in wire.values() if v.get("url") == url)
                static = sum(v.get("encoded", 0) for v in wire.values() if v.get("url") != url)
                visit[name] = {"doc_wire": doc.get("encoded", 0), "doc_encoding": doc.get("encoding"),
                               "doc_decoded": len(response.body()), "static_wire": static,
                               "dcl_ms": round(timing["dcl"]), "load_ms": round(timing["load"])}
            results.append(visit)
            context.close()
        browser.close()
    return results


def html_sizes(head, dossier):
    """The tally document as the app sends it to a browser accepting gzip (its GZipMiddleware),
    without a browser: (bytes on the wire, bytes decoded, <option> elements)."""
    from django.test import Client

    client = Client()
    client.force_login(head)
    response = client.get(f"/dossiers/{dossier.pk}/meeting/", HTTP_ACCEPT_ENCODING="gzip")
    body = response.content
    decoded = gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
    return len(body), len(decoded), decoded.count(b"<option")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profiles", nargs="*", default=list(PROFILES))
    parser.add_argument("--html-only", action="store_true", help="print the document's sizes and stop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        if args.html_only:
            wire, decoded, option_count = html_sizes(*seed(args.households))
            print(f"Tally sheet, {args.households} households: {wire / 1024:.1f} KB on the wire (gzip), "
                  f"{decoded / 1024:.1f} KB decoded, {option_count} <option> elements")
            return
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.test.testcases import LiveServerThread

        _head, dossier = seed(args.households)
        server = LiveServerThread("localhost", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        base = f"http://localhost:{server.port}"
        url = f"{base}/dossiers/{dossier.pk}/meeting/"
        try:
            print(f"Tally sheet, {args.households} households, 360 px Chromium, {args.repeat} runs (median):")
            for profile in args.profiles:
                runs = measure(url, base, profile, args.repeat)
                p = PROFILES[profile]
                print(f"  {profile}: latency {p['latency']} ms, down {p['downloadThroughput'] * 8 / 1024:.0f} kbit/s, "
                      f"up {p['uploadThroughput'] * 8 / 1024:.0f} kbit/s")
                for name in ("first", "later"):
                    med = {k: statistics.median(r[name][k] for r in runs)
                           for k in ("doc_wire", "doc_decoded", "static_wire", "dcl_ms", "load_ms")}
                    print(f"    {name} visit: document {med['doc_wire'] / 1024:.1f} KB on the wire "
                          f"({runs[0][name]['doc_encoding'] or 'identity'}), {med['doc_decoded'] / 1024:.1f} KB "
                          f"decoded; static {med['static_wire'] / 1024:.1f} KB; "
                          f"DOMContentLoaded {med['dcl_ms']:.0f} ms, "
                          f"load {med['load_ms']:.0f} ms")
        finally:
            server.terminate()


if __name__ == "__main__":
    main()
