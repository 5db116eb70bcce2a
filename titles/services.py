"""Writes on titles: loading the versioned rule sets shipped as data files."""

import json
from pathlib import Path

from django.db import transaction

from .subjects import subject_kind_of, subject_of

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"


def load_rule_sets(title_type_model=None, rule_set_model=None, directory=RULESET_DIR):
    """Create or update title types and rule sets from the JSON files.

    Takes the models as arguments so the data migration can pass its historical
    ones. A rule set is identified by its code; changing the law means adding a
    new code (a new version), never rewriting an old one that dossiers use. What
    may be added to a published rule set is a column that writes down what the
    code already did (how posting days were counted) or settles a case it did not
    cover (acts dated before it took effect): loading updates those rows in place.
    """
    if title_type_model is None:
        from .models import RuleSet, TitleType

        title_type_model, rule_set_model = TitleType, RuleSet
    count = 0
    with transaction.atomic():
        for path in sorted(Path(directory).glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            for item in doc.get("title_types", []):
                title_type_model.objects.update_or_create(code=item["code"], defaults=item)
            # A migration passes the models as they were at its point in history: keys the
            # JSON gained later (new columns) are left to the migration that adds them,
            # which loads the files again.
            columns = {field.name for field in rule_set_model._meta.concrete_fields}
            for item in doc.get("rule_sets", []):
                item = {key: value for key, value in item.items() if key in columns or key == "title_type"}
                # The documents each rule set prints (templates, publication period) are
                # read from the JSON by documents.registry, not stored on the row (not a column).
                title_type = title_type_model.objects.get(code=item.pop("title_type"))
                rule_set_model.objects.update_or_create(
                    code=item.pop("code"), defaults={**item, "title_type": title_type}
                )
                count += 1
    return count


HOLIDAY_DIR = Path(__file__).resolve().parent / "holidays"


def load_holidays(holiday_model=None, directory=HOLIDAY_DIR):
    """Create or update public holidays from the per-year JSON files.

    Only weekdays are listed (weekends are skipped by the working-day count
    anyway). A day marked "uncertain" is an estimate awaiting the official
    notice; its name says so, so that a due date computed from it can be checked.
    """
    if holiday_model is None:
        from .models import Holiday as holiday_model
    count = 0
    with transaction.atomic():
        for path in sorted(Path(directory).glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            for day in doc["days"]:
                name = day["name"] + (" (dự kiến)" if day.get("uncertain") else "")
                holiday_model.objects.update_or_create(date=day["date"], defaults={"name": name[:120]})
                count += 1
    return count


# ---------------------------------------------------------------- revocation

REVOCATION_GROUNDS_FILE = Path(__file__).resolve().parent / "revocation_grounds.json"


def revocation_grounds():
    """The grounds on which an award is cancelled (Law 06/2022 art. 93(2)), as shipped data.

    Returns {"legal_basis": ..., "grounds": [{"code": "a", "label": ...}, ...]}.
    """
    return json.loads(REVOCATION_GROUNDS_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def revoke_award(*, actor, award, ground, decision_number, reason, decided_on=None):
    """Cancel an award by a decision of the unit that granted it.

    The award leaves the register at once (revoked_at), the revocation is a
    permanent row, and the event goes into the dossier's own audit chain.
    """
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from directory.selectors import require_acting
    from notifications.services import notify_unit
    from workflows.models import Dossier, Revocation
    from workflows.services.audit import AuditTrail
    from workflows.services.common import check_text
    from workflows.services.errors import RuleViolation

    from .models import Award

    # Lock the dossier first, as every writer of its audit chain does: two chairs
    # revoking at once cannot both read the same chain head, and the second one
    # sees the award already revoked.
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=award.nomination.dossier_id)
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
    trail = AuditTrail(dossier, acting)
    trail.add(action="revoke", target=award, from_state="valid", to_state="revoked",
              **{subject_kind_of(award.title_type).field: subject_of(award).code}, year=award.year,
              certificate=award.certificate_code, ground=ground, ground_label=labels[ground],
              legal_basis=data["legal_basis"], decision=decision_number, decided_on=decided_on, reason=reason)
    trail.flush()
    dossier.revision += 1
    # The dossier is locked above and the award was valid: one recognition fewer.
    dossier.recognized_count = max(dossier.recognized_count - 1, 0)
    dossier.save(update_fields=["revision", "audit_seq", "audit_head", "recognized_count"])
    notify_unit(
        dossier=dossier, unit=dossier.unit, codename="view_unit_dossiers",
        text=_("Decision %(number)s revokes the %(title)s %(year)s title of %(holder)s (ground %(ground)s).")
        % {"number": decision_number, "title": award.title_type, "year": award.year,
           "holder": award.subject_name, "ground": ground},
    )
    return revocation
