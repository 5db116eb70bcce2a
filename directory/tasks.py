from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True)
def apply_membership_dates():
    """Start and end the memberships whose first or last day has come (see directory.services).

    Idempotent: run again the same day, it changes nothing."""
    return services.apply_membership_dates()


@shared_task(acks_late=True)
def apply_household_import(import_id):
    """Apply a confirmed household import (directory.services.run_household_import); safe to deliver twice."""
    services.run_household_import(import_id, max_rows=settings.HOUSEHOLD_IMPORT_MAX_ROWS)
