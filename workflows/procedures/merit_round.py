"""The merit round: a certificate of merit (Giấy khen) for a title held in a row.

    preparation (the dossier's unit)  ->  appraisal (appraising unit)  ->  [council]  ->  decision
            ^                                   |                       (deciding unit)  (deciding unit)
            +------------ returned -------------+

Like the local review, but the list is not a free registration: the preparing unit
(the hamlet head for its households, the commune officer for its hamlets) puts on it
only subjects the register makes eligible (titles.merit), each with its window and the
decisions of its streak; the review meeting votes on the same tally sheet and ranks
within the rule set's cap, which the appraisal enforces again; where the rule set has the
"council" step (a cultural hamlet's, Decree 122/2018: the district emulation council),
the council's meeting is recorded, with its own minutes, before the chair decides.

No posting and no self-assessment: the merit rule sets have neither. A round opens only
under a rule set in force (`merit.in_force`), which workflows.services.merit checks.
"""

from django.utils.translation import gettext_lazy as _

from ..states import DossierState
from .base import Action, Deadline, DueColumn, Procedure, Stage, TaskLink
from .local_review import AFTER_MEETING, APPRAISAL, APPRAISE, DECIDE, DECISION, PREPARE, REVIEW, EDITABLE

OPEN, REVIEWED, RETURNED = DossierState.OPEN, DossierState.REVIEWED, DossierState.RETURNED
SUBMITTED, COUNCIL, APPRAISED = DossierState.SUBMITTED, DossierState.COUNCIL, DossierState.APPRAISED

OPTIONAL_STEPS = ("council",)

MERIT_PREPARATION = Stage(
    code="preparation",
    node="merit_preparation",
    states=(OPEN, REVIEWED, RETURNED),
    unit_attr="unit",
    permissions=(PREPARE, REVIEW),
    task_title=_("Put the eligible on the list, review and send it"),
    page="workflows:dossier",
    deadline=Deadline(code="submission", label=_("send the dossier"),
                      columns=(DueColumn("submission_due", states=(REVIEWED,)),),
                      shown=(_("Send by"), "submission_due")),
    actions=(
        Action("register", _("Put eligible %(subjects)s on the list"), "workflows:register", PREPARE, EDITABLE,
               step="registration"),
        Action("withdraw", _("Withdraw the registration"), "workflows:withdraw", PREPARE, EDITABLE,
               step="registration", menu=False),
        Action("meeting", _("Review meeting and tally"), "workflows:meeting", REVIEW, (OPEN, REVIEWED, RETURNED),
               step="meeting", primary=(OPEN, RETURNED)),
        Action("attach_minutes", _("Attach the signed minutes"), "workflows:attach_minutes", REVIEW,
               {state: when for state, when in AFTER_MEETING.items() if state != DossierState.POSTING},
               step="meeting"),
        Action("submit", _("Send for appraisal"), "workflows:submit", PREPARE, (REVIEWED, RETURNED),
               step="submission", primary=True),
    ),
    task_links={
        PREPARE: (
            TaskLink("meeting", (OPEN,), subjects=True),
            TaskLink("submit", (REVIEWED, RETURNED)),
            TaskLink("register", (OPEN,)),
        ),
        REVIEW: (TaskLink("meeting", (OPEN,), subjects=True),),
    },
)

COUNCIL_STAGE = Stage(
    code="council",
    node="council",
    states=(COUNCIL,),
    unit_attr="deciding_unit",
    # The council's secretariat is the deciding level's emulation office: whoever appraises there.
    permissions=(APPRAISE,),
    task_title=_("Record the emulation council's meeting"),
    page="workflows:council",
    actions=(
        Action("council", _("Record the emulation council's meeting"), "workflows:council", APPRAISE, (COUNCIL,),
               step="council", primary=True),
    ),
    answered_by=(APPRAISE, DECIDE),
)

MERIT_ROUND = Procedure(
    code="merit_round",
    name=_("Certificate of merit round"),
    stages=(MERIT_PREPARATION, APPRAISAL, COUNCIL_STAGE, DECISION),
    escalate_to=(APPRAISE, DECIDE, "supervise"),
    optional_steps=OPTIONAL_STEPS,
)
