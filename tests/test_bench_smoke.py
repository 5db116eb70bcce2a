"""The bench command's smoke run: it seeds, measures and reports; it asserts no time."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_small_bench_prints_the_table_and_writes_every_measurement_with_its_baseline(tmp_path, capsys):
    results = tmp_path / "results.json"
    call_command("bench", "--scale", "small", "--repeat", "1", "--results", str(results))
    out = capsys.readouterr().out

    for name in ("meeting", "decision", "hamlet_meeting", "hamlet_decision", "annual_cycle", "rollup", "inbox_page",
                 "dossier_page", "household_import", "district_import_dry_run", "district_import", "district_reimport",
                 "dashboard", "verify_audit"):
        assert name in out
    assert "median" in out and "ratio" in out and "raw_sql" in out and "naive" in out

    payload = json.loads(results.read_text())["runs"]
    (run,) = payload.values()
    assert run["scale"] == "small" and run["machine"]["cpus"] >= 1
    measured = {m["name"]: m for m in run["measurements"]}
    assert set(measured) == {"meeting", "decision", "hamlet_meeting", "hamlet_decision", "annual_cycle", "rollup",
                             "inbox_page", "dossier_page", "household_import", "district_import_dry_run",
                             "district_import", "district_reimport", "dashboard", "verify_audit"}
    for m in measured.values():
        if m.get("skipped"):
            # Only verify_audit may be missing (someone else's command); anything else is a broken bench.
            assert m["name"] == "verify_audit", m
            continue
        assert {"median_s", "min_s", "max_s", "queries"} <= set(m["engine"])
        assert m["baselines"], m["name"]
        for baseline in m["baselines"]:
            assert baseline["ratio"] is not None and baseline["label"]
        assert m["peak_rss_mib"] > 0
    assert {b["label"] for b in measured["meeting"]["baselines"]} == {"raw_sql", "naive"}


def test_bench_rejects_an_unknown_measurement():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown measurement"):
        call_command("bench", "--scale", "small", "--only", "meeting,teleport")
