"""Timing, memory, the printed table and results.json.

A measurement is a name, the measured function, its baselines (measured in the
same run, interleaved with it) and a target described in words. Nothing here
asserts a time: a target not met is reported, not failed.
"""

import json
import platform
import resource
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, reset_queries, transaction

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Run the body in a transaction that is always rolled back, so every repeat
    starts from the same rows (the services' own atomic blocks become savepoints)."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def rss_mib():
    # ru_maxrss is the process high-water mark, in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Runs:
    seconds: list = field(default_factory=list)
    queries: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def summary(self):
        s = self.seconds
        return {
            "median_s": round(statistics.median(s), 6), "min_s": round(min(s), 6), "max_s": round(max(s), 6),
            "runs": len(s), "queries": self.queries[-1] if self.queries else None, **self.extra,
        }


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(fn, *, setup=None, rollback=True):
    """One run: optional untimed setup, then fn timed, optionally inside a rolled-back transaction.

    Returns (seconds, queries, fn's return value)."""
    state = setup() if setup else None
    counter = QueryCounter()
    result = None
    if rollback:
        with rolled_back(), connection.execute_wrapper(counter):
            start = time.perf_counter()
            result = fn(state)
            elapsed = time.perf_counter() - start
    else:
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            result = fn(state)
            elapsed = time.perf_counter() - start
    reset_queries()
    return elapsed, counter.count, result


@dataclass
class Variant:
    label: str
    fn: object
    setup: object = None
    rollback: bool = True
    # "slower": ratio is this variant's time over the engine's (the engine should win);
    # "faster": ratio is the engine's time over this variant's (the engine may lose, by at most the target).
    ratio: str = "faster"


@dataclass
class Measurement:
    name: str
    title: str
    engine: Variant
    baselines: list
    target: str
    check: object = None          # fn(result dict) -> bool | None
    size: int = 0
    repeat: int | None = None     # overrides the command's --repeat (long measurements)
    note: str = ""


def run_measurement(m, repeat, log):
    """Engine and baselines alternate run by run, so drift (cache, autovacuum) hits both."""
    repeat = m.repeat or repeat
    # Baselines first and the engine last: the rows the engine leaves (when not rolled
    # back) are the ones later measurements such as verify_audit read.
    variants = [(b.label, b) for b in m.baselines] + [("engine", m.engine)]
    runs = {label: Runs() for label, _ in variants}
    rss_before = rss_mib()
    for i in range(repeat):
        for label, variant in variants:
            seconds, queries, out = timed(variant.fn, setup=variant.setup, rollback=variant.rollback)
            runs[label].seconds.append(seconds)
            runs[label].queries.append(queries)
            if isinstance(out, dict):
                runs[label].extra.update(out)
        log(f"  {m.name}: run {i + 1}/{repeat} " + " ".join(
            f"{label}={runs[label].seconds[-1]:.3f}s" for label, _ in variants))
    engine = runs["engine"].summary()
    result = {
        "name": m.name, "title": m.title, "size": m.size, "target": m.target, "note": m.note,
        "engine": engine, "baselines": [],
        "peak_rss_mib": round(rss_mib(), 1), "rss_delta_mib": round(rss_mib() - rss_before, 1),
    }
    for variant in m.baselines:
        base = runs[variant.label].summary()
        if variant.ratio == "slower":
            base["ratio"] = round(base["median_s"] / engine["median_s"], 2) if engine["median_s"] else None
            base["ratio_means"] = f"{variant.label} time / engine time"
        else:
            base["ratio"] = round(engine["median_s"] / base["median_s"], 2) if base["median_s"] else None
            base["ratio_means"] = f"engine time / {variant.label} time"
        base["label"] = variant.label
        result["baselines"].append(base)
    result["met"] = m.check(result) if m.check else None
    return result


def machine():
    import os

    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": _nproc(), "memory_gib": _mem_gib(), "database": connection.vendor,
            # Other work on the machine inflates every figure; the load says how much there was.
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            # DEBUG on logs every query and renders templates with debug data: not production.
            "debug": settings.DEBUG}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["database_version"] = "PostgreSQL " + cursor.fetchone()[0]
    else:
        import sqlite3

        info["database_version"] = "SQLite " + sqlite3.sqlite_version
    return info


def _nproc():
    import os

    return len(os.sched_getaffinity(0))


def _mem_gib():
    try:
        with open("/proc/meminfo") as fh:
            return round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        return None


def _fmt_s(value):
    if value is None:
        return "-"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def table(results):
    """The printed table: one line for the engine, one per baseline with its ratio."""
    head = f"{'measurement':<30} {'variant':<12} {'median':>10} {'min':>10} {'max':>10} {'queries':>8} " \
           f"{'ratio':>7} {'peak MiB':>9}  target / met"
    lines = [head, "-" * len(head)]
    for r in results:
        if r.get("skipped"):
            lines.append(f"{r['name']:<30} skipped: {r['skipped']}")
            continue
        e = r["engine"]
        met = {True: "yes", False: "NO", None: "-"}[r.get("met")]
        lines.append(f"{r['name']:<30} {'engine':<12} {_fmt_s(e['median_s']):>10} {_fmt_s(e['min_s']):>10} "
                     f"{_fmt_s(e['max_s']):>10} {str(e.get('queries')):>8} {'':>7} {r['peak_rss_mib']:>9}  "
                     f"{r['target']} [{met}]")
        for b in r["baselines"]:
            lines.append(f"{'':<30} {b['label']:<12} {_fmt_s(b['median_s']):>10} {_fmt_s(b['min_s']):>10} "
                         f"{_fmt_s(b['max_s']):>10} {str(b.get('queries')):>8} {str(b['ratio']):>7}")
    return "\n".join(lines)


def write_results(payload, path=RESULTS_PATH):
    """results.json keeps the latest run of each (database, scale) side by side."""
    path = Path(path)
    try:
        existing = json.loads(path.read_text())
    except (OSError, ValueError):
        existing = {}
    runs = existing.get("runs", {})
    runs[f"{payload['machine']['database']}:{payload['scale']}"] = payload
    path.write_text(json.dumps({"runs": runs}, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
