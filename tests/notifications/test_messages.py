"""Who is told what: households by SMS, officers in the app, each at the step that concerns them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from tests.workflows.scenario import d, meet, open_with_households, send, tally_all
from workflows import services as workflow

pytestmark = pytest.mark.django_db


def texts(**filters):
    return list(Notification.objects.filter(**filters).values_list("text", flat=True))


def test_households_with_a_phone_are_told_by_sms_when_registered_and_the_others_are_skipped(
    district, hamlet_head, family_title, households
):
    homes = households(3)
    homes[2].phone = ""
    homes[2].save()
    open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021, households=homes)
    registered = Notification.objects.filter(kind="registered", household__isnull=False)
    assert set(registered.values_list("household", flat=True)) == {homes[0].pk, homes[1].pk}
    assert set(registered.values_list("deliveries__channel", "deliveries__address")) == {("sms", "0912345678")}
    assert homes[0].head_name in registered.get(household=homes[0]).text


def test_each_household_learns_whether_it_was_proposed_and_why_not(
    district, hamlet_head, family_title, households
):
    homes = households(2)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=homes)
    votes = tally_all(dossier, 25)
    loser = dossier.nominations.get(household=homes[1])
    votes[loser.pk] = (10, 20)
    meet(head=hamlet_head, dossier=dossier, votes=votes)
    [proposed] = texts(kind="review_outcome", household=homes[0])
    [declined] = texts(kind="review_outcome", household=homes[1])
    assert "did not propose" not in proposed and homes[0].head_name in proposed
    assert "did not propose" in declined and "10 of 30 attendees agreed" in declined


def test_the_commune_officer_is_told_of_an_arriving_dossier_with_its_due_date_and_link(
    district, hamlet_head, commune_officer, other_commune_officer, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    note = Notification.objects.get(kind="submitted")
    assert note.recipient == commune_officer
    assert "Due 11/11/2021" in note.text  # 5 working days from Thursday 04/11/2021
    assert note.url == f"/dossiers/{dossier.pk}/"
    assert not Notification.objects.filter(recipient=other_commune_officer).exists()


def test_the_hamlet_head_is_told_why_the_dossier_came_back(
    district, hamlet_head, commune_officer, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    workflow.return_dossier(actor=commune_officer, dossier=dossier, reason="Thiếu biên bản họp")
    [text] = texts(kind="returned", recipient=hamlet_head)
    assert "Thiếu biên bản họp" in text


def test_struck_households_learn_the_reason_and_the_chair_is_asked_to_decide(
    district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    homes = households(2)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=homes)
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    struck = dossier.nominations.get(household=homes[0])
    workflow.appraise_dossier(actor=commune_officer, dossier=dossier, strikes={struck.pk: "Chưa đạt tiêu chí 3"})
    [text] = texts(kind="struck", household=homes[0])
    assert "Chưa đạt tiêu chí 3" in text
    assert not texts(kind="struck", household=homes[1])
    assert texts(kind="appraised", recipient=commune_chair)


def test_everyone_involved_hears_of_the_signed_decision_except_the_signer(
    district, hamlet_head, hamlet_front_head, commune_officer, commune_chair, supervisor, family_title, households
):
    homes = households(2)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=homes)
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    workflow.appraise_dossier(actor=commune_officer, dossier=dossier)
    workflow.decide(actor=commune_chair, dossier=dossier, number="45/QĐ-UBND", signed_on=d(2021, 11, 10),
                    signer="Trần Văn A")
    told = set(Notification.objects.filter(kind="decided").values_list("recipient__username", flat=True))
    assert told == {"truong_ap", "truong_ban_mt", "can_bo_xa", "giam_sat"}
    recognized = Notification.objects.filter(kind="recognized")
    assert set(recognized.values_list("household", flat=True)) == {h.pk for h in homes}
    assert all("45/QĐ-UBND" in n.text for n in recognized)


def test_messages_are_written_once_per_transition_whatever_the_number_of_households(
    district, hamlet_head, family_title, households
):
    dossier = workflow.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=2021)

    def registering(n):
        dossier.refresh_from_db()
        ids = [h.pk for h in households(n)]
        with CaptureQueriesContext(connection) as ctx:
            workflow.register_households(actor=hamlet_head, dossier=dossier, registered_on=d(2021, 3, 1),
                                         household_ids=ids)
        return len(ctx.captured_queries)

    assert registering(2) == registering(40)
    assert Notification.objects.filter(kind="registered", household__isnull=False).count() == 42
