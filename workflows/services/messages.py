"""Who is told what, one function per event of the dossier's life.

Called by the workflow services inside their transaction, after the audit
trail is written (the event key uses the dossier's audit sequence, so each
transition's messages are written once). Texts are short, rendered in the site
language (Vietnamese) because they travel by SMS and email where the reader's
language is unknown, and link to the page on which to act.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.lookups import AnyOf
from directory.models import Household, Unit
from notifications.services.outbox import Message, holders, write
from titles.subjects import subject_kind_of

from ..procedures import procedure_of


def _owner(dossier, stage):
    """The codename that owns stage number `stage` of the dossier's procedure (who is told it is their turn)."""
    return procedure_of(dossier).stages[stage].owner_permission


def _permissions(dossier, stage):
    return procedure_of(dossier).stages[stage].permissions


def commendations_forwarded(*, dossier, forwards):
    """The units that grant the higher instruments learn which 18 November proposals wait for them."""
    by_unit = {}
    for nomination, item, unit in forwards:
        if unit is not None:
            by_unit.setdefault(unit, []).append((nomination, item))
    written = []
    with translation.override(settings.LANGUAGE_CODE):
        for unit, items in by_unit.items():
            text = _("%(unit)s's Front forwards %(n)s proposals of %(year)s for a higher commendation: %(names)s.") % {
                "unit": dossier.deciding_unit, "n": len(items), "year": dossier.year,
                "names": "; ".join(f"{nomination.subject} – {item.name}" for nomination, item in items[:10])}
            written += notify_unit(dossier=dossier, unit=unit, codename="view_unit_dossiers", text=text,
                                   kind="forwarded")
    return written


def _event(dossier, kind):
    return f"d{dossier.pk}:{dossier.case.audit_seq}:{kind}"


def _url(dossier):
    return reverse("workflows:dossier", args=[dossier.pk])


def _to_users(dossier, kind, text, pairs, exclude=None):
    found = holders(pairs)
    user_ids = set().union(*found.values()) if found else set()
    user_ids.discard(getattr(exclude, "pk", None))
    event, url = _event(dossier, kind), _url(dossier)
    return [Message(event=event, kind=kind, text=text, url=url, case_id=dossier.case_id, user_id=pk)
            for pk in sorted(user_ids)]


def _to_households(dossier, kind, items):
    """items: (household, text); households without a phone cannot be reached and are skipped."""
    return [Message(event=_event(dossier, kind), kind=kind, text=text, case_id=dossier.case_id,
                    household=household)
            for household, text in items if household.phone]


@dataclass(frozen=True)
class _Household:
    """What a message needs of a household: a meeting reads thousands, not whole rows."""

    pk: int
    head_name: str
    phone: str


def notify_unit(*, dossier, unit, codename, text, exclude=None, kind="unit", event=None):
    """Tell everyone holding `codename` on `unit` about the dossier (revocations, supervision)."""
    user_ids = holders([(unit.pk, codename)])[(unit.pk, codename)] - ({exclude.pk} if exclude else set())
    url = reverse("workflows:dossier", args=[dossier.pk]) if dossier else ""
    # The text is part of the key: two different messages in one transition are two events.
    digest = hashlib.sha1(text.encode()).hexdigest()[:12]
    event = event or f"d{dossier.pk}:{dossier.case.audit_seq}:{kind}:{unit.pk}:{codename}:{digest}"
    case_id = dossier.case_id if dossier else None
    return write([Message(event=event, kind=kind, text=text, url=url, case_id=case_id, user_id=pk)
                  for pk in sorted(user_ids)])


def _households(nominations):
    """The nominations' households in one query, whatever the caller selected."""
    ids = {n.household_id for n in nominations if n.household_id}
    if not ids:
        return {}
    rows = Household.objects.filter(AnyOf(F("pk"), ids)).order_by()
    return {pk: _Household(pk, name, phone) for pk, name, phone in rows.values_list("pk", "head_name", "phone")}


def _hamlet_names(nominations):
    """{hamlet id: name} of the nominations that name a hamlet, in one query (none if there are none)."""
    ids = {n.hamlet_id for n in nominations if n.hamlet_id}
    return dict(Unit.objects.filter(AnyOf(F("pk"), ids)).order_by().values_list("pk", "name")) if ids else {}


def _to_hamlets(dossier, kind, items):
    """items: (hamlet id, text). A hamlet has no phone of its own (titles.subjects.HamletSubject):
    it is told through the people who hold its roles, in the app, in one query for all."""
    if not items:
        return []
    found = holders([(hamlet_id, "view_unit_dossiers") for hamlet_id, _text in items])
    # One reverse() for the batch: per message it was a tenth of a 100-hamlet meeting's CPU.
    event, url = _event(dossier, kind), _url(dossier)
    return [Message(event=f"{event}:{hamlet_id}", kind=kind, text=text, url=url, case_id=dossier.case_id,
                    user_id=pk)
            for hamlet_id, text in items for pk in sorted(found.get((hamlet_id, "view_unit_dossiers"), ()))]


def _subjects_noun(dossier):
    return subject_kind_of(dossier.title_type).nouns


def _params(dossier):
    return {"title": dossier.title_type.name, "year": dossier.year, "unit": dossier.unit.name}


def households_registered(*, dossier, nominations, actor):
    """The households (by SMS) and the hamlet's other officers (in-app) learn of the registration."""
    with translation.override(settings.LANGUAGE_CODE):
        p, hh, hamlets = _params(dossier), _households(nominations), _hamlet_names(nominations)
        messages = _to_households(dossier, "registered", [
            (hh[n.household_id], _("The household of %(name)s is registered for %(title)s %(year)s in %(unit)s.")
             % {**p, "name": hh[n.household_id].head_name})
            for n in nominations if n.household_id
        ])
        messages += _to_hamlets(dossier, "registered", [
            (n.hamlet_id, _("%(name)s is registered by %(unit)s for %(title)s %(year)s.")
             % {**p, "name": hamlets[n.hamlet_id]})
            for n in nominations if n.hamlet_id
        ])
        messages += _to_users(
            dossier, "registered",
            _("%(n)s %(subjects)s registered for %(title)s %(year)s in %(unit)s.")
            % {**p, "n": len(nominations), "subjects": _subjects_noun(dossier)},
            [(dossier.unit_id, "view_unit_dossiers")], exclude=actor,
        )
    return write(messages)


def review_outcomes(*, dossier, nominations):
    """Each household learns whether the meeting proposed it, and if not, why."""
    with translation.override(settings.LANGUAGE_CODE):
        p, hh, hamlets = _params(dossier), _households(nominations), _hamlet_names(nominations)
        items, hamlet_items = [], []
        for n in nominations:
            if n.hamlet_id:
                if n.state == "proposed":
                    text = _("The meeting of %(unit)s proposed %(name)s for %(title)s %(year)s.") % {
                        **p, "name": hamlets[n.hamlet_id]}
                else:
                    text = _("The meeting of %(unit)s did not propose %(name)s for %(title)s %(year)s. Reason: "
                             "%(reason)s") % {**p, "name": hamlets[n.hamlet_id], "reason": n.reason}
                hamlet_items.append((n.hamlet_id, text))
                continue
            if not n.household_id:
                # A person or collective (18/11) has no phone of its own: the Front head, who recorded the
                # vote, tells them.
                continue
            if n.state == "proposed":
                text = _("The review meeting of %(unit)s proposed the household of %(name)s for "
                         "%(title)s %(year)s.") % {**p, "name": hh[n.household_id].head_name}
            else:
                text = _("The review meeting of %(unit)s did not propose the household of %(name)s for "
                         "%(title)s %(year)s. Reason: %(reason)s") % {**p, "name": hh[n.household_id].head_name,
                                                                     "reason": n.reason}
            items.append((hh[n.household_id], text))
    return write(_to_households(dossier, "review_outcome", items) + _to_hamlets(dossier, "review_outcome", hamlet_items))


def dossier_submitted(*, dossier):
    """The appraising level learns a dossier has arrived and when it is due."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(unit)s sent its %(title)s %(year)s list for appraisal.") % _params(dossier)
        if dossier.decision_due:
            text += " " + _("Due %(date)s.") % {"date": dossier.decision_due.strftime("%d/%m/%Y")}
        messages = _to_users(dossier, "submitted", text, [(dossier.appraising_unit_id, _owner(dossier, 1))])
    return write(messages)


STRUCK_NAMED = 10  # names in the hamlet's message; the dossier page lists them all


def dossier_appraised(*, dossier, struck, accepted):
    """The deciding level learns the dossier awaits its decision; the hamlet learns the
    outcome (how many accepted, who was struck and why); struck households learn why."""
    with translation.override(settings.LANGUAGE_CODE):
        p, hh, hamlets = _params(dossier), _households(struck), _hamlet_names(struck)
        names = {n.pk: hh[n.household_id].head_name if n.household_id else
                 hamlets[n.hamlet_id] if n.hamlet_id else str(n.subject) for n in struck}
        messages = _to_users(
            dossier, "appraised",
            _("The %(title)s %(year)s list of %(unit)s is appraised and awaits your decision.") % p,
            [(dossier.deciding_unit_id, _owner(dossier, 2))],
        )
        outcome = _("%(commune)s appraised your %(title)s %(year)s list: %(accepted)s %(subjects)s accepted, "
                    "%(struck)s struck.") % {**p, "commune": dossier.appraising_unit.name, "accepted": accepted,
                                             "struck": len(struck), "subjects": _subjects_noun(dossier)}
        if struck:
            named = "; ".join(f"{names[n.pk]} ({n.reason})" for n in struck[:STRUCK_NAMED])
            if len(struck) > STRUCK_NAMED:
                named += " …"
            outcome += " " + _("Struck: %(names)s") % {"names": named}
        messages += _to_users(dossier, "appraisal_result", outcome,
                              [(dossier.unit_id, codename) for codename in _permissions(dossier, 0)])
        messages += _to_households(dossier, "struck", [
            (hh[n.household_id], _("%(commune)s struck the household of %(name)s from the %(title)s %(year)s list. "
                            "Reason: %(reason)s")
             % {**p, "commune": dossier.appraising_unit.name, "name": hh[n.household_id].head_name, "reason": n.reason})
            for n in struck if n.household_id
        ])
        messages += _to_hamlets(dossier, "struck", [
            (n.hamlet_id, _("%(commune)s struck %(name)s from the %(title)s %(year)s list. Reason: %(reason)s")
             % {**p, "commune": dossier.appraising_unit.name, "name": names[n.pk], "reason": n.reason})
            for n in struck if n.hamlet_id
        ])
    return write(messages)


def dossier_returned(*, dossier):
    """The sender learns the dossier came back, and why."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your %(title)s %(year)s dossier was returned: %(reason)s") % {
            **_params(dossier), "reason": dossier.return_reason}
        messages = _to_users(dossier, "returned", text, [(dossier.unit_id, _owner(dossier, 0))])
    return write(messages)


def decision_signed(*, dossier, decision, recognized, actor):
    """Everyone involved learns of the decision; each recognized household by SMS."""
    with translation.override(settings.LANGUAGE_CODE):
        p = {**_params(dossier), "number": decision.number, "n": len(recognized),
             "deciding": dossier.deciding_unit.name}
        hh, hamlets = _households(recognized), _hamlet_names(recognized)
        messages = _to_users(
            dossier, "decided",
            _("Decision %(number)s of %(deciding)s recognizes %(n)s %(subjects)s of %(unit)s as %(title)s "
              "%(year)s.") % {**p, "subjects": _subjects_noun(dossier)},
            [(dossier.unit_id, "view_unit_dossiers"), (dossier.appraising_unit_id, _owner(dossier, 1)),
             (dossier.appraising_unit_id, "supervise"), (dossier.deciding_unit_id, _owner(dossier, 2)),
             (dossier.deciding_unit_id, "supervise")],
            exclude=actor,
        )
        messages += _to_households(dossier, "recognized", [
            (hh[n.household_id], _("Decision %(number)s of %(deciding)s recognizes the household of %(name)s as "
                            "%(title)s %(year)s.") % {**p, "name": hh[n.household_id].head_name})
            for n in recognized if n.household_id
        ])
        messages += _to_hamlets(dossier, "recognized", [
            (n.hamlet_id, _("Decision %(number)s of %(deciding)s recognizes %(name)s as %(title)s %(year)s.")
             % {**p, "name": hamlets[n.hamlet_id]})
            for n in recognized if n.hamlet_id
        ])
    return write(messages)
