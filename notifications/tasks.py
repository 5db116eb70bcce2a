"""Celery tasks: thin, take ids, safe to run twice (acks_late re-delivers after a crash); and the
hand-off of new deliveries to them (the outbox calls `dispatch` once its transaction commits)."""

import logging
from collections import defaultdict

from celery import shared_task

from . import delivery

log = logging.getLogger(__name__)

# Deliveries handed to one task: bounded so one task never runs for long.
BATCH = 200


@shared_task(acks_late=True)
def deliver(ids):
    return delivery.deliver(ids)


@shared_task(acks_late=True)
def redispatch_pending():
    return redispatch()


def dispatch(ids_by_channel):
    """Hand deliveries to Celery, one task per channel and batch.

    A broker outage only delays delivery: the rows stay pending and
    `redispatch` retries. One failed publish stops the rest so that a
    transition never waits on an unreachable broker more than once.
    """
    for channel, ids in ids_by_channel.items():
        for start in range(0, len(ids), BATCH):
            try:
                deliver.apply_async((ids[start:start + BATCH],), retry=False)
            except Exception:
                log.warning("broker unreachable; %s deliveries stay pending", sum(map(len, ids_by_channel.values())),
                            exc_info=True)
                return False
    return True


def redispatch(limit=5000):
    """Re-dispatch what is still due: never dispatched, failed with its backoff over, or stale."""
    rows = delivery.due(limit)
    by_channel = defaultdict(list)
    for pk, channel in rows:
        by_channel[channel].append(pk)
    if by_channel:
        dispatch(dict(by_channel))
    return len(rows)
