"""The audit trail's keys: HMAC-SHA256 under keys from the environment, never from the database.

The hash chain shows that rows were changed unless whoever changed them also
recomputed every hash after them; a MAC under a key the database does not hold
closes that gap for anyone who can write the tables (the application's role, the
tables' owner, a database superuser) but cannot read the web and worker
processes' environment (settings.AUDIT_KEYS, selected by AUDIT_KEY_ID).
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings


def signing_key():
    """(key id, key) of the key that signs now."""
    return settings.AUDIT_KEY_ID, settings.AUDIT_KEYS[settings.AUDIT_KEY_ID]


def verifying_keys():
    """Every key id still accepted (rotated-out keys included) and its key."""
    return settings.AUDIT_KEYS


@lru_cache(maxsize=32)
def mac_function(key):
    """HMAC-SHA256 under `key` (RFC 2104, equal to hmac.digest(key, msg, "sha256")) as a
    function of the message, hex.

    The keyed inner and outer states are computed once per key and copied per
    message: hmac.digest() redoes that key set-up every call, which cost three
    times one event's SHA-256 and would have halved the walk's throughput.
    """
    if len(key) > 64:  # SHA-256's block size
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def mac(message):
        state = inner.copy()
        state.update(message)
        result = outer.copy()
        result.update(state.digest())
        return result.hexdigest()

    return mac


def event_mac(key, canonical):
    """The MAC of an event: over the same canonical bytes its hash covers."""
    return mac_function(key)(canonical)


def anchor_mac(key, anchor_hash):
    # The anchor's hash already covers its predecessor, time, counts and heads;
    # the prefix keeps an anchor's MAC from ever equalling an event's.
    return hmac.digest(key, b"anchor\n" + anchor_hash.encode(), "sha256").hex()
