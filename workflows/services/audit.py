"""Writing audit events: one chain per case, appended under the case's row lock.

A case (workflows.models.Case) owns an audit chain and a revision. Every dossier
has one (Dossier.case); any other record that must be audited, verified by
`verify_audit`, anchored and supervised gets one the same way. For a record that
is not a dossier (an evaluation report, a commendation list):

    from workflows.services.audit import AuditTrail, lock_case, open_case, save_case

    @transaction.atomic
    def create_report(*, actor, ...):
        acting = require_acting(actor, unit, "some_permission")
        case = open_case("evaluation_report")          # a new case row, revision 0, empty chain
        report = EvaluationReport.objects.create(case=case, ...)
        trail = AuditTrail(case, acting)
        trail.add(action="report_open", target=report, to_state=report.state)
        save_case(case, trail)                         # flush, revision + 1, one UPDATE of the case
        return report

    @transaction.atomic
    def change_report(*, actor, report, ...):
        case = lock_case(report.case_id)               # SELECT ... FOR UPDATE of the case row
        check the case's revision against the form's, check the state, write...
        trail = AuditTrail(case, acting)
        trail.add(action="report_change", target=report, from_state=..., to_state=..., why=...)
        save_case(case, trail)

The lock must be taken before the chain's head is read (lock_case, or a
select_for_update(of=("self", "case")) of the owner with select_related("case"),
as workflows.services.common.lock_dossier does), and within the transaction that
writes the events. `kind` is free text: use a stable lower-case name, one per
kind of record. Nothing else is needed: verify_audit walks every case's chain,
anchors cover every case that moved.
"""

import hashlib

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from core import bulk

from ..audit.keys import mac_function, signing_key
from ..models import AuditEvent, Case

# Dates, times and datetimes go to DjangoJSONEncoder like every other non-JSON
# value, so a payload is stored exactly as json.dumps(cls=DjangoJSONEncoder) wrote it.
_JSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_encode = DjangoJSONEncoder().default


def open_case(kind):
    """A new case of `kind` (e.g. "dossier", "evaluation_report"), with an empty chain.

    Create it before the record that owns it, in the same transaction."""
    if not kind or not isinstance(kind, str):
        raise ValueError("A case needs a kind: the name of the kind of record that owns it.")
    return Case.objects.create(kind=kind)


def lock_case(case_id):
    """The case re-read under its row lock: the writers of one chain run one at a time."""
    return Case.objects.select_for_update().get(pk=case_id)


def save_case(case, trail=None):
    """Flush `trail` (if any) into the case's chain, bump the revision, write the case row once."""
    if trail is not None:
        trail.flush()
    case.revision += 1
    case.save(update_fields=["revision", "audit_seq", "audit_head"])


class AuditTrail:
    """Collects the events of one service call and writes them in one statement.

    The caller holds the case's row lock, so reading `audit_seq`/`audit_head`
    and advancing them cannot interleave with another writer of the same chain.
    Events are kept as plain rows: a batch transition writes one per household,
    and a model instance per row cost more than hashing it.
    """

    def __init__(self, case, acting):
        if not isinstance(case, Case):
            raise TypeError(f"AuditTrail appends to a Case (a dossier's is dossier.case), not to {type(case).__name__}")
        self.case = case
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
        """Chain and insert the events; the case's head fields must be saved by the caller (save_case)."""
        case = self.case
        head, seq = case.audit_head, case.audit_seq
        actor_id, actor_name, role, unit_id = self._who
        canonical = AuditEvent.canonical_bytes
        key_id, key = signing_key()
        mac = mac_function(key)
        at_text = self.at.isoformat()  # one time for the whole batch: formatted once
        rows = []
        for action, target_type, target_id, from_state, to_state, payload in self.events:
            seq += 1
            text = canonical(
                case.pk, seq, at_text, actor_id, actor_name, role, unit_id, action, target_type,
                target_id, from_state, to_state, payload, head,
            )
            digest = hashlib.sha256(text).hexdigest()
            rows.append({
                "case_id": case.pk, "seq": seq, "at": self.at, "actor_id": actor_id,
                "actor_name": actor_name, "role": role, "unit_id": unit_id, "action": action,
                "target_type": target_type, "target_id": target_id, "from_state": from_state,
                "to_state": to_state, "payload": payload, "prev_hash": head, "hash": digest,
                "key_id": key_id, "mac": mac(text),
            })
            head = digest
        bulk.insert(AuditEvent, rows, ids=False)
        case.audit_head, case.audit_seq = head, seq
        self.events = []
        return len(rows)
