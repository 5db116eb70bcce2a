"""Reads for the documents: the facts each one prints, the public list of a decision, and
the publication deadlines documents.services.check_publication_deadlines reminds and escalates.

Every document's facts are read in a fixed number of queries whatever the number
of households (one for the households' rows).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from directory.models import Level
from titles.calendar import add_days
from titles.certificates import place_and_date, place_name, signer_name
from titles.models import Award, certificate_code_pattern
from titles.subjects import subject_kind_of, subject_of
from workflows.models import Decision, DossierState, NominationState

from . import registry
from .models import DossierCode, Publication

CODE_RE = certificate_code_pattern()
# Households put forward by the meeting, whatever happened to them afterwards.
PROPOSED = [NominationState.PROPOSED, NominationState.ACCEPTED, NominationState.STRUCK, NominationState.RECOGNIZED]
# Households the meeting voted on (the minutes list them all).
REVIEWED = PROPOSED + [NominationState.NOT_PROPOSED]


@dataclass(frozen=True)
class Available:
    kind: str
    label: str
    form: str
    ready: bool
    why_not: str = ""


def _date(day):
    return day.strftime("%d/%m/%Y") if day else ""


def place_date(unit, day, year):
    """ "Dầu Giây, ngày 02 tháng 11 năm 2025", or with dots where the date is not known yet."""
    if day:
        return place_and_date(unit, day)
    return f"{place_name(unit)}, ngày ..... tháng ..... năm {year}"


# The head's title on the hamlet's documents ("TRƯỞNG ẤP"), by the kind of the unit.
_HEAD_OF = {"ap": "ẤP", "khu_pho": "KHU PHỐ", "thon": "THÔN", "to_dan_pho": "TỔ DÂN PHỐ"}


def _unit_kind(unit):
    return _HEAD_OF.get(unit.kind, "ẤP, KHU PHỐ")


def latest_meeting(dossier):
    return dossier.meetings.select_related("recorded_by").order_by("-held_on", "-pk").first()


def latest_posting(dossier):
    return dossier.postings.order_by("-starts_on", "-pk").first()


def decision_of(dossier):
    return Decision.objects.select_related("unit", "publication").filter(dossier=dossier).first()


def available(dossier, *, meeting, posting, decision):
    """The documents the dossier's rule set prints, each ready or with why not yet."""
    spec = registry.for_rule_set(dossier.rule_set.code)
    facts = {
        "minutes": (meeting is not None, _("after the review meeting is recorded")),
        "posting_list": (meeting is not None and posting is not None, _("after the public posting is recorded")),
        "proposal": (meeting is not None and (posting is not None or not dossier.rule_set.has_step("posting")),
                     _("after the meeting (and the posting, where the rule set has one)")),
        "decision": (decision is not None, _("after the decision is signed")),
        "published_list": (decision is not None, _("after the decision is signed")),
    }
    return [Available(kind=kind, label=registry.KINDS[kind], form=spec.forms[kind].form, ready=facts[kind][0],
                      why_not="" if facts[kind][0] else facts[kind][1])
            for kind in registry.KINDS if kind in spec.forms]


def _result(nomination, rule_set):
    if nomination.state in PROPOSED:
        return "Đề nghị công nhận"
    if nomination.exclusion:
        return f"Không đề nghị ({rule_set.exclusion_label(nomination.exclusion)})"
    # The votes beside it say why; the stored reason was written in the recorder's interface language.
    return "Không đề nghị"


def _row(index, columns, place, nomination=None, result=""):
    """One table row: the subject's own columns (titles.subjects), where it belongs, its votes and result."""
    return {"index": index, **columns, "hamlet": place,
            "votes_for": "" if nomination is None or nomination.votes_for is None else nomination.votes_for,
            "votes_against": "" if nomination is None or nomination.votes_against is None else
            nomination.votes_against, "result": result}


def nomination_rows(dossier, states):
    kind = subject_kind_of(dossier.title_type)
    place = dossier.unit.name
    nominations = (dossier.nominations.filter(state__in=states).select_related(kind.field)
                   .order_by(f"{kind.field}__code", "pk"))
    return [_row(i, kind.document_columns(subject_of(n), dossier.title_type, dossier.rule_set), place, n,
                 _result(n, dossier.rule_set))
            for i, n in enumerate(nominations, 1)]


def decision_awards(decision):
    """The awards the decision granted (the annex lists all of them, as signed), by subject code."""
    return list(Award.objects.filter(decision=decision)
                .select_related("household", "household__hamlet", "hamlet", "hamlet__parent", "nomination")
                .order_by("household__code", "hamlet__code", "pk"))


def _title_names(rows, dossier):
    """ "“Ấp văn hóa”, “Khu phố văn hóa”": the titles the listed subjects hold, each once, in the rule set's
    order of unit kinds, or the title's name."""
    order = list((dossier.rule_set.title_names_by_unit_kind or {}).values())
    names = sorted({row["title"] for row in rows if row.get("title")},
                   key=lambda name: (order.index(name) if name in order else len(order), name))
    return ", ".join(f"“{name}”" for name in names or [dossier.title_type.name])


def public_rows(decision):
    """Names and hamlet only, of the awards still valid: what the public list shows."""
    rows = (Award.objects.filter(decision=decision, revoked_at__isnull=True, household__isnull=False)
            .order_by("household__code", "pk").values_list("household__head_name", "household__hamlet__name"))
    return [{"index": i, "name": name, "hamlet": hamlet} for i, (name, hamlet) in enumerate(rows, 1)]


def context(dossier, kind, *, code, verify_url, public_url=""):
    """Everything the `kind` template prints for the dossier, in Vietnamese. None if not ready yet."""
    meeting, posting, decision = latest_meeting(dossier), latest_posting(dossier), decision_of(dossier)
    ready = {a.kind: a.ready for a in available(dossier, meeting=meeting, posting=posting, decision=decision)}
    if not ready.get(kind):
        return None
    hamlet, commune = dossier.unit, dossier.unit.parent
    deciding = dossier.deciding_unit
    subjects = subject_kind_of(dossier.title_type)
    with translation.override("vi"):
        ctx = {
            "title": dossier.title_type.name, "year": dossier.year, "unit": hamlet.name,
            "unit_upper": hamlet.name.upper(), "unit_kind_upper": _unit_kind(hamlet),
            "commune": commune.name if commune else "", "commune_upper": commune.name.upper() if commune else "",
            "appraiser": dossier.appraising_unit.name, "issuer": deciding.name, "issuer_upper": deciding.name.upper(),
            "code": code, "verify_url": verify_url, "public_url": public_url,
            "head": "", "chair": "", "secretary": "",
            "held_on": "", "posting_place": "", "posting_starts": "", "posting_ends": "", "posting_days": "",
        }
        if meeting is not None:
            ctx.update({
                "held_on": _date(meeting.held_on), "invited": meeting.invited, "present": meeting.present,
                "present_pct": f"{meeting.present * 100 / meeting.invited:.1f}".replace(".", ",")
                if meeting.invited else "0",
                "method": str(meeting.get_method_display()), "chair": meeting.chaired_by,
                "head": meeting.recorded_by.get_full_name(),
            })
        if posting is not None:
            ctx.update({"posting_place": posting.place, "posting_starts": _date(posting.starts_on),
                        "posting_ends": _date(posting.ends_on),
                        "posting_days": (posting.ends_on - posting.starts_on).days})
        # Documents are dated at the commune: a hamlet's own (its parent's name), or the commune's.
        place_unit = hamlet if hamlet.level == Level.COMMUNE else (commune or hamlet)
        if kind == "minutes":
            rows = nomination_rows(dossier, REVIEWED)
            proposed = sum(1 for r in rows if r["result"] == "Đề nghị công nhận")
            ctx.update(rows=rows, registered_count=len(rows), proposed_count=proposed,
                       not_proposed_count=len(rows) - proposed,
                       place_date=place_date(place_unit, meeting.held_on, dossier.year))
        elif kind in ("posting_list", "proposal"):
            rows = nomination_rows(dossier, PROPOSED)
            ctx.update(rows=rows, proposed_count=len(rows),
                       registered_count=dossier.nominations.exclude(state=NominationState.WITHDRAWN).count(),
                       place_date=place_date(place_unit, posting.starts_on if kind == "posting_list" and posting
                                             else (dossier.submitted_on if kind == "proposal" else None),
                                             dossier.year))
        else:
            ctx.update(number=decision.number, signed_on=_date(decision.signed_on),
                       signer=signer_name(decision.signer))
            if kind == "decision":
                awards = decision_awards(decision)
                ctx.update(rows=[_row(i, subjects.document_columns(subject_of(a), dossier.title_type,
                                                                   dossier.rule_set),
                                      subjects.belongs_to(subject_of(a)).name, a.nomination)
                                 for i, a in enumerate(awards, 1)],
                           recognized_count=len(awards),
                           place_date=place_date(deciding, decision.signed_on, dossier.year))
            else:
                rows = public_rows(decision)
                published = getattr(decision, "publication", None)
                ctx.update(public_rows=rows, recognized_count=len(rows),
                           place_date=place_date(deciding, published.published_on if published else None,
                                                 dossier.year))
        ctx["title_names"] = _title_names(ctx.get("rows") or (), dossier)
    return ctx


# ---------------------------------------------------------------- verification and the public list

def dossier_by_code(code):
    """The dossier a printed document's code names, or None; a malformed code is None without a query."""
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        return None
    found = (DossierCode.objects.select_related("dossier", "dossier__unit", "dossier__unit__parent",
                                                 "dossier__title_type", "dossier__deciding_unit", "dossier__rule_set")
             .filter(code=code).first())
    return found.dossier if found else None


def has_public_list(dossier):
    return registry.for_rule_set(dossier.rule_set.code).form("published_list") is not None


def public_list(dossier):
    """What the public page of a decided dossier shows: the decision and names with hamlet, or None
    (also for a rule set that publishes no list, as the hamlet title's)."""
    if dossier.state != DossierState.DECIDED or not has_public_list(dossier):
        return None
    decision = decision_of(dossier)
    if decision is None:
        return None
    return {"decision": decision, "rows": public_rows(decision),
            "publication": Publication.objects.filter(decision=decision).first()}


# ---------------------------------------------------------------- the publication deadline

def publication_deadlines(today, horizon):
    """[(dossier, due date)] of decided dossiers whose list is not yet marked published and whose
    publication is due on or before `horizon`, for the rule sets that set a period.

    One query for the candidate decisions: the cut-off per rule set is a lower bound
    (a due date in working days is never earlier than in calendar days), refined per row.
    """
    periods = {code: spec for code, spec in registry.all_rule_sets().items() if spec.publication_days}
    if not periods:
        return []
    q = Q()
    for code, spec in periods.items():
        q |= Q(dossier__rule_set__code=code, signed_on__lte=horizon - datetime.timedelta(days=spec.publication_days))
    decisions = (Decision.objects.filter(q, publication__isnull=True, dossier__state=DossierState.DECIDED)
                 .select_related("dossier", "dossier__rule_set", "dossier__title_type", "dossier__unit",
                                 "dossier__deciding_unit", "unit"))
    found = []
    for decision in decisions:
        spec = periods[decision.dossier.rule_set.code]
        due = add_days(decision.signed_on, spec.publication_days, spec.publication_day_type)
        if due <= horizon:
            found.append((decision.dossier, due))
    return found
