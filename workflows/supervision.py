"""The Front's supervision: concerns on dossiers and nominations, and who looked at what.

A supervisor (permission "supervise", held on a unit and inherited down its
subtree) may raise a concern; the level currently responsible for the dossier
answers it; the supervisor closes it. While any concern on a dossier is not
closed the dossier cannot be decided (workflows.services.routing.decide asks
`open_concerns`). Every step is audited in the dossier's chain and notified.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.selectors import find_acting, require_acting

from .models import Case, Concern, ConcernState, Dossier, DossierState, ViewLog
from .procedures import procedure_of
from .services.audit import AuditTrail, save_case
from .services.common import check_text
from .services.errors import RuleViolation
from .services.messages import notify_unit

def open_concerns(owner):
    """The concerns not closed on `owner`: a case, or anything that has one (a dossier)."""
    case_id = owner.pk if isinstance(owner, Case) else owner.case_id
    return Concern.objects.filter(case_id=case_id).exclude(state=ConcernState.CLOSED)


def _lock(*, dossier=None, case_id=None):
    # Same lock as every transition: the concern's audit events go into the dossier's case's chain.
    where = {"pk": dossier.pk} if dossier is not None else {"case_id": case_id}
    return (Dossier.objects.select_for_update(of=("self", "case"))
            .select_related("case", "unit", "appraising_unit", "deciding_unit", "title_type").get(**where))


def responsible_stage(dossier):
    """The stage of the dossier's procedure that must answer a concern now: the one the
    dossier waits on, or its last once decided (workflows.procedures)."""
    procedure = procedure_of(dossier)
    return procedure.stage_for(dossier.state) or procedure.stages[-1]


def _responsible(dossier):
    """(unit, permission codenames) of the level that must answer now."""
    stage = responsible_stage(dossier)
    return stage.unit_of(dossier), stage.concern_answerers


def responsible_unit(dossier):
    """The unit that must answer a concern raised now."""
    return _responsible(dossier)[0]


def concerns_shown(dossier):
    """The dossier's supervision concerns not closed, with the unit that must answer
    the open ones (the level responsible now)."""
    # Most dossiers have none: whether there are any is asked first, because the statement with the
    # joins the page shows costs ~1.5 ms of SQL building on every page view (issue 17).
    concerns = open_concerns(dossier)
    shown = list(concerns.select_related("nomination__household", "nomination__hamlet", "raised_unit")) \
        if concerns.exists() else []
    return shown, responsible_unit(dossier)


def _write(dossier, trail):
    save_case(dossier.case, trail)


@transaction.atomic
def raise_concern(*, actor, dossier, text, nomination=None):
    dossier = _lock(dossier=dossier)
    acting = require_acting(actor, dossier.unit, "supervise", inherited=True)
    text = check_text((text or "").strip(), _("Concern"))
    if not text:
        raise RuleViolation(_("Say what the concern is: the responsible level must be able to answer it."))
    if dossier.state == DossierState.DECIDED:
        raise RuleViolation(_("The dossier is already decided; a concern about a granted title is raised as a "
                              "request to revoke it."))
    if nomination is not None and nomination.dossier_id != dossier.pk:
        raise RuleViolation(_("The concern names a household that is not in this dossier."))
    concern = Concern.objects.create(
        case=dossier.case, nomination=nomination, text=text, raised_by=actor, raised_role=acting.role,
        raised_unit=acting.unit, raised_at=timezone.now(),
    )
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="concern_raise", target=concern, to_state=concern.state, text=text,
              nomination=nomination.pk if nomination else None, concern=concern.pk)
    _write(dossier, trail)
    unit, codenames = _responsible(dossier)
    notify_unit(
        dossier=dossier, unit=unit, codename=codenames[0],
        text=_("The Front raised a concern on the %(title)s %(year)s dossier of %(unit)s: %(text)s")
        % {"title": dossier.title_type, "year": dossier.year, "unit": dossier.unit, "text": text},
    )
    return concern


@transaction.atomic
def answer_concern(*, actor, concern, answer):
    dossier = _lock(case_id=concern.case_id)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    unit, codenames = _responsible(dossier)
    acting = next((a for a in (find_acting(actor, unit, c) for c in codenames) if a), None)
    if acting is None:
        raise PermissionDenied(
            _("Only the level now responsible for this dossier (%(unit)s) can answer the concern.") % {"unit": unit}
        )
    answer = check_text((answer or "").strip(), _("The answer"))
    if not answer:
        raise RuleViolation(_("Write the answer to the concern."))
    if concern.state != ConcernState.OPEN:
        raise RuleViolation(_("This concern is “%(state)s”; only an open concern can be answered.")
                            % {"state": concern.get_state_display()})
    concern.mark_answered()
    concern.answer, concern.answered_by, concern.answered_at = answer, actor, timezone.now()
    concern.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="concern_answer", target=concern, from_state=ConcernState.OPEN, to_state=concern.state,
              answer=answer, nomination=concern.nomination_id, concern=concern.pk)
    _write(dossier, trail)
    notify_unit(
        dossier=dossier, unit=concern.raised_unit, codename="supervise",
        text=_("Your concern on the dossier of %(unit)s was answered: %(answer)s")
        % {"unit": dossier.unit, "answer": answer},
    )
    return concern


@transaction.atomic
def close_concern(*, actor, concern, note=""):
    dossier = _lock(case_id=concern.case_id)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    acting = require_acting(actor, dossier.unit, "supervise", inherited=True)
    if concern.state == ConcernState.CLOSED:
        raise RuleViolation(_("This concern is already closed."))
    check_text(note, _("The closing note"))
    before = concern.state
    concern.close()
    concern.closing_note, concern.closed_by, concern.closed_at = (note or "").strip(), actor, timezone.now()
    concern.save(update_fields=["state", "closing_note", "closed_by", "closed_at"])
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="concern_close", target=concern, from_state=before, to_state=concern.state,
              note=concern.closing_note, nomination=concern.nomination_id, concern=concern.pk)
    _write(dossier, trail)
    unit, codenames = _responsible(dossier)
    notify_unit(
        dossier=dossier, unit=unit, codename=codenames[0],
        text=_("The Front closed its concern on the dossier of %(unit)s.") % {"unit": dossier.unit},
    )
    return concern


def record_view(*, actor, what, dossier=None, household=None, acting=None):
    """Remember that `actor` opened a household's record or dossier (not audited in the chain:
    reads are not changes, and they would make every chain grow with page views).

    `acting`: the role through which the reader was let in, when the caller already
    found it (selectors.dossier_with_viewer); otherwise it is looked up here."""
    unit = household.hamlet if household is not None else (dossier.unit if dossier is not None else None)
    if acting is None and unit is not None:
        acting = find_acting(actor, unit, "view_unit_dossiers", inherited=True)
    return ViewLog.objects.create(user=actor, role=acting.role if acting else "",
                                  case_id=dossier.case_id if dossier is not None else None,
                                  household=household, what=what, at=timezone.now())
