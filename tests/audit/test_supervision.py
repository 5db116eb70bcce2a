"""The Front's supervision: concerns block the decision until answered and closed; supervisors only read."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from directory.models import Role
from directory.services import grant_membership
from notifications.models import Notification
from tests.factories import UserFactory
from tests.workflows.scenario import d, through_appraisal
from titles.models import Award
from workflows.services import revoke_award
from workflows import services
from workflows.audit.chain import verify_chains
from workflows.models import AuditEvent, ConcernState, Dossier, DossierState
from workflows.supervision import answer_concern, close_concern, raise_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def appraised(district, hamlet_head, commune_officer, family_title, households):
    return through_appraisal(head=hamlet_head, officer=commune_officer, hamlet=district.hamlet,
                             title=family_title, year=2021, households=households(3))


@pytest.fixture
def district_front(district):
    user = UserFactory(username="mttq_huyen")
    grant_membership(user=user, unit=district.district, role=Role.DISTRICT_FRONT_BOARD, since=datetime.date(2018, 1, 1))
    return user


def decide(chair, dossier):
    return services.decide(actor=chair, dossier=dossier, number="45/QĐ-UBND", signed_on=d(2021, 11, 25),
                           signer="Trần Văn Chủ Tịch")


def test_open_concern_blocks_the_decision_until_answered_and_closed(
    appraised, supervisor, commune_officer, commune_chair
):
    nomination = appraised.nominations.first()
    concern = raise_concern(actor=supervisor, dossier=appraised, nomination=nomination,
                            text="Hộ này có thành viên vi phạm trật tự công cộng?")
    with pytest.raises(services.RuleViolation, match="1 supervision concern"):
        decide(commune_chair, appraised)
    appraised.refresh_from_db()
    assert appraised.state == DossierState.APPRAISED and not Award.objects.exists()

    answer_concern(actor=commune_officer, concern=concern, answer="Đã xác minh: không vi phạm.")
    with pytest.raises(services.RuleViolation):
        decide(commune_chair, appraised)

    close_concern(actor=supervisor, concern=concern, note="Chấp nhận giải trình.")
    decide(commune_chair, appraised)
    appraised.refresh_from_db()
    assert appraised.state == DossierState.DECIDED

    events = list(AuditEvent.objects.filter(case_id=appraised.case_id, action__startswith="concern_")
                  .values_list("action", "role", "actor_name"))
    assert events == [("concern_raise", "supervisor", supervisor.username),
                      ("concern_answer", "commune_officer", commune_officer.username),
                      ("concern_close", "supervisor", supervisor.username)]
    assert verify_chains().intact


def test_raising_and_answering_notify_the_other_side(appraised, supervisor, commune_chair, commune_officer):
    concern = raise_concern(actor=supervisor, dossier=appraised, text="Biên bản họp thiếu chữ ký.")
    assert Notification.objects.filter(recipient=commune_chair, text__contains="Biên bản họp").exists()
    answer_concern(actor=commune_chair, concern=concern, answer="Đã bổ sung.")
    assert Notification.objects.filter(recipient=supervisor, text__contains="Đã bổ sung").exists()


def test_a_district_front_board_supervises_its_whole_subtree(appraised, district_front):
    concern = raise_concern(actor=district_front, dossier=appraised, text="Kiểm tra lại số phiếu.")
    assert concern.raised_role == Role.DISTRICT_FRONT_BOARD and concern.state == ConcernState.OPEN


def test_supervisor_of_another_commune_cannot_raise_a_concern(appraised, district):
    user = UserFactory(username="giam_sat_khac")
    grant_membership(user=user, unit=district.other_commune, role=Role.SUPERVISOR, since=datetime.date(2018, 1, 1))
    with pytest.raises(PermissionDenied):
        raise_concern(actor=user, dossier=appraised, text="x")
    assert not appraised.concerns.exists()


def test_only_the_level_now_responsible_answers_and_only_a_supervisor_closes(
    appraised, supervisor, hamlet_head, commune_officer
):
    concern = raise_concern(actor=supervisor, dossier=appraised, text="Vì sao hộ A bị loại?")
    with pytest.raises(PermissionDenied):
        answer_concern(actor=hamlet_head, concern=concern, answer="x")
    with pytest.raises(PermissionDenied):
        answer_concern(actor=supervisor, concern=concern, answer="x")
    with pytest.raises(PermissionDenied):
        close_concern(actor=commune_officer, concern=concern)
    concern.refresh_from_db()
    assert concern.state == ConcernState.OPEN and concern.answer == ""


def test_empty_concern_is_refused(appraised, supervisor):
    with pytest.raises(services.RuleViolation):
        raise_concern(actor=supervisor, dossier=appraised, text="  ")
    assert not appraised.concerns.exists()


def test_supervisor_reads_the_provenance_of_awards_in_its_subtree(client, appraised, supervisor, commune_chair):
    decide(commune_chair, appraised)
    client.force_login(supervisor)
    award = Award.objects.first()
    assert client.get(reverse("workflows:provenance", args=[award.pk])).status_code == 200


def _write_services(dossier, hamlet, title):
    nomination = dossier.nominations.first()
    day = d(2021, 11, 25)
    return {
        "open_round": lambda a: services.open_round(actor=a, unit=hamlet, title_type=title, year=2022),
        "register_households": lambda a: services.register_households(
            actor=a, dossier=dossier, household_ids=[nomination.household_id], registered_on=day),
        "record_self_assessments": lambda a: services.record_self_assessments(
            actor=a, dossier=dossier, assessments={nomination.pk: "x"}, assessed_on=day),
        "record_meeting": lambda a: services.record_meeting(
            actor=a, dossier=dossier, held_on=day, invited=10, present=10, method="show_of_hands",
            votes={nomination.pk: (10, 0)}),
        "post_list": lambda a: services.post_list(actor=a, dossier=dossier, starts_on=day, place="x"),
        "record_comment": lambda a: services.record_comment(
            actor=a, dossier=dossier, received_on=day, author="x", text="x"),
        "submit_dossier": lambda a: services.submit_dossier(actor=a, dossier=dossier, submitted_on=day),
        "appraise_dossier": lambda a: services.appraise_dossier(actor=a, dossier=dossier),
        "return_dossier": lambda a: services.return_dossier(actor=a, dossier=dossier, reason="x"),
        "decide": lambda a: services.decide(actor=a, dossier=dossier, number="1/QĐ", signed_on=day, signer="x"),
        "answer_concern": lambda a: answer_concern(actor=a, concern=dossier.concerns.first(), answer="x"),
    }


WRITE_SERVICES = ["open_round", "register_households", "record_self_assessments", "record_meeting", "post_list",
                  "record_comment", "submit_dossier", "appraise_dossier", "return_dossier", "decide",
                  "answer_concern"]


@pytest.mark.parametrize("service", WRITE_SERVICES)
def test_supervisors_cannot_change_anything(service, appraised, supervisor, district_front, district, family_title):
    raise_concern(actor=supervisor, dossier=appraised, text="y")
    appraised.refresh_from_db()
    call = _write_services(appraised, district.hamlet, family_title)[service]
    before = (AuditEvent.objects.count(), Dossier.objects.count(), Award.objects.count())
    for user in (supervisor, district_front):
        with pytest.raises(PermissionDenied):
            call(user)
    assert (AuditEvent.objects.count(), Dossier.objects.count(), Award.objects.count()) == before


def test_supervisors_cannot_revoke(decided_dossier, supervisor, district_front):
    award = Award.objects.first()
    for user in (supervisor, district_front):
        with pytest.raises(PermissionDenied):
            revoke_award(actor=user, award=award, ground="a", decision_number="1", reason="x")
    award.refresh_from_db()
    assert award.revoked_at is None
