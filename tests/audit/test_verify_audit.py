"""verify_audit proves an untouched trail and names the first event of a tampered one."""

import hashlib
import io
import json
import re
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from tests.workflows.scenario import open_with_households
from workflows.audit import chain
from workflows.audit.chain import create_anchor, verify_chains
from workflows.models import AuditEvent, ChainAnchor

pytestmark = pytest.mark.django_db


@contextmanager
def bypassing_guards():
    """Tamper as someone with raw database access would: below the model, and on
    PostgreSQL with triggers switched off (as a superuser could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def run_verify():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def event(dossier, seq):
    return AuditEvent.objects.get(case_id=dossier.case_id, seq=seq)


def where(dossier):
    """How a break names the dossier's chain: its case, and the dossier that owns it."""
    return f"case {dossier.case_id} (dossier {dossier.pk})"


def test_untouched_trail_passes_and_reports_count_and_throughput(decided_dossier):
    total = AuditEvent.objects.count()
    output = run_verify()
    assert f"intact: {total} events in 1 case chains" in output
    assert "events/s" in output


def test_altered_payload_fails_naming_the_altered_event(decided_dossier):
    target = event(decided_dossier, 3)
    with bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_auditevent SET payload = %s WHERE id = %s",
                       ['{"household": "FORGED"}', target.pk])
    with pytest.raises(CommandError) as exc:
        run_verify()
    message = str(exc.value)
    assert f"{where(decided_dossier)}, seq 3, event id {target.pk}" in message
    assert "altered" in message


def signed_with_the_audit_key(row):
    """What only a holder of the audit key (the application's processes) can write."""
    row.key_id = django_settings.AUDIT_KEY_ID
    row.mac = row.compute_mac(django_settings.AUDIT_KEYS[row.key_id])
    return row


def test_altered_row_with_recomputed_hash_but_no_key_fails_at_its_mac(decided_dossier):
    target = event(decided_dossier, 2)
    forged = AuditEvent.objects.get(pk=target.pk)
    forged.actor_name = "someone_else"
    with bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_auditevent SET actor_name = %s, hash = %s WHERE id = %s",
                       ["someone_else", forged.compute_hash(), target.pk])
    with pytest.raises(CommandError) as exc:
        run_verify()
    assert f"{where(decided_dossier)}, seq 2, event id {target.pk}: its MAC does not match" in str(exc.value)


def test_altered_row_with_recomputed_hash_and_mac_is_caught_at_the_next_link(decided_dossier):
    target = event(decided_dossier, 2)
    forged = AuditEvent.objects.get(pk=target.pk)
    forged.actor_name = "someone_else"
    signed_with_the_audit_key(forged)
    with bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_auditevent SET actor_name = %s, hash = %s, mac = %s WHERE id = %s",
                       ["someone_else", forged.compute_hash(), forged.mac, target.pk])
    with pytest.raises(CommandError) as exc:
        run_verify()
    nxt = event(decided_dossier, 3)
    assert f"{where(decided_dossier)}, seq 3, event id {nxt.pk}" in str(exc.value)
    assert f"does not link to the previous event (seq 2, id {target.pk})" in str(exc.value)


def test_deleted_event_fails_naming_the_gap(decided_dossier):
    with bypassing_guards() as cursor:
        cursor.execute("DELETE FROM workflows_auditevent WHERE id = %s", [event(decided_dossier, 4).pk])
    with pytest.raises(CommandError) as exc:
        run_verify()
    assert f"{where(decided_dossier)}, seq 5" in str(exc.value)
    assert "seq jumps from 3 to 5" in str(exc.value)


def test_deleting_the_last_events_fails_against_the_dossier_head(decided_dossier):
    last = decided_dossier.case.audit_seq
    with bypassing_guards() as cursor:
        cursor.execute("DELETE FROM workflows_auditevent WHERE case_id = %s AND seq >= %s",
                       [decided_dossier.case_id, last - 1])
    with pytest.raises(CommandError) as exc:
        run_verify()
    assert f"the chain ends at seq {last - 2} but the case's head is at seq {last}" in str(exc.value)


def test_reordered_events_fail_naming_the_first_moved_event(decided_dossier):
    a, b = event(decided_dossier, 2), event(decided_dossier, 3)
    with bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_auditevent SET seq = 1000 WHERE id = %s", [a.pk])
        cursor.execute("UPDATE workflows_auditevent SET seq = 2 WHERE id = %s", [b.pk])
        cursor.execute("UPDATE workflows_auditevent SET seq = 3 WHERE id = %s", [a.pk])
    with pytest.raises(CommandError) as exc:
        run_verify()
    assert f"{where(decided_dossier)}, seq 2, event id {b.pk}" in str(exc.value)


def test_event_appended_outside_the_services_fails(decided_dossier):
    last = event(decided_dossier, decided_dossier.case.audit_seq)
    extra = AuditEvent(
        case_id=decided_dossier.case_id, seq=last.seq + 1, at=last.at, actor=None, actor_name="ghost", role="x",
        unit=decided_dossier.unit, action="recognize", target_type="nomination", target_id=1,
        payload={}, prev_hash=last.hash,
    )
    extra.hash = extra.compute_hash()
    signed_with_the_audit_key(extra).save()
    with pytest.raises(CommandError) as exc:
        run_verify()
    assert f"seq {last.seq + 1}" in str(exc.value)
    assert "beyond the case's recorded head" in str(exc.value)


def test_anchor_exposes_a_chain_rewritten_end_to_end(decided_dossier):
    anchor = create_anchor()
    assert anchor.dossiers == 1 and verify_chains().intact
    # Rewrite event 2 and every hash and MAC after it (as only a holder of the key
    # could), and move the dossier head along: the chain alone is consistent again,
    # only the anchor still remembers the old head.
    with bypassing_guards() as cursor:
        prev = event(decided_dossier, 1).hash
        for row in AuditEvent.objects.filter(case_id=decided_dossier.case_id, seq__gte=2).order_by("seq"):
            if row.seq == 2:
                row.actor_name = "rewritten"
            row.prev_hash = prev
            prev = row.compute_hash()
            cursor.execute("UPDATE workflows_auditevent SET actor_name = %s, prev_hash = %s, hash = %s, mac = %s "
                           "WHERE id = %s", [row.actor_name, row.prev_hash, prev,
                                             signed_with_the_audit_key(row).mac, row.pk])
        cursor.execute("UPDATE workflows_case SET audit_head = %s WHERE id = %s", [prev, decided_dossier.case_id])
    report = verify_chains()
    assert not report.intact
    assert report.broken.anchor_id == anchor.pk
    assert report.broken.seq == decided_dossier.case.audit_seq
    assert "differs from the one anchored" in str(report.broken)


def test_anchors_chain_and_cover_only_chains_that_moved(
    decided_dossier, district, other_hamlet_head, family_title, households
):
    first = create_anchor()
    assert create_anchor() is None
    other = open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title,
                                 year=2021, households=households(2, hamlet=district.other_hamlet))
    second = create_anchor()
    assert second.prev_hash == first.hash
    assert list(second.heads.values_list("case_id", flat=True)) == [other.case_id]
    assert "2 anchors" in run_verify()


def test_tampered_anchor_fails(decided_dossier):
    anchor = create_anchor()
    with bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_chainanchorhead SET seq = 1 WHERE anchor_id = %s", [anchor.pk])
    report = verify_chains()
    assert report.broken.anchor_id == anchor.pk


def test_the_model_layer_refuses_to_change_or_delete_events(decided_dossier):
    row = event(decided_dossier, 1)
    before = row.hash
    row.actor_name = "x"
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=row.pk).update(actor_name="x")
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=row.pk).delete()
    with pytest.raises(ValidationError):
        ChainAnchor.objects.all().delete()
    assert event(decided_dossier, 1).hash == before and event(decided_dossier, 1).actor_name != "x"
    assert hashlib.sha256(event(decided_dossier, 1).canonical().encode()).hexdigest() == before


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete_in_raw_sql(decided_dossier):
    target = event(decided_dossier, 2)
    for sql in ("UPDATE workflows_auditevent SET actor_name = 'x' WHERE id = %s",
                "DELETE FROM workflows_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [target.pk])
    assert event(decided_dossier, 2).actor_name == target.actor_name
    assert verify_chains().intact


# ---------------------------------------------------------------- the canonical form and the parallel walk

def legacy_canonical(event):
    """The canonical text as the chains began writing it; every stored hash covers this."""
    return json.dumps(
        {
            # The key is "dossier" whatever the case: the form the chains began with.
            "dossier": event.case_id, "seq": event.seq, "at": event.at.isoformat(),
            "actor": event.actor_id, "actor_name": event.actor_name, "role": event.role,
            "unit": event.unit_id, "action": event.action, "target_type": event.target_type,
            "target_id": event.target_id, "from": event.from_state, "to": event.to_state,
            "payload": event.payload, "prev": event.prev_hash,
        },
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )


def unsaved_event(payload, **fields):
    values = dict(
        case_id=7, seq=3, at=datetime(2021, 11, 25, 8, 30, 15, 120000, tzinfo=UTC), actor_id=None,
        actor_name="trưởng_thôn", role="hamlet_head", unit_id=12, action="record_meeting",
        target_type="dossier", target_id=7, from_state="registering", to_state="voted",
        prev_hash="ab" * 32,
    )
    values.update(fields)
    return AuditEvent(payload=payload, **values)


REALISTIC_PAYLOADS = [
    {},
    {"household": "Hộ ông Nguyễn Văn Ánh", "registered_on": "2021-03-01"},
    {"reason": "Gia đình văn hóa: \"đạt\"\nxóm Đông\t(ghi chú)", "author": None, "text": "Đồng ý 👍"},
    {"votes": {"for": 30, "against": 0}, "present": 30, "invited": 40, "quorum_met": True,
     "excluded": [], "exclusions": [{"household": 5, "reason": "vi phạm hương ước", "upheld": False}]},
    {"rule_set": "family-2021", "struck": [3, 9, 27], "nested": {"a": {"b": {"c": [None, True, False, 0, -1]}}}},
    {"big": 2**63 - 1, "bigger": 2**70, "negative": -(2**63)},
    {"ratio": 0.75, "tiny": 0.00001, "tinier": 4.5e-07, "huge": 1e16, "zero": 0.0},
    {"zeta": 1, "Ánh": 2, "anh": 3, "Ă": 4, "\u2028": "line separator", "control": "\x00\x1f\x7f"},
]


@pytest.mark.parametrize("payload", REALISTIC_PAYLOADS)
def test_canonical_form_is_byte_identical_to_the_one_existing_hashes_cover(payload):
    event = unsaved_event(payload)
    assert event.canonical() == legacy_canonical(event)
    assert event.compute_hash() == hashlib.sha256(legacy_canonical(event).encode()).hexdigest()


def test_canonical_form_is_identical_for_text_fields_in_vietnamese_and_missing_actor():
    event = unsaved_event({"household": "Hộ bà Trần Thị Ðào"}, actor_id=None, actor_name="Lê Thị Hằng",
                          from_state="", to_state="", at=datetime(2024, 1, 1, tzinfo=UTC))
    assert event.canonical() == legacy_canonical(event)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(st.text(), json_values, max_size=6), actor_name=st.text(max_size=20))
def test_canonical_form_matches_the_original_encoder_for_any_json_payload(payload, actor_name):
    event = unsaved_event(payload, actor_name=actor_name)
    try:
        expected = legacy_canonical(event).encode()
    except UnicodeEncodeError:  # lone surrogates: neither form can be written
        return
    assert event.canonical().encode() == expected


def test_verify_audit_with_workers_inside_a_transaction_still_sees_its_rows(decided_dossier):
    out = io.StringIO()
    call_command("verify_audit", "--workers", "2", stdout=out)
    assert f"intact: {AuditEvent.objects.count()} events" in out.getvalue()


def tamper_payload(event_row):
    with transaction.atomic(), bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_auditevent SET payload = %s WHERE id = %s",
                       ['{"household": "FORGED"}', event_row.pk])


@pytest.fixture
def two_chains(decided_dossier, district, other_hamlet_head, family_title, households):
    other = open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title,
                                 year=2021, households=households(2, hamlet=district.other_hamlet))
    return sorted([decided_dossier, other], key=lambda dossier: dossier.case_id)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_walk_reports_the_same_counts_as_one_process_on_an_intact_trail(two_chains):
    low, high = two_chains
    assert chain._split(2) == [(None, high.case_id), (high.case_id, None)]  # each chain goes to its own process
    one, two = verify_chains(workers=1), verify_chains(workers=2)
    assert two.intact and one.intact
    assert (two.events, two.cases) == (one.events, one.cases) == (AuditEvent.objects.count(), 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_walk_names_the_lowest_broken_dossier_like_one_process(two_chains):
    low, high = two_chains
    tamper_payload(event(high, 2))
    tamper_payload(event(low, 3))
    one, two = verify_chains(workers=1), verify_chains(workers=2)
    assert (two.broken, two.events) == (one.broken, one.events)
    assert (two.broken.case_id, two.broken.seq, two.events) == (low.case_id, 3, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_walk_counts_the_good_events_below_a_break_in_a_higher_dossier(two_chains):
    low, high = two_chains
    tamper_payload(event(high, 2))
    one, two = verify_chains(workers=1), verify_chains(workers=2)
    assert (two.broken, two.events) == (one.broken, one.events)
    assert (two.broken.case_id, two.events) == (high.case_id, low.case.audit_seq + 1)
    expected = f"after {low.case.audit_seq + 1} good events: {where(high)}, seq 2"
    with pytest.raises(CommandError, match=re.escape(expected)):
        call_command("verify_audit", "--workers", "2", stdout=io.StringIO())
