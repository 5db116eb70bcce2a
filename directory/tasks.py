from celery import shared_task

from . import services


@shared_task(acks_late=True)
def apply_membership_dates():
    """Start and end the memberships whose first or last day has come (see directory.services).

    Idempotent: run again the same day, it changes nothing."""
    return services.apply_membership_dates()
