"""Property-based: whatever numbers a meeting tally carries, the result is either the
transition the rule set prescribes or a clear refusal that changes nothing. Never a
server error (the test client re-raises one), never a partial write."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings, strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.workflows.scenario import open_with_households
from workflows import services
from workflows.api.serializers import MAX_COUNT
from workflows.models import AuditEvent, DossierState, Meeting, NominationState
from workflows.services import RuleViolation

pytestmark = pytest.mark.django_db

HOUSEHOLDS = 3
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Mostly plausible counts, with negatives, and now and then numbers no column can hold.
count = st.one_of(st.integers(-3, 60), st.integers(-3, 60), st.integers(-(2**40), 2**40))


@st.composite
def plausible_meeting(draw):
    """A meeting a hamlet could really hold: the boundary cases of the rules live here."""
    invited = draw(st.integers(1, 60))
    present = draw(st.integers(0, invited))
    votes = []
    for _ in range(HOUSEHOLDS):
        votes_for = draw(st.integers(0, present))
        votes.append((votes_for, draw(st.integers(0, present - votes_for))))
    return invited, present, votes


wild_meeting = st.tuples(count, count, st.lists(st.tuples(count, count), min_size=HOUSEHOLDS, max_size=HOUSEHOLDS))
meeting_numbers = st.one_of(plausible_meeting(), plausible_meeting(), wild_meeting)


def _snapshot(dossier):
    dossier.refresh_from_db()
    return (dossier.state, dossier.revision, AuditEvent.objects.filter(case_id=dossier.case_id).count(),
            Meeting.objects.filter(dossier=dossier).count(),
            sorted(dossier.nominations.values_list("pk", "state", "votes_for", "votes_against")))


def _expected(rules, invited, present, tallies):
    """The outcome the rule set prescribes: None for a refusal, else {nomination: proposed?}."""
    if not (1 <= invited and 0 <= present <= invited):
        return None
    if rules.quorum_pct is not None and present * 100 < rules.quorum_pct * invited:
        return None
    if any(f < 0 or a < 0 or f + a > present for f, a in tallies.values()):
        return None
    if rules.approval_pct is not None:
        return {pk: f * 100 >= rules.approval_pct * present for pk, (f, a) in tallies.items()}
    return {pk: f > a for pk, (f, a) in tallies.items()}


@pytest.fixture
def dossiers(district, hamlet_head, family_title, households):
    return {
        year: open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=year,
                                   households=households(HOUSEHOLDS))
        for year in (2021, 2025)
    }


def _check_outcome(dossier, before, accepted, expected):
    event("applied" if accepted else "refused")
    if expected is None:
        assert not accepted
        assert _snapshot(dossier) == before, "a refused meeting changed something"
        return
    assert accepted, "a valid meeting was refused"
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED
    states = dict(dossier.nominations.values_list("pk", "state"))
    assert states == {pk: NominationState.PROPOSED if ok else NominationState.NOT_PROPOSED
                      for pk, ok in expected.items()}


@PROPERTY_SETTINGS
@given(year=st.sampled_from([2021, 2025]), numbers=meeting_numbers,
       method=st.sampled_from(["show_of_hands", "secret_ballot", "show_of_hands", "", "raise hands"]))
def test_any_tally_through_the_api_is_applied_or_refused_whole(dossiers, hamlet_head, year, numbers, method):
    invited, present, votes = numbers
    dossier = dossiers[year]
    head = hamlet_head
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=head)[0].key}")
    pks = sorted(dossier.nominations.values_list("pk", flat=True))
    tallies = dict(zip(pks, votes))
    with transaction.atomic():
        before = _snapshot(dossier)
        response = client.post(f"/api/dossiers/{dossier.pk}/meeting/", {
            "held_on": f"{year}-11-02", "invited": invited, "present": present, "method": method,
            "votes": [{"nomination": pk, "votes_for": f, "votes_against": a} for pk, (f, a) in tallies.items()],
        }, format="json")
        assert response.status_code in (200, 400), response.status_code
        body = response.json()
        if response.status_code == 400:
            assert body["code"] in ("rule_violation", "invalid") and body["message"]
        in_range = all(abs(n) <= MAX_COUNT for n in [invited, present, *[x for pair in votes for x in pair]])
        valid_method = method in ("show_of_hands", "secret_ballot")
        expected = _expected(dossier.rule_set, invited, present, tallies) if in_range and valid_method else None
        _check_outcome(dossier, before, response.status_code == 200, expected)
        transaction.set_rollback(True)


odd_value = st.one_of(st.integers(-3, 60), st.text(max_size=4), st.none(), st.just("12"))
odd_pair = st.one_of(st.none(), st.tuples(st.integers(-3, 60), st.integers(-3, 60)),
                     st.tuples(st.text(max_size=3), st.integers(0, 60)), st.lists(st.integers(0, 60), max_size=3))
odd_meeting = st.tuples(odd_value, odd_value,
                        st.lists(odd_pair, min_size=HOUSEHOLDS - 1, max_size=HOUSEHOLDS + 1))


@PROPERTY_SETTINGS
@given(numbers=st.one_of(plausible_meeting(), odd_meeting))
def test_any_tally_given_to_the_service_is_applied_or_refused_with_a_rule_violation(dossiers, hamlet_head, numbers):
    invited, present, votes = numbers
    dossier = dossiers[2021]
    pks = sorted(dossier.nominations.values_list("pk", flat=True))
    # One more pair than households names a nomination that is not in the dossier.
    tallies = dict(zip(pks + [max(pks) + 1000], votes))
    with transaction.atomic():
        before = _snapshot(dossier)
        try:
            services.record_meeting(actor=hamlet_head, dossier=dossier, held_on=datetime.date(2021, 11, 2),
                                    invited=invited, present=present, method="secret_ballot", votes=tallies)
            accepted = True
        except RuleViolation as refusal:
            assert refusal.messages and all(refusal.messages)
            accepted = False
        clean = (
            all(isinstance(n, int) for n in (invited, present)) and set(tallies) == set(pks)
            and all(isinstance(v, tuple) and all(isinstance(x, int) for x in v) and len(v) == 2
                    for v in tallies.values())
        )
        expected = _expected(dossier.rule_set, invited, present, tallies) if clean else None
        if not clean and accepted:
            # Digit strings are counted like numbers ("12" is 12): accepted only if the rules allow it.
            normal = {pk: tuple(int(x) for x in v) for pk, v in tallies.items()}
            expected = _expected(dossier.rule_set, int(invited), int(present), normal)
        _check_outcome(dossier, before, accepted, expected)
        transaction.set_rollback(True)
