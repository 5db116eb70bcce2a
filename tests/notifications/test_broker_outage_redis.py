"""The broker-outage proof against a real Redis and a real Celery worker (runs in CI).

Transitions run while the broker URL points at a closed port: they must all
succeed and leave their deliveries pending. Then the broker is the real Redis,
a real worker consumes, the periodic re-dispatch runs (twice, as two beat ticks
would), and every delivery must have been sent exactly once.
"""

import threading

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from config.celery import app as celery_app
from notifications import services
from notifications.models import Delivery, Notification
from tests.workflows.scenario import d, meet, open_with_households, send
from workflows import services as workflow

from .conftest import CLOSED_PORT_BROKER, broker

# serialized_rollback: the test needs the rule sets and holidays loaded by data
# migrations, which an earlier transactional test may have flushed.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_transitions_during_a_broker_outage_are_delivered_exactly_once_by_a_real_worker(
    district, hamlet_head, hamlet_front_head, commune_officer, commune_chair, supervisor, family_title, households,
    mail_users, sms,
):
    homes = households(3)
    with broker(CLOSED_PORT_BROKER):
        dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                       households=homes)
        meet(head=hamlet_head, dossier=dossier)
        send(head=hamlet_head, dossier=dossier)
        workflow.appraise_dossier(actor=commune_officer, dossier=dossier)
        workflow.decide(actor=commune_chair, dossier=dossier, number="7/QĐ-UBND", signed_on=d(2021, 11, 10),
                        signer="Trần Văn A")
    dossier.refresh_from_db()
    assert dossier.state == "decided"
    deliveries = Delivery.objects.count()
    assert deliveries > 0
    assert Delivery.objects.filter(status="pending").count() == deliveries

    with broker(settings.CELERY_BROKER_URL):
        with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False,
                          shutdown_timeout=30):
            services.redispatch()
            services.redispatch()  # a second beat tick before the worker is done must not resend
            done = threading.Event()
            for _ in range(600):
                if not Delivery.objects.exclude(status="sent").exists():
                    done.set()
                    break
                done.wait(0.1)
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    emails = list(Delivery.objects.filter(channel="email").values_list("address", "notification__text"))
    assert sorted((m.to[0], m.body.split("\n\n")[0]) for m in mail.outbox) == sorted(emails)
    texts = list(Delivery.objects.filter(channel="sms").values_list("address", "notification__text"))
    assert sorted(sms) == sorted(texts) and len(texts) == 3 * 3  # registered, proposed, recognized
    assert not Notification.objects.exclude(status="delivered").exists()
