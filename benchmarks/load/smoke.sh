#!/usr/bin/env bash
# CI's smoke run of the load test: a few users for a few seconds against gunicorn and
# PostgreSQL (run_load.sh, its own database). It judges no figure (CI machines vary):
# it fails if any request failed or if none was made. Bounded by `timeout`.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export LOAD_USERS=${LOAD_USERS:-3} LOAD_TIME=${LOAD_TIME:-10s} LOAD_SPAWN_RATE=${LOAD_SPAWN_RATE:-3}
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-2} LOAD_DB=${LOAD_DB:-thidua_load_smoke} LOAD_PORT=${LOAD_PORT:-8767}
export LOAD_CACHE_URL=${LOAD_CACHE_URL:-redis://127.0.0.1:6379/9} LOAD_OUT=$OUT
# The whole run (migrate, seed, serve, load) is bounded; timeout ends gunicorn and locust with it.
timeout --kill-after=10 "${LOAD_SMOKE_LIMIT:-300}" benchmarks/load/run_load.sh
"${VENV:-.venv}/bin/python" - "$OUT/load_stats.csv" <<'PY'
import csv, sys
rows = {row["Name"]: row for row in csv.DictReader(open(sys.argv[1]))}
total = rows["Aggregated"]
requests, failures = int(total["Request Count"]), int(total["Failure Count"])
print(f"load smoke: {requests} requests, {failures} failures")
sys.exit(0 if requests > 0 and failures == 0 else 1)
PY
