"""Production settings: check --deploy is clean; logins are throttled; every page carries the security headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory

BASE_DIR = Path(settings.BASE_DIR)


def test_check_deploy_with_production_environment_reports_nothing():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


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
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "example.org"}
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS>0,"
        " s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, timeout=120,
                            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.stdout.split() == ["True"] * 5, result.stdout + result.stderr
