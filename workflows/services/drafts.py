"""The tally sheet's draft: what was typed so far, kept on the server for the people
who may record the meeting. A draft writes nothing a dossier reads: it changes no
state, so it is not an audit event (the meeting recorded from it is)."""

import datetime
import json
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import TallyDraft
from ..procedures import IN_USE, titles_q
from .common import acting_for, check_transition
from .errors import RuleViolation

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HEAD_FIELDS = ("held_on", "invited", "present", "method", "chaired_by", "dates_confirmed")
# A 600-household sheet with every cell filled is about 40 KB as JSON.
MAX_DRAFT_BYTES = 256 * 1024


def clean_draft(data):
    """The draft as the tally page sends it: {"fields": {name: text}, "rows": {nomination
    id: [for, against, exclusion, change reason]}}, every value text; anything else refused."""
    if not isinstance(data, dict) or not isinstance(data.get("fields", {}), dict) or not isinstance(
            data.get("rows", {}), dict):
        raise RuleViolation(_("The draft is not a tally sheet."))
    if len(json.dumps(data)) > MAX_DRAFT_BYTES:
        raise RuleViolation(_("The draft is larger than %(kb)s KB; it was not saved.")
                            % {"kb": MAX_DRAFT_BYTES // 1024})
    fields = {key: value for key, value in data.get("fields", {}).items() if key in HEAD_FIELDS}
    rows = {}
    for key, cells in data.get("rows", {}).items():
        if not str(key).isdecimal() or not isinstance(cells, list) or len(cells) > 4:
            raise RuleViolation(_("The draft is not a tally sheet."))
        rows[str(key)] = [str(cell) if cell is not None else "" for cell in cells]
    if any(not isinstance(value, str) for value in fields.values()):
        raise RuleViolation(_("The draft is not a tally sheet."))
    return {"fields": fields, "rows": rows}


@transaction.atomic
def save_tally_draft(*, actor, dossier, token, revision, data):
    """Keep the tally typed so far (one draft per token: the phone's later saves replace it)."""
    acting_for(actor, dossier, "meeting")
    check_transition(dossier, dossier.record_meeting)
    if not isinstance(token, str) or not TOKEN.match(token):
        raise RuleViolation(_("The draft has no valid token."))
    if isinstance(revision, bool) or not isinstance(revision, int) or not 0 <= revision <= dossier.revision:
        raise RuleViolation(_("The draft names a revision this dossier never had."))
    draft, _created = TallyDraft.objects.update_or_create(
        dossier=dossier, token=token,
        defaults={"revision": revision, "data": clean_draft(data), "saved_by": actor},
    )
    return draft


def _meeting_still_possible():
    """The dossiers on which a meeting can still be recorded: for each procedure in use,
    its titles' dossiers in a state its "meeting" action acts in (a procedure without
    one keeps no draft)."""
    keep = Q(pk__in=[])
    for procedure in IN_USE:
        meeting = next((action for action in procedure.actions if action.code == "meeting"), None)
        if meeting is not None:
            keep |= titles_q(procedure, "dossier__title_type__code") & Q(dossier__state__in=list(meeting.states))
    return keep


@transaction.atomic
def purge_tally_drafts(*, now=None):
    """Delete the tally drafts nobody can record any more: those of dossiers past the
    meeting (posted, sent, appraised, decided: a later return starts from the meeting in
    force, not from a draft of the earlier revision), and those not saved for
    TALLY_DRAFT_RETENTION_DAYS. A system task, not an act on a dossier: a draft was never
    part of the record (module docstring), so removing it is not audited. A phone that
    kept a draft offline saves it again when it sends it (views.drafts.meeting_sync).
    Returns (past the meeting, too old) counts, in a constant number of statements."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.TALLY_DRAFT_RETENTION_DAYS)
    past = TallyDraft.objects.exclude(_meeting_still_possible()).delete()[0]
    old = TallyDraft.objects.filter(saved_at__lt=cutoff).delete()[0]
    return past, old
