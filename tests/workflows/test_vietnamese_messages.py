"""Refusals reach people in Vietnamese by default, with the rule and the numbers."""

import pytest

from workflows import services
from workflows.models import AuditEvent, VotingMethod

from .scenario import d, open_with_households, tally_all

pytestmark = [pytest.mark.django_db, pytest.mark.vietnamese]


def test_quorum_refusal_is_in_vietnamese_with_the_numbers(district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(3))
    events = AuditEvent.objects.count()
    with pytest.raises(services.RuleViolation) as refused:
        services.record_meeting(actor=hamlet_head, dossier=dossier, held_on=d(2021, 11, 2), invited=40, present=18,
                                method=VotingMethod.SECRET_BALLOT, votes=tally_all(dossier, 18))
    message = refused.value.messages[0]
    assert "18/40 người được mời dự họp (45.0%)" in message
    assert "60%" in message and "Nghị định 122/2018" in message
    assert AuditEvent.objects.count() == events


def test_votes_beyond_attendees_are_refused_in_vietnamese(district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    with pytest.raises(services.RuleViolation) as refused:
        services.record_meeting(actor=hamlet_head, dossier=dossier, held_on=d(2021, 11, 2), invited=40, present=30,
                                method=VotingMethod.SHOW_OF_HANDS, votes=tally_all(dossier, 25, 10))
    message = refused.value.messages[0]
    assert "25" in message and "10" in message and "30" in message
    assert "phiếu" in message
