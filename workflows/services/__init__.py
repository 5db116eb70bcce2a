"""Every transition of a dossier: one function each, taking the acting user.

common.py holds the checks and writes they share; registration.py, review.py and
routing.py follow the dossier's life from the hamlet to the decision.
"""

from core.services import AlreadySent, once

from .drafts import purge_tally_drafts, save_tally_draft
from .errors import RuleViolation, TallyRefused
from .registration import (
    open_round, record_self_assessments, register_households, register_subjects, withdraw_registrations,
)
from .review import attach_minutes, post_list, record_comment, record_meeting
from .merit import record_council
from .revocation import revoke_award
from .routing import appraise_dossier, check_appraisal, check_return, decide, return_dossier, submit_dossier

__all__ = [
    "AlreadySent", "RuleViolation", "appraise_dossier", "attach_minutes", "check_appraisal", "check_return", "decide", "open_round",
    "post_list", "record_comment",
    "record_council", "record_meeting", "record_self_assessments", "revoke_award", "register_households", "register_subjects", "return_dossier", "submit_dossier",
    "TallyRefused", "purge_tally_drafts", "save_tally_draft",
    "once", "withdraw_registrations",
]
