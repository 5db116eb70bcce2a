"""Writing to the outbox; delivery happens after commit, in Celery."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermission

from .models import Notification

log = logging.getLogger(__name__)


def users_holding(unit, codename):
    """Users who hold `codename` on `unit` through a membership group."""
    groups = GroupObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(unit), object_pk=str(unit.pk),
        permission__codename=codename,
    ).values("group_id")
    return get_user_model().objects.filter(groups__in=groups, is_active=True).distinct()


def notify_unit(*, dossier, unit, codename, text, exclude=None):
    """Queue one in-app notification for everyone holding `codename` on `unit`."""
    recipients = users_holding(unit, codename)
    if exclude is not None:
        recipients = recipients.exclude(pk=exclude.pk)
    url = reverse("workflows:dossier", args=[dossier.pk]) if dossier else ""
    rows = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, dossier=dossier, text=text, url=url)
         for pk in recipients.values_list("pk", flat=True)]
    )
    ids = [row.pk for row in rows if row.pk]
    if ids:
        transaction.on_commit(lambda: dispatch(ids))
    return rows


def dispatch(ids):
    """Hand delivery to Celery; a broker outage only delays it (see redispatch_pending)."""
    from .tasks import deliver

    try:
        deliver.delay(ids)
    except Exception:  # the outbox keeps the rows; the periodic task retries
        log.warning("broker unreachable; %s notifications stay pending", len(ids), exc_info=True)


def deliver_notifications(ids):
    """Mark pending in-app notifications as delivered. Idempotent: delivered rows are skipped."""
    return Notification.objects.filter(pk__in=ids, status=Notification.Status.PENDING).update(
        status=Notification.Status.DELIVERED, delivered_at=timezone.now()
    )


def mark_read(*, user, ids=None):
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
