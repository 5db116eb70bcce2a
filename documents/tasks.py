"""Celery tasks: thin, safe to run twice (acks_late re-delivers after a crash)."""

from celery import shared_task

from evaluations.services import deadlines as evaluation_deadlines
from workflows.services import deadlines

from . import services


@shared_task(acks_late=True)
def check_deadlines():
    """Every deadline reminder and escalation due now: the steps of the route (workflows) and the
    publication of the decided lists (documents), the Front's evaluation reports (evaluations). Here
    because documents is the layer that sees them all."""
    return (len(deadlines.check_deadlines()) + len(services.check_publication_deadlines())
            + len(evaluation_deadlines.check_deadlines()))
