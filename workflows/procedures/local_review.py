"""The local review: the unit that lists the subjects prepares its dossier, the level
above (or the unit's own superior level) appraises it, and a chair decides.

    preparation (the dossier's unit)  ->  appraisal (appraising unit)  ->  decision (deciding unit)
            ^                                   |
            +------------ returned -------------+

The Cultural Family title runs on it: a hamlet lists its households, the commune
appraises and decides. A title whose dossier is a commune's list of its hamlets
runs on it unchanged: the dossier's `unit` is then the commune, and its rule sets
say which level appraises and decides (`appraising_level`, `deciding_level`:
the district under Decree 122/2018 and 86/2023, the commune itself from
2025-07-01); the stages name the dossier's units, never a level.

The rule set's `steps` switch the optional steps (`OPTIONAL_STEPS`) on and off:
- no "posting": the reviewed list is sent at once (submit from "reviewed"); with it,
  the list is posted first and sent once the posting period is over.
- no "meeting": there is no review meeting and no tally. Once at least one subject
  is registered, the registrations still standing are the proposal: the list is
  posted from "open" (with "posting") or sent from "open" (without), and that act
  proposes every registered subject (workflows.services.common.propose_registered,
  audited per subject). A returned dossier is sent again the same way, proposing
  what was registered since. A subject proposed that way cannot be withdrawn any
  more (a withdrawal is of a registration, before it is reviewed).
Every other step (registration, submission, appraisal, decision) is required:
tests/workflows/test_procedure_steps.py holds every shipped rule set to it.

Labels are lazy strings; one that names the subjects says "%(subjects)s", filled with the
dossier's subject kind (households, hamlets) where the menu is read (workflows.selectors).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..states import DossierState
from .base import ALWAYS, Action, Deadline, DueColumn, Procedure, Stage, TaskLink, When

OPEN, REVIEWED, POSTING = DossierState.OPEN, DossierState.REVIEWED, DossierState.POSTING
SUBMITTED, RETURNED, APPRAISED = DossierState.SUBMITTED, DossierState.RETURNED, DossierState.APPRAISED

OPTIONAL_STEPS = ("meeting", "posting")
PREPARE, REVIEW, APPRAISE, DECIDE = "prepare_dossier", "record_review", "appraise_dossier", "decide_title"


def _posting_over(dossier):
    """While the list is posted, "send" could only be refused until the day sending
    opens (the day after the posting's last day)."""
    posting = dossier.postings.first()
    return posting is not None and timezone.localdate() >= posting.sendable_from


# Where the unit sends from: after the review (or straight after registration when
# there is no meeting), after the posting, or after a return.
SEND_FROM = {
    RETURNED: ALWAYS,
    REVIEWED: When(without=("posting",)),
    POSTING: When(offer_if=_posting_over),
    OPEN: When(without=("meeting", "posting"), subjects=True),
}
EDITABLE = (OPEN, RETURNED)


def _minutes_missing(dossier):
    """The menu offers attaching the signed minutes while the meeting in force has none (the
    page also takes further pages of minutes already attached)."""
    meeting = dossier.meetings.first()
    return meeting is not None and not meeting.minutes


# Once the meeting is recorded and while the dossier is still at its unit.
AFTER_MEETING = dict.fromkeys((REVIEWED, POSTING, RETURNED), When(offer_if=_minutes_missing))

PREPARATION = Stage(
    code="preparation",
    node="hamlet_review",
    states=(OPEN, REVIEWED, POSTING, RETURNED),
    unit_attr="unit",
    permissions=(PREPARE, REVIEW),
    task_title=_("Register, review and send the list"),
    page="workflows:dossier",
    deadline=Deadline(
        code="submission", label=_("send the dossier"), review_deadline=True,
        columns=(DueColumn("submission_due", states=(REVIEWED, POSTING)),),
        shown=(_("Send by"), "submission_due"),
    ),
    actions=(
        Action("register", _("Register %(subjects)s"), "workflows:register", PREPARE, EDITABLE,
               step="registration"),
        Action("withdraw", _("Withdraw the registration"), "workflows:withdraw", PREPARE, EDITABLE,
               step="registration", menu=False),
        Action("assess", _("Self-assessments"), "workflows:assessments", REVIEW, EDITABLE, step="registration"),
        Action("meeting", _("Review meeting and tally"), "workflows:meeting", REVIEW, (OPEN, REVIEWED, RETURNED),
               step="meeting", primary=(OPEN, RETURNED)),
        Action("attach_minutes", _("Attach the signed minutes"), "workflows:attach_minutes", REVIEW, AFTER_MEETING,
               step="meeting"),
        Action("posting", _("Post the list publicly"), "workflows:posting", REVIEW,
               {REVIEWED: ALWAYS, OPEN: When(without=("meeting",), subjects=True)}, step="posting", primary=True),
        Action("comment", _("Record a resident comment"), "workflows:comment", REVIEW, (POSTING,), step="posting"),
        Action("submit", _("Send for appraisal"), "workflows:submit", PREPARE, SEND_FROM, step="submission",
               primary=True),
    ),
    task_links={
        # Whoever prepares: the tally once households are registered, then the posting or
        # the sending; a returned dossier opens on its resend page, which shows the reason.
        PREPARE: (
            TaskLink("meeting", (OPEN,), subjects=True),
            TaskLink("posting", (OPEN, REVIEWED)),
            TaskLink("submit", (OPEN, REVIEWED, RETURNED)),
            TaskLink("register", (OPEN,)),
        ),
        # Whoever only records the review (the hamlet's Front head).
        REVIEW: (
            TaskLink("assess", (OPEN, RETURNED), subjects=True),
            TaskLink("posting", (OPEN, REVIEWED)),
            TaskLink("comment", (POSTING,)),
        ),
    },
)

APPRAISAL = Stage(
    code="appraisal",
    node="appraisal",
    states=(SUBMITTED,),
    unit_attr="appraising_unit",
    permissions=(APPRAISE,),
    task_title=_("Appraise the dossier"),
    page="workflows:appraise",
    # The rule set's days to decide run from the sending and cover the appraisal.
    deadline=Deadline(code="appraisal", label=_("appraise the dossier"), columns=(DueColumn("decision_due"),),
                      shown=(_("Decide by"), "decision_due")),
    actions=(
        Action("appraise", _("Appraise"), "workflows:appraise", APPRAISE, (SUBMITTED,), step="appraisal",
               primary=True),
        Action("return", _("Return for correction"), "workflows:return", APPRAISE, (SUBMITTED,), step="appraisal"),
    ),
)

DECISION = Stage(
    code="decision",
    node="decision",
    states=(APPRAISED,),
    unit_attr="deciding_unit",
    permissions=(DECIDE,),
    task_title=_("Sign the recognition decision"),
    page="workflows:decide",
    deadline=Deadline(code="decision", label=_("sign the decision"), columns=(DueColumn("decision_due"),),
                      shown=(_("Decide by"), "decision_due")),
    actions=(
        Action("decide", _("Sign the decision"), "workflows:decide", DECIDE, (APPRAISED,), step="decision",
               primary=True),
    ),
    # The appraising officer answers for the chair's level too: a concern raised while
    # the decision waits is usually about the appraisal.
    answered_by=(DECIDE, APPRAISE),
)

LOCAL_REVIEW = Procedure(
    code="local_review",
    name=_("Local review"),
    stages=(PREPARATION, APPRAISAL, DECISION),
    # Who, at the level above a late unit, hears that its step is overdue: the people
    # who manage and supervise that level's work.
    escalate_to=(APPRAISE, DECIDE, "supervise"),
    optional_steps=OPTIONAL_STEPS,
)
