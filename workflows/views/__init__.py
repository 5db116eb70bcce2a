from .actions import (
    appraise,
    assessments,
    comment,
    decide,
    meeting,
    posting,
    register,
    return_dossier,
    submit,
    withdraw,
)
from .drafts import meeting_draft, meeting_sync
from .pwa import manifest, service_worker
from .pages import dossier_detail, dossier_history, home, household_detail, minutes_file, open_round

__all__ = [
    "appraise", "assessments", "comment", "decide", "dossier_detail", "dossier_history", "home",
    "household_detail", "manifest", "service_worker", "meeting", "meeting_draft", "meeting_sync", "minutes_file", "open_round", "posting", "register", "return_dossier", "submit",
    "withdraw",
]
