#!/usr/bin/env bash
# The production role set-up of README "The audit you can prove", on the machine's PostgreSQL:
# an owner role runs the migrations, a non-owner role (SELECT, INSERT, UPDATE, DELETE) runs the
# application. Idempotent. Then, as the application's role: load the demo through the services
# (COPY, temporary tables, sequences: every write path), anchor and verify the audit trail,
# and check what that role must not be able to do.
#
#   .ci/roles.sh                      # roles thidua_ci_owner / thidua_ci_app, database thidua_ci_roles
#   CI_ROLES=thidua_x .ci/roles.sh    # other names (roles are cluster-wide)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PREFIX=${CI_ROLES:-thidua_ci}
OWNER=${PREFIX}_owner APP=${PREFIX}_app DB=${PREFIX}_roles
HOST=${PGHOST:-127.0.0.1} PORT=${PGPORT:-5432}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
su_psql() { psql -h "$HOST" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }

su_psql -d postgres <<SQL
SELECT format('CREATE ROLE %I LOGIN', r) FROM unnest(ARRAY['$OWNER', '$APP']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB OWNER $OWNER;
SQL
su_psql -d "$DB" <<SQL
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO $OWNER;
GRANT USAGE ON SCHEMA public TO $APP;
ALTER DEFAULT PRIVILEGES FOR ROLE $OWNER IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO $APP;
ALTER DEFAULT PRIVILEGES FOR ROLE $OWNER IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO $APP;
SQL

export AUDIT_KEY_ID=ci AUDIT_KEYS=ci:$("$VENV/bin/python" -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())")
export AUDIT_ANCHOR_DIR=$WORK/anchors MEDIA_ROOT=$WORK/media CELERY_BROKER_URL=
DATABASE_URL=postgres://$OWNER@$HOST:$PORT/$DB "$VENV/bin/python" manage.py migrate --noinput -v 0

export DATABASE_URL=postgres://$APP@$HOST:$PORT/$DB
"$VENV/bin/python" manage.py seed_demo >/dev/null
"$VENV/bin/python" manage.py verify_audit --anchor
"$VENV/bin/python" manage.py verify_audit

# What the application's role is refused (each statement must fail).
refused() {
  if psql -h "$HOST" -p "$PORT" -U "$APP" -d "$DB" -v ON_ERROR_STOP=1 -qc "$1" >/dev/null 2>"$WORK/err"; then
    echo "NOT REFUSED to $APP: $1" >&2; exit 1
  fi
  echo "refused to $APP as expected: $1 ($(head -n 1 "$WORK/err"))"
}
refused "TRUNCATE workflows_chainanchor, workflows_chainanchorhead"
refused "UPDATE workflows_auditevent SET actor_name = 'x' WHERE id = (SELECT min(id) FROM workflows_auditevent)"
refused "DELETE FROM workflows_chainanchorhead"
refused "ALTER TABLE workflows_auditevent DISABLE TRIGGER USER"
refused "INSERT INTO workflows_auditevent (seq, at, actor_name, role, unit_id, action, target_type, target_id,
         from_state, to_state, payload, prev_hash, hash, key_id, mac)
         SELECT 1, now(), 'x', 'x', min(id), 'x', 'x', 1, '', '', '{}', '', '', '', '' FROM directory_unit"
echo "roles: migrations as $OWNER, the application as $APP (non-owner): OK"
