"""The /verify/ limit and the API throttle hold across worker processes: they count in the shared cache.

Each "worker" is a separate Python process with production settings and the configured CACHE_URL, as
gunicorn's workers are. A per-process cache would let every worker allow the whole limit.
"""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.redis

BASE_DIR = Path(settings.BASE_DIR)
WORKERS = 3
REQUESTS_PER_WORKER = 2
LIMIT = 3
# django-ratelimit counts in fixed windows: a day-long one is not crossed while the workers start.

WORKER = """
import sys
from types import SimpleNamespace

import django

django.setup()
from django.test import RequestFactory
from rest_framework.settings import api_settings

from documents import views
from titles import selectors

what, client = sys.argv[1], sys.argv[2]
# No database in this process: every code is unknown, which counts like any other.
selectors.public_award = lambda code: None
for _ in range(int(sys.argv[3])):
    if what == "verify":
        request = RequestFactory().get("/verify/ABC/", REMOTE_ADDR=client)
        print(views.verify(request, "ABC").status_code)
    else:
        request = SimpleNamespace(user=SimpleNamespace(pk=int(client), is_authenticated=True),
                                  META={"REMOTE_ADDR": "127.0.0.1"})
        allowed = all(throttle().allow_request(request, None) for throttle in api_settings.DEFAULT_THROTTLE_CLASSES)
        print(200 if allowed else 429)
"""


@pytest.fixture
def shared_cache_url():
    url = os.environ.get("CACHE_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        pytest.skip("needs a Redis cache (set CACHE_URL=redis://...)")
    return url


def run_workers(what, client, cache_url):
    env = {
        **os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), "CACHE_URL": cache_url,
        "ALLOWED_HOSTS": "testserver", "DJANGO_SETTINGS_MODULE": "config.settings",
        "VERIFY_RATE_LIMIT": f"{LIMIT}/d", "API_USER_RATE": f"{LIMIT}/hour",
        "STATIC_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        # Production settings also refuse to start without the audit key.
        "AUDIT_KEY_ID": "ci", "AUDIT_KEYS": "ci:" + base64.b64encode(os.urandom(32)).decode(),
    }
    statuses = []
    for _ in range(WORKERS):
        result = subprocess.run([sys.executable, "-c", WORKER, what, client, str(REQUESTS_PER_WORKER)],
                                cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        statuses += [int(line) for line in result.stdout.split()]
    return statuses


def test_the_verify_limit_is_one_limit_for_all_workers(shared_cache_url):
    # A fresh address per run: the shared cache outlives the test.
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    statuses = run_workers("verify", address, shared_cache_url)
    assert len(statuses) == WORKERS * REQUESTS_PER_WORKER
    assert statuses.count(404) == LIMIT and statuses.count(429) == len(statuses) - LIMIT, statuses


def test_the_api_throttle_is_one_limit_for_all_workers(shared_cache_url):
    user_pk = str(10**9 + secrets.randbelow(10**9))
    statuses = run_workers("api", user_pk, shared_cache_url)
    assert statuses.count(200) == LIMIT and statuses.count(429) == len(statuses) - LIMIT, statuses
