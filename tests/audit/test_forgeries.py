"""Forgeries by whoever can write the database but does not hold the audit key: each is reported, naming the event.

The key the trail is signed with lives in the processes' environment
(AUDIT_KEYS); the forger knows everything else, the published development key
included. On PostgreSQL the attacks run as the roles a production set-up has:
a non-owner application role (SELECT, INSERT, UPDATE, DELETE), the tables'
owner, and the connection's superuser.
"""

import io
import json
import os
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError, ProgrammingError

from workflows.audit import copies
from workflows.audit.chain import anchor_hash, create_anchor, verify_chains
from workflows.audit.keys import anchor_mac, event_mac
from workflows.models import AuditEvent, ChainAnchor

pytestmark = pytest.mark.django_db

# What a forger can know: the development key printed in config/settings.py.
GUESSED_KEY = b"thidua-development-audit-key-not-secret-0123456789"


@pytest.fixture(autouse=True)
def secret_audit_key(settings):
    """Production-like: the trail is signed with a random key the forger never sees."""
    settings.AUDIT_KEYS = {"2026a": os.urandom(32)}
    settings.AUDIT_KEY_ID = "2026a"


def verify_fails():
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit", stdout=io.StringIO())
    return str(exc.value)


def where(dossier):
    """How a break names the dossier's chain: its case, and the dossier that owns it."""
    return f"case {dossier.case_id} (dossier {dossier.pk})"


def forged_mac(row):
    return event_mac(GUESSED_KEY, row._canonical_bytes())


def chained_event_after(last, **changes):
    """A well-formed next event: right seq, linked to the head, its hash recomputed."""
    fields = dict(
        case_id=last.case_id, seq=last.seq + 1, at=last.at, actor_id=last.actor_id,
        actor_name=last.actor_name, role=last.role, unit_id=last.unit_id, action="recognize",
        target_type="nomination", target_id=last.target_id, from_state="appraised", to_state="recognized",
        payload={"note": "forged"}, prev_hash=last.hash, key_id=last.key_id,
    )
    fields.update(changes)
    row = AuditEvent(**fields)
    row.hash = row.compute_hash()
    row.mac = forged_mac(row)
    return row


def insert_raw(cursor, row):
    cursor.execute(
        "INSERT INTO workflows_auditevent (case_id, seq, at, actor_id, actor_name, role, unit_id, action, "
        "target_type, target_id, from_state, to_state, payload, prev_hash, hash, key_id, mac) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        [row.case_id, row.seq, row.at, row.actor_id, row.actor_name, row.role, row.unit_id, row.action,
         row.target_type, row.target_id, row.from_state, row.to_state, json.dumps(row.payload), row.prev_hash,
         row.hash, row.key_id, row.mac],
    )
    return cursor.fetchone()[0]


def move_head(cursor, case_id, seq, head):
    cursor.execute("UPDATE workflows_case SET audit_seq = %s, audit_head = %s WHERE id = %s", [seq, head, case_id])


def rewrite_chain_from(cursor, dossier, seq):
    """Change event `seq`, recompute every hash after it (MACs under the guessed key) and the head."""
    rows = list(AuditEvent.objects.filter(case_id=dossier.case_id).order_by("seq"))
    prev = rows[seq - 2].hash
    for row in rows[seq - 1:]:
        if row.seq == seq:
            row.actor_name = "someone_else"
        row.prev_hash = prev
        row.hash = prev = row.compute_hash()
        cursor.execute("UPDATE workflows_auditevent SET actor_name = %s, prev_hash = %s, hash = %s, mac = %s "
                       "WHERE id = %s", [row.actor_name, row.prev_hash, row.hash, forged_mac(row), row.pk])
    move_head(cursor, dossier.case_id, rows[-1].seq, prev)
    return rows[seq - 1]


def _role(cursor, suffix):
    cursor.execute("SELECT current_database()")
    name = f"{cursor.fetchone()[0]}_{suffix}"[:63]
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    if cursor.fetchone() is None:
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN')
    return name


@contextmanager
def as_app_role():
    """The recommended application role: it owns nothing and may SELECT, INSERT, UPDATE, DELETE.
    Created inside the test's transaction, so it vanishes with it."""
    with connection.cursor() as cursor:
        name = _role(cursor, "forger_app")
        cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{name}"')
        cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{name}"')
        cursor.execute(f'SET LOCAL ROLE "{name}"')
        yield cursor
        # After a refused statement the savepoint's rollback restores the role.
        cursor.execute("RESET ROLE")


@contextmanager
def as_owner():
    """The role that owns the audit tables, the cases and the dossiers (the migrations' role)."""
    with connection.cursor() as cursor:
        name = _role(cursor, "forger_owner")
        # The set-up's deferred foreign-key checks must run before a table changes hands.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in ("workflows_auditevent", "workflows_chainanchor", "workflows_chainanchorhead",
                      "workflows_case", "workflows_dossier"):
            cursor.execute(f'ALTER TABLE {table} OWNER TO "{name}"')
        cursor.execute(f'SET LOCAL ROLE "{name}"')
        yield cursor
        # After a refused statement the savepoint's rollback restores the role.
        cursor.execute("RESET ROLE")


@contextmanager
def as_superuser_without_triggers():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        yield cursor
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_untouched_trail_signed_with_a_secret_key_is_intact(decided_dossier):
    assert verify_chains().intact
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {"2026a"}


# ---------------------------------------------------------------- the six forgeries of issue 16

@pytest.mark.postgres
def test_a_app_role_appending_a_chained_event_and_moving_the_head_is_reported(decided_dossier):
    last = AuditEvent.objects.get(case_id=decided_dossier.case_id, seq=decided_dossier.case.audit_seq)
    forged = chained_event_after(last)
    with as_app_role() as cursor:
        forged_id = insert_raw(cursor, forged)
        move_head(cursor, decided_dossier.case_id, forged.seq, forged.hash)
    message = verify_fails()
    assert f"{where(decided_dossier)}, seq {forged.seq}, event id {forged_id}: its MAC does not match" in message


@pytest.mark.postgres
def test_b_superuser_appending_a_chained_event_and_moving_the_head_is_reported(decided_dossier):
    last = AuditEvent.objects.get(case_id=decided_dossier.case_id, seq=decided_dossier.case.audit_seq)
    forged = chained_event_after(last)
    with connection.cursor() as cursor:
        forged_id = insert_raw(cursor, forged)
        move_head(cursor, decided_dossier.case_id, forged.seq, forged.hash)
    message = verify_fails()
    assert f"{where(decided_dossier)}, seq {forged.seq}, event id {forged_id}: its MAC does not match" in message


@pytest.mark.postgres
def test_c_superuser_rewriting_a_middle_event_and_the_rest_of_the_chain_before_any_anchor_is_reported(
    decided_dossier,
):
    assert not ChainAnchor.objects.exists()
    with as_superuser_without_triggers() as cursor:
        rewritten = rewrite_chain_from(cursor, decided_dossier, 3)
    message = verify_fails()
    assert f"{where(decided_dossier)}, seq 3, event id {rewritten.pk}: its MAC does not match" in message


@pytest.mark.postgres
def test_d_superuser_rewriting_a_chain_and_recomputing_its_anchor_is_reported(decided_dossier):
    anchor = create_anchor()
    with as_superuser_without_triggers() as cursor:
        rewritten = rewrite_chain_from(cursor, decided_dossier, 2)
        lines = [(decided_dossier.case_id, decided_dossier.case.audit_seq,
                  AuditEvent.objects.get(case_id=decided_dossier.case_id, seq=decided_dossier.case.audit_seq).hash)]
        new_hash = anchor_hash(prev_hash=anchor.prev_hash, created_at=anchor.created_at, dossiers=1,
                               events=anchor.events, lines=lines)
        cursor.execute("UPDATE workflows_chainanchorhead SET hash = %s WHERE anchor_id = %s", [lines[0][2], anchor.pk])
        cursor.execute("UPDATE workflows_chainanchor SET hash = %s, mac = %s WHERE id = %s",
                       [new_hash, anchor_mac(GUESSED_KEY, new_hash), anchor.pk])
    message = verify_fails()
    assert f"{where(decided_dossier)}, seq 2, event id {rewritten.pk}: its MAC does not match" in message


@pytest.mark.postgres
def test_e_owner_truncating_the_anchor_tables_and_rewriting_a_chain_is_reported(decided_dossier):
    create_anchor()
    with as_owner() as cursor:
        cursor.execute("ALTER TABLE workflows_chainanchor DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE workflows_chainanchorhead DISABLE TRIGGER USER")
        cursor.execute("TRUNCATE workflows_chainanchor, workflows_chainanchorhead")
        cursor.execute("ALTER TABLE workflows_auditevent DISABLE TRIGGER USER")
        rewritten = rewrite_chain_from(cursor, decided_dossier, 2)
    assert not ChainAnchor.objects.exists()
    message = verify_fails()
    assert f"{where(decided_dossier)}, seq 2, event id {rewritten.pk}: its MAC does not match" in message


@pytest.mark.postgres
def test_f_event_with_no_case_is_refused_and_reported_once_the_constraint_is_dropped(decided_dossier):
    last = AuditEvent.objects.get(case_id=decided_dossier.case_id, seq=decided_dossier.case.audit_seq)
    orphan = chained_event_after(last, case_id=None, seq=1, prev_hash="0" * 64)
    with pytest.raises(IntegrityError, match="case_id"):
        with transaction.atomic(), as_app_role() as cursor:
            insert_raw(cursor, orphan)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE workflows_auditevent ALTER COLUMN case_id DROP NOT NULL")
        orphan_id = insert_raw(cursor, orphan)
    message = verify_fails()
    assert f"event id {orphan_id}: it belongs to no case" in message


# ---------------------------------------------------------------- what closes each gap, one at a time

@pytest.mark.postgres
def test_truncate_of_the_audit_tables_is_refused_to_the_owner_and_to_the_app_role(decided_dossier):
    create_anchor()
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"):
        with transaction.atomic(), as_owner() as cursor:
            cursor.execute("TRUNCATE workflows_chainanchor, workflows_chainanchorhead")
    for table in ("workflows_auditevent", "workflows_chainanchor"):
        with pytest.raises(ProgrammingError, match="permission denied"):
            with transaction.atomic(), as_app_role() as cursor:
                cursor.execute(f"TRUNCATE {table} CASCADE")
    assert ChainAnchor.objects.count() == 1 and verify_chains().intact


@pytest.mark.postgres
def test_anchors_truncated_by_the_owner_are_reported_from_their_copies_outside(decided_dossier):
    first = create_anchor()
    with as_owner() as cursor:
        cursor.execute("ALTER TABLE workflows_chainanchor DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE workflows_chainanchorhead DISABLE TRIGGER USER")
        cursor.execute("TRUNCATE workflows_chainanchor, workflows_chainanchorhead")
    message = verify_fails()
    assert f"anchor #{first.pk}: it is kept outside the database" in message
    assert "missing from the database" in message


def test_anchor_rewritten_without_the_key_fails_at_its_mac(decided_dossier, bypassing_guards):
    anchor = create_anchor()
    forged_hash = "f" * 64
    with bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_chainanchor SET hash = %s, mac = %s WHERE id = %s",
                       [forged_hash, anchor_mac(GUESSED_KEY, forged_hash), anchor.pk])
    message = verify_fails()
    assert f"anchor #{anchor.pk}" in message and "altered" in message


def test_anchor_rewritten_even_with_the_key_differs_from_its_copy_outside(decided_dossier, bypassing_guards):
    anchor = create_anchor()
    lines = [(decided_dossier.case_id, decided_dossier.case.audit_seq, decided_dossier.case.audit_head)]
    moved = anchor.created_at.replace(year=anchor.created_at.year - 1)
    new_hash = anchor_hash(prev_hash=anchor.prev_hash, created_at=moved, dossiers=1, events=anchor.events,
                           lines=lines)
    key = django_settings.AUDIT_KEYS[anchor.key_id]
    with bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_chainanchor SET created_at = %s, hash = %s, mac = %s WHERE id = %s",
                       [moved, new_hash, anchor_mac(key, new_hash), anchor.pk])
    message = verify_fails()
    assert f"anchor #{anchor.pk}: it differs from its copy kept outside the database" in message


def test_anchor_copy_deleted_outside_is_reported(decided_dossier):
    anchor = create_anchor()
    (name, _rec), = copies.load_all()
    copies.delete(name)
    assert f"anchor #{anchor.pk}: it has no copy in the anchor storage" in verify_fails()


def test_a_forged_anchor_copy_is_reported(decided_dossier):
    anchor = create_anchor()
    copies.save({**copies.load_all()[0][1], "id": anchor.pk + 1, "hash": "e" * 64})
    message = verify_fails()
    assert f"anchor #{anchor.pk + 1}" in message and "has no valid MAC" in message


def test_expected_anchor_kept_by_a_supervisor_passes_and_a_missing_one_is_reported(decided_dossier):
    anchor = create_anchor()
    out = io.StringIO()
    call_command("verify_audit", "--expect-anchor", anchor.hash, stdout=out)
    assert f"Expected anchor present and valid: {anchor.hash}" in out.getvalue()
    with pytest.raises(CommandError, match=f"no anchor has the hash {'a' * 64} that was kept outside"):
        call_command("verify_audit", "--expect-anchor", "a" * 64, stdout=io.StringIO())


def test_events_signed_with_a_rotated_out_key_still_verify(decided_dossier, settings):
    old = dict(settings.AUDIT_KEYS)
    settings.AUDIT_KEYS = {**old, "2027a": os.urandom(32)}
    settings.AUDIT_KEY_ID = "2027a"
    create_anchor()
    assert verify_chains().intact
    settings.AUDIT_KEYS = {"2027a": settings.AUDIT_KEYS["2027a"]}
    report = verify_chains()
    assert report.broken.seq == 1 and "key id '2026a', which is not among the audit keys" in str(report.broken)


# Ids by length: the keys are random, and every pytest-xdist worker must collect the same test ids.
@pytest.mark.parametrize("key", [os.urandom(32), os.urandom(64), os.urandom(100)],
                         ids=lambda key: f"{len(key)}-byte-key")
def test_the_event_mac_is_standard_hmac_sha256_so_anyone_with_the_key_can_check_it(key):
    import hmac

    message = "Hộ ông Nguyễn Văn Ánh".encode() * 20
    assert event_mac(key, message) == hmac.digest(key, message, "sha256").hex()
