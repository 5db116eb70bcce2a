"""The province roll-up: Cultural Family rate by commune and by district for one year."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from titles.models import Award
from workflows.services import revoke_award
from workflows import services
from workflows.selectors_rollup import cultural_family_rates

from .scenario import d, through_appraisal

pytestmark = pytest.mark.django_db


def _decided(district, hamlet_head, commune_officer, commune_chair, family_title, homes):
    dossier = through_appraisal(head=hamlet_head, officer=commune_officer, hamlet=district.hamlet,
                                title=family_title, year=2025, households=homes,
                                strikes=None)
    services.decide(actor=commune_chair, dossier=dossier, number="7/QĐ-UBND", signed_on=d(2025, 11, 20),
                    signer="Chủ tịch")
    return dossier


def test_rate_counts_recognized_households_of_the_year_over_all_active_households(
    district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    homes = households(4)
    households(1, hamlet=district.other_hamlet)  # same commune, not reviewed: lowers the rate
    _decided(district, hamlet_head, commune_officer, commune_chair, family_title, homes)

    rates = cultural_family_rates(root=district.province, year=2025, title_type=family_title)

    commune = next(r for r in rates["communes"] if r.unit_id == district.commune.pk)
    assert (commune.roll, commune.recognized, commune.rate) == (5, 4, 80.0)
    other = next(r for r in rates["communes"] if r.unit_id == district.other_commune.pk)
    assert (other.roll, other.recognized, other.rate) == (0, 0, None)
    (whole,) = [r for r in rates["districts"] if r.unit_id == district.district.pk]
    assert (whole.roll, whole.recognized) == (5, 4)
    assert cultural_family_rates(root=district.province, year=2024, title_type=family_title)[
        "districts"][0].recognized == 0


def test_revoked_award_no_longer_counts(
    district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    homes = households(3)
    _decided(district, hamlet_head, commune_officer, commune_chair, family_title, homes)
    revoke_award(actor=commune_chair, award=Award.objects.get(household=homes[0]), ground="b",
                 decision_number="08/QĐ-UBND", reason="test", decided_on=d(2025, 12, 1))

    rates = cultural_family_rates(root=district.commune, year=2025, title_type=family_title)

    assert [(r.roll, r.recognized) for r in rates["communes"]] == [(3, 2)]


def test_query_count_does_not_grow_with_households(
    district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    _decided(district, hamlet_head, commune_officer, commune_chair, family_title, households(2))
    with CaptureQueriesContext(connection) as few:
        cultural_family_rates(root=district.province, year=2025, title_type=family_title)
    households(30, hamlet=district.far_hamlet)
    with CaptureQueriesContext(connection) as many:
        cultural_family_rates(root=district.province, year=2025, title_type=family_title)
    assert len(few.captured_queries) == len(many.captured_queries) <= 5


def test_a_past_year_keeps_the_roll_it_was_decided_on(
    district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    homes = households(4)
    dossier = _decided(district, hamlet_head, commune_officer, commune_chair, family_title, homes[:3])
    dossier.refresh_from_db()
    assert dossier.households_on_roll == 4  # the fourth household was on the roll, not registered

    # Later a household leaves and two move in: the 2025 rate stays what it was.
    homes[0].active = False
    homes[0].save()
    households(2)
    rates = cultural_family_rates(root=district.commune, year=2025, title_type=family_title)
    assert [(r.roll, r.recognized, r.rate) for r in rates["communes"]] == [(4, 3, 75.0)]

    # A year without a round counts today's active households of the hamlet.
    rates = cultural_family_rates(root=district.commune, year=2024, title_type=family_title)
    assert [(r.roll, r.recognized) for r in rates["communes"]] == [(5, 0)]
