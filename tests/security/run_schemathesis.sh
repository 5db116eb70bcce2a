#!/usr/bin/env bash
# Schemathesis against the running app, on loopback, bounded in examples and time.
#
#   tests/security/run_schemathesis.sh            # defaults: 20 examples per operation, 180 s budget
#   ST_MAX_EXAMPLES=50 ST_MAX_TIME=600 tests/security/run_schemathesis.sh
#
# A fresh SQLite database (or ST_DATABASE_URL, which must be an empty database) is
# migrated and seeded, gunicorn serves production-like settings (DEBUG=0) on
# 127.0.0.1, and schemathesis checks every operation of /api/schema/ with a hamlet
# head's token: no 5xx, status codes, content types and bodies as documented.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv}
PORT=${ST_PORT:-8765}
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DATABASE_URL=${ST_DATABASE_URL:-sqlite:///$WORK/db.sqlite3}
export DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1 MEDIA_ROOT=$WORK/media
export SECRET_KEY=$("$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(60))")
# Production settings refuse a per-process cache; a file cache in the throw-away directory is
# shared by the gunicorn workers and leaves no counters behind.
export CACHE_URL=${ST_CACHE_URL:-filecache://$WORK/cache}
# Production settings refuse to start without the audit key (AUDIT_KEYS, config/settings.py).
export AUDIT_KEY_ID=run AUDIT_KEYS=run:$("$VENV/bin/python" -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())")
export STATIC_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage
export API_USER_RATE=1000000/hour CELERY_BROKER_URL= LOG_LEVEL=ERROR DJANGO_SETTINGS_MODULE=config.settings

"$VENV/bin/python" manage.py migrate --noinput -v 0
TOKEN=$("$VENV/bin/python" manage.py shell -c "exec(open('tests/security/schemathesis_fixture.py').read())" | tail -n 1)

# --limit-request-line 0: let over-long query strings reach Django (which must answer them
# in the documented shape) instead of gunicorn's own HTML 414; a proxy's limit is infrastructure.
"$VENV/bin/gunicorn" config.wsgi:application -b "127.0.0.1:$PORT" --workers 2 --timeout 60 --limit-request-line 0 \
  --access-logfile /dev/null --error-logfile "$WORK/gunicorn.log" &
SERVER_PID=$!

# Revoking the caller's token would leave every later operation answering 401
# (tests/api/test_tokens_and_schema.py covers it).
REPORT_DIR=${ST_REPORT_DIR:-schemathesis-report}
mkdir -p "$REPORT_DIR"
status=0
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/api/schema/" \
  --wait-for-schema 60 \
  --exclude-operation-id auth_token_revoke \
  -H "Authorization: Token $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${ST_MAX_EXAMPLES:-20}" \
  --max-time "${ST_MAX_TIME:-180}" \
  --seed "${ST_SEED:-20261128}" \
  --workers 2 \
  --request-timeout 30 \
  --report junit --report-dir "$REPORT_DIR" \
  --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- gunicorn errors ---"; tail -n 80 "$WORK/gunicorn.log" || true
fi
exit "$status"
