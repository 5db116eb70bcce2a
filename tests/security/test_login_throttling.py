"""Login throttling beyond one username from one address: password spraying and distributed guessing."""

import pytest
from django.conf import settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHT = "pw-Thidua-2026"
WRONG = "sai-mat-khau"


def log_in(client, username, password, address):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_spraying_many_accounts_from_one_address_locks_that_address_out(client):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    per_account = settings.AXES_FAILURE_LIMIT - 1  # under the per-account lock on every account
    accounts = -(-limit // per_account)
    for i in range(accounts):
        UserFactory(username=f"nguoi_dung_{i}")
        for _ in range(per_account):
            log_in(client, f"nguoi_dung_{i}", WRONG, "203.0.113.7")
    UserFactory(username="truong_ap_that")

    refused = log_in(client, "truong_ap_that", RIGHT, "203.0.113.7")

    assert refused.status_code == 429 and 'data-testid="scope-address"' in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is on the address: the same account from elsewhere logs in.
    assert log_in(client, "truong_ap_that", RIGHT, "198.51.100.20").status_code == 302


def test_guessing_one_account_from_many_addresses_locks_that_account_everywhere(client):
    UserFactory(username="chu_tich_xa")
    UserFactory(username="can_bo_khac")
    for i in range(settings.AXES_USERNAME_FAILURE_LIMIT):
        log_in(client, "chu_tich_xa", WRONG, f"198.51.100.{i + 1}")

    refused = log_in(client, "chu_tich_xa", RIGHT, "192.0.2.200")

    assert refused.status_code == 429 and 'data-testid="scope-username"' in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Other accounts from those addresses are not affected.
    assert log_in(client, "can_bo_khac", RIGHT, "198.51.100.1").status_code == 302


def test_a_few_typos_over_several_accounts_of_one_office_lock_no_one(client):
    for i in range(3):
        UserFactory(username=f"can_bo_{i}")
        log_in(client, f"can_bo_{i}", WRONG, "203.0.113.50")
        log_in(client, f"can_bo_{i}", WRONG, "203.0.113.50")
    assert log_in(client, "can_bo_2", RIGHT, "203.0.113.50").status_code == 302


def test_a_username_longer_than_the_column_is_a_form_error_not_a_server_error(client):
    response = client.post("/accounts/login/", {"username": "a" * 300, "password": WRONG})
    assert response.status_code in (200, 400)
    assert "_auth_user_id" not in client.session
    assert "150" in response.content.decode()  # the rule and its number
