"""The viewflow processes that route a dossier between levels: one flow class per
shape of procedure, its tasks read from the procedure's stages.

The legal state lives on the Dossier (django-fsm); the flow answers the other
question: whose turn it is. Each human step is a task owned by a unit through a
guardian object permission, so viewflow's own queue (Task.objects.user_queue)
is every role's inbox. Which unit owns a task is the stage's (`unit_attr`, e.g.
the appraising unit), which the dossier took from its rule set when it was opened.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process
from viewflow.workflow.nodes.handle import HandleActivation

from .procedures import FESTIVAL, LOCAL_REVIEW, MERIT_ROUND, procedure_of


class UnitTaskActivation(HandleActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        task = activation.task
        dossier = task.process.dossier
        unit = flow_task.stage.unit_of(dossier)
        task.owner_permission = f"directory.{flow_task.stage.owner_permission}"
        task.owner_permission_content_type = ContentType.objects.get_for_model(unit)
        task.owner_permission_obj_pk = str(unit.pk)
        task.save(update_fields=[
            "owner_permission", "owner_permission_content_type", "owner_permission_obj_pk"
        ])
        return activation


class UnitTask(flow.Handle):
    """The task of one stage of a procedure: done by whoever holds the stage's owner
    permission on the dossier's unit it names; completed by a workflows service,
    never by a view."""

    task_type = "HUMAN"
    activation_class = UnitTaskActivation

    def __init__(self, stage, **kwargs):
        super().__init__(this.noop, **kwargs)
        self.stage = stage
        self.Annotation(title=stage.task_title)


def _lock_impl():
    # On PostgreSQL two officers completing the same task race on the process
    # row; select_for_update makes the second wait and then see the task done.
    # SQLite serialises writers itself, and has no SELECT ... FOR UPDATE.
    if connection.vendor == "postgresql":
        return lock.select_for_update_lock
    return lock.no_lock


class ReviewFlow(flow.Flow):
    """The shape "prepare, appraise (which may return it), decide": a procedure of
    three stages in that order, the first taking the dossier back when the second
    returns it. Subclasses name their procedure; nodes are named by the stages."""

    process_class = Process
    procedure = None

    @classmethod
    def lock(cls, process_pk):
        return lock.lock_scope(_lock_impl(), cls, process_pk)

    @classmethod
    def stage_node(cls, stage_code):
        """The flow node of the procedure's stage `stage_code`."""
        return getattr(cls, cls.procedure.stage(stage_code).node)

    def start_dossier(self, activation, dossier):
        activation.process.artifact = dossier
        activation.process.save()
        dossier.process = activation.process
        dossier.save(update_fields=["process"])
        return activation.process

    def noop(self, activation, **kwargs):
        return activation.process

    def back_to_preparation(self, activation):
        # Returned: the state is one the first stage acts in again.
        dossier = activation.process.dossier
        return procedure_of(dossier).stage_for(dossier.state) is self.procedure.stages[0]


_PREPARE, _APPRAISE, _DECIDE = LOCAL_REVIEW.stages


class DossierFlow(ReviewFlow):
    """The local review (workflows.procedures.local_review). The class and node names
    are kept: stored processes and tasks name them."""

    process_title = _("Emulation title dossier")
    procedure = LOCAL_REVIEW

    start = flow.StartHandle(this.start_dossier).Next(this.hamlet_review)
    hamlet_review = UnitTask(_PREPARE).Next(this.appraisal)
    appraisal = UnitTask(_APPRAISE).Next(this.was_returned)
    was_returned = flow.If(this.back_to_preparation).Then(this.hamlet_review).Else(this.decision)
    decision = UnitTask(_DECIDE).Next(this.end)
    end = flow.End()


_MERIT_PREPARE, _MERIT_APPRAISE, _COUNCIL, _MERIT_DECIDE = MERIT_ROUND.stages


class MeritFlow(ReviewFlow):
    """The merit round (workflows.procedures.merit_round): the local review's shape with the
    emulation council between the appraisal and the decision where the rule set has it."""

    process_title = _("Certificate of merit dossier")
    procedure = MERIT_ROUND

    start = flow.StartHandle(this.start_dossier).Next(this.merit_preparation)
    merit_preparation = UnitTask(_MERIT_PREPARE).Next(this.appraisal)
    appraisal = UnitTask(_MERIT_APPRAISE).Next(this.was_returned)
    was_returned = flow.If(this.back_to_preparation).Then(this.merit_preparation).Else(this.council_first)
    council_first = flow.If(this.council_meets).Then(this.council).Else(this.decision)
    council = UnitTask(_COUNCIL).Next(this.decision)
    decision = UnitTask(_MERIT_DECIDE).Next(this.end)
    end = flow.End()

    def council_meets(self, activation):
        # The appraisal left the dossier waiting on the council (its rule set has the step).
        return activation.process.dossier.state == _COUNCIL.states[0]


class CommendationFlow(ReviewFlow):
    """The 18 November proposals (workflows.procedures.festival): the same shape, Front roles only."""

    process_title = _("18 November commendation proposals")
    procedure = FESTIVAL

    start = flow.StartHandle(this.start_dossier).Next(this.festival_list)
    festival_list = UnitTask(FESTIVAL.stages[0]).Next(this.festival_appraisal)
    festival_appraisal = UnitTask(FESTIVAL.stages[1]).Next(this.was_returned)
    was_returned = flow.If(this.back_to_preparation).Then(this.festival_list).Else(this.festival_decision)
    festival_decision = UnitTask(FESTIVAL.stages[2]).Next(this.end)
    end = flow.End()


FLOWS = {flow_class.procedure.code: flow_class for flow_class in (DossierFlow, MeritFlow, CommendationFlow)}


def flow_for(procedure):
    return FLOWS[procedure.code]


def flow_of(dossier):
    """The flow class that routes `dossier`."""
    return flow_for(procedure_of(dossier))


def _check(flow_class):
    # A stage without its node would be a dossier nobody's inbox ever shows.
    for stage in flow_class.procedure.stages:
        node = getattr(flow_class, stage.node, None)
        assert isinstance(node, UnitTask) and node.stage is stage, f"{flow_class.__name__}: no task for {stage.code}"


for _flow in FLOWS.values():
    _check(_flow)
