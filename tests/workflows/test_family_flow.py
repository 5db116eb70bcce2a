"""The Cultural Family dossier from registration to recognition, through the services."""

import pytest
from django.core.exceptions import PermissionDenied
from viewflow.workflow.models import Task

from titles.models import Award
from workflows import services
from workflows.models import AuditEvent, DossierState, NominationState

from .scenario import d, meet, open_with_households, send, tally_all

pytestmark = pytest.mark.django_db


def test_whole_2025_cycle_grants_awards_with_a_complete_trail(
    district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    homes = households(5)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=homes)
    assert dossier.rule_set.code == "gdvh-2025-hai-cap"
    votes = tally_all(dossier, 25, 3)
    last = dossier.nominations.order_by("household__code").last()
    votes[last.pk] = (10, 18)
    meet(head=hamlet_head, dossier=dossier, votes=votes)
    send(head=hamlet_head, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED

    first = dossier.nominations.order_by("household__code").first()
    services.appraise_dossier(actor=commune_officer, dossier=dossier, strikes={first.pk: "Chưa đạt tiêu chí 3"})
    services.decide(actor=commune_chair, dossier=dossier, number="123/QĐ-UBND", signed_on=d(2025, 11, 20),
                    signer="Trần Văn Chủ Tịch")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.DECIDED
    states = dict(dossier.nominations.values_list("household__code", "state"))
    assert sorted(states.values()).count(NominationState.RECOGNIZED) == 3
    assert states[first.household.code] == NominationState.STRUCK
    assert states[last.household.code] == NominationState.NOT_PROPOSED
    assert Award.objects.filter(year=2025, decision__number="123/QĐ-UBND").count() == 3
    actions = list(AuditEvent.objects.filter(case_id=dossier.case_id).values_list("action", flat=True))
    assert actions[0] == "open_round" and actions[-1] == "decide"
    assert actions.count("register") == 5 and actions.count("meeting_vote") == 5
    assert dossier.process.status == "DONE"
    assert not Task.objects.filter(process=dossier.process, status="NEW").exists()


def test_inbox_tasks_follow_the_dossier_between_levels(
    district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(3))

    def queue(user):
        return list(Task.objects.user_queue(user).filter(status="NEW").values_list("flow_task", flat=True))

    assert len(queue(hamlet_head)) == 1 and queue(commune_officer) == []
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    assert queue(hamlet_head) == [] and len(queue(commune_officer)) == 1
    services.return_dossier(actor=commune_officer, dossier=dossier, reason="Thiếu biên bản")
    assert len(queue(hamlet_head)) == 1 and queue(commune_officer) == []
    send(head=hamlet_head, dossier=dossier, answer="Đã bổ sung biên bản có chữ ký")
    services.appraise_dossier(actor=commune_officer, dossier=dossier)
    assert queue(commune_officer) == [] and len(queue(commune_chair)) == 1


def test_hamlet_head_of_another_hamlet_cannot_register_here(
    district, hamlet_head, other_hamlet_head, family_title, households
):
    dossier = services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=2021)
    with pytest.raises(PermissionDenied):
        services.register_households(actor=other_hamlet_head, dossier=dossier,
                                     household_ids=[h.pk for h in households(2)], registered_on=d(2021, 3, 1))
    assert dossier.nominations.count() == 0
