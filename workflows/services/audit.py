"""Writing audit events: one chain per dossier, appended under its row lock."""

import hashlib

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from core import bulk

from ..audit.keys import mac_function, signing_key
from ..models import AuditEvent

# Dates, times and datetimes go to DjangoJSONEncoder like every other non-JSON
# value, so a payload is stored exactly as json.dumps(cls=DjangoJSONEncoder) wrote it.
_JSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_encode = DjangoJSONEncoder().default


class AuditTrail:
    """Collects the events of one service call and writes them in one statement.

    The caller holds the dossier row lock, so reading `audit_seq`/`audit_head`
    and advancing them cannot interleave with another writer of the same chain.
    Events are kept as plain rows: a batch transition writes one per household,
    and a model instance per row cost more than hashing it.
    """

    def __init__(self, dossier, acting):
        self.dossier = dossier
        self.acting = acting
        self.at = timezone.now()
        self.events = []
        user = acting.user
        self._who = (user.pk, user.get_username(), acting.role, acting.unit.pk)

    def add(self, *, action, target, from_state="", to_state="", **payload):
        self.events.append((
            action, target._meta.model_name, target.pk, from_state or "", to_state or "",
            # Round-trip through JSON now so the hash covers exactly what is stored.
            orjson.loads(orjson.dumps(payload, default=_encode, option=_JSON_OPTIONS)),
        ))

    def flush(self):
        """Chain and insert the events; the dossier's head fields must be saved by the caller."""
        dossier = self.dossier
        head, seq = dossier.audit_head, dossier.audit_seq
        actor_id, actor_name, role, unit_id = self._who
        canonical = AuditEvent.canonical_bytes
        key_id, key = signing_key()
        mac = mac_function(key)
        at_text = self.at.isoformat()  # one time for the whole batch: formatted once
        rows = []
        for action, target_type, target_id, from_state, to_state, payload in self.events:
            seq += 1
            text = canonical(
                dossier.pk, seq, at_text, actor_id, actor_name, role, unit_id, action, target_type,
                target_id, from_state, to_state, payload, head,
            )
            digest = hashlib.sha256(text).hexdigest()
            rows.append({
                "dossier_id": dossier.pk, "seq": seq, "at": self.at, "actor_id": actor_id,
                "actor_name": actor_name, "role": role, "unit_id": unit_id, "action": action,
                "target_type": target_type, "target_id": target_id, "from_state": from_state,
                "to_state": to_state, "payload": payload, "prev_hash": head, "hash": digest,
                "key_id": key_id, "mac": mac(text),
            })
            head = digest
        bulk.insert(AuditEvent, rows, ids=False)
        dossier.audit_head, dossier.audit_seq = head, seq
        self.events = []
        return len(rows)
