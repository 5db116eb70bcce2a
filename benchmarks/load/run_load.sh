#!/usr/bin/env bash
# Locust, headless, on loopback, against gunicorn with PostgreSQL.
#
#   benchmarks/load/run_load.sh                     # 50 users, 60 s
#   LOAD_USERS=50 LOAD_TIME=60s GUNICORN_WORKERS=4 benchmarks/load/run_load.sh
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth). Drops and recreates the
# database $LOAD_DB (default thidua_load). Prints locust's summary; CSVs go to $LOAD_OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv}
PORT=${LOAD_PORT:-8766}
DB=${LOAD_DB:-thidua_load}
OUT=${LOAD_OUT:-$(mktemp -d)}
mkdir -p "$OUT"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1 MEDIA_ROOT=$OUT/media
export SECRET_KEY=$("$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(60))")
# Production settings refuse a per-process cache: the workers share the limits' counters in Redis.
export CACHE_URL=${LOAD_CACHE_URL:-redis://127.0.0.1:6379/2}
# Production settings refuse to start without the audit key (AUDIT_KEYS, config/settings.py).
export AUDIT_KEY_ID=run AUDIT_KEYS=run:$("$VENV/bin/python" -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())")
# Production static storage needs collectstatic (minutes for viewflow's assets); the
# load test requests no static file.
export STATIC_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage
export API_USER_RATE=1000000/hour CELERY_BROKER_URL= LOG_LEVEL=ERROR
# Every locust user logs in from 127.0.0.1: keep axes' lockout keyed on username+IP (default).
export LOAD_USERS=${LOAD_USERS:-50} LOAD_USERS_FILE=$OUT/users.json

"$VENV/bin/python" manage.py migrate --noinput -v 0
"$VENV/bin/python" manage.py shell -c "exec(open('benchmarks/load/seed.py').read())"

# Cookies are not Secure-only on plain-HTTP loopback (DEBUG=0 would make them so).
SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
"$VENV/bin/gunicorn" config.wsgi:application -b "127.0.0.1:$PORT" --workers "${GUNICORN_WORKERS:-4}" \
  --timeout 60 --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" &
SERVER_PID=$!
for _ in $(seq 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" && break; sleep 1; done

"$VENV/bin/locust" -f benchmarks/load/locustfile.py --headless -H "http://127.0.0.1:$PORT" \
  -u "$LOAD_USERS" -r "${LOAD_SPAWN_RATE:-10}" -t "${LOAD_TIME:-60s}" --stop-timeout 10 \
  --csv "$OUT/load" --only-summary --exit-code-on-error 1
echo "CSV: $OUT/load_stats.csv"
