"""Two people acting on one dossier at the same moment: one wins, the other is told why.

Each racer runs in its own thread with its own database connection and starts
at a barrier, so both transactions are open at once; the dossier row lock makes
the second wait for the first to commit, then re-read the dossier and refuse.
Needs PostgreSQL: SQLite has no row locks and serialises whole transactions.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import translation

from directory.models import Role
from directory.services import grant_membership
from titles.models import Award
from workflows import services
from workflows.models import AuditEvent, Decision, DossierState, NominationState
from workflows.services import RuleViolation

from ..factories import UserFactory
from .scenario import assert_audit_chain_intact, d, meet, open_with_households, send

pytestmark = [
    pytest.mark.postgres,
    # Committed data is needed for two connections to see it; serialized_rollback
    # restores the rule sets loaded by migrations for the tests that run after these.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fast_password_hashing"),
]


def race(*calls):
    """Run the calls at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    language = translation.get_language()

    def run(index, call):
        # Each thread starts in the default language; keep the test's own.
        translation.activate(language)
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", call())
        except Exception as error:  # the outcome is what the test inspects
            results[index] = ("refused", error)
        finally:
            translation.deactivate()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer is stuck"
    return results


def one_winner(results):
    winners = [value for outcome, value in results if outcome == "ok"]
    losers = [value for outcome, value in results if outcome == "refused"]
    assert len(winners) == 1 and len(losers) == 1, results
    return winners[0], losers[0]


@pytest.fixture
def second_officer(district):
    user = UserFactory(username="can_bo_xa_2")
    grant_membership(user=user, unit=district.commune, role=Role.COMMUNE_OFFICER, since=datetime.date(2018, 1, 1))
    return user


@pytest.fixture
def second_chair(district):
    user = UserFactory(username="pho_chu_tich_xa")
    grant_membership(user=user, unit=district.commune, role=Role.COMMUNE_CHAIR, since=datetime.date(2018, 1, 1))
    return user


@pytest.fixture
def submitted(district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(4))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    dossier.refresh_from_db()
    return dossier


def test_two_appraisals_at_the_same_moment_one_wins_the_other_is_told_and_one_event_is_written(
    commune_officer, second_officer, submitted
):
    rendered_at = submitted.revision  # both officers opened the appraisal page before either acted
    struck = submitted.nominations.order_by("household__code").first()

    results = race(
        lambda: services.appraise_dossier(actor=commune_officer, dossier=submitted, expected_revision=rendered_at),
        lambda: services.appraise_dossier(actor=second_officer, dossier=submitted, expected_revision=rendered_at,
                                          strikes={struck.pk: "Chưa đạt tiêu chí 2"}),
    )

    _, refusal = one_winner(results)
    assert isinstance(refusal, RuleViolation)
    assert "Someone else changed this dossier after you opened it" in refusal.message
    assert "Appraised, awaiting decision" in refusal.message
    submitted.refresh_from_db()
    assert submitted.state == DossierState.APPRAISED
    assert AuditEvent.objects.filter(case_id=submitted.case_id, action="accept").count() == 1
    winner = AuditEvent.objects.get(case_id=submitted.case_id, action="accept")
    struck_count = 1 if winner.actor == second_officer else 0
    assert winner.payload == {"accepted": 4 - struck_count, "struck": struck_count}
    assert AuditEvent.objects.filter(case_id=submitted.case_id, action="appraise").count() == 4
    assert assert_audit_chain_intact(submitted)[-1].action == "accept"


def test_two_appraisals_without_a_form_revision_still_let_only_one_through(
    commune_officer, second_officer, submitted
):
    results = race(
        lambda: services.appraise_dossier(actor=commune_officer, dossier=submitted),
        lambda: services.appraise_dossier(actor=second_officer, dossier=submitted),
    )

    _, refusal = one_winner(results)
    assert isinstance(refusal, RuleViolation)
    assert "not possible while the dossier is “Appraised, awaiting decision”" in refusal.message
    assert AuditEvent.objects.filter(case_id=submitted.case_id, action="accept").count() == 1
    assert_audit_chain_intact(submitted)


def test_an_appraisal_racing_a_return_leaves_exactly_one_of_them(commune_officer, second_officer, submitted):
    rendered_at = submitted.revision
    results = race(
        lambda: services.appraise_dossier(actor=commune_officer, dossier=submitted, expected_revision=rendered_at),
        lambda: services.return_dossier(actor=second_officer, dossier=submitted, reason="Thiếu biên bản",
                                        expected_revision=rendered_at),
    )

    one_winner(results)
    submitted.refresh_from_db()
    accepted = AuditEvent.objects.filter(case_id=submitted.case_id, action="accept").count()
    returned = AuditEvent.objects.filter(case_id=submitted.case_id, action="return").count()
    assert (accepted, returned) in {(1, 0), (0, 1)}
    assert submitted.state == (DossierState.APPRAISED if accepted else DossierState.RETURNED)
    assert_audit_chain_intact(submitted)


def test_two_decisions_at_the_same_moment_one_wins_and_the_households_are_recognized_once(
    commune_officer, commune_chair, second_chair, submitted
):
    services.appraise_dossier(actor=commune_officer, dossier=submitted)
    submitted.refresh_from_db()
    rendered_at = submitted.revision

    results = race(
        lambda: services.decide(actor=commune_chair, dossier=submitted, number="10/QĐ-UBND",
                                signed_on=d(2021, 11, 20), signer="Chủ tịch", expected_revision=rendered_at),
        lambda: services.decide(actor=second_chair, dossier=submitted, number="11/QĐ-UBND",
                                signed_on=d(2021, 11, 20), signer="Phó chủ tịch", expected_revision=rendered_at),
    )

    decision, refusal = one_winner(results)
    assert isinstance(refusal, RuleViolation)
    assert "Someone else changed this dossier after you opened it (it is now: Decided)" in refusal.message
    submitted.refresh_from_db()
    assert submitted.state == DossierState.DECIDED
    assert list(Decision.objects.filter(dossier=submitted)) == [decision]
    assert AuditEvent.objects.filter(case_id=submitted.case_id, action="decide").count() == 1
    assert Award.objects.filter(nomination__dossier=submitted).count() == 4
    assert set(submitted.nominations.values_list("state", flat=True)) == {NominationState.RECOGNIZED}
    assert_audit_chain_intact(submitted)


def test_two_dossiers_signed_with_the_same_number_at_the_same_moment_one_is_refused(
    district, hamlet_head, other_hamlet_head, commune_officer, commune_chair, second_chair, family_title,
    households, submitted,
):
    other = open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title,
                                 year=2021, households=households(2, hamlet=district.other_hamlet))
    meet(head=other_hamlet_head, dossier=other)
    send(head=other_hamlet_head, dossier=other)
    for dossier in (submitted, other):
        services.appraise_dossier(actor=commune_officer, dossier=dossier)

    results = race(
        lambda: services.decide(actor=commune_chair, dossier=submitted, number="20/QĐ-UBND",
                                signed_on=d(2021, 11, 20), signer="Chủ tịch"),
        lambda: services.decide(actor=second_chair, dossier=other, number="20/QĐ-UBND",
                                signed_on=d(2021, 11, 20), signer="Phó chủ tịch"),
    )

    decision, refusal = one_winner(results)
    assert isinstance(refusal, RuleViolation)
    assert "Decision number 20/QĐ-UBND is already used by Gia Kiệm" in refusal.message
    assert list(Decision.objects.filter(number="20/QĐ-UBND")) == [decision]
    loser = other if decision.dossier_id == submitted.pk else submitted
    loser.refresh_from_db()
    assert loser.state == DossierState.APPRAISED
    assert not AuditEvent.objects.filter(case_id=loser.case_id, action="decide").exists()
    assert not Award.objects.filter(nomination__dossier=loser).exists()
    assert_audit_chain_intact(loser)


def test_two_heads_opening_the_same_round_at_the_same_moment_get_one_dossier(
    district, hamlet_head, family_title
):
    deputy = UserFactory(username="pho_truong_ap")
    grant_membership(user=deputy, unit=district.hamlet, role=Role.HAMLET_HEAD, since=datetime.date(2018, 1, 1))

    results = race(
        lambda: services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=2021),
        lambda: services.open_round(actor=deputy, unit=district.hamlet, title_type=family_title, year=2021),
    )

    dossier, refusal = one_winner(results)
    assert isinstance(refusal, RuleViolation)
    assert "Ấp Đông Kinh already has a Gia đình văn hóa dossier for 2021" in refusal.message
    assert AuditEvent.objects.filter(action="open_round").count() == 1
    assert_audit_chain_intact(dossier)
