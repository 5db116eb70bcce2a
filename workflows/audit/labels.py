"""How audit events are shown to people: one vocabulary for the dossier history,
the step detail pages, the provenance page and its JSON.

The payloads keep the codes the services wrote (they are hashed as stored);
only their presentation is translated here: every key gets a label, and values
are formatted (dates as dd/mm/yyyy, states, voting methods and grounds by
their labels, booleans as yes/no).
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.utils import dateformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.models import Role

from ..models import DossierState, NominationState, VotingMethod
from .models import ConcernState

ACTION_LABELS = {
    "open_round": _("Review round opened"),
    "register": _("Registration"),
    "withdraw_registration": _("Registration withdrawn"),
    "self_assessment": _("Self-assessment"),
    "meeting_vote": _("Vote at the review meeting"),
    "propose": _("Proposed without a review meeting"),
    "record_meeting": _("Review meeting recorded"),
    "attach_minutes": _("Signed minutes attached"),
    "post_list": _("Public posting"),
    "posting_comment": _("Resident comment"),
    "submit": _("Sent for appraisal"),
    "return": _("Returned for correction"),
    "appraise": _("Appraisal of this household"),
    "accept": _("Dossier appraised"),
    "recognize": _("Recognized"),
    "decide": _("Recognition decision signed"),
    "revoke": _("Award revoked"),
    "publish_list": _("List of recognized households published"),
    "concern_raise": _("Supervision concern raised"),
    "concern_answer": _("Supervision concern answered"),
    "concern_close": _("Supervision concern closed"),
    # The merit round (workflows.services.merit).
    "record_council": _("Emulation council meeting recorded"),
    "flag_certificate": _("Certificate of merit flagged for review"),
    # The Front's evaluation reports (evaluations/), each in its report's chain.
    "evaluation_open": _("Evaluation report opened"),
    "evaluation_save": _("Evaluation report filled in"),
    "evaluation_submit": _("Evaluation report signed and sent"),
    "evaluation_close": _("Evaluation roll-up closed"),
    "evaluation_return": _("Evaluation report returned"),
    "evaluation_accept": _("Evaluation report accepted"),
    "evaluation_roll_up": _("Evaluation report rolled up"),
    "evaluation_inspect": _("Inspection recorded"),
    "evaluation_reinspect": _("Re-inspection recorded"),
    # 18 November proposals (workflows.services.festival).
    "choose_instrument": _("Instrument asked for"),
    "forward": _("Forwarded to the level that grants it"),
}

# Every key a service writes into a payload. A key missing here is a bug the
# tests catch (tests/audit/test_history_labels.py), never shown raw.
PAYLOAD_LABELS = {
    "rule_set": _("rule set"),
    "household": _("household"),
    "hamlet": pgettext_lazy("subject", "hamlet"),
    "registered_on": _("registered on"),
    "assessed_on": _("assessed on"),
    "text": _("text"),
    "votes_for": _("votes for"),
    "votes_against": _("votes against"),
    "exclusion": _("exclusion ground"),
    "reason": _("reason"),
    "meeting": _("review meeting"),
    "held_on": _("held on"),
    "invited": _("invited"),
    "present": _("present"),
    "method": _("voting method"),
    "minutes": _("minutes file"),
    "minutes_pages": _("pages of the minutes"),
    "first_page": _("from page"),
    "files": _("files"),
    "sha256": _("SHA-256 of the files"),
    "proposed": _("proposed"),
    "not_proposed": _("not proposed"),
    "posting": _("public posting"),
    "starts_on": _("posted on"),
    "ends_on": _("posting ends on"),
    "place": _("place"),
    "author": _("from"),
    "nomination": _("household"),
    "received_on": _("received on"),
    "submitted_on": _("sent on"),
    "submission_due": _("due"),
    "late": _("late"),
    "accepted": _("accepted"),
    "struck": _("struck"),
    "decision": _("decision number"),
    "signed_on": _("signed on"),
    "signer": _("signer"),
    "recognized": _("recognized"),
    "households_on_roll": _("households on the roll"),
    "concern": _("supervision concern"),
    "answer": _("answer"),
    "note": _("note"),
    "year": _("year"),
    "certificate": _("certificate code"),
    "ground": _("ground"),
    "ground_label": _("ground"),
    "legal_basis": _("legal basis"),
    "decided_on": _("decided on"),
    "published_on": _("published on"),
    # The merit round (workflows.services.merit).
    "streak": _("years counted"),
    "council": _("emulation council meeting"),
    "name": _("name"),
    "members": _("council members"),
    "conclusion": _("conclusion"),
    "window": _("years counted"),
    "revoked_title": _("revoked title"),
    "revoked_year": _("year of the revoked title"),
    "revocation": _("revocation decision number"),
    # The Front's evaluation.
    "scheme": _("evaluation scheme"),
    "period": _("period"),
    "indicators": _("indicators changed"),
    "narrative": _("narrative of the contents"),
    "sent_on": _("sent on"),
    "to_unit": _("sent to"),
    "frozen": _("figures kept as sent"),
    "rolled_up": _("reports rolled up"),
    "into": _("rolled up into report"),
    "inspected_on": _("inspected on"),
    "total": _("total points"),
    "max_total": _("maximum points"),
    "grade": _("grade"),
    "passed": _("passed"),
    "points": _("points per criterion"),
    "person": pgettext_lazy("subject", "person"),
    "collective": pgettext_lazy("subject", "collective"),
    "instrument": _("instrument"),
    "previous_instrument": _("instrument before"),
    "to_unit": _("forwarded to (unit number)"),
    "to_unit_name": _("forwarded to"),
    "forwarded": _("forwarded"),
}

# References to rows the page already names another way: the household by the
# event's heading, the meeting and the posting by their own sections, the
# revocation ground by its label (ground_label, copied at the time).
REFERENCE_KEYS = frozenset({"household", "hamlet", "nomination", "meeting", "posting", "concern", "ground",
                            "council"})

AWARD_STATE_LABELS = {"valid": pgettext_lazy("award state", "Valid"), "revoked": _("Revoked"),
                      "flagged": _("Flagged for review")}

YES, NO = _("Yes"), _("No")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def state_labels():
    """{target type: {state code: label}}: the same code ("open") means different
    things for a dossier and a concern."""
    return {
        "dossier": dict(DossierState.choices),
        "nomination": dict(NominationState.choices),
        "concern": dict(ConcernState.choices),
        "award": AWARD_STATE_LABELS,
    }


def state_label(target_type, code, labels=None):
    if not code:
        return ""
    labels = labels if labels is not None else state_labels()
    return labels.get(target_type, {}).get(code, code)


def format_value(key, value, *, rule_set=None):
    """The value of one payload field as a person reads it."""
    if isinstance(value, bool):
        return YES if value else NO
    if key == "method":
        return dict(VotingMethod.choices).get(value, value)
    if key == "exclusion" and rule_set is not None:
        return rule_set.exclusion_label(value)
    if key == "rule_set" and rule_set is not None and value == rule_set.code:
        return rule_set.name
    if key == "minutes":
        return PurePosixPath(str(value)).name
    if key == "window" and isinstance(value, list) and len(value) == 2:
        return f"{value[0]}–{value[1]}"
    if key == "streak" and isinstance(value, dict):
        # A certificate of merit's nomination: "2019–2021 (decisions 12/QĐ-UBND, …)".
        decisions = ", ".join(str(title.get("decision", "")) for title in value.get("titles", []))
        return _("%(first)s–%(last)s (decisions %(decisions)s)") % {
            "first": value.get("first"), "last": value.get("last"), "decisions": decisions}
    if isinstance(value, list) and all(isinstance(item, (str, int)) for item in value):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return dateformat.format(datetime.date.fromisoformat(value), "d/m/Y")
        if _ISO_DATETIME.match(value):
            return dateformat.format(datetime.datetime.fromisoformat(value), "d/m/Y H:i")
    return value


def payload_details(payload, *, rule_set=None):
    """[(label, formatted value)] of the fields worth showing, in the order written."""
    return [
        (PAYLOAD_LABELS.get(key, key), format_value(key, value, rule_set=rule_set))
        for key, value in payload.items()
        if key not in REFERENCE_KEYS and value not in (None, "", [], {})
    ]


@dataclass
class EventView:
    """One audit event as the pages show it."""

    seq: int
    action: str
    label: str
    at: object
    actor: str
    role: str
    unit: str
    from_label: str = ""
    to_label: str = ""
    household: str = ""
    details: list = field(default_factory=list)


def nomination_of(event):
    """The nomination a per-household event is about, or None."""
    if event.target_type == "nomination":
        return event.target_id
    return event.payload.get("nomination")


def household_name(event, households):
    """"Name (code)" of the subject (a household by its head, a hamlet) an event is about, from
    `households` ({nomination id or subject code: (name, code)}), or ""."""
    found = (households.get(nomination_of(event)) or households.get(event.payload.get("household"))
             or households.get(event.payload.get("hamlet")))
    return f"{found[0]} ({found[1]})" if found else ""


def role_label(code):
    return Role(code).label if code in Role.values else code


def describe(event, *, rule_set=None, households=None, labels=None, unit_name=None):
    labels = labels if labels is not None else state_labels()
    return EventView(
        seq=event.seq, action=event.action, label=ACTION_LABELS.get(event.action, event.action), at=event.at,
        actor=event.actor_name, role=role_label(event.role),
        unit=unit_name if unit_name is not None else str(event.unit),
        from_label=state_label(event.target_type, event.from_state, labels),
        to_label=state_label(event.target_type, event.to_state, labels),
        household=household_name(event, households or {}),
        details=payload_details(event.payload, rule_set=rule_set),
    )
