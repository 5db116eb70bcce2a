"""The outbox: writing notifications in the caller's transaction, delivering them after.

Writing (`write`) happens inside the service that makes the change, so a
rolled-back change leaves no message and a committed one always has its rows.
`transaction.on_commit` hands the new deliveries to Celery; if the broker is
down the rows simply stay pending and `redispatch` (run by beat) sends them
later. A worker claims a delivery with one conditional UPDATE before sending,
so two workers, a re-delivered task or a re-dispatch never send it twice.
"""

import datetime
import hashlib
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from guardian.models import GroupObjectPermission

from core import bulk
from directory.models import Unit

from ..channels import get_channel
from ..models import Channel, Delivery, Notification

log = logging.getLogger(__name__)

# Deliveries handed to one task: bounded so one task never runs for long.
BATCH = 200


@dataclass
class Message:
    """One message to one recipient: a user (any channel) or a household (SMS only)."""

    event: str
    kind: str
    text: str
    url: str = ""
    dossier: object = None
    user_id: int | None = None
    household: object = None

    @property
    def recipient_key(self):
        return f"u:{self.user_id}" if self.user_id else f"h:{self.household.pk}"


def holders(pairs):
    """Active users holding each (unit id, codename) through a membership group, in one query."""
    pairs = {(int(unit_id), codename) for unit_id, codename in pairs if unit_id}
    result = defaultdict(set)
    if not pairs:
        return result
    rows = GroupObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Unit),
        object_pk__in={str(unit_id) for unit_id, _ in pairs},
        permission__codename__in={codename for _, codename in pairs},
        group__user__is_active=True,
    ).values_list("object_pk", "permission__codename", "group__user__id")
    for object_pk, codename, user_id in rows:
        if user_id and (int(object_pk), codename) in pairs:
            result[(int(object_pk), codename)].add(user_id)
    return result


def users_holding(unit, codename):
    """Users who hold `codename` on `unit` through a membership group."""
    ids = holders([(unit.pk, codename)])[(unit.pk, codename)]
    return get_user_model().objects.filter(pk__in=ids)


def write(messages):
    """Write notifications and their deliveries; dispatch them once the transaction commits.

    A message whose (event, recipient) already exists is skipped, which makes
    re-running the writer of an event harmless. Query count is constant; a
    meeting writes one SMS per household, so rows go through core.bulk.
    Returns the new notifications' ids.
    """
    messages = [m for m in messages if m.user_id or (m.household is not None and m.household.phone)]
    if not messages:
        return []
    # Only the events' own rows: an event is new with each transition, so this is
    # usually empty, and it avoids sending every recipient key back to the database.
    existing = set(
        Notification.objects.filter(event__in={m.event for m in messages}).values_list("event", "recipient_key")
    )
    fresh, seen = [], set()
    for m in messages:
        key = (m.event, m.recipient_key)
        if key not in existing and key not in seen:
            seen.add(key)
            fresh.append(m)
    if not fresh:
        return []
    user_ids = {m.user_id for m in fresh if m.user_id}
    # Each user's address and ChannelPreference in one query; without a preference row the
    # three preference values are None: email on, SMS off.
    channels = {
        pk: rest for pk, *rest in get_user_model().objects.filter(pk__in=user_ids).values_list(
            "pk", "email", "notification_preference__email", "notification_preference__sms",
            "notification_preference__phone")
    } if user_ids else {}
    ids = bulk.insert(Notification, [
        {"recipient_id": m.user_id, "household_id": None if m.user_id else m.household.pk,
         "recipient_key": m.recipient_key, "event": m.event, "kind": m.kind,
         "dossier_id": m.dossier.pk if m.dossier is not None else None, "text": m.text, "url": m.url}
        for m in fresh
    ])
    deliveries = []
    for pk, m in zip(ids, fresh):
        if m.user_id:
            deliveries.append((pk, Channel.IN_APP, ""))
            email, by_email, by_sms, phone = channels.get(m.user_id, ("", None, None, None))
            if email and by_email is not False:
                deliveries.append((pk, Channel.EMAIL, email))
            if by_sms and phone:
                deliveries.append((pk, Channel.SMS, phone))
        else:
            deliveries.append((pk, Channel.SMS, m.household.phone))
    created = bulk.insert(Delivery, [
        {"notification_id": pk, "channel": channel, "address": address} for pk, channel, address in deliveries
    ])
    by_channel = defaultdict(list)
    for delivery_id, (_pk, channel, _address) in zip(created, deliveries):
        by_channel[channel].append(delivery_id)
    transaction.on_commit(lambda: dispatch(dict(by_channel)))
    return ids


def notify_unit(*, dossier, unit, codename, text, exclude=None, kind="unit", event=None):
    """Tell everyone holding `codename` on `unit` (kept for callers of the first outbox)."""
    from django.urls import reverse

    user_ids = holders([(unit.pk, codename)])[(unit.pk, codename)] - ({exclude.pk} if exclude else set())
    url = reverse("workflows:dossier", args=[dossier.pk]) if dossier else ""
    # The text is part of the key: two different messages in one transition are two events.
    digest = hashlib.sha1(text.encode()).hexdigest()[:12]
    event = event or f"d{dossier.pk}:{dossier.audit_seq}:{kind}:{unit.pk}:{codename}:{digest}"
    return write([Message(event=event, kind=kind, text=text, url=url, dossier=dossier, user_id=pk)
                  for pk in sorted(user_ids)])


def dispatch(ids_by_channel):
    """Hand deliveries to Celery, one task per channel and batch.

    A broker outage only delays delivery: the rows stay pending and
    `redispatch` retries. One failed publish stops the rest so that a
    transition never waits on an unreachable broker more than once.
    """
    from ..tasks import deliver

    for channel, ids in ids_by_channel.items():
        for start in range(0, len(ids), BATCH):
            try:
                deliver.apply_async((ids[start:start + BATCH],), retry=False)
            except Exception:
                log.warning("broker unreachable; %s deliveries stay pending", sum(map(len, ids_by_channel.values())),
                            exc_info=True)
                return False
    return True


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


def redispatch(limit=5000):
    """Re-dispatch what is still due: never dispatched, failed with its backoff over, or stale."""
    rows = list(
        Delivery.objects.filter(_claimable(timezone.now())).order_by("pk").values_list("pk", "channel")[:limit]
    )
    by_channel = defaultdict(list)
    for pk, channel in rows:
        by_channel[channel].append(pk)
    if by_channel:
        dispatch(dict(by_channel))
    return len(rows)


def deliver_notifications(ids):
    """Deliver every due channel of the given notifications (kept for the first outbox's callers)."""
    return deliver(list(Delivery.objects.filter(notification_id__in=ids).values_list("pk", flat=True)))
