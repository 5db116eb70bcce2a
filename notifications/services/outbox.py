"""The outbox: writing notifications in the caller's transaction, delivering them after.

Writing (`write`) happens inside the service that makes the change, so a
rolled-back change leaves no message and a committed one always has its rows.
`transaction.on_commit` hands the new deliveries to Celery (notifications.tasks.dispatch);
if the broker is down the rows simply stay pending and `redispatch` (run by beat) sends
them later. Sending is notifications.delivery.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from guardian.models import GroupObjectPermission

from core import bulk
from core.lookups import AnyOf
from directory.models import Unit

from ..models import Channel, Delivery, Notification
from ..tasks import dispatch


@dataclass
class Message:
    """One message to one recipient: a user (any channel) or a household (SMS only)."""

    event: str
    kind: str
    text: str
    url: str = ""
    # The audited case the message is about (workflows.Case id: a dossier's, or any other record's).
    case_id: int | None = None
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
        AnyOf(F("object_pk"), {str(unit_id) for unit_id, _ in pairs}),
        content_type=ContentType.objects.get_for_model(Unit),
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
        Notification.objects.filter(AnyOf(F("event"), {m.event for m in messages}))
        .values_list("event", "recipient_key")
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
        pk: rest for pk, *rest in get_user_model().objects.filter(AnyOf(F("pk"), user_ids)).values_list(
            "pk", "email", "notification_preference__email", "notification_preference__sms",
            "notification_preference__phone")
    } if user_ids else {}
    deliveries = []  # (index of the message in fresh, channel, address)
    for i, m in enumerate(fresh):
        if m.user_id:
            deliveries.append((i, Channel.IN_APP, ""))
            email, by_email, by_sms, phone = channels.get(m.user_id, ("", None, None, None))
            if email and by_email is not False:
                deliveries.append((i, Channel.EMAIL, email))
            if by_sms and phone:
                deliveries.append((i, Channel.SMS, phone))
        else:
            deliveries.append((i, Channel.SMS, m.household.phone))
    # The notifications' and the deliveries' ids in one statement (PostgreSQL), not one each.
    drawn = bulk.new_ids({Notification: len(fresh), Delivery: len(deliveries)}) or {}
    ids = bulk.insert(Notification, [
        {"recipient_id": m.user_id, "household_id": None if m.user_id else m.household.pk,
         "recipient_key": m.recipient_key, "event": m.event, "kind": m.kind,
         "case_id": m.case_id, "text": m.text, "url": m.url}
        for m in fresh
    ], ids=drawn.get(Notification, True))
    created = bulk.insert(Delivery, [
        {"notification_id": ids[i], "channel": channel, "address": address} for i, channel, address in deliveries
    ], ids=drawn.get(Delivery, True))
    by_channel = defaultdict(list)
    for delivery_id, (_pk, channel, _address) in zip(created, deliveries):
        by_channel[channel].append(delivery_id)
    transaction.on_commit(lambda: dispatch(dict(by_channel)))
    return ids
