"""Revoking an award: the granting unit's decision cancels it (Law 06/2022 art. 93(2)).

A workflow service because the revocation goes into the dossier's audit chain, under the
dossier's lock, and lowers the dossier's recognition counter; the grounds are the law's data
(titles.services.revocation_grounds).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.selectors import require_acting
from titles.models import Award, Revocation
from titles.services import revocation_grounds
from titles.subjects import subject_kind_of, subject_of

from ..models import Dossier
from .audit import AuditTrail, save_case
from .merit import flag_certificates
from .messages import notify_unit
from .common import check_text
from .errors import RuleViolation


@transaction.atomic
def revoke_award(*, actor, award, ground, decision_number, reason, decided_on=None):
    """Cancel an award by a decision of the unit that granted it.

    The award leaves the register at once (revoked_at), the revocation is a
    permanent row, and the event goes into the dossier's own audit chain.
    """
    # Lock the dossier first, as every writer of its audit chain does: two chairs
    # revoking at once cannot both read the same chain head, and the second one
    # sees the award already revoked.
    dossier = (Dossier.objects.select_for_update(of=("self", "case")).select_related("case")
               .get(pk=award.nomination.dossier_id))
    award = Award.objects.select_related("decision", "decision__unit", "household", "hamlet", "title_type").get(
        pk=award.pk)
    acting = require_acting(actor, award.decision.unit, "decide_title")
    if award.revoked_at is not None:
        raise RuleViolation(
            _("This award was already revoked on %(date)s.") % {"date": timezone.localtime(award.revoked_at)
                                                                 .strftime("%d/%m/%Y")}
        )
    data = revocation_grounds()
    labels = {item["code"]: item["label"] for item in data["grounds"]}
    if ground not in labels:
        raise RuleViolation(
            _("“%(ground)s” is not a ground of %(basis)s; choose one of: %(codes)s.")
            % {"ground": ground, "basis": data["legal_basis"], "codes": ", ".join(sorted(labels))}
        )
    decision_number, reason = (decision_number or "").strip(), (reason or "").strip()
    if not decision_number or not reason:
        raise RuleViolation(_("A revocation needs the number of its decision and the reason."))
    check_text(decision_number, _("Revocation decision number"), None)
    check_text(reason, _("Reason"))
    today = timezone.localdate()
    decided_on = decided_on or today
    if decided_on > today:
        raise RuleViolation(_("The revocation date %(date)s is in the future.")
                            % {"date": decided_on.strftime("%d/%m/%Y")})
    if decided_on < award.decision.signed_on:
        raise RuleViolation(
            _("The award was granted on %(granted)s; it cannot be revoked by a decision of %(date)s.")
            % {"granted": award.decision.signed_on.strftime("%d/%m/%Y"), "date": decided_on.strftime("%d/%m/%Y")}
        )
    revocation = Revocation.objects.create(
        award=award, ground=ground, ground_label=labels[ground], legal_basis=data["legal_basis"],
        decision_number=decision_number, decided_on=decided_on, reason=reason, unit=acting.unit,
        recorded_by=actor, role=acting.role,
    )
    award.revoked_at = timezone.now()
    award.revocation_reason = f"{labels[ground]}: {reason}"
    Award.objects.filter(pk=award.pk).update(revoked_at=award.revoked_at, revocation_reason=award.revocation_reason)
    trail = AuditTrail(dossier.case, acting)
    trail.add(action="revoke", target=award, from_state="valid", to_state="revoked",
              **{subject_kind_of(award.title_type).field: subject_of(award).code}, year=award.year,
              certificate=award.certificate_code, ground=ground, ground_label=labels[ground],
              legal_basis=data["legal_basis"], decision=decision_number, decided_on=decided_on, reason=reason)
    save_case(dossier.case, trail)
    # The dossier is locked above and the award was valid: one recognition fewer.
    dossier.recognized_count = max(dossier.recognized_count - 1, 0)
    dossier.save(update_fields=["recognized_count"])
    # A certificate of merit that counted this title is flagged for review (its own revocation is
    # a separate, reasoned act).
    flag_certificates(award=award, revocation=revocation, acting=acting)
    notify_unit(
        dossier=dossier, unit=dossier.unit, codename="view_unit_dossiers",
        text=_("Decision %(number)s revokes the %(title)s %(year)s title of %(holder)s (ground %(ground)s).")
        % {"number": decision_number, "title": award.title_type, "year": award.year,
           "holder": award.subject_name, "ground": ground},
    )
    return revocation
