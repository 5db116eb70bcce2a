"""Copies of the anchors kept outside the database, through Django's storage API.

Whoever can delete rows of the anchor tables (the tables' owner, a superuser)
could otherwise remove every anchor and then rewrite the chains they covered,
and verify_audit could not know anchors had existed. Each anchor is therefore
also written to settings.STORAGES["audit_anchors"] (a directory by default,
AUDIT_ANCHOR_DIR; object storage through another backend), signed with the
audit key; verify_audit compares the two sides.

Plain values only (no model import): migration workflows.0015 writes the copies
of the anchors that existed before it.
"""

import json

from django.core.files.base import ContentFile
from django.core.files.storage import storages

PREFIX = "anchor-"


def _storage():
    return storages["audit_anchors"]


def record(*, id, created_at, prev_hash, hash, dossiers, events, key_id, mac):
    return {"id": id, "created_at": created_at.isoformat(), "prev_hash": prev_hash, "hash": hash,
            "dossiers": dossiers, "events": events, "key_id": key_id, "mac": mac}


def name_of(anchor_id, anchor_hash):
    # The hash in the name: a copy left by an anchoring that rolled back never
    # takes the name of a later anchor's copy.
    return f"{PREFIX}{anchor_id:012d}-{anchor_hash[:16]}.json"


def save(rec):
    """Write the copy of one anchor; return its name."""
    storage = _storage()
    name = name_of(rec["id"], rec["hash"])
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(json.dumps(rec, sort_keys=True, indent=1).encode()))


def delete(name):
    _storage().delete(name)


def load_all():
    """Every copy kept, as (name, record or None when unreadable), in name order."""
    storage = _storage()
    try:
        _dirs, files = storage.listdir("")
    except FileNotFoundError:  # no anchor written yet
        return []
    copies = []
    for name in sorted(files):
        if not (name.startswith(PREFIX) and name.endswith(".json")):
            continue
        try:
            with storage.open(name) as handle:
                rec = json.loads(handle.read())
            int(rec["id"]), str(rec["hash"]), str(rec["mac"]), str(rec["key_id"])
        except (OSError, ValueError, KeyError, TypeError):
            rec = None
        copies.append((name, rec))
    return copies
