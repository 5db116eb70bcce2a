"""The audit trail's keys: HMAC-SHA256 under keys from the environment, never from the database.

The hash chain shows that rows were changed unless whoever changed them also
recomputed every hash after them; a MAC under a key the database does not hold
closes that gap for anyone who can write the tables (the application's role, the
tables' owner, a database superuser) but cannot read the web and worker
processes' environment (settings.AUDIT_KEYS, selected by AUDIT_KEY_ID).
"""

import hmac

from django.conf import settings


def signing_key():
    """(key id, key) of the key that signs now."""
    return settings.AUDIT_KEY_ID, settings.AUDIT_KEYS[settings.AUDIT_KEY_ID]


def verifying_keys():
    """Every key id still accepted (rotated-out keys included) and its key."""
    return settings.AUDIT_KEYS


def event_mac(key, canonical):
    """The MAC of an event: over the same canonical bytes its hash covers."""
    return hmac.digest(key, canonical, "sha256").hex()


def anchor_mac(key, anchor_hash):
    # The anchor's hash already covers its predecessor, time, counts and heads;
    # the prefix keeps an anchor's MAC from ever equalling an event's.
    return hmac.digest(key, b"anchor\n" + anchor_hash.encode(), "sha256").hex()
