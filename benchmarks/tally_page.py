"""The tally sheet of a 300-household dossier on a throttled phone connection (issue 15).

Seeds a throwaway SQLite database (one hamlet, its head, N households registered), serves the site
as production does (gunicorn, DEBUG=0, collectstatic's hashed names served compressed by WhiteNoise;
`--server live`: Django's live-server thread with DEBUG on, as the first figures were taken), and
opens the meeting page in Debian's Chromium at 360 px through Playwright with DevTools' network
throttling (CDP Network.emulateNetworkConditions, set on the page and on its service worker).
Prints, per profile, without the service worker (the network path) and with it (a phone that has
the app installed: the shell cached at login, and from the second visit the page's copy):

- the HTML document's bytes on the wire (gzip, as the browser asked for it) and decoded;
- the static files the page loads (first visit; a later visit has them cached);
- first byte, DOMContentLoaded, load, and "usable": the later of the tally script's
  performance.mark('tally-usable') (every row in the DOM, the sheet's handlers attached) and the
  first contentful paint, for a first and a later visit.

    python -m benchmarks.tally_page [--households 300] [--repeat 3] [--worker block|allow|both]
    python -m benchmarks.tally_page --html-only [--households 300]   # the document's sizes, no browser

Nothing of the project's own database is touched (the production server's cache is Redis database
10, BENCH_CACHE_URL to change it). The figures are recorded in benchmarks/README.md ("Issue 15").
"""

import argparse
import base64
import datetime
import gzip
import hashlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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
    sys.path.insert(0, str(ROOT))
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
    # Hashed as production hashes (the test settings' MD5 is not among its hashers).
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    head.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    head.save()
    grant_membership(user=head, unit=hamlet, role=Role.HAMLET_HEAD, since=datetime.date(2018, 1, 1))
    homes = HouseholdFactory.create_batch(households, hamlet=hamlet)
    # 2025: the rule set with ten exclusion grounds, the heaviest rows.
    dossier = services.open_round(actor=head, unit=hamlet, title_type=TitleType.objects.get(code="gia-dinh-van-hoa"),
                                  year=2025)
    services.register_households(actor=head, dossier=dossier, household_ids=[h.pk for h in homes],
                                 registered_on=datetime.date(2025, 3, 1))
    return head, dossier


def production_env(tmp):
    """The environment of a production deployment, on plain-HTTP loopback (no TLS redirect,
    cookies not Secure-only: the only differences), the bench's database and cache."""
    return {
        **os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.tally_settings", "DEBUG": "0",
        "DATABASE_URL": os.environ["DATABASE_URL"], "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_KEY_ID": "bench", "AUDIT_KEYS": "bench:" + base64.b64encode(os.urandom(32)).decode(),
        # Production refuses a per-process cache (the login limits count in it).
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10"),
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0", "MEDIA_ROOT": f"{tmp}/media", "CELERY_BROKER_URL": "", "LOG_LEVEL": "ERROR",
    }


def collected_static(env):
    """collectstatic into a directory named by the static files' contents, kept in /tmp between
    runs (a changed file collects again)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "static").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    digest.update((ROOT / "config" / "storage.py").read_bytes())
    root = Path(tempfile.gettempdir()) / f"tally-bench-static-{digest.hexdigest()[:12]}"
    if not (root / "staticfiles.json").exists():
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v", "0"],
                       env={**env, "BENCH_STATIC_ROOT": str(root)}, cwd=ROOT, check=True)
    return root


def serve_production(tmp, port, workers):
    """gunicorn, as deployed: returns the process and the site's address."""
    env = production_env(tmp)
    env["BENCH_STATIC_ROOT"] = str(collected_static(env))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "--workers", str(workers), "--access-logfile", "/dev/null", "--error-logfile", f"{tmp}/gunicorn.log"],
        env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
            return server, base
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {tmp}/gunicorn.log")
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer on {base}")


# What a visit reports: the navigation's DOMContentLoaded and load, and "usable": the later of the
# tally script's mark (static/js/tally.js: every row in the DOM, the sheet's handlers attached,
# which also means its stylesheet had arrived: scripts wait for it) and the first contentful
# paint (the rows on the screen). All from the navigation's start.
TIMING = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const mark = performance.getEntriesByName('tally-usable')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return {response: nav.responseStart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
            usable: Math.max(mark ? mark.startTime : nav.domContentLoadedEventEnd, paint ? paint.startTime : 0),
            copy: document.body.dataset.phoneCopy || ''};
}"""


def throttle_workers(browser_cdp, conditions):
    """The page's DevTools throttling does not reach its service worker's own fetches (the
    worker is another target): the same conditions are set on every service worker target."""
    for target in browser_cdp.send("Target.getTargets")["targetInfos"]:
        if target["type"] != "service_worker":
            continue
        session = browser_cdp.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": False})
        for number, (method, params) in enumerate([("Network.enable", {}),
                                                   ("Network.emulateNetworkConditions", conditions)], start=1):
            browser_cdp.send("Target.sendMessageToTarget", {"sessionId": session["sessionId"], "message": json.dumps(
                {"id": number, "method": method, "params": params})})


def measure(url, base, profile, repeat, worker):
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for _ in range(repeat):
            # worker=False: the network path only (the service worker, which would answer from the
            # phone's copy, kept out). worker=True: as a phone that has the app installed.
            context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                          service_workers="allow" if worker else "block")
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "truong_ap")
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base}/")
            if worker:
                # Installed on the home page (app shell cached), and in control of the next pages.
                page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60000)
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            # The first visit starts from an empty HTTP cache: the login page loaded the same CSS/JS.
            # (With the worker, the shell it cached at installation stays: that is what it is for.)
            cdp.send("Network.clearBrowserCache")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
            conditions = {"offline": False, **PROFILES[profile]}
            cdp.send("Network.emulateNetworkConditions", conditions)
            if worker:
                throttle_workers(browser.new_browser_cdp_session(), conditions)
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
                # (A sheet from before the mark, without the phone-copy notice either: its DOMContentLoaded,
                # which comes after its deferred scripts have run.)
                page.wait_for_function("() => performance.getEntriesByName('tally-usable').length > 0 || "
                                       "!document.querySelector('[data-phone-copy-notice]')")
                timing = page.evaluate(TIMING)
                if worker:
                    # The next visit finds the page's copy (kept when the network's answer is in).
                    page.wait_for_function("() => caches.open('thidua-tally-pages')"
                                           ".then(c => c.match(location.pathname)).then(Boolean)", timeout=60000)
                    # A copy shown is checked by the worker's fetch, still under way: let it finish.
                    if timing["copy"] == "refreshing":
                        page.wait_for_function("() => document.querySelector('[data-phone-copy-notice]').hidden || "
                                               "!document.querySelector('[data-copy-reload]').hidden", timeout=60000)
                page.wait_for_timeout(200)  # the last loadingFinished events
                doc = next((v for v in wire.values() if v.get("url") == url), {})
                static = sum(v.get("encoded", 0) for v in wire.values() if v.get("url") != url)
                visit[name] = {"doc_wire": doc.get("encoded", 0), "doc_encoding": doc.get("encoding"),
                               "doc_decoded": len(response.body()), "static_wire": static,
                               "response_ms": round(timing["response"]), "dcl_ms": round(timing["dcl"]),
                               "load_ms": round(timing["load"]),
                               "usable_ms": round(timing["usable"]), "copy": timing["copy"]}
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
    parser.add_argument("--server", choices=["production", "live"], default="production",
                        help="production: gunicorn with DEBUG=0 and WhiteNoise's hashed, compressed files (default); "
                             "live: Django's live-server thread with DEBUG on (the earlier figures)")
    parser.add_argument("--worker", choices=["block", "allow", "both"], default="both",
                        help="measure without the service worker, with it, or both (default)")
    parser.add_argument("--port", type=int, default=8706, help="the production server's port")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        if args.html_only:
            wire, decoded, option_count = html_sizes(*seed(args.households))
            print(f"Tally sheet, {args.households} households: {wire / 1024:.1f} KB on the wire (gzip), "
                  f"{decoded / 1024:.1f} KB decoded, {option_count} <option> elements")
            return
        _head, dossier = seed(args.households)
        if args.server == "production":
            process, base = serve_production(tmp, args.port, args.workers)

            def stop():
                process.terminate()
                process.wait(30)
            served = (f"gunicorn ({args.workers} workers), DEBUG=0, static files collected under hashed names and "
                      "served compressed by WhiteNoise")
        else:
            from django.contrib.staticfiles.handlers import StaticFilesHandler
            from django.test.testcases import LiveServerThread

            server = LiveServerThread("localhost", StaticFilesHandler, port=0)
            server.daemon = True
            server.start()
            server.is_ready.wait()
            if server.error:
                raise server.error
            base, stop = f"http://localhost:{server.port}", server.terminate
            served = "Django's live-server thread, DEBUG on, static files unhashed and uncompressed"
        url = f"{base}/dossiers/{dossier.pk}/meeting/"
        workers = {"block": [False], "allow": [True], "both": [False, True]}[args.worker]
        try:
            print(f"Tally sheet, {args.households} households, 360 px Chromium, {args.repeat} runs (median); {served}:")
            for profile in args.profiles:
                p = PROFILES[profile]
                print(f"  {profile}: latency {p['latency']} ms, down {p['downloadThroughput'] * 8 / 1024:.0f} kbit/s, "
                      f"up {p['uploadThroughput'] * 8 / 1024:.0f} kbit/s")
                for worker in workers:
                    runs = measure(url, base, profile, args.repeat, worker)
                    print("    " + ("with the service worker (the app installed at login)" if worker else
                                    "network only (service worker blocked)") + ":")
                    for name in ("first", "later"):
                        med = {k: statistics.median(r[name][k] for r in runs)
                               for k in ("doc_wire", "doc_decoded", "static_wire", "response_ms", "dcl_ms", "load_ms",
                                         "usable_ms")}
                        copies = sorted({r[name]["copy"] or "network" for r in runs})
                        # The worker's own requests are not the page's: DevTools does not count them.
                        wire = ("through the worker" if worker else
                                f"document {med['doc_wire'] / 1024:.1f} KB on the wire "
                                f"({runs[0][name]['doc_encoding'] or 'identity'}), static "
                                f"{med['static_wire'] / 1024:.1f} KB")
                        print(f"      {name} visit: {wire}, {med['doc_decoded'] / 1024:.1f} KB decoded; "
                              f"first byte {med['response_ms']:.0f} ms, DOMContentLoaded {med['dcl_ms']:.0f} ms, "
                              f"load {med['load_ms']:.0f} ms, "
                              f"usable {med['usable_ms']:.0f} ms (page from: {', '.join(copies)}; "
                              f"usable per run: {', '.join(str(r[name]['usable_ms']) for r in runs)})")
            print(f"  load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
                  f"({os.cpu_count()} CPUs, shared)")
        finally:
            stop()

if __name__ == "__main__":
    main()
