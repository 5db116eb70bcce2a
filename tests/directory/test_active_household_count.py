"""A hamlet's count of active households (what the roll-up and the dashboard read as the roll of a
hamlet without a round) follows every way a household is written: one at a time, in bulk (COPY on
PostgreSQL), moved, deactivated, reactivated, deleted, and by the district import."""

import pytest
from django.db import connection

from core import bulk
from directory.models import Household, Unit
from directory.services import add_household, edit_household, set_household_active
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def counts(*hamlets):
    return [Unit.objects.get(pk=h.pk).active_households for h in hamlets]


def true_counts(*hamlets):
    return [Household.objects.filter(hamlet=h, active=True).count() for h in hamlets]


@pytest.fixture
def two_hamlets(district):
    return district.hamlet, district.other_hamlet


def test_every_kind_of_household_write_keeps_the_hamlets_count(two_hamlets):
    one, two = two_hamlets
    assert counts(one, two) == [0, 0]

    first = HouseholdFactory.create_batch(3, hamlet=one)
    HouseholdFactory(hamlet=two, active=False)
    assert counts(one, two) == [3, 0]

    bulk.insert(Household, [{"hamlet_id": two.pk, "code": f"BULK{i}", "head_name": f"Bulk {i}", "address": "",
                             "members": 1, "phone": "", "active": i % 2 == 0} for i in range(10)], ids=False)
    assert counts(one, two) == [3, 5]

    moved = first[0]
    moved.hamlet = two
    moved.save()
    assert counts(one, two) == [2, 6]

    Household.objects.filter(hamlet=two).update(active=False)
    assert counts(one, two) == [2, 0]
    Household.objects.filter(hamlet=two, code__startswith="BULK").update(active=True)
    assert counts(one, two) == [2, 10]

    Household.objects.filter(code__startswith="BULK").delete()
    assert counts(one, two) == true_counts(one, two) == [2, 0]


def test_the_services_and_the_import_keep_it(two_hamlets, hamlet_head, commune_officer):
    one, two = two_hamlets
    added = add_household(actor=hamlet_head, hamlet=one, values={"code": "TN-1", "head_name": "Lê Thị Hoa",
                                                                 "members": 3})
    assert counts(one, two) == [1, 0]
    set_household_active(actor=hamlet_head, household=added, active=False, reason="Chuyển đi nơi khác")
    assert counts(one, two) == [0, 0]
    set_household_active(actor=hamlet_head, household=added, active=True, reason="Trở về")
    edit_household(actor=commune_officer, household=added, values={}, hamlet=two, reason="Sáp nhập tổ")
    assert counts(one, two) == true_counts(one, two) == [0, 1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement triggers are PostgreSQL's")
def test_a_bulk_update_is_one_grouped_update_of_the_hamlets(two_hamlets, django_assert_max_num_queries):
    one, two = two_hamlets
    HouseholdFactory.create_batch(50, hamlet=one)
    with django_assert_max_num_queries(1):
        Household.objects.filter(hamlet=one).update(hamlet=two)
    assert counts(one, two) == [0, 50]
