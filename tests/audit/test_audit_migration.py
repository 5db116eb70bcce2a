"""Migration workflows.0015 signs the trail that existed before it and stops on an event without a dossier."""

import os

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from workflows.audit import copies
from workflows.audit.chain import create_anchor, verify_chains
from workflows.models import AuditEvent, ChainAnchor

BEFORE, AFTER = ("workflows", "0014_used_form_token"), ("workflows", "0015_audit_keys_and_dossier_required")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])


@pytest.fixture
def back_to_the_latest_migrations():
    """Going back to 0014 also unapplies every later migration (minutes pages, tally drafts, ...): put the
    whole schema back at its leaves afterwards, or every later test meets missing tables."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def raw(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # below the append-only triggers, as an operator would
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


# serialized_rollback like the other transactional audit tests: a plain transactional test's
# teardown recreates the content types, which the next serialized test's reload then collides with.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_trail_is_signed_with_the_current_key_and_an_event_without_dossier_stops_the_migration(
    decided_dossier, settings, back_to_the_latest_migrations,
):
    create_anchor()
    events = AuditEvent.objects.count()
    migrate(BEFORE)
    for name, _rec in copies.load_all():
        copies.delete(name)
    first = AuditEvent.objects.filter(dossier=decided_dossier, seq=1).values_list("pk", flat=True).get()
    raw("INSERT INTO workflows_auditevent (dossier_id, seq, at, actor_id, actor_name, role, unit_id, action, "
        "target_type, target_id, from_state, to_state, payload, prev_hash, hash) "
        "SELECT NULL, 1, at, actor_id, actor_name, role, unit_id, action, target_type, target_id, from_state, "
        "to_state, payload, prev_hash, hash FROM workflows_auditevent WHERE id = %s", [first])

    with pytest.raises(RuntimeError, match="Audit events with no dossier exist"):
        migrate(AFTER)

    raw("DELETE FROM workflows_auditevent WHERE dossier_id IS NULL")
    settings.AUDIT_KEYS = {"2026b": os.urandom(32)}
    settings.AUDIT_KEY_ID = "2026b"
    migrate(AFTER)
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {"2026b"}
    assert set(ChainAnchor.objects.values_list("key_id", flat=True)) == {"2026b"}
    report = verify_chains()
    assert report.intact, report.broken
    assert (report.events, report.anchors, report.anchor_copies) == (events, 1, 1)
