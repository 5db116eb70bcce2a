from celery import shared_task

from . import services
from .audit.chain import create_anchor


@shared_task(acks_late=True)
def anchor_audit_chains():
    """Periodically chain the heads of the dossiers' audit chains that moved.

    Idempotent: with no chain moved since the last anchor, nothing is written.
    """
    anchor = create_anchor()
    return anchor.pk if anchor else None


@shared_task(acks_late=True)
def purge_tally_drafts():
    """Delete the tally drafts of dossiers past the meeting and those older than
    TALLY_DRAFT_RETENTION_DAYS (workflows.services.drafts). Idempotent."""
    return services.purge_tally_drafts()
