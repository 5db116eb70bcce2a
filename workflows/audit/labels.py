"""How each audit action is named to people: one vocabulary for the dossier
history, the provenance page and its JSON."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "open_round": _("Review round opened"),
    "register": _("Registration"),
    "self_assessment": _("Self-assessment"),
    "meeting_vote": _("Vote at the review meeting"),
    "record_meeting": _("Review meeting recorded"),
    "post_list": _("Public posting"),
    "posting_comment": _("Resident comment"),
    "submit": _("Sent for appraisal"),
    "return": _("Returned for correction"),
    "appraise": _("Appraisal of this household"),
    "accept": _("Dossier appraised"),
    "recognize": _("Recognized"),
    "decide": _("Recognition decision signed"),
    "revoke": _("Award revoked"),
    "concern_raise": _("Supervision concern raised"),
    "concern_answer": _("Supervision concern answered"),
    "concern_close": _("Supervision concern closed"),
}
