"""Cases own the chain: a record that is not a dossier (here a test-only kind) gets its own audit
chain through the generic API, and verify_audit, the anchors and the certificate's anchor look-up
treat it as they treat a dossier's."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from directory.selectors import require_acting
from workflows.audit.chain import anchor_covering, create_anchor, verify_chains
from workflows.audit.keys import signing_key
from workflows.models import AuditEvent, ChainAnchorHead, Dossier
from workflows.services.audit import AuditTrail, lock_case, open_case, save_case

pytestmark = pytest.mark.django_db

KIND = "test_record"  # no model owns it: the case itself is the events' target


@transaction.atomic
def record(case_id, acting, *steps):
    """What a service of another kind of record does: lock the case, append, save it once."""
    case = lock_case(case_id)
    trail = AuditTrail(case, acting)
    for action, from_state, to_state in steps:
        trail.add(action=action, target=case, from_state=from_state, to_state=to_state, note=f"{action} by test")
    save_case(case, trail)
    return case


@pytest.fixture
def acting(district, commune_officer):
    return require_acting(commune_officer, district.commune, "view_unit_dossiers")


@pytest.fixture
def record_case(acting):
    case = open_case(KIND)
    record(case.pk, acting, ("open", "", "draft"), ("submit", "draft", "submitted"))
    record(case.pk, acting, ("approve", "submitted", "approved"))
    case.refresh_from_db()
    return case


def test_a_case_that_is_not_a_dossier_gets_a_chain_of_its_own(record_case, acting):
    events = list(AuditEvent.objects.filter(case=record_case).order_by("seq"))
    assert [(e.seq, e.action, e.role, e.unit_id) for e in events] == [
        (1, "open", acting.role, acting.unit.pk), (2, "submit", acting.role, acting.unit.pk),
        (3, "approve", acting.role, acting.unit.pk)]
    assert (record_case.kind, record_case.audit_seq, record_case.audit_head) == (KIND, 3, events[-1].hash)
    assert record_case.revision == 2  # one per service call, as a dossier's
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert not Dossier.objects.filter(case=record_case).exists()


def test_verify_audit_walks_a_non_dossier_case_beside_the_dossiers(record_case, decided_dossier):
    report = verify_chains()
    assert report.intact, report.broken
    assert report.cases == 2
    assert report.events == AuditEvent.objects.count() == 3 + decided_dossier.case.audit_seq
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"{report.events} events in 2 case chains" in out.getvalue()


def test_a_forged_event_of_a_non_dossier_case_is_named_with_its_case_and_kind(record_case, bypassing_guards):
    forged = AuditEvent.objects.get(case=record_case, seq=2)
    with transaction.atomic(), bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_auditevent SET payload = %s WHERE id = %s",
                       ['{"note": "approved long ago"}', forged.pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit", stdout=io.StringIO())
    assert (f"case {record_case.pk} ({KIND}), seq 2, event id {forged.pk}: its content or position no longer "
            "matches its hash") in str(exc.value)


def test_deleting_a_non_dossier_case_s_last_event_is_caught_against_its_head(record_case, bypassing_guards):
    with transaction.atomic(), bypassing_guards() as cursor:
        cursor.execute("DELETE FROM workflows_auditevent WHERE case_id = %s AND seq = 3", [record_case.pk])
    report = verify_chains()
    assert (report.broken.case_id, report.broken.owner) == (record_case.pk, KIND)
    assert "the chain ends at seq 2 but the case's head is at seq 3" in str(report.broken)


def test_an_anchor_covers_a_non_dossier_case_and_exposes_its_rewrite(record_case, acting, bypassing_guards):
    anchor = create_anchor()
    assert list(ChainAnchorHead.objects.filter(anchor=anchor).values_list("case_id", "seq", "hash")) == [
        (record_case.pk, 3, record_case.audit_head)]
    assert anchor_covering(record_case.pk, action="approve") == anchor
    record(record_case.pk, acting, ("reopen", "approved", "draft"))
    assert anchor_covering(record_case.pk, action="reopen") is None  # not anchored yet
    second = create_anchor()
    assert list(second.heads.values_list("case_id", "seq")) == [(record_case.pk, 4)]
    assert anchor_covering(record_case.pk, action="reopen") == second

    # Rewrite the chain from seq 3 with the audit key itself (hashes and MACs) and move the head
    # along: the chain alone is consistent again, only the anchors remember.
    _key_id, key = signing_key()
    with transaction.atomic(), bypassing_guards() as cursor:
        rows = list(AuditEvent.objects.filter(case=record_case, seq__gte=3).order_by("seq"))
        prev = AuditEvent.objects.get(case=record_case, seq=2).hash
        for row in rows:
            row.actor_name = "rewritten" if row.seq == 3 else row.actor_name
            row.prev_hash = prev
            prev = row.compute_hash()
            cursor.execute("UPDATE workflows_auditevent SET actor_name = %s, prev_hash = %s, hash = %s, mac = %s "
                           "WHERE id = %s", [row.actor_name, row.prev_hash, prev, row.compute_mac(key), row.pk])
        cursor.execute("UPDATE workflows_case SET audit_head = %s WHERE id = %s", [prev, record_case.pk])
    report = verify_chains()
    assert (report.broken.anchor_id, report.broken.case_id, report.broken.seq) == (anchor.pk, record_case.pk, 3)
    assert "differs from the one anchored" in str(report.broken)


def test_the_trail_appends_to_a_case_only():
    with pytest.raises(TypeError, match="appends to a Case"):
        AuditTrail(object(), None)
    with pytest.raises(ValueError, match="needs a kind"):
        open_case("")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_of_one_non_dossier_case_are_serialised_by_its_lock(acting):
    """lock_case is a row lock: a second writer waits, then appends after the first one's head."""
    import threading

    case = open_case(KIND)
    started, release, done = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                locked = lock_case(case.pk)
                started.set()
                release.wait(5)
                trail = AuditTrail(locked, acting)
                trail.add(action="first", target=locked)
                save_case(locked, trail)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    second = threading.Thread(target=lambda: (done.append(record(case.pk, acting, ("second", "", ""))),
                                              connection.close()))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting on the row lock
    release.set()
    thread.join(5)
    second.join(5)
    assert list(AuditEvent.objects.filter(case=case).order_by("seq").values_list("seq", "action")) == [
        (1, "first"), (2, "second")]
    assert verify_chains().intact


def test_a_concern_on_a_non_dossier_case_is_that_case_s_and_the_dossier_inbox_leaves_it_out(
    client, record_case, decided_dossier, supervisor, district,
):
    from django.urls import reverse
    from django.utils import timezone

    from tests.factories import UserFactory
    from workflows.models import Concern
    from workflows.supervision import open_concerns

    on_record = Concern.objects.create(case=record_case, text="Số liệu chưa khớp", raised_by=supervisor,
                                       raised_role="front_supervisor", raised_unit=district.district,
                                       raised_at=timezone.now())
    assert list(open_concerns(record_case)) == [on_record]
    assert not open_concerns(decided_dossier).exists() and not decided_dossier.concerns.exists()
    # The inbox lists the concerns a dossier's procedure says who answers: a superuser's sees every
    # dossier's, and one on another kind of record neither shows there nor breaks the page.
    client.force_login(UserFactory(username="quan_tri", is_superuser=True))
    page = client.get(reverse("workflows:home"))
    assert page.status_code == 200
    assert "Số liệu chưa khớp" not in page.content.decode()
