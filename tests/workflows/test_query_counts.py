"""A hamlet settles 300-500 households at once and a commune decides thousands:
the number of SQL statements a service issues must not depend on that number.

Each test moves two dossiers of the same hamlet (two campaign years under the
same rule set) to the step under test, one with 10 households and one with 500,
after a warm-up run so that per-process caches (content types) are filled, and
compares the statements of the one service call. The hamlet title's commune meeting and
district decision are held to one bound at 10 and at 100 hamlets the same way.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Household, Level, Role, UnitKind
from directory.services import grant_membership
from notifications.models import Notification
from titles.models import Award, TitleType
from workflows import services
from workflows.models import AuditEvent, DossierState, NominationState

from ..factories import UnitFactory, UserFactory
from .scenario import assert_audit_chain_intact, d, meet, open_with_households, send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

SMALL, LARGE = 10, 500
# Upper bounds measured on SQLite and PostgreSQL (the larger of the two), for 500 households.
# On PostgreSQL the rows themselves stream through COPY (core/bulk.py), one stream per
# table, which Django's query log does not list: what is counted is every other statement.
# Each transition counts one more than before cases owned the chain: the case row (head, revision)
# is written by its own UPDATE beside the dossier's, a constant whatever the number of households.
MAX_QUERIES = {
    "register_households": 14,
    "record_meeting": 16,
    "submit_dossier": 32,
    "appraise_dossier": 38,
    "decide": 39,
    # 16 (the decision read with its unit), and 4 for the decided dossier's holders who become eligible
    # for a certificate of merit next year (the counted title is the dossier's own)
    "dossier_page": 20,
    "history_page": 10,
}


@pytest.fixture
def many_households(district):
    made = {"n": 0}

    def make(n):
        start = made["n"]
        made["n"] += n
        return Household.objects.bulk_create([
            Household(hamlet=district.hamlet, code=f"QC{i:06d}", head_name=f"Trần Thị {i}", members=4)
            for i in range(start, start + n)
        ])

    return make


@pytest.fixture
def stage(district, hamlet_head, commune_officer, commune_chair, family_title, many_households):
    """A Decree 122/2018 dossier of `year` with `n` households, moved through `until` (exclusive)."""
    steps = ["register", "meeting", "submit", "appraise", "decide"]

    def build(year, n, until):
        homes = many_households(n)
        if until == "register":
            return services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title,
                                       year=year), homes
        dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=year,
                                       households=homes)
        done = steps[1:steps.index(until)]
        if "meeting" in done:
            meet(head=hamlet_head, dossier=dossier)
        if "submit" in done:
            send(head=hamlet_head, dossier=dossier)
        if "appraise" in done:
            services.appraise_dossier(actor=commune_officer, dossier=dossier)
        dossier.refresh_from_db()
        return dossier, homes

    def warm_up():
        dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2019,
                                       households=many_households(2))
        meet(head=hamlet_head, dossier=dossier)
        send(head=hamlet_head, dossier=dossier)
        services.appraise_dossier(actor=commune_officer, dossier=dossier)
        services.decide(actor=commune_chair, dossier=dossier, number="0/QĐ", signed_on=d(2019, 11, 20),
                        signer="Chủ tịch")

    build.warm_up = warm_up
    return build


def count(call):
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def compare(stage, until, call):
    """Statements of `call` for 10 and for 500 households, after a warm-up."""
    stage.warm_up()
    small, small_homes = stage(2021, SMALL, until)
    large, large_homes = stage(2022, LARGE, until)
    return count(lambda: call(small, small_homes)), count(lambda: call(large, large_homes)), large


def test_registering_500_households_takes_as_many_queries_as_registering_10(
    stage, hamlet_head, django_assert_max_num_queries
):
    def call(dossier, homes):
        services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[h.pk for h in homes],
                                     registered_on=d(dossier.year, 3, 1))

    small, large, dossier = compare(stage, "register", call)
    assert small == large
    assert dossier.nominations.count() == LARGE
    assert AuditEvent.objects.filter(case_id=dossier.case_id, action="register").count() == LARGE

    again, homes = stage(2023, LARGE, "register")
    with django_assert_max_num_queries(MAX_QUERIES["register_households"]):
        call(again, homes)


def test_recording_a_500_household_meeting_takes_as_many_queries_as_a_10_household_one(
    stage, hamlet_head, django_assert_max_num_queries
):
    def call(dossier, homes):
        meet(head=hamlet_head, dossier=dossier, invited=60, present=45)

    small, large, dossier = compare(stage, "meeting", call)
    assert small == large
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED
    assert dossier.nominations.filter(state=NominationState.PROPOSED, votes_for=45).count() == LARGE

    again, homes = stage(2023, LARGE, "meeting")
    with django_assert_max_num_queries(MAX_QUERIES["record_meeting"]):
        call(again, homes)


def test_submitting_a_500_household_dossier_takes_as_many_queries_as_a_10_household_one(
    stage, hamlet_head, django_assert_max_num_queries
):
    def call(dossier, homes):
        services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(dossier.year, 11, 4))

    small, large, _ = compare(stage, "submit", call)
    assert small == large

    again, homes = stage(2023, LARGE, "submit")
    with django_assert_max_num_queries(MAX_QUERIES["submit_dossier"]):
        call(again, homes)


def test_appraising_500_households_takes_as_many_queries_as_appraising_10(
    stage, commune_officer, django_assert_max_num_queries
):
    def call(dossier, homes):
        # Strike a tenth of the list, each with its reason.
        strikes = {n.pk: "Chưa đạt tiêu chí" for n in dossier.nominations.order_by("pk")[: len(homes) // 10]}
        services.appraise_dossier(actor=commune_officer, dossier=dossier, strikes=strikes)

    small, large, dossier = compare(stage, "appraise", call)
    assert small == large
    assert dossier.nominations.filter(state=NominationState.STRUCK).count() == LARGE // 10
    assert dossier.nominations.filter(state=NominationState.ACCEPTED).count() == LARGE - LARGE // 10

    again, homes = stage(2023, LARGE, "appraise")
    with django_assert_max_num_queries(MAX_QUERIES["appraise_dossier"]):
        call(again, homes)


def test_deciding_500_households_takes_as_many_queries_as_deciding_10_and_keeps_the_chain(
    stage, commune_chair, django_assert_max_num_queries
):
    def call(dossier, homes):
        services.decide(actor=commune_chair, dossier=dossier, number=f"{dossier.year}/QĐ-UBND",
                        signed_on=d(dossier.year, 11, 20), signer="Chủ tịch")

    small, large, dossier = compare(stage, "decide", call)
    assert small == large
    assert Award.objects.filter(decision__dossier=dossier).count() == LARGE
    assert dossier.nominations.filter(state=NominationState.RECOGNIZED).count() == LARGE
    events = assert_audit_chain_intact(dossier)
    # open, 500 registrations, 500 votes + meeting, submit, 500 appraisals + accept, 500 recognitions + decide
    assert len(events) == 1 + LARGE + (LARGE + 1) + 1 + (LARGE + 1) + (LARGE + 1)

    again, homes = stage(2023, LARGE, "decide")
    with django_assert_max_num_queries(MAX_QUERIES["decide"]):
        call(again, homes)



# ---------------------------------------------------------------- reading a dossier

def _decided(stage, commune_chair, year, n):
    dossier, _ = stage(year, n, "decide")
    services.decide(actor=commune_chair, dossier=dossier, number=f"{year}/QĐ-UBND", signed_on=d(year, 11, 20),
                    signer="Chủ tịch")
    return dossier


def test_the_dossier_page_of_300_households_takes_as_many_queries_and_history_rows_as_one_of_10(
    stage, commune_chair, client, django_assert_max_num_queries
):
    stage.warm_up()
    small, large = _decided(stage, commune_chair, 2021, SMALL), _decided(stage, commune_chair, 2022, 300)
    client.force_login(commune_chair)
    client.get(f"/dossiers/{small.pk}/")  # session, content types and translations loaded once

    pages = {}
    for dossier in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/dossiers/{dossier.pk}/")
        assert response.status_code == 200
        pages[dossier.pk] = (len(queries), response.content.decode().count('<li class="event'))
    assert pages[small.pk] == pages[large.pk]
    # open, register, vote, meeting, submit, appraise, accept, recognize, decide: one row each
    assert pages[large.pk][1] == 9
    with django_assert_max_num_queries(MAX_QUERIES["dossier_page"]):
        client.get(f"/dossiers/{large.pk}/")


def test_one_step_of_the_history_is_read_a_page_at_a_time_in_as_many_queries_for_300_households(
    stage, commune_chair, client, django_assert_max_num_queries
):
    stage.warm_up()
    small, large = _decided(stage, commune_chair, 2021, SMALL), _decided(stage, commune_chair, 2022, 300)
    client.force_login(commune_chair)
    client.get(f"/dossiers/{small.pk}/history/")
    counts = []
    for dossier in (small, large):
        votes = AuditEvent.objects.filter(case_id=dossier.case_id, action="meeting_vote").order_by("seq")
        first, last = votes.first().seq, votes.last().seq
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/dossiers/{dossier.pk}/history/", {"from": first, "to": last, "fragment": 1})
        assert response.status_code == 200
        counts.append(len(queries))
        rows = response.content.decode().count('<li class="event')
        assert rows == min(dossier.nominations.count(), 50)
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(MAX_QUERIES["history_page"]):
        client.get(f"/dossiers/{large.pk}/history/", {"page": 3})


# ---------------------------------------------------------------- the hamlet title: a commune lists its hamlets

HAMLETS_SMALL, HAMLETS_LARGE = 10, 100
# Measured on SQLite and PostgreSQL (the larger of the two), at 10 and at 100 hamlets alike;
# one more each since the case's UPDATE (see MAX_QUERIES).
MAX_HAMLET_QUERIES = {
    "record_meeting": 19,
    "decide": 36,
}


@pytest.fixture
def hamlet_title(db):
    return TitleType.objects.get(code="ap-khu-pho-van-hoa")


@pytest.fixture
def district_deciders(district):
    office, chair = UserFactory(username="phong_van_hoa"), UserFactory(username="chu_tich_huyen")
    grant_membership(user=office, unit=district.district, role=Role.DISTRICT_OFFICE, since=d(2018, 1, 1))
    grant_membership(user=chair, unit=district.district, role=Role.DISTRICT_CHAIR, since=d(2018, 1, 1))
    return office, chair


@pytest.fixture
def hamlet_stage(district, commune_officer, district_deciders, hamlet_title):
    """A commune of `n` hamlets, each with its head (a hamlet is told through the holders of its
    roles), whose 2021 dossier (Decree 122/2018: the district appraises and decides) is moved
    through `until` (exclusive)."""
    office, _chair = district_deciders
    made = {"communes": 0}

    def build(n, until):
        made["communes"] += 1
        commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name=f"Xã {made['communes']}",
                              parent=district.district)
        grant_membership(user=commune_officer, unit=commune, role=Role.COMMUNE_OFFICER, since=d(2018, 1, 1))
        hamlets = UnitFactory.create_batch(n, level=Level.HAMLET, kind=UnitKind.AP, parent=commune)
        for hamlet in hamlets:
            grant_membership(user=UserFactory(), unit=hamlet, role=Role.HAMLET_HEAD, since=d(2018, 1, 1))
        dossier = services.open_round(actor=commune_officer, unit=commune, title_type=hamlet_title, year=2021,
                                      opened_on=d(2021, 2, 1))
        services.register_subjects(actor=commune_officer, dossier=dossier, subject_ids=[h.pk for h in hamlets],
                                   registered_on=d(2021, 3, 1))
        if until == "decide":
            meet(head=commune_officer, dossier=dossier, invited=30, present=25)
            services.submit_dossier(actor=commune_officer, dossier=dossier, submitted_on=d(2021, 11, 4))
            dossier.refresh_from_db()
            services.appraise_dossier(actor=office, dossier=dossier, appraised_on=d(2021, 11, 5))
        dossier.refresh_from_db()
        return dossier

    return build


def _hamlet_votes(dossier):
    """Every seventh hamlet short of the 60% the Decree requires: both outcomes are written."""
    return {n.pk: (10, 15) if i % 7 == 0 else (24, 1) for i, n in enumerate(dossier.nominations.order_by("pk"))}


def test_a_commune_meeting_of_100_hamlets_takes_as_many_queries_as_one_of_10(
    hamlet_stage, commune_officer, django_assert_max_num_queries
):
    def call(dossier):
        meet(head=commune_officer, dossier=dossier, invited=30, present=25, votes=_hamlet_votes(dossier))

    call(hamlet_stage(2, "meeting"))  # warm-up: content types, translations
    small, large = hamlet_stage(HAMLETS_SMALL, "meeting"), hamlet_stage(HAMLETS_LARGE, "meeting")
    counts = []
    for dossier in (small, large):
        with django_assert_max_num_queries(MAX_HAMLET_QUERIES["record_meeting"]) as queries:
            call(dossier)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    large.refresh_from_db()
    assert large.state == DossierState.REVIEWED
    assert large.nominations.filter(state=NominationState.NOT_PROPOSED).count() == len(range(0, HAMLETS_LARGE, 7))
    # Each hamlet's head learns its hamlet's outcome.
    assert Notification.objects.filter(case_id=large.case_id, kind="review_outcome").count() == HAMLETS_LARGE
    assert_audit_chain_intact(large)


def test_a_district_decision_over_100_hamlets_takes_as_many_queries_as_one_over_10(
    hamlet_stage, district_deciders, django_assert_max_num_queries
):
    _office, chair = district_deciders

    def call(dossier):
        services.decide(actor=chair, dossier=dossier, number=f"{dossier.pk}/QĐ-UBND", signed_on=d(2021, 11, 8),
                        signer="Chủ tịch UBND huyện")

    call(hamlet_stage(2, "decide"))
    small, large = hamlet_stage(HAMLETS_SMALL, "decide"), hamlet_stage(HAMLETS_LARGE, "decide")
    counts = []
    for dossier in (small, large):
        with django_assert_max_num_queries(MAX_HAMLET_QUERIES["decide"]) as queries:
            call(dossier)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    awards = Award.objects.filter(decision__dossier=large)
    assert awards.count() == HAMLETS_LARGE and not awards.filter(hamlet__isnull=True).exists()
    assert len(set(awards.values_list("certificate_code", flat=True))) == HAMLETS_LARGE
    assert Notification.objects.filter(case_id=large.case_id, kind="recognized").count() == HAMLETS_LARGE
    assert_audit_chain_intact(large)
