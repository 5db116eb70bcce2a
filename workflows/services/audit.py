"""Writing audit events: one chain per dossier, appended under its row lock."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from ..models import AuditEvent


class AuditTrail:
    """Collects the events of one service call and writes them in one statement.

    The caller holds the dossier row lock, so reading `audit_seq`/`audit_head`
    and advancing them cannot interleave with another writer of the same chain.
    """

    def __init__(self, dossier, acting):
        self.dossier = dossier
        self.acting = acting
        self.at = timezone.now()
        self.events = []

    def add(self, *, action, target, from_state="", to_state="", **payload):
        self.events.append(
            AuditEvent(
                dossier=self.dossier, at=self.at, actor=self.acting.user,
                actor_name=self.acting.user.get_username(), role=self.acting.role,
                unit=self.acting.unit, action=action,
                target_type=target._meta.model_name, target_id=target.pk,
                from_state=from_state or "", to_state=to_state or "",
                # Round-trip through JSON now so the hash covers exactly what is stored.
                payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
            )
        )

    def flush(self):
        """Chain and insert the events; the dossier's head fields must be saved by the caller."""
        head, seq = self.dossier.audit_head, self.dossier.audit_seq
        for event in self.events:
            seq += 1
            event.seq, event.prev_hash = seq, head
            event.hash = head = event.compute_hash()
        AuditEvent.objects.bulk_create(self.events)
        self.dossier.audit_head, self.dossier.audit_seq = head, seq
        written, self.events = self.events, []
        return written
