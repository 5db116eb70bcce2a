"""The 18 November commendation proposals (DOMAIN.md §5, §11): the hamlet Front work committee proposes,
the commune Front standing board appraises and grants by its decision.

    preparation (the hamlet: its Front head)  ->  appraisal (the commune Front)  ->  decision (the commune Front)
            ^                                           |
            +---------------- returned -----------------+

The shape is the local review's, so the flow class is the same shape (workflows.flows.CommendationFlow);
what differs is who acts: every action names a codename only Front roles hold (directory.models
ROLE_PERMISSIONS), so the hamlet head and the commune's People's Committee roles cannot act on these
stages, and the Front head cannot act on a Cultural Family dossier. Adding proposals is the registration
step (the subjects are the hamlet's people, households or collectives: one title type per kind, each a
list of its own), the achievement summary (báo cáo thành tích) is the self-assessment, the committee's
vote is the review meeting (a simple majority of the members present: the rule set's approval_pct with
approval_more_than), and each proposal's instrument (titles.commendations) decides, at the decision,
what the commune Front grants itself and what it forwards (workflows.services.festival).
"""

from django.utils.translation import gettext_lazy as _

from ..states import DossierState
from .base import ALWAYS, Action, Deadline, Procedure, Stage, TaskLink, When

OPEN, REVIEWED, SUBMITTED = DossierState.OPEN, DossierState.REVIEWED, DossierState.SUBMITTED
RETURNED, APPRAISED = DossierState.RETURNED, DossierState.APPRAISED

PROPOSE, APPRAISE, GRANT = "propose_commendation", "appraise_commendation", "grant_front_commendation"
EDITABLE = (OPEN, RETURNED)
SEND_FROM = {RETURNED: ALWAYS, REVIEWED: ALWAYS}

PREPARATION = Stage(
    code="preparation",
    node="festival_list",
    states=(OPEN, REVIEWED, RETURNED),
    unit_attr="unit",
    permissions=(PROPOSE,),
    task_title=_("Prepare and send the 18 November proposal list"),
    page="workflows:dossier",
    # The festival's day: the rule set's "review finished before" (11-18); the nomination deadline of the
    # year's festival plan is judged when the list is sent (workflows.services.festival).
    deadline=Deadline(code="festival", label=_("send the proposal list"), review_deadline=True),
    actions=(
        Action("register", _("Add proposals"), "workflows:register", PROPOSE, EDITABLE, step="registration"),
        Action("withdraw", _("Withdraw the proposal"), "workflows:withdraw", PROPOSE, EDITABLE,
               step="registration", menu=False),
        Action("instruments", _("What each proposal asks for"), "workflows:instruments", PROPOSE,
               (OPEN, REVIEWED, RETURNED), step="registration"),
        Action("assess", _("Achievement summaries"), "workflows:assessments", PROPOSE, EDITABLE,
               step="registration"),
        Action("meeting", _("Committee meeting and vote"), "workflows:meeting", PROPOSE, (OPEN, REVIEWED, RETURNED),
               step="meeting", primary=(OPEN, RETURNED)),
        Action("attach_minutes", _("Attach the signed minutes"), "workflows:attach_minutes", PROPOSE,
               (REVIEWED, RETURNED), step="meeting"),
        Action("submit", _("Send to the commune Front"), "workflows:submit", PROPOSE, SEND_FROM, step="submission",
               primary=True),
    ),
    task_links={PROPOSE: (
        TaskLink("meeting", (OPEN,), subjects=True),
        TaskLink("submit", (REVIEWED, RETURNED)),
        TaskLink("register", (OPEN,)),
    )},
)

APPRAISAL = Stage(
    code="appraisal",
    node="festival_appraisal",
    states=(SUBMITTED,),
    unit_attr="appraising_unit",
    permissions=(APPRAISE,),
    task_title=_("Appraise the 18 November proposals"),
    page="workflows:appraise",
    actions=(
        Action("appraise", _("Appraise the proposals"), "workflows:appraise", APPRAISE, (SUBMITTED,),
               step="appraisal", primary=True),
        Action("return", _("Return the list"), "workflows:return", APPRAISE, (SUBMITTED,), step="appraisal"),
    ),
)

DECISION = Stage(
    code="decision",
    node="festival_decision",
    states=(APPRAISED,),
    unit_attr="deciding_unit",
    permissions=(GRANT,),
    task_title=_("Sign the commune Front's decision"),
    page="workflows:decide",
    actions=(
        Action("decide", _("Sign the commune Front's decision"), "workflows:decide", GRANT, (APPRAISED,),
               step="decision", primary=True),
    ),
    answered_by=(GRANT, APPRAISE),
)

FESTIVAL = Procedure(
    code="festival_commendation",
    name=_("18 November commendation proposals"),
    stages=(PREPARATION, APPRAISAL, DECISION),
    # Who hears at the level above that a hamlet's list is late: the commune Front.
    escalate_to=(APPRAISE, "supervise"),
    optional_steps=(),
)

# The title types that run on it (titles/rulesets/khen_thuong_18_11.json): one per subject kind.
TITLES = ("khen-thuong-18-11-ca-nhan", "khen-thuong-18-11-gia-dinh", "khen-thuong-18-11-tap-the")
__all__ = ["FESTIVAL", "TITLES", "When"]
