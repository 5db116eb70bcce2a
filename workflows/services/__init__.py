from .errors import RuleViolation
from .family import (
    appraise_dossier, decide, open_round, post_list, record_comment, record_meeting,
    record_self_assessments, register_households, return_dossier, submit_dossier,
)

__all__ = [
    "RuleViolation", "appraise_dossier", "decide", "open_round", "post_list", "record_comment",
    "record_meeting", "record_self_assessments", "register_households", "return_dossier", "submit_dossier",
]
