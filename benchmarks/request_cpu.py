"""CPU per request of the load test's mix (issue 17), in-process, beside a bare view's floor.

    python -m benchmarks.request_cpu [--repeat 40] [--profile KIND] [--top 40]

Run with the environment of benchmarks/README.md "How to reproduce" (production settings: DEBUG=0, a
shared cache, PostgreSQL). Each request goes through Django's WSGI handler with the headers a locust
user sends (session cookie or API token, Accept-Encoding: gzip), so the middleware, the view, the
templates or serializers, GZip and the connection handling are all in it; gunicorn's own HTTP parsing
is not. What is printed, per request kind, is CPU, not wall time (the machine is shared, so wall
clock means little): the Django process's `time.process_time()` (median of --repeat), the PostgreSQL
backend's CPU (utime + stime read from /proc, mean over the runs: the kernel counts in 10 ms ticks),
the queries and the gzipped bytes. Beside each, the floor of the same run: a bare view returning the
same bytes through the same middleware with the same credentials (`echo`).

The kinds are the locustfile's (benchmarks/load/locustfile.py), on data like benchmarks/load/seed.py's:
a hamlet head's inbox, its 30-household dossier page (registered, tallied once), the API dossier,
the API nominations list, the review meeting re-recorded through the API (30 households); plus the
bench's decided 300-household dossier with its complete history, as the commune chair
(`manage.py bench --only dossier_page`'s page).

--profile KIND prints cProfile's top functions for that kind (CPU clock) over the same repeats instead;
--sql KIND the statements of one request. --against DIR runs rounds alternately in another checkout (the code
before a change, this file copied into its benchmarks/) and in this one and prints both side by side.
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from directory.models import Household, Level, Role, Unit, UnitKind  # noqa: E402
from directory.services import grant_membership  # noqa: E402
from titles.models import TitleType  # noqa: E402
from workflows import services  # noqa: E402
from workflows.models import Dossier, VotingMethod  # noqa: E402

from . import seeding  # noqa: E402
from .harness import QueryCounter, machine  # noqa: E402
from .measurements import _decided_lab_dossier  # noqa: E402
from .scales import SCALES  # noqa: E402

PREFIX = "RCPU"
HOUSEHOLDS = 30
SINCE = datetime.date(2019, 7, 1)
TICK = os.sysconf("SC_CLK_TCK")
_echo = {}


def echo(request, kind):
    """The floor: the same bytes and content type, through the same middleware, no work."""
    body, content_type = _echo[kind]
    return HttpResponse(body, content_type=content_type)


urlpatterns = [path("__cpu/echo/<str:kind>/", echo), path("", include("config.urls"))]


def _unit(level, kind, code, name, parent):
    unit = Unit.objects.filter(code=code).first()
    return unit or Unit.objects.create(level=level, kind=kind, code=code, name=name, parent=parent, valid_from=SINCE)


def load_like_dossier():
    """One hamlet head as benchmarks/load/seed.py makes 50 of them, its dossier recreated fresh
    (registered and tallied once) at every run, so every run measures the same history."""
    title = TitleType.objects.get(code="gia-dinh-van-hoa")
    province = _unit(Level.PROVINCE, UnitKind.TINH, f"{PREFIX}-P", "Tỉnh đo CPU", None)
    district = _unit(Level.DISTRICT, UnitKind.HUYEN, f"{PREFIX}-D", "Huyện đo CPU", province)
    commune = _unit(Level.COMMUNE, UnitKind.XA, f"{PREFIX}-C", "Xã đo CPU", district)
    hamlet = _unit(Level.HAMLET, UnitKind.AP, f"{PREFIX}-H", "Ấp đo CPU", commune)
    if not hamlet.households.exists():
        Household.objects.bulk_create([
            Household(hamlet=hamlet, code=f"{PREFIX}-{n:04d}", head_name=f"Nguyễn Văn {n}", members=4)
            for n in range(HOUSEHOLDS)])
    User = get_user_model()
    head = User.objects.filter(username=f"{PREFIX.lower()}_head").first()
    if head is None:
        head = User.objects.create_user(username=f"{PREFIX.lower()}_head", password=None)
        grant_membership(user=head, unit=hamlet, role=Role.HAMLET_HEAD, since=SINCE)
    seeding.purge_dossiers(Dossier.objects.filter(unit=hamlet))
    dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=2021)
    services.register_households(actor=head, dossier=dossier, household_ids=list(
        hamlet.households.values_list("pk", flat=True)), registered_on=datetime.date(2021, 3, 1))
    services.record_meeting(actor=head, dossier=dossier, held_on=datetime.date(2021, 11, 2), invited=40,
                            present=30, method=VotingMethod.SECRET_BALLOT,
                            votes={n.pk: (25, 5) for n in dossier.nominations.all()})
    return head, dossier


def session_of(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def meeting_body(nominations, rng):
    """The locustfile's POST body: random tallies, a reason for every household."""
    present = rng.randint(24, 40)
    votes = []
    for pk in nominations:
        votes_for = rng.randint(0, present)
        votes.append({"nomination": pk, "votes_for": votes_for,
                      "votes_against": rng.randint(0, present - votes_for)})
    return json.dumps({"held_on": "2021-11-02", "invited": 40, "present": present, "method": "secret_ballot",
                       "votes": votes, "change_reasons": [{"nomination": pk, "reason": "Kiểm phiếu lại"}
                                                          for pk in nominations]}).encode()


def environ(method, url, *, cookie=None, token=None, body=b""):
    path_info, _, query = url.partition("?")
    env = {
        "REQUEST_METHOD": method, "PATH_INFO": path_info, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
        # What python-requests (locust's client) sends.
        "HTTP_ACCEPT_ENCODING": "gzip, deflate", "HTTP_ACCEPT": "*/*", "HTTP_USER_AGENT": "python-requests/2.32",
    }
    if cookie:
        env["HTTP_COOKIE"] = f"sessionid={cookie}"
    if token:
        env["HTTP_AUTHORIZATION"] = f"Token {token}"
    if body:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    return env


class Backend:
    """The PostgreSQL backend's CPU (from /proc) of the connection a request used, read just before
    Django closes it at the end of the request (CONN_MAX_AGE=0) or as it stands (persistent)."""

    def __init__(self):
        self.ticks = 0
        self._start = {}

    @staticmethod
    def _read(pid):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            return None

    def pid(self):
        if connection.vendor != "postgresql" or connection.connection is None:
            return None
        return connection.connection.info.backend_pid

    def before(self):
        pid = self.pid()
        self._start = {pid: self._read(pid)} if pid else {}

    def finished(self, **kwargs):
        pid = self.pid()
        if pid:
            now = self._read(pid)
            if now is not None:
                self.ticks += now - (self._start.get(pid) or 0)
        close_old_connections()


def call(app, env):
    status = {}

    def start_response(line, headers, exc_info=None):
        status["line"] = line
        status["headers"] = dict(headers)

    result = app(env, start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return status["line"], status["headers"], body


def requests_of(head, dossier, chair, big):
    cookie, chair_cookie = session_of(head), session_of(chair)
    token = Token.objects.get_or_create(user=head)[0].key
    nominations = list(dossier.nominations.values_list("pk", flat=True))
    rng = random.Random(17)
    return {
        "inbox": lambda: environ("GET", "/", cookie=cookie),
        "dossier_page": lambda: environ("GET", f"/dossiers/{dossier.pk}/", cookie=cookie),
        "dossier_page_300": lambda: environ("GET", f"/dossiers/{big.pk}/", cookie=chair_cookie),
        "api_dossier": lambda: environ("GET", f"/api/dossiers/{dossier.pk}/", token=token),
        "api_nominations": lambda: environ("GET", f"/api/nominations/?dossier={dossier.pk}", token=token),
        "api_meeting": lambda: environ("POST", f"/api/dossiers/{dossier.pk}/meeting/", token=token,
                                       body=meeting_body(nominations, rng)),
    }


def echo_of(kind, make, app):
    """The floor's request: the kind's answer captured once, served by the bare view with the
    same credentials (a GET, so CSRF and the parsers do not enter)."""
    line, headers, body = call(app, make())
    if not line.startswith(("200", "201")):
        raise RuntimeError(f"{kind}: {line} {body[:300]!r}")
    if headers.get("Content-Encoding") == "gzip":
        import gzip
        body = gzip.decompress(body)
    _echo[kind] = (body, headers.get("Content-Type", "text/html"))
    env = make()
    cookie, auth = env.get("HTTP_COOKIE"), env.get("HTTP_AUTHORIZATION")

    def floor():
        e = environ("GET", f"/__cpu/echo/{kind}/")
        if cookie:
            e["HTTP_COOKIE"] = cookie
        if auth:
            e["HTTP_AUTHORIZATION"] = auth
        return e
    return floor


def measure(app, makers, repeat, backend):
    """Kinds interleaved run by run (drift hits all of them); the meeting POSTs last in each round so
    the GETs of a round read the same history."""
    runs = {kind: {"cpu": [], "queries": 0, "ticks": 0, "bytes": 0} for kind in makers}
    for _ in range(repeat):
        for kind, make in makers.items():
            env = make()
            counter = QueryCounter()
            backend.ticks = 0
            with connection.execute_wrapper(counter):
                backend.before()
                start = time.process_time()
                line, headers, body = call(app, env)
                cpu = time.process_time() - start
            if not line.startswith(("200", "201")):
                raise RuntimeError(f"{kind}: {line} {body[:300]!r}")
            run = runs[kind]
            run["cpu"].append(cpu)
            run["queries"] = counter.count
            run["ticks"] += backend.ticks
            run["bytes"] = len(body)
    return runs


def _area(filename):
    marker = "site-packages/"
    if marker in filename:
        parts = filename.split(marker, 1)[1].split("/")
        return "/".join(parts[:3 if parts[0] == "django" else 1])
    if filename.startswith(settings.BASE_DIR.as_posix()):
        return "project: " + "/".join(filename[len(settings.BASE_DIR.as_posix()) + 1:].split("/")[:2])
    return "stdlib/builtins" if not filename.startswith("/") or "/lib/python3" in filename else filename


def profile(app, makers, kind, repeat, top):
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on the database
    for _ in range(3):
        call(app, makers[kind]())
    for _ in range(repeat):
        env = makers[kind]()
        profiler.enable()
        call(app, env)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    # Own time by package, per request: where the CPU goes, before the function lists.
    by_area = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        area = _area(filename)
        by_area[area] = by_area.get(area, 0) + tottime
    for area, seconds in sorted(by_area.items(), key=lambda item: -item[1])[:25]:
        print(f"{seconds / repeat * 1000:8.2f} ms  {area}")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--profile", default="", help="print cProfile's top functions for this kind instead")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sql", default="", help="print the SQL statements of one request of this kind instead")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.add_argument("--against", default="", help="another checkout (the code before): alternate rounds "
                        "between it and this one and print both side by side")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each side with --against")
    parser.add_argument("--against-database", default="", help="DATABASE_URL for the --against side (its schema)")
    args = parser.parse_args(argv)
    if args.against:
        return compare(args.against, args.rounds, args.repeat, args.against_database)

    scale = SCALES["small"]
    seeding.seed_tree(scale, lambda *a: None)
    ctx = {"lab": seeding.lab_units(scale)}
    big, chair = _decided_lab_dossier(scale, ctx, lambda *a: None, "DOS", 300)
    head, dossier = load_like_dossier()
    connection.close()

    backend = Backend()
    # Read the backend's CPU just before Django's own end-of-request close.
    request_finished.disconnect(close_old_connections)
    request_finished.connect(backend.finished)
    with override_settings(ROOT_URLCONF=__name__):
        app = WSGIHandler()
        makers = requests_of(head, dossier, chair, big)
        floors = {kind: echo_of(kind, make, app) for kind, make in makers.items()}
        for _ in range(3):  # warm: templates compiled, translations loaded, first connection
            for kind in makers:
                call(app, makers[kind]()), call(app, floors[kind]())
        if args.sql:
            from django.test.utils import CaptureQueriesContext
            with CaptureQueriesContext(connection) as queries:
                call(app, makers[args.sql]())
            for i, query in enumerate(queries.captured_queries, 1):
                print(f"{i:>3}. {query['sql'][:600]}")
            return None
        if args.profile:
            return profile(app, makers, args.profile, args.repeat, args.top)
        runs = measure(app, makers, args.repeat, backend)
        floor_runs = measure(app, floors, args.repeat, backend)

    results = {}
    for kind in makers:
        run, base = runs[kind], floor_runs[kind]
        results[kind] = {
            "cpu_ms": statistics.median(run["cpu"]) * 1000, "pg_ms": run["ticks"] / TICK / args.repeat * 1000,
            "queries": run["queries"], "bytes": run["bytes"],
            "floor_cpu_ms": statistics.median(base["cpu"]) * 1000,
            "floor_pg_ms": base["ticks"] / TICK / args.repeat * 1000,
        }
    info = machine()
    info["conn_max_age"] = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    if args.json:
        print(json.dumps({"machine": info, "repeat": args.repeat, "results": results}, default=str))
        return results
    print(f"request CPU, {args.repeat} runs each, {info['database_version']}, DEBUG={settings.DEBUG}, "
          f"CONN_MAX_AGE={info['conn_max_age']}, load average at end {info['load_average_at_end']}")
    print_table(results)
    return results


# The locustfile's task weights (benchmarks/load/locustfile.py): inbox 4, dossier page 4, the API task 2
# (it sends both reads), the meeting 1.
WEIGHTS = {"inbox": 4, "dossier_page": 4, "api_dossier": 2, "api_nominations": 2, "api_meeting": 1}


def mix_mean(results, key=lambda r: r["cpu_ms"] + r["pg_ms"]):
    return sum(w * key(results[k]) for k, w in WEIGHTS.items()) / sum(WEIGHTS.values())


def print_table(results):
    head_line = (f"{'request':<18} {'Django CPU':>11} {'PG CPU':>8} {'total':>8} {'queries':>8} {'gz bytes':>9}   "
                 f"{'floor Django':>12} {'floor PG':>9} {'ratio':>6}")
    print(head_line)
    print("-" * len(head_line))
    for kind, r in results.items():
        total, floor = r["cpu_ms"] + r["pg_ms"], r["floor_cpu_ms"] + r["floor_pg_ms"]
        print(f"{kind:<18} {r['cpu_ms']:>8.1f} ms {r['pg_ms']:>5.1f} ms {total:>5.1f} ms {r['queries']:>8} "
              f"{r['bytes']:>9}   {r['floor_cpu_ms']:>9.1f} ms {r['floor_pg_ms']:>6.1f} ms {total / floor:>6.1f}")
    mean = mix_mean(results)
    print(f"\nthe locust mix (weights 4:4:2:2:1): mean {mean:.1f} ms of server CPU per request "
          f"(floor {mix_mean(results, lambda r: r['floor_cpu_ms'] + r['floor_pg_ms']):.1f} ms); "
          f"2 cores at that cost: at most {2000 / mean:.0f} req/s before locust's and gunicorn's own CPU")


def compare(against, rounds, repeat, against_database=""):
    """Rounds alternating between `against` (another checkout, e.g. the commit before a change, with this
    script copied into its benchmarks/) and this one: on a shared machine the load moves from minute to
    minute, and alternating lets it weigh on both sides alike. Both sides seed the same rows; on the same
    database unless `against_database` (a DATABASE_URL migrated by that checkout, for a schema change
    between the two)."""
    import subprocess

    here = settings.BASE_DIR
    sides = {"before": [], "after": []}
    for i in range(rounds):
        for side, cwd in (("before", against), ("after", here)):
            env = dict(os.environ)
            if side == "before" and against_database:
                env["DATABASE_URL"] = against_database
            out = subprocess.run([sys.executable, "-m", "benchmarks.request_cpu", "--json", "--repeat", str(repeat)],
                                 cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout
            payload = json.loads(out.strip().splitlines()[-1])
            sides[side].append(payload)
            print(f"round {i + 1}/{rounds} {side}: mix {mix_mean(payload['results']):.1f} ms, load average "
                  f"{payload['machine']['load_average_at_end']}", flush=True)
    merged = {}
    for side, payloads in sides.items():
        merged[side] = {kind: {key: statistics.median(p["results"][kind][key] for p in payloads)
                               for key in payloads[0]["results"][kind]} for kind in payloads[0]["results"]}
    print(f"\nmedian of {rounds} rounds of {repeat} requests each, before = {against}, after = {here}")
    head_line = (f"{'request':<18} {'before CPU':>11} {'after CPU':>10} {'after/before':>13} "
                 f"{'queries':>9} {'gz bytes':>13}   {'floor':>7}")
    print(head_line)
    print("-" * len(head_line))
    for kind in merged["after"]:
        b, a = merged["before"][kind], merged["after"][kind]
        tb, ta = b["cpu_ms"] + b["pg_ms"], a["cpu_ms"] + a["pg_ms"]
        print(f"{kind:<18} {tb:>8.1f} ms {ta:>7.1f} ms {ta / tb:>13.2f} {b['queries']:>4.0f}→{a['queries']:<4.0f} "
              f"{b['bytes']:>6.0f}→{a['bytes']:<6.0f}   {a['floor_cpu_ms'] + a['floor_pg_ms']:>4.1f} ms")
    mb, ma = mix_mean(merged["before"]), mix_mean(merged["after"])
    print(f"\nthe locust mix, mean server CPU per request (Django + PostgreSQL): {mb:.1f} ms before, {ma:.1f} ms "
          f"after ({ma / mb:.2f}); 2 cores at that cost: {2000 / mb:.0f} → {2000 / ma:.0f} req/s at most, before "
          "locust's and gunicorn's own CPU")


if __name__ == "__main__":
    main()
