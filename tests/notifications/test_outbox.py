"""The outbox: rows written with the change, delivered after commit, once, whatever fails."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Delivery, Notification
from tests.workflows.scenario import d, meet, open_with_households, send
from workflows import services as workflow
from workflows.services import RuleViolation

from .conftest import CLOSED_PORT_BROKER, broker

pytestmark = pytest.mark.django_db


def _submitted(hamlet_head, district, family_title, homes):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=homes)
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    return dossier


def test_submission_notifies_the_appraising_officer_after_commit(
    district, hamlet_head, commune_officer, family_title, households, eager, mail_users,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = _submitted(hamlet_head, district, family_title, households(2))
    note = Notification.objects.get(recipient=commune_officer, kind="submitted")
    assert note.url == f"/dossiers/{dossier.pk}/"
    assert note.status == Notification.Status.DELIVERED
    assert set(note.deliveries.values_list("channel", "status")) == {("in_app", "sent"), ("email", "sent")}
    assert [m.to for m in mail.outbox if dossier.unit.name in m.body] == [["can_bo_xa@example.vn"]]
    assert not Notification.objects.filter(recipient=hamlet_head, kind="submitted").exists()


def test_refused_transition_writes_no_notification(
    district, hamlet_head, commune_officer, family_title, households, monkeypatch,
    django_capture_on_commit_callbacks,
):
    """A refusal raised once the outbox rows are written (the transition's last step)
    leaves no row and dispatches nothing: the outbox is written in the transition's
    own transaction."""
    from workflows.services import messages as notify

    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier)
    dossier.refresh_from_db()
    real_write, written = notify.write, []

    def write_then_refuse(messages):
        ids = real_write(messages)
        written.extend(ids)
        raise RuleViolation("refused after the outbox")

    monkeypatch.setattr(notify, "write", write_then_refuse)
    before = Notification.objects.count(), Delivery.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuleViolation):
        workflow.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(2021, 11, 4))
    assert written, "the outbox was not reached"
    assert (Notification.objects.count(), Delivery.objects.count()) == before
    assert callbacks == []
    dossier.refresh_from_db()
    assert dossier.state == "reviewed"


def test_writing_the_same_event_to_the_same_recipient_twice_writes_it_once(
    district, hamlet_head, commune_officer, family_title, households
):
    from notifications.services.outbox import Message

    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(1))
    message = Message(event=f"d{dossier.pk}:99:test", kind="test", text="Một lần thôi", case_id=dossier.case_id,
                      user_id=commune_officer.pk)
    twin = Message(event=message.event, kind="test", text="Lần hai", case_id=dossier.case_id, user_id=commune_officer.pk)
    [first] = services.write([message, twin])
    assert services.write([twin]) == []
    rows = Notification.objects.filter(event=message.event)
    assert list(rows.values_list("pk", "text")) == [(first, "Một lần thôi")]
    assert Delivery.objects.filter(notification__event=message.event).count() == 1  # in-app (no email address)


def test_delivering_the_same_deliveries_twice_sends_each_email_once(
    district, hamlet_head, commune_officer, family_title, households, mail_users
):
    _submitted(hamlet_head, district, family_title, households(2))
    ids = list(Delivery.objects.values_list("pk", flat=True))
    mail.outbox.clear()
    services.deliver(ids)
    services.deliver(ids)
    services.redispatch()
    emails = Delivery.objects.filter(channel="email")
    assert len(mail.outbox) == emails.count() > 0
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_failing_sms_gateway_does_not_hold_back_email_or_in_app(
    settings, district, hamlet_head, commune_officer, family_title, households, mail_users
):
    settings.SMS_BACKEND = "tests.notifications.conftest.BrokenSmsBackend"
    services.set_channels(actor=commune_officer, email=True, sms=True, phone="0901 234 567")
    _submitted(hamlet_head, district, family_title, households(2))
    note = Notification.objects.get(recipient=commune_officer, kind="submitted")
    services.deliver(list(note.deliveries.values_list("pk", flat=True)))
    status = dict(note.deliveries.values_list("channel", "status"))
    assert status == {"in_app": "sent", "email": "sent", "sms": "failed"}
    sms = note.deliveries.get(channel="sms")
    assert sms.address == "0901234567" and "gateway down" in sms.last_error
    assert sms.next_attempt_at > timezone.now()


def test_a_failed_delivery_waits_for_its_backoff_then_gives_up_at_the_retry_limit(
    settings, district, hamlet_head, commune_officer, family_title, households, eager
):
    settings.SMS_BACKEND = "tests.notifications.conftest.BrokenSmsBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    services.set_channels(actor=commune_officer, email=False, sms=True, phone="0901234567")
    _submitted(hamlet_head, district, family_title, households(1))
    sms = Delivery.objects.get(channel="sms", notification__recipient=commune_officer)
    services.redispatch()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("failed", 1)
    services.redispatch()  # still inside the backoff: not retried
    sms.refresh_from_db()
    assert sms.attempts == 1
    Delivery.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    services.redispatch()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("dead", 2)
    assert sms.notification.status == Notification.Status.FAILED
    Delivery.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    assert services.redispatch() == 0


def test_transitions_succeed_while_the_broker_is_down_and_are_delivered_when_it_returns(
    district, hamlet_head, commune_officer, commune_chair, family_title, households,
    django_capture_on_commit_callbacks,
):
    with broker(CLOSED_PORT_BROKER), django_capture_on_commit_callbacks(execute=True):
        dossier = _submitted(hamlet_head, district, family_title, households(2))
        workflow.appraise_dossier(actor=commune_officer, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.state == "appraised"
    assert Delivery.objects.count() > 0
    assert not Delivery.objects.exclude(status="pending").exists()
    with broker("memory://", eager=True):
        services.redispatch()
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert Notification.objects.filter(recipient=commune_chair, kind="appraised").exists()


def test_a_worker_that_died_mid_send_leaves_a_claim_that_is_retried_after_the_timeout(
    settings, district, hamlet_head, commune_officer, family_title, households
):
    _submitted(hamlet_head, district, family_title, households(1))
    row = Delivery.objects.filter(notification__recipient=commune_officer).first()
    Delivery.objects.filter(pk=row.pk).update(status="sending", claim="dead-worker", claimed_at=timezone.now())
    services.deliver([row.pk])
    row.refresh_from_db()
    assert row.status == "sending"
    stale = timezone.now() - datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS + 1)
    Delivery.objects.filter(pk=row.pk).update(claimed_at=stale)
    services.deliver([row.pk])
    row.refresh_from_db()
    assert row.status == "sent"
