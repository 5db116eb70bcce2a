"""Settings for the test suite: the environment-driven settings, with what only tests may cut.

PBKDF2 costs about half a second per persona on this machine and most tests create several;
nothing in the suite tests the hasher's strength, so tests hash with MD5. Everything else
(database, broker, cache) still comes from the environment, so CI runs the same suite
against PostgreSQL and Redis.

`make test` runs the suite in pytest-xdist worker processes (gw0, gw1, ...). pytest-django gives
each its own test database; the Redis cache and broker are kept apart here. A shared cache would
let one worker's `cache.clear()` (a FLUSHDB) or its requests reset or fill the rate-limit counts
another worker's test is reading, and a real Celery worker started by one test would consume the
tasks the other process published for rows of its own database.
"""

import os
import re

_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under xdist

if _XDIST_WORKER:
    # Worker N uses the Redis database after CACHE_URL's by N (redis://h:6379/1 -> /1, /2, ...).
    # Set in the environment, not only in CACHES, so that the subprocesses some tests start
    # (tests/security/test_shared_limits.py) count in the same database as their test.
    _redis = re.fullmatch(r"(rediss?://[^/?]+)(?:/(\d*))?", os.environ.get("CACHE_URL", ""))
    if _redis:
        os.environ["CACHE_URL"] = f"{_redis[1]}/{int(_redis[2] or 0) + int(_XDIST_WORKER.removeprefix('gw'))}"

from .settings import *  # noqa: E402, F403 - this module is the settings plus the overrides below

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "config.sqlite":  # noqa: F405
    # Django's default for SQLite, said out loud: pytest-django only recognises SQLite by Django's
    # own engine name, and would otherwise suffix the file name of db.sqlite3 for each xdist worker
    # (test_/path/db.sqlite3_gw0) instead of leaving each process its own in-memory database.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")  # noqa: F405

if _XDIST_WORKER:
    # One queue per worker on the shared broker.
    CELERY_TASK_DEFAULT_QUEUE = f"celery-{_XDIST_WORKER}"
