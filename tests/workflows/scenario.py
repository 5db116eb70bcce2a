"""Moving a dossier to a given step through the real services (no shortcuts)."""

import datetime

from workflows import services
from workflows.models import VotingMethod


def d(year, month, day):
    return datetime.date(year, month, day)


def open_with_households(*, head, hamlet, title, year, households):
    dossier = services.open_round(actor=head, hamlet=hamlet, title_type=title, year=year)
    services.register_households(actor=head, dossier=dossier, household_ids=[h.pk for h in households],
                                 registered_on=d(year, 3, 1))
    return dossier


def tally_all(dossier, votes_for, votes_against=0):
    return {n.pk: (votes_for, votes_against) for n in dossier.nominations.all()}


def meet(*, head, dossier, invited=40, present=30, votes=None, exclusions=None, held_on=None):
    return services.record_meeting(
        actor=head, dossier=dossier, held_on=held_on or d(dossier.year, 11, 2), invited=invited, present=present,
        method=VotingMethod.SHOW_OF_HANDS, votes=votes if votes is not None else tally_all(dossier, present),
        exclusions=exclusions,
    )


def send(*, head, dossier):
    """Post (when the rule set wants it) and submit, on the earliest allowed days."""
    dossier.refresh_from_db()
    if dossier.rule_set.has_step("posting"):
        posting = services.post_list(actor=head, dossier=dossier, starts_on=d(dossier.year, 11, 3),
                                     place="Nhà văn hóa ấp")
        return services.submit_dossier(actor=head, dossier=dossier, submitted_on=posting.ends_on)
    return services.submit_dossier(actor=head, dossier=dossier, submitted_on=d(dossier.year, 11, 4))


def through_appraisal(*, head, officer, hamlet, title, year, households, strikes=None):
    dossier = open_with_households(head=head, hamlet=hamlet, title=title, year=year, households=households)
    meet(head=head, dossier=dossier)
    send(head=head, dossier=dossier)
    services.appraise_dossier(actor=officer, dossier=dossier, strikes=strikes)
    dossier.refresh_from_db()
    return dossier
