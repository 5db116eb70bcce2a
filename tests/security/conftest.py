import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every persona has a password; the production hasher's cost is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
