from .actions import (
    appraise,
    assessments,
    attach_minutes,
    comment,
    decide,
    meeting,
    posting,
    register,
    return_dossier,
    submit,
    withdraw,
)
from .awards import certificate, concerns, provenance, provenance_json, revoke
from .drafts import meeting_draft, meeting_sync
from .festival import honour_list, instruments
from .merit import council, open_merit_round
from .pwa import manifest, service_worker
from .pages import dossier_detail, dossier_history, hamlet_detail, home, household_detail, minutes_file, open_round

__all__ = [
    "appraise", "assessments", "attach_minutes", "certificate", "comment", "concerns", "council", "decide", "dossier_detail", "dossier_history", "home",
    "hamlet_detail", "household_detail", "manifest", "service_worker", "meeting", "meeting_draft", "meeting_sync", "minutes_file", "open_merit_round", "open_round", "posting", "provenance", "provenance_json", "register", "return_dossier", "revoke", "submit",
    "withdraw", "honour_list", "instruments",
]
