"""Beat's membership-dates run costs the same few queries for 3 memberships as for 30."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Role
from directory.services import apply_membership_dates, grant_membership
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def _queries_for_a_day_when_all_start(district, n, prefix):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    for i in range(n):
        grant_membership(user=UserFactory(username=f"{prefix}{i}"), unit=district.hamlet,
                         role=Role.HAMLET_FRONT_HEAD, since=tomorrow)
    with CaptureQueriesContext(connection) as queries:
        added, removed = apply_membership_dates(today=tomorrow)
    assert (added, removed) == (n, 0)
    return len(queries)


def test_the_membership_dates_run_does_not_grow_with_the_number_of_memberships(district):
    few = _queries_for_a_day_when_all_start(district, 3, "few")
    many = _queries_for_a_day_when_all_start(district, 30, "many")
    assert few == many
