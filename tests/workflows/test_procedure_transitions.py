"""Every action of the procedure, generated from its declaration (workflows.procedures):
for each action, each state it acts in and each title that runs on the procedure,

- happy path: the role that holds the action's permission on the unit of the action's
  stage sees it offered on the dossier page and does it on the web; it is audited as
  that role and unit;
- wrong state: in every state (and under every rule set whose steps) where the
  declaration says it does not act, its page sends the user back with the translated
  message, and the form is refused changing nothing;
- wrong role: a role of the same unit without the permission gets 403, nothing changed;
- other unit: the right role on another unit of the same level gets 404 (the dossier
  does not exist for them), nothing changed.

The dossiers are moved to each state through the real services, under the shipped rule
sets and under rule sets made here without the review meeting. A new action, state or
step in the declaration is a new case here; only its form's content (FORMS) and its
audit action (AUDITED) must be written by hand, and a test below fails until they are.
"""

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from directory.models import GRANTABLE_ROLES, ROLE_PERMISSIONS, Level, Role, Unit, UnitKind
from titles.models import RuleSet
from workflows import services
from workflows.models import AuditEvent, DossierState, NominationState
from workflows.procedures import procedure_for_title

from ..dossiers import actor, d, dossier_at, new_subject, persona, right_role
from ..factories import UnitFactory, pdf_bytes
from .scenario import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Attached minutes go to a throwaway storage."""
    settings.MEDIA_ROOT = tmp_path / "media"

RULESETS = Path(__file__).resolve().parents[2] / "titles" / "rulesets"
STEPS = {rules["code"]: rules["steps"] for path in sorted(RULESETS.glob("*.json"))
         for rules in json.loads(path.read_text())["rule_sets"]}
NO_MEETING_YEAR = 2023  # the rule sets made here govern 2023 only


@dataclass(frozen=True)
class Variant:
    """A rule set a dossier runs under: a shipped one, or a copy of one without some steps."""

    name: str
    base: str
    year: int
    drop: tuple = ()

    @property
    def steps(self):
        return [step for step in STEPS[self.base] if step not in self.drop]

    def reachable(self):
        steps = self.steps
        return [DossierState.OPEN, *([DossierState.REVIEWED] if "meeting" in steps else []),
                *([DossierState.POSTING] if "posting" in steps else []), DossierState.SUBMITTED,
                DossierState.RETURNED, *([DossierState.COUNCIL] if "council" in steps else []),
                DossierState.APPRAISED, DossierState.DECIDED]


def _variants(decree_122, decree_86):
    return (Variant("decree-122", decree_122, 2021), Variant("decree-86", decree_86, 2024),
            Variant("no-meeting", decree_122, NO_MEETING_YEAR, ("meeting",)),
            Variant("no-meeting-posted", decree_86, NO_MEETING_YEAR, ("meeting",)))


# The titles that run on a procedure, with the level whose list a dossier is. The certificates of
# merit run on the merit round, under Decree 122/2018 (in force to 2024-01-29); the cultural
# hamlet's with its district council, and under a copy of it without the council.
TITLES = {
    "gia-dinh-van-hoa": (Level.HAMLET, _variants("gdvh-nd122-2018", "gdvh-nd86-2023")),
    "ap-khu-pho-van-hoa": (Level.COMMUNE, _variants("apvh-nd122-2018", "apvh-nd86-2023")),
    "giay-khen-gia-dinh-van-hoa": (Level.HAMLET, (Variant("decree-122", "gkgd-nd122-2018", 2021),)),
    "giay-khen-ap-van-hoa": (Level.COMMUNE, (Variant("decree-122", "gkap-nd122-2018", 2021),
                                             Variant("no-council", "gkap-nd122-2018", 2023, ("council",)))),
    # 18 November proposals (workflows.procedures.festival): a person's list while the district Front
    # exists, a collective's under the two-level government.
    "khen-thuong-18-11-ca-nhan": (Level.HAMLET, (Variant("festival-2024", "ndk-ca-nhan-2015", 2024),)),
    "khen-thuong-18-11-tap-the": (Level.HAMLET, (Variant("festival-2025", "ndk-tap-the-2025-hai-cap", 2025),)),
}
STATE_ORDER = [DossierState.OPEN, DossierState.REVIEWED, DossierState.POSTING, DossierState.SUBMITTED,
               DossierState.RETURNED, DossierState.COUNCIL, DossierState.APPRAISED, DossierState.DECIDED]

# What each action writes first in the audit trail (the action's own event).
AUDITED = {"register": "register", "withdraw": "withdraw_registration", "assess": "self_assessment",
           "meeting": "record_meeting", "attach_minutes": "attach_minutes", "posting": "post_list", "comment": "posting_comment", "submit": "submit",
           "appraise": "accept", "return": "return", "council": "record_council", "decide": "decide",
           "instruments": "choose_instrument"}


def _acts(action, state, variant):
    return action.acts_in(state, variant.steps, 1)


def _cases():
    happy, wrong = [], []
    for title, (_, variants) in TITLES.items():
        procedure = procedure_for_title(title)
        for action in procedure.actions:
            for state in action.states:
                variant = next((v for v in variants if state in v.reachable() and _acts(action, state, v)), None)
                if variant is not None:
                    happy.append((title, action.code, state, variant))
            seen = set()
            for state in STATE_ORDER:
                variant = next((v for v in variants if state in v.reachable() and not _acts(action, state, v)), None)
                if variant is not None:
                    wrong.append((title, action.code, state, variant))
                    seen.add((state, variant))
            # A rule set without the action's step: refused where it would act under another.
            for variant in variants:
                if action.step and action.step not in variant.steps:
                    state = next((s for s in action.states if s in variant.reachable()), None)
                    if state is not None and (state, variant) not in seen:
                        wrong.append((title, action.code, state, variant))
    return happy, wrong


HAPPY, WRONG = _cases()
# Roles are checked once per action and title, in the first state it acts in.
FIRST = list({(title, code): (title, code, state, variant) for title, code, state, variant in reversed(HAPPY)}.values())


SHORT = {"gia-dinh-van-hoa": "family", "ap-khu-pho-van-hoa": "hamlet", "giay-khen-gia-dinh-van-hoa": "family-merit",
         "giay-khen-ap-van-hoa": "hamlet-merit", "khen-thuong-18-11-ca-nhan": "festival-person",
         "khen-thuong-18-11-tap-the": "festival-collective"}


def _ids(cases):
    return [f"{SHORT[title]}-{code}-{state}-{variant.name}" for title, code, state, variant in cases]


# ---------------------------------------------------------------- who holds what

def wrong_role(codename, level):
    """A role of `level` that sees the unit's dossiers without `codename` (a supervisor if none)."""
    return next((role for role in GRANTABLE_ROLES[level] if codename not in ROLE_PERMISSIONS[role]
                 and "view_unit_dossiers" in ROLE_PERMISSIONS[role]), Role.SUPERVISOR)


def acting_unit(dossier, code):
    return procedure_for_title(dossier.title_type.code).stage_of(code).unit_of(dossier)


def another_unit(unit):
    """A unit of the same level that is not the dossier's, nor above it."""
    other = Unit.objects.filter(level=unit.level).exclude(pk=unit.pk).exclude(pk__in=unit.ancestor_ids).first()
    if other is None:
        other = UnitFactory(level=unit.level, kind=UnitKind.HUYEN, name="Xuân Lộc", parent=unit.parent,
                            valid_from=datetime.date(2004, 1, 1))
    return other


# ---------------------------------------------------------------- moving a dossier to a state

def rule_set(variant):
    if not variant.drop:
        return RuleSet.objects.get(code=variant.base)
    rules = RuleSet.objects.get(code=variant.base)
    rules.pk, rules._state.adding = None, True
    rules.code, rules.name, rules.steps = f"test-{variant.base}-{variant.name}", f"Test {variant.name}", variant.steps
    rules.effective_from, rules.effective_to = d(variant.year, 1, 1), d(variant.year, 12, 31)
    rules.save()
    return rules


def reach(district, title_code, variant, state):
    """A dossier of `title_code` under `variant`, moved to `state` through the services."""
    level, _ = TITLES[title_code]
    return dossier_at(title_code, state, unit=getattr(district, level), year=variant.year,
                      rule_set=rule_set(variant))


# ---------------------------------------------------------------- each action's form

CONFIRMED = {"dates_confirmed": "on"}  # the campaign years' dates are long past


def _form(code, dossier):
    """(url kwargs, POST body) of a valid request for action `code` on the dossier as it is."""
    year, kwargs = dossier.year, {"pk": dossier.pk}
    listed = list(dossier.nominations.exclude(state=NominationState.WITHDRAWN).values_list("pk", flat=True))
    reviewable = list(dossier.nominations.filter(state__in=[NominationState.REGISTERED, NominationState.PROPOSED,
                                                            NominationState.NOT_PROPOSED]).values_list("pk", flat=True))
    body = {"expected_revision": dossier.revision}
    if code == "register":
        body |= {"households": [new_subject(dossier).pk], "registered_on": f"02/03/{year}", **CONFIRMED}
    elif code == "withdraw":
        registered = dossier.nominations.filter(state=NominationState.REGISTERED).first()
        if registered is None:  # every registration was reviewed: one more, to withdraw
            if procedure_for_title(dossier.title_type.code).allows("register", dossier):
                services.register_subjects(actor=actor(dossier, "register"), dossier=dossier,
                                           subject_ids=[new_subject(dossier).pk], registered_on=d(year, 3, 2))
                dossier.refresh_from_db()
                registered = dossier.nominations.filter(state=NominationState.REGISTERED).first()
            else:
                registered = dossier.nominations.first()
        kwargs["nomination_pk"] = registered.pk
        body |= {"expected_revision": dossier.revision, "reason": "Đăng ký nhầm"}
    elif code == "assess":
        body |= {"assessed_on": f"05/03/{year}", **{f"text_{pk}": "Đạt 5 tiêu chuẩn" for pk in listed}, **CONFIRMED}
    elif code == "meeting":
        body |= {"held_on": f"02/11/{year}", "invited": 40, "present": 30, "method": "show_of_hands",
                 "chaired_by": "", **{f"for_{pk}": 30 for pk in reviewable},
                 **{f"against_{pk}": 0 for pk in reviewable}, **CONFIRMED}
    elif code == "attach_minutes":
        body |= {"minutes": [SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")]}
    elif code == "posting":
        body |= {"starts_on": f"03/11/{year}", "place": "Nhà văn hóa", **CONFIRMED}
    elif code == "comment":
        body |= {"received_on": f"05/11/{year}", "author": "Ông Ba", "text": "Đồng ý", "nomination": "", **CONFIRMED}
    elif code == "submit":
        posting = dossier.postings.first()
        day = posting.sendable_from if dossier.state == DossierState.POSTING else (
            d(year, 11, 18) if dossier.state == DossierState.RETURNED else d(year, 11, 4))
        body |= {"submitted_on": day.strftime("%d/%m/%Y"), "answer": "Đã bổ sung", **CONFIRMED}
    elif code in ("appraise", "return"):
        body |= {"confirmed": "1", **({"reason": "Thiếu biên bản"} if code == "return" else {})}
    elif code == "council":
        body |= {"held_on": f"18/11/{year}", "members": 9, "present": 7, "conclusion": "Thống nhất đề nghị",
                 **CONFIRMED}
    elif code == "instruments":
        body |= {f"instrument_{pk}": "bang-khen-mttq-tinh" for pk in listed}
    elif code == "decide":
        body |= {"number": "9/QĐ-UBND", "signed_on": f"20/11/{year}", "signer": "Chủ tịch", **CONFIRMED}
    else:
        raise AssertionError(f"no form for the declared action {code!r}: add it to _form and AUDITED")
    return kwargs, body


def web(user):
    client = Client()
    client.force_login(user)
    return client


def offered(client, dossier):
    html = client.get(reverse("workflows:dossier", args=[dossier.pk])).content.decode()
    return re.findall(r'data-action="([a-z_]+)"', html.split('id="hist-h"')[0])


# ---------------------------------------------------------------- the cases

def test_every_declared_action_has_cases_a_form_and_an_audit_action():
    for title, (_, variants) in TITLES.items():
        # The actions of a step none of the title's rule sets has (the council, for a household's
        # certificate) have no case for it.
        declared = {action.code for action in procedure_for_title(title).actions
                    if not action.step or any(action.step in variant.steps for variant in variants)}
        assert declared <= set(AUDITED)
        assert {code for t, code, *_ in HAPPY if t == title} == declared
        # Refused everywhere they do not act, the actions of a step the title lacks included.
        assert {code for t, code, *_ in WRONG if t == title} == {a.code for a in procedure_for_title(title).actions}
    assert set(AUDITED) == {action.code for title in TITLES for action in procedure_for_title(title).actions}


@pytest.mark.parametrize("title,code,state,variant", HAPPY, ids=_ids(HAPPY))
def test_an_action_is_offered_to_and_done_by_the_role_that_holds_its_permission(
    district, title, code, state, variant
):
    dossier = reach(district, title, variant, state)
    procedure = procedure_for_title(title)
    action, unit = procedure.action(code), acting_unit(dossier, code)
    user = actor(dossier, code)
    client = web(user)
    if action.menu:
        assert code in offered(client, dossier)
    kwargs, body = _form(code, dossier)
    seq = dossier.case.audit_seq

    response = client.post(reverse(action.url_name, kwargs=kwargs), body)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("workflows:dossier", args=[dossier.pk])
    event = AuditEvent.objects.filter(case_id=dossier.case_id, seq__gt=seq, action=AUDITED[code]).first()
    assert event is not None, f"no {AUDITED[code]} event"
    role = right_role(action.permission, unit.level)
    assert (event.actor, event.role, event.unit) == (user, role, unit)


@pytest.mark.parametrize("title,code,state,variant", WRONG, ids=_ids(WRONG))
def test_an_action_in_a_state_or_rule_set_it_does_not_act_in_is_refused_and_changes_nothing(
    district, title, code, state, variant
):
    dossier = reach(district, title, variant, state)
    action = procedure_for_title(title).action(code)
    client = web(actor(dossier, code))
    kwargs, body = _form(code, dossier)
    dossier.refresh_from_db()
    body["expected_revision"] = dossier.revision
    url = reverse(action.url_name, kwargs=kwargs)
    if action.menu:
        assert code not in offered(client, dossier)
    before = snapshot(dossier)

    page = client.get(url)
    refused = client.post(url, body)

    assert page.status_code == 302 and page["Location"] == reverse("workflows:dossier", args=[dossier.pk])
    with translation.override("vi"):
        said = translation.gettext("This action is not possible while the dossier is “%(state)s”.") % {
            "state": dossier.get_state_display()}
    with translation.override("en"):
        english = "This action is not possible while the dossier is “%(state)s”." % {
            "state": dossier.get_state_display()}
    assert [str(m) for m in get_messages(page.wsgi_request)] == [said] and said != english
    assert refused.status_code == 400
    assert snapshot(dossier) == before


@pytest.mark.parametrize("title,code,state,variant", FIRST, ids=_ids(FIRST))
def test_an_action_is_refused_to_a_role_without_its_permission_and_hidden_from_another_unit(
    district, title, code, state, variant
):
    dossier = reach(district, title, variant, state)
    action = procedure_for_title(title).action(code)
    unit = acting_unit(dossier, code)
    kwargs, body = _form(code, dossier)
    dossier.refresh_from_db()
    body["expected_revision"] = dossier.revision
    url = reverse(action.url_name, kwargs=kwargs)
    before = snapshot(dossier)
    lacking = web(persona(unit, wrong_role(action.permission, unit.level)))
    elsewhere = web(persona(another_unit(unit), right_role(action.permission, unit.level)))

    assert code not in offered(lacking, dossier)
    assert lacking.post(url, body).status_code == 403
    assert lacking.get(url).status_code == 403
    assert elsewhere.get(url).status_code == 404
    assert elsewhere.post(url, body).status_code == 404
    assert elsewhere.get(reverse("workflows:dossier", args=[dossier.pk])).status_code == 404
    assert snapshot(dossier) == before
