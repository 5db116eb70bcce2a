"""Sending what the outbox wrote: a worker claims a delivery with one conditional UPDATE before
sending it through its channel, so two workers, a re-delivered task or a re-dispatch never send it
twice; a failed send is retried with backoff up to NOTIFICATION_MAX_ATTEMPTS.

Outside notifications.services so that the tasks, which the outbox imports to hand its rows to
Celery, import this without the outbox.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .channels import get_channel
from .models import Channel, Delivery, Notification

log = logging.getLogger(__name__)


def _claimable(now):
    stale = now - datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)
    retryable = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    # A claim older than the timeout belongs to a worker that died mid-send.
    return retryable | Q(status=Delivery.Status.SENDING, claimed_at__lt=stale)


def deliver(ids):
    """Send the given deliveries that are still due; skip the rest. Returns how many were sent.

    Idempotent: the conditional UPDATE lets exactly one caller claim a row, and
    a sent row is never claimable again.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    Delivery.objects.filter(pk__in=ids).filter(_claimable(now)).update(
        status=Delivery.Status.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
    )
    claimed = list(Delivery.objects.filter(pk__in=ids, claim=token).select_related("notification"))
    sent_in_app = []
    sent = 0
    for delivery in claimed:
        try:
            get_channel(delivery.channel).send(delivery)
        except Exception as exc:
            _failed(delivery, exc)
            continue
        sent += 1
        if delivery.channel == Channel.IN_APP:
            sent_in_app.append(delivery.pk)
        else:
            # Recorded right after the external send, to keep the window in which a
            # crash could lead to a second send as short as possible.
            Delivery.objects.filter(pk=delivery.pk, claim=token).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
            )
    if sent_in_app:
        Delivery.objects.filter(pk__in=sent_in_app, claim=token).update(status=Delivery.Status.SENT, sent_at=now)
    _settle({d.notification_id for d in claimed})
    return sent


def _failed(delivery, exc):
    log.warning("delivery %s by %s failed (attempt %s): %s", delivery.pk, delivery.channel, delivery.attempts, exc)
    if delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        status, next_at = Delivery.Status.DEAD, None
    else:
        status = Delivery.Status.FAILED
        delay = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)
        next_at = timezone.now() + datetime.timedelta(seconds=delay)
    Delivery.objects.filter(pk=delivery.pk, claim=delivery.claim).update(
        status=status, next_attempt_at=next_at, last_error=str(exc)[:2000]
    )


def _settle(notification_ids):
    if not notification_ids:
        return
    open_states = [Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.FAILED, Delivery.Status.DEAD]
    Notification.objects.filter(pk__in=notification_ids, status=Notification.Status.PENDING).exclude(
        deliveries__status__in=open_states
    ).update(status=Notification.Status.DELIVERED, delivered_at=timezone.now())
    Notification.objects.filter(pk__in=notification_ids, deliveries__status=Delivery.Status.DEAD).update(
        status=Notification.Status.FAILED
    )


def deliver_notifications(ids):
    """Deliver every due channel of the given notifications (kept for the first outbox's callers)."""
    return deliver(list(Delivery.objects.filter(notification_id__in=ids).values_list("pk", flat=True)))


def due(limit=5000):
    """(pk, channel) of the deliveries still due: never dispatched, failed with its backoff over, or stale."""
    return list(Delivery.objects.filter(_claimable(timezone.now())).order_by("pk").values_list("pk", "channel")[:limit])
