"""The viewflow process that routes a dossier between levels.

The legal state lives on the Dossier (django-fsm); the flow answers the other
question: whose turn it is. Each human step is a task owned by a unit through a
guardian object permission, so viewflow's own queue (Task.objects.user_queue)
is every role's inbox. Which unit owns the appraisal and the decision comes from
the dossier, which took it from its rule set when it was opened.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process
from viewflow.workflow.nodes.handle import HandleActivation


class UnitTaskActivation(HandleActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        task = activation.task
        dossier = task.process.dossier
        unit = getattr(dossier, flow_task.owner_unit_attr)
        task.owner_permission = f"directory.{flow_task.permission_codename}"
        task.owner_permission_content_type = ContentType.objects.get_for_model(unit)
        task.owner_permission_obj_pk = str(unit.pk)
        task.save(update_fields=[
            "owner_permission", "owner_permission_content_type", "owner_permission_obj_pk"
        ])
        return activation


class UnitTask(flow.Handle):
    """A step done by whoever holds `permission_codename` on the dossier's unit
    named by `owner_unit_attr`; completed by a workflows service, never by a view."""

    task_type = "HUMAN"
    activation_class = UnitTaskActivation

    def __init__(self, *, owner_unit_attr, permission_codename, **kwargs):
        super().__init__(this.noop, **kwargs)
        self.owner_unit_attr = owner_unit_attr
        self.permission_codename = permission_codename


def _lock_impl():
    # On PostgreSQL two officers completing the same task race on the process
    # row; select_for_update makes the second wait and then see the task done.
    # SQLite serialises writers itself, and has no SELECT ... FOR UPDATE.
    if connection.vendor == "postgresql":
        return lock.select_for_update_lock
    return lock.no_lock


class DossierFlow(flow.Flow):
    process_title = _("Emulation title dossier")
    process_class = Process

    start = flow.StartHandle(this.start_dossier).Next(this.hamlet_review)

    hamlet_review = UnitTask(
        owner_unit_attr="unit", permission_codename="prepare_dossier",
    ).Annotation(title=_("Register, review and send the list")).Next(this.appraisal)

    appraisal = UnitTask(
        owner_unit_attr="appraising_unit", permission_codename="appraise_dossier",
    ).Annotation(title=_("Appraise the dossier")).Next(this.was_returned)

    was_returned = flow.If(this.dossier_returned).Then(this.hamlet_review).Else(this.decision)

    decision = UnitTask(
        owner_unit_attr="deciding_unit", permission_codename="decide_title",
    ).Annotation(title=_("Sign the recognition decision")).Next(this.end)

    end = flow.End()

    @classmethod
    def lock(cls, process_pk):
        return lock.lock_scope(_lock_impl(), cls, process_pk)

    def start_dossier(self, activation, dossier):
        activation.process.artifact = dossier
        activation.process.save()
        dossier.process = activation.process
        dossier.save(update_fields=["process"])
        return activation.process

    def noop(self, activation, **kwargs):
        return activation.process

    def dossier_returned(self, activation):
        from .models import DossierState

        return activation.process.dossier.state == DossierState.RETURNED
