"""Settings for the test suite: the environment-driven settings, with what only tests may cut.

PBKDF2 costs about half a second per persona on this machine and most tests create several;
nothing in the suite tests the hasher's strength, so tests hash with MD5. Everything else
(database, broker, cache) still comes from the environment, so CI runs the same suite
against PostgreSQL and Redis.
"""

from .settings import *  # noqa: F403 - this module is the settings plus the overrides below

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
