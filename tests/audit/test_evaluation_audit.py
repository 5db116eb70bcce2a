"""An evaluation report owns a case: every transition, the roll-up of the reports below and each
inspection is an event in its chain (who, role, unit, from → to, why), and verify_audit walks it beside
the dossiers' and names a forged report event with its case."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from directory.models import Role
from directory.services import grant_membership
from evaluations.services import (
    accept_report, open_report, record_inspection, return_report, save_report, submit_report,
)
from tests.factories import UserFactory
from workflows.audit.chain import verify_chains
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year - 1


@pytest.fixture
def front(district, hamlet_front_head):
    chair = UserFactory(username="mt_xa_audit")
    grant_membership(user=chair, unit=district.commune, role=Role.COMMUNE_FRONT_CHAIR, since=datetime.date(2018, 1, 1))
    board = UserFactory(username="mt_huyen_audit")
    grant_membership(user=board, unit=district.district, role=Role.DISTRICT_FRONT_BOARD,
                     since=datetime.date(2018, 1, 1))
    return hamlet_front_head, chair, board


def _round(district, front):
    head, chair, board = front
    report = open_report(actor=head, unit=district.hamlet, year=YEAR, period="year")
    save_report(actor=head, report=report, values={"trees_planted": "12"})
    submit_report(actor=head, report=report)
    return_report(actor=chair, report=report, reason="Thiếu số liệu nội dung 3")
    submit_report(actor=head, report=report)
    accept_report(actor=chair, report=report)
    commune = open_report(actor=chair, unit=district.commune, year=YEAR, period="year")
    submit_report(actor=chair, report=commune)
    record_inspection(actor=board, report=report, inspected_on=datetime.date(YEAR, 12, 30), team="Tổ phúc tra",
                      points={f"c{n}": 17 for n in range(1, 6)}, reinspection=True)
    report.refresh_from_db()
    return report, commune


def test_every_step_of_a_report_is_in_its_own_chain(district, front):
    head, chair, board = front
    report, _commune = _round(district, front)
    events = list(AuditEvent.objects.filter(case=report.case).order_by("seq"))
    assert [(e.action, e.from_state, e.to_state, e.role) for e in events] == [
        ("evaluation_open", "", "draft", Role.HAMLET_FRONT_HEAD),
        ("evaluation_save", "draft", "draft", Role.HAMLET_FRONT_HEAD),
        ("evaluation_submit", "draft", "submitted", Role.HAMLET_FRONT_HEAD),
        ("evaluation_return", "submitted", "returned", Role.COMMUNE_FRONT_CHAIR),
        ("evaluation_submit", "returned", "submitted", Role.HAMLET_FRONT_HEAD),
        ("evaluation_accept", "submitted", "accepted", Role.COMMUNE_FRONT_CHAIR),
        ("evaluation_roll_up", "accepted", "rolled_up", Role.COMMUNE_FRONT_CHAIR),
        ("evaluation_reinspect", "rolled_up", "rolled_up", Role.DISTRICT_FRONT_BOARD),
    ]
    assert events[3].payload["reason"] == "Thiếu số liệu nội dung 3" and events[3].unit_id == district.commune.pk
    assert events[1].payload["indicators"] == ["trees_planted"]
    assert report.case.kind == "evaluation_report" and report.case.audit_head == events[-1].hash
    verified = verify_chains()
    assert verified.intact, verified.broken


def test_a_refused_step_writes_no_event(district, front):
    head, chair, _board = front
    report = open_report(actor=head, unit=district.hamlet, year=YEAR, period="year")
    before = AuditEvent.objects.count()
    with pytest.raises(Exception):
        accept_report(actor=chair, report=report)
    assert AuditEvent.objects.count() == before


def test_a_forged_report_event_is_detected(district, front, bypassing_guards):
    report, _commune = _round(district, front)
    forged = AuditEvent.objects.get(case=report.case, action="evaluation_return")
    with transaction.atomic(), bypassing_guards() as cursor:
        cursor.execute("UPDATE workflows_auditevent SET payload = %s WHERE id = %s",
                       ['{"reason": "Không có lý do"}', forged.pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit", stdout=io.StringIO())
    assert f"case {report.case.pk} (evaluation_report), seq {forged.seq}, event id {forged.pk}" in str(exc.value)
