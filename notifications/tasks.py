from celery import shared_task

from .models import Notification
from .services import deliver_notifications, dispatch


@shared_task(acks_late=True)
def deliver(ids):
    return deliver_notifications(ids)


@shared_task(acks_late=True)
def redispatch_pending():
    ids = list(Notification.objects.filter(status=Notification.Status.PENDING).values_list("pk", flat=True)[:1000])
    if ids:
        dispatch(ids)
    return len(ids)
