"""One bench run: seed (or reuse), measure each selected measurement, print and save."""

import time
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from . import seeding
from .harness import machine, rss_mib, run_measurement, table, write_results
from .measurements import build, events_per_second


def seed(scale, log):
    started, rss = time.perf_counter(), rss_mib()
    log(f"Seeding {scale.name}: {scale.total_households} households in {scale.districts} district(s) "
        f"+ {scale.history_years} years of history (reused when already complete)")
    seeding.seed_tree(scale, log)
    seeding.lab_units(scale)
    seeding.hamlet_lab_units(scale)
    seeding.seed_history(scale, log)
    if connection.vendor == "postgresql":
        # Fresh bulk rows: planner statistics and the visibility map (index-only scans) need this.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 2), "peak_rss_mib": round(rss_mib(), 1),
            "rss_delta_mib": round(rss_mib() - rss, 1)}


@contextmanager
def queue_in_memory():
    """Publish Celery tasks to kombu's in-process broker instead of running them eagerly.

    In production delivery is a worker's job, after commit, off the request path;
    the local default (no broker: eager) would time e-mail rendering and SMS
    adapters as if they were part of a transition. Nothing consumes this queue:
    the outbox rows stay pending, which is what a broker outage looks like too."""
    from config.celery import app

    keys = ("task_always_eager", "broker_url", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(task_always_eager=False, broker_url="memory://", broker_transport_options={})
    try:
        yield
    finally:
        app.conf.update(saved)


def run(scale, **kwargs):
    with queue_in_memory():
        return _run(scale, **kwargs)


def _run(scale, *, names, repeat, clean=False, no_seed=False, results_path=None, log=print, flush=lambda: None,
         workers=1):
    if clean:
        seeding.clean_scale(scale, log)
        log(f"Bench data of scale {scale.name} removed.")
        return None
    if no_seed:
        seeding_figures = {"skipped": "--no-seed: measured on the rows already in the database",
                           "households": seeding.Household.objects.filter(code__startswith=scale.prefix).count(),
                           "nominations": seeding.Nomination.objects.filter(
                               household__code__startswith=scale.prefix).count()}
        log(f"Seeding skipped: {seeding_figures}")
    else:
        seeding_figures = seed(scale, log)
        log(f"Seeding done in {seeding_figures['seconds']} s (peak RSS {seeding_figures['peak_rss_mib']} MiB)")
    ctx, results = {"workers": workers}, []
    # verify_audit reads the events the cycle leaves behind, so it runs after it.
    for name in names:
        flush()
        try:
            measurement = build(name, scale, ctx, log, repeat)
        except Exception as exc:  # a measurement that cannot be set up is reported, not fatal
            results.append({"name": name, "skipped": f"{type(exc).__name__}: {exc}"})
            log(f"  {name}: skipped ({type(exc).__name__}: {exc})")
            continue
        if isinstance(measurement, str):
            results.append({"name": name, "skipped": measurement})
            log(f"  {name}: skipped ({measurement})")
            continue
        result = run_measurement(measurement, repeat, log)
        events_per_second(result)
        results.append(result)
        # Saved after each measurement: a long run stopped half-way keeps what it measured.
        path = _save(scale, repeat, seeding_figures, results, results_path)
    log("")
    log(table(results))
    path = _save(scale, repeat, seeding_figures, results, results_path)
    log(f"\nResults written to {path}")
    return results


def _save(scale, repeat, seeding_figures, results, results_path):
    payload = {
        "scale": scale.name, "at": timezone.now().isoformat(timespec="seconds"), "repeat": repeat,
        "machine": machine(), "seeding": seeding_figures, "measurements": results,
    }
    return write_results(payload, results_path) if results_path else write_results(payload)
