"""Production settings: check --deploy is clean; logins are throttled; every page carries the security headers."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory

BASE_DIR = Path(settings.BASE_DIR)
# Settings only name the cache; nothing here connects to it.
SHARED_CACHE = "redis://127.0.0.1:6379/1"
# Production refuses to start without the audit key (config/settings.py, AUDIT_KEYS).
AUDIT_KEYS = {"AUDIT_KEYS": "ci:" + base64.b64encode(os.urandom(32)).decode(), "AUDIT_KEY_ID": "ci"}


def production_env(**overrides):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "CACHE_URL": SHARED_CACHE,
        "ALLOWED_HOSTS": "example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **AUDIT_KEYS,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def manage(*args, env):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_check_deploy_with_production_environment_reports_nothing():
    code, output = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert code == 0, output
    assert "System check identified no issues" in output, output


def test_a_production_start_without_secret_key_stops_and_says_how_to_set_it():
    code, output = manage("check", "--deploy", env=production_env(SECRET_KEY=None))
    assert code != 0
    assert "ImproperlyConfigured" in output and "SECRET_KEY" in output and "secrets.token_urlsafe" in output, output


def test_a_production_start_with_the_published_development_key_stops():
    code, output = manage("check", "--deploy", env=production_env(SECRET_KEY=settings.DEVELOPMENT_SECRET_KEY))
    assert code != 0
    assert "ImproperlyConfigured" in output and "SECRET_KEY" in output, output


@pytest.mark.parametrize("cache_url", [None, "locmemcache://", "dummycache://"])
def test_a_production_start_without_a_shared_cache_stops_and_names_redis(cache_url):
    code, output = manage("check", "--deploy", env=production_env(CACHE_URL=cache_url))
    assert code != 0
    assert "ImproperlyConfigured" in output and "CACHE_URL=redis://" in output, output


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client):
    UserFactory(username="truong_ap_khoa")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "truong_ap_khoa", "password": "sai-mat-khau"})
    response = client.post("/accounts/login/", {"username": "truong_ap_khoa", "password": "pw-Thidua-2026"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_right_password_before_the_limit_still_logs_in(client):
    UserFactory(username="truong_ap_quen")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "truong_ap_quen", "password": "sai-mat-khau"})
    response = client.post("/accounts/login/", {"username": "truong_ap_quen", "password": "pw-Thidua-2026"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_pages_carry_csp_frame_and_hsts_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get("/accounts/login/", secure=True)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_cookies_are_secure_and_http_only():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS>0,"
        " s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, timeout=120,
                            env=production_env())
    assert result.stdout.split() == ["True"] * 5, result.stdout + result.stderr


@pytest.mark.parametrize("keys, says", [
    ({"AUDIT_KEYS": None, "AUDIT_KEY_ID": None}, "AUDIT_KEYS is not set"),
    ({"AUDIT_KEYS": "ci:c2hvcnQ="}, "the key at least 32 bytes"),
    ({"AUDIT_KEY_ID": "other"}, "AUDIT_KEY_ID='other' names no key of AUDIT_KEYS (ci)"),
])
def test_a_production_start_without_a_usable_audit_key_stops_and_says_how_to_set_it(keys, says):
    code, output = manage("check", "--deploy", env=production_env(**keys))
    assert code != 0
    assert "ImproperlyConfigured" in output and says in output, output
