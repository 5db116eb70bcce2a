"""Migrations of the audit trail: 0015 signs the trail that existed before it and stops on an event without a
dossier; 0021 gives every dossier a case with the dossier's own id, and the chains and anchors still verify."""

import os

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from workflows.audit import copies
from workflows.audit.chain import create_anchor, verify_chains
from workflows.models import AuditEvent, Case, ChainAnchor, ChainAnchorHead, Dossier

BEFORE, AFTER = ("workflows", "0014_used_form_token"), ("workflows", "0015_audit_keys_and_dossier_required")
BEFORE_CASES, CASES = ("workflows", "0020_revocation_to_titles"), ("workflows", "0021_cases_own_the_chain")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])


def to_the_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def back_to_the_latest_migrations():
    """Going back to 0014 also unapplies every later migration (minutes pages, tally drafts, ...): put the
    whole schema back at its leaves afterwards, or every later test meets missing tables."""
    yield
    to_the_latest()


def raw(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # below the append-only triggers, as an operator would
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


# serialized_rollback like the other transactional audit tests: a plain transactional test's
# teardown recreates the content types, which the next serialized test's reload then collides with.
# reset_sequences: going back before cases (0021) needs every case id to be its dossier's, which
# PostgreSQL's sequences (not rolled back with earlier tests) would not otherwise guarantee.
@pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)
def test_existing_trail_is_signed_with_the_current_key_and_an_event_without_dossier_stops_the_migration(
    decided_dossier, settings, back_to_the_latest_migrations,
):
    create_anchor()
    events = AuditEvent.objects.count()
    migrate(BEFORE)
    for name, _rec in copies.load_all():
        copies.delete(name)
    # The schema of 0014: the events still name their dossier (dossier_id), as the SQL below does.
    [(first,)] = rows("SELECT id FROM workflows_auditevent WHERE dossier_id = %s AND seq = 1", [decided_dossier.pk])
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
    assert rows("SELECT DISTINCT key_id FROM workflows_auditevent") == [("2026b",)]
    assert rows("SELECT DISTINCT key_id FROM workflows_chainanchor") == [("2026b",)]
    to_the_latest()
    report = verify_chains()
    assert report.intact, report.broken
    assert (report.events, report.anchors, report.anchor_copies) == (events, 1, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)
def test_cases_take_over_the_dossiers_chains_with_their_ids_and_every_hash_and_anchor_still_verifies(
    decided_dossier, district, other_hamlet_head, family_title, households, back_to_the_latest_migrations,
):
    from tests.workflows.scenario import open_with_households

    other = open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title,
                                 year=2021, households=households(2, hamlet=district.other_hamlet))
    anchor = create_anchor()
    heads = dict(Case.objects.values_list("pk", "audit_head"))
    events = AuditEvent.objects.count()
    migrate(BEFORE_CASES)
    # Before cases: the dossier rows held the chain, the events named the dossier.
    before = dict(rows("SELECT id, audit_head FROM workflows_dossier"))
    assert before == {decided_dossier.pk: heads[decided_dossier.case_id], other.pk: heads[other.case_id]}
    assert rows("SELECT DISTINCT dossier_id FROM workflows_auditevent ORDER BY 1") == [
        (pk,) for pk in sorted(before)]
    hashes = rows("SELECT id, hash FROM workflows_auditevent ORDER BY id")

    migrate(CASES)
    assert sorted(Dossier.objects.values_list("pk", "case_id")) == [(pk, pk) for pk in sorted(before)]
    assert dict(Case.objects.values_list("pk", "audit_head")) == before
    assert set(Case.objects.values_list("kind", flat=True)) == {"dossier"}
    assert sorted(AuditEvent.objects.values_list("pk", "hash")) == hashes  # not one row rewritten
    assert sorted(ChainAnchorHead.objects.filter(anchor=anchor).values_list("case_id", flat=True)) == sorted(before)
    report = verify_chains(expect_anchor=[anchor.hash])
    assert report.intact, report.broken
    assert (report.events, report.cases, report.anchors) == (events, 2, 1)
    # The next case comes after the copied ids (the sequence was moved past them on PostgreSQL).
    assert Case.objects.create(kind="test_record").pk == max(before) + 1
