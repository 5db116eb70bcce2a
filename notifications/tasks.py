"""Celery tasks: thin, take ids, safe to run twice (acks_late re-delivers after a crash)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def deliver(ids):
    return services.deliver(ids)


@shared_task(acks_late=True)
def redispatch_pending():
    return services.redispatch()
