"""An award's provenance: every step of its dossier's audit chain that led to it (and after it),
as the provenance page and its JSON show them."""

from dataclasses import dataclass, field

from django.db.models import Q

from .labels import REFERENCE_KEYS, describe, state_labels


@dataclass
class Step:
    code: str
    label: str
    at: object
    actor: str
    role: str
    unit: str
    from_state: str = ""
    to_state: str = ""
    from_label: str = ""
    to_label: str = ""
    details: list = field(default_factory=list)
    seq: int | None = None
    role_code: str = ""
    data: dict = field(default_factory=dict)


def _shown(payload):
    return {k: v for k, v in payload.items() if k not in REFERENCE_KEYS and v not in (None, "", [], {})}


def provenance(award):
    """Every step that led to (and after) `award`, from its dossier's audit chain, in order.

    Dossier-wide events (meeting, posting, submission, decision) and this
    household's own events; other households' events are left out in SQL, so the
    query count and size do not grow with the dossier.
    """
    dossier = award.nomination.dossier
    nomination_id = award.nomination_id
    events = (
        dossier.audit_events.filter(
            Q(target_type="dossier")
            | Q(target_type="nomination", target_id=nomination_id)
            | Q(target_type="award", target_id=award.pk)
            | Q(target_type__in=["postingcomment", "concern"])
        )
        .select_related("unit")
        .order_by("seq")
    )
    steps, labels, rule_set = [], state_labels(), dossier.rule_set
    for event in events:
        about = event.payload.get("nomination")
        if event.target_type in ("postingcomment", "concern") and about not in (None, nomination_id):
            continue
        shown = describe(event, rule_set=rule_set, labels=labels, unit_name=event.unit.name)
        steps.append(Step(
            code=event.action, label=shown.label, at=event.at, actor=shown.actor, role=shown.role,
            unit=shown.unit, from_state=event.from_state, to_state=event.to_state, from_label=shown.from_label,
            to_label=shown.to_label, details=shown.details, seq=event.seq, role_code=event.role,
            data=_shown(event.payload),
        ))
    return steps


def provenance_json(award, steps):
    return {
        "award": {
            "id": award.pk, "title": award.title_type.name, "year": award.year,
            "holder": award.household.head_name if award.household_id else str(award.hamlet),
            "hamlet": award.household.hamlet.name if award.household_id else str(award.hamlet),
            "decision": award.decision.number, "signed_on": award.decision.signed_on.isoformat(),
            "signer": award.decision.signer, "certificate_code": award.certificate_code,
            "revoked": award.revoked_at is not None,
            "revoked_at": award.revoked_at.isoformat() if award.revoked_at else None,
            "rule_set": award.nomination.dossier.rule_set.code,
        },
        "steps": [
            {"seq": s.seq, "action": s.code, "label": str(s.label), "at": s.at.isoformat(), "actor": s.actor,
             "role": s.role_code, "role_label": str(s.role), "unit": s.unit, "from_state": s.from_state,
             "to_state": s.to_state, "details": s.data}
            for s in steps
        ],
    }
