"""Moving a dossier to a given step through the real services (no shortcuts)."""

import datetime

from workflows import services
from workflows.models import VotingMethod


def d(year, month, day):
    return datetime.date(year, month, day)


def open_with_households(*, head, hamlet, title, year, households):
    dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=year)
    services.register_households(actor=head, dossier=dossier, household_ids=[h.pk for h in households],
                                 registered_on=d(year, 3, 1))
    return dossier


def tally_all(dossier, votes_for, votes_against=0):
    return {n.pk: (votes_for, votes_against) for n in dossier.nominations.all()}


def meet(*, head, dossier, invited=40, present=30, votes=None, exclusions=None, held_on=None, change_reasons=None):
    return services.record_meeting(
        actor=head, dossier=dossier, held_on=held_on or d(dossier.year, 11, 2), invited=invited, present=present,
        method=VotingMethod.SHOW_OF_HANDS, votes=votes if votes is not None else tally_all(dossier, present),
        exclusions=exclusions, change_reasons=change_reasons,
    )


def send(*, head, dossier, answer=""):
    """Post (when the rule set wants it) and submit, on the earliest allowed days; `answer`: to a return."""
    dossier.refresh_from_db()
    if dossier.rule_set.has_step("posting"):
        posting = services.post_list(actor=head, dossier=dossier, starts_on=d(dossier.year, 11, 3),
                                     place="Nhà văn hóa ấp")
        return services.submit_dossier(actor=head, dossier=dossier, submitted_on=posting.sendable_from,
                                       answer=answer)
    return services.submit_dossier(actor=head, dossier=dossier, submitted_on=d(dossier.year, 11, 4), answer=answer)


def through_appraisal(*, head, officer, hamlet, title, year, households, strikes=None):
    dossier = open_with_households(head=head, hamlet=hamlet, title=title, year=year, households=households)
    meet(head=head, dossier=dossier)
    send(head=head, dossier=dossier)
    services.appraise_dossier(actor=officer, dossier=dossier, strikes=strikes)
    dossier.refresh_from_db()
    return dossier


# ---------------------------------------------------------------- what a refused action must leave alone

def snapshot(dossier=None):
    """Everything a refused action must leave untouched, read fresh from the database.

    Compare the value before and after: equal means no vote, state, revision,
    audit event, record, award, notification or inbox task was written.
    """
    from viewflow.workflow.models import Task

    from notifications.models import Notification
    from titles.models import Award
    from workflows.models import (
        AuditEvent, Case, Decision, Dossier, Meeting, MinutesPage, Nomination, Posting, PostingComment,
    )

    row = None
    if dossier is not None:
        row = Dossier.objects.filter(pk=dossier.pk).values(
            "state", "case__revision", "case__audit_seq", "case__audit_head", "submitted_on", "submission_due",
            "decision_due",
            "return_reason",
        ).get()
    return {
        "dossier": row,
        "dossiers": Dossier.objects.count(),
        "cases": Case.objects.count(),
        "nominations": sorted(Nomination.objects.values_list(
            "pk", "dossier_id", "household_id", "state", "votes_for", "votes_against", "exclusion", "reason",
            "self_assessment", "self_assessed_on",
        )),
        "audit_events": AuditEvent.objects.count(),
        "meetings": Meeting.objects.count(),
        "minutes": sorted(Meeting.objects.values_list("pk", "minutes")),
        "minutes_pages": MinutesPage.objects.count(),
        "postings": Posting.objects.count(),
        "comments": PostingComment.objects.count(),
        "decisions": Decision.objects.count(),
        "awards": Award.objects.count(),
        "notifications": Notification.objects.count(),
        "tasks": sorted(Task.objects.values_list("pk", "status")),
    }


def assert_audit_chain_intact(dossier):
    """Each event links to the one before it and its hash covers what is stored."""
    from workflows.models import AuditEvent

    dossier.refresh_from_db()
    events = list(AuditEvent.objects.filter(case_id=dossier.case_id).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    previous = "0" * 64
    for event in events:
        assert event.prev_hash == previous, f"event {event.seq} does not link to event {event.seq - 1}"
        assert event.hash == event.compute_hash(), f"event {event.seq} does not match its hash"
        previous = event.hash
    assert dossier.case.audit_head == previous and dossier.case.audit_seq == len(events)
    return events
