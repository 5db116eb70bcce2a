"""Who may change what: every writing endpoint of the UI and the API, for every role, on
its own unit and on another unit.

The actions of a dossier are generated from the procedures (workflows.procedures), per
(title, procedure action and its stage, role, own/other unit): the page and the state
an action needs, the permission it needs and the unit of its stage (the dossier's unit,
its appraising or deciding unit, as the title's rule set for YEAR places them). Roles
grant permissions through the membership table (directory.models.ROLE_PERMISSIONS).
POLICY pins the outcome in plain words: a declaration that gave an action to other
roles fails `test_the_procedures_grant_each_action_to_the_roles_the_policy_names`.
The writes outside the procedures (revocation, supervision concerns) have their rows
in WRITES. `test_every_endpoint_is_in_the_tables` walks the URL resolver, so a new
endpoint (or a new API action) without a row fails the suite.

Expected outcome of a write on a dossier:
- anonymous: 401 on the API, a redirect to the login page on the UI;
- a role held on another unit (another hamlet, commune or district), on a unit below the
  dossier's, or no role at all: 404, the dossier does not exist for them;
- a role on the dossier's own unit or above, without the action's permission on the unit
  of its stage: 403;
- a role allowed to act, with a valid request: the change happens (API 200/201, UI
  a redirect back to the dossier) and the audit trail grows.
Whatever is refused leaves the audit trail unchanged.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from directory.models import GRANTABLE_ROLES, ROLE_PERMISSIONS, Level, Role, Unit, UnitKind
from directory.services import end_membership, grant_membership
from tests.dossiers import dossier_at, subject_for
from tests.factories import HouseholdFactory, UnitFactory, UserFactory, pdf_bytes
# The Front's evaluation has its own matrix (every write x role x own/other unit) in that module.
from tests.security.test_evaluation_matrix import EVALUATION_PAGES
from titles.models import RuleSet, TitleType
from workflows.models import AuditEvent, Dossier, DossierState
from workflows.procedures import procedure_for_title

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Attached minutes go to a throwaway storage."""
    settings.MEDIA_ROOT = tmp_path / "media"

YEAR = 2025  # a two-level year: the commune appraises and decides, with public posting

ROLE_LEVEL = {
    Role.HAMLET_HEAD: "hamlet", Role.HAMLET_FRONT_HEAD: "hamlet", Role.COMMUNE_OFFICER: "commune",
    Role.COMMUNE_CHAIR: "commune", Role.SUPERVISOR: "commune", Role.DISTRICT_OFFICE: "district",
    Role.DISTRICT_CHAIR: "district",
}

FAMILY, HAMLETS = "gia-dinh-van-hoa", "ap-khu-pho-van-hoa"
FAMILY_MERIT, HAMLET_MERIT = "giay-khen-gia-dinh-van-hoa", "giay-khen-ap-van-hoa"
# The titles whose dossiers the matrix writes to, with the level whose list a dossier is.
TITLES = {FAMILY: "hamlet", HAMLETS: "commune", FAMILY_MERIT: "hamlet", HAMLET_MERIT: "commune"}
# The certificates of merit have no rule set in force in YEAR (from 2024-01-30 the province has not
# confirmed its own): their rounds are of 2021, under Decree 122/2018 (the district council included).
YEARS = {FAMILY: YEAR, HAMLETS: YEAR, FAMILY_MERIT: 2021, HAMLET_MERIT: 2021}
MERIT_TITLES = (FAMILY_MERIT, HAMLET_MERIT)

# Who may do what under YEAR's rule sets, in words: what the procedures and the roles must add up to.
_HEAD, _FRONT, _OFFICER, _CHAIR = Role.HAMLET_HEAD, Role.HAMLET_FRONT_HEAD, Role.COMMUNE_OFFICER, Role.COMMUNE_CHAIR
_OFFICE, _DISTRICT_CHAIR = Role.DISTRICT_OFFICE, Role.DISTRICT_CHAIR
POLICY = {
    FAMILY: {"open": {_HEAD}, "register": {_HEAD}, "withdraw": {_HEAD}, "assess": {_HEAD, _FRONT},
             "meeting": {_HEAD, _FRONT}, "attach_minutes": {_HEAD, _FRONT}, "posting": {_HEAD, _FRONT}, "comment": {_HEAD, _FRONT}, "submit": {_HEAD},
             "appraise": {_OFFICER}, "return": {_OFFICER}, "decide": {_CHAIR}},
    # The commune lists its hamlets and, from 2025-07-01, appraises and decides them itself.
    HAMLETS: {"open": {_OFFICER}, "register": {_OFFICER}, "withdraw": {_OFFICER}, "assess": {_OFFICER},
              "meeting": {_OFFICER}, "attach_minutes": {_OFFICER}, "posting": {_OFFICER}, "comment": {_OFFICER}, "submit": {_OFFICER},
              "appraise": {_OFFICER}, "return": {_OFFICER}, "decide": {_CHAIR}},
    # The hamlet head puts the eligible households on the list, the commune appraises, its chair decides.
    FAMILY_MERIT: {"open": {_HEAD}, "register": {_HEAD}, "withdraw": {_HEAD}, "meeting": {_HEAD, _FRONT},
                   "attach_minutes": {_HEAD, _FRONT}, "submit": {_HEAD}, "appraise": {_OFFICER},
                   "return": {_OFFICER}, "decide": {_CHAIR}},
    # The commune puts its eligible hamlets on the list; the district office appraises and records the
    # district emulation council's meeting; the district chair decides.
    HAMLET_MERIT: {"open": {_OFFICER}, "register": {_OFFICER}, "withdraw": {_OFFICER}, "meeting": {_OFFICER},
                   "attach_minutes": {_OFFICER}, "submit": {_OFFICER}, "appraise": {_OFFICE}, "return": {_OFFICE},
                   "council": {_OFFICE}, "decide": {_DISTRICT_CHAIR}},
}


@dataclass(frozen=True)
class Write:
    """One write outside the procedures' actions: the dossier stage it needs, who may do it."""

    stage: str
    allowed: frozenset
    target: str = "dossier"  # what the URL's pk names


WRITES = {
    "revoke": Write("decided", frozenset({Role.COMMUNE_CHAIR}), target="award"),
    "raise_concern": Write("submitted", frozenset({Role.SUPERVISOR})),
}

# The API endpoint of each procedure action (the page is the action's own url_name).
API_ACTIONS = {
    "register": ("api:dossier-register", "post"),
    "withdraw": ("api:dossier-withdraw-registrations", "post"),
    "assess": ("api:dossier-self-assessments", "post"),
    "meeting": ("api:dossier-meeting", "post"),
    "attach_minutes": ("api:dossier-attach-minutes", "post"),
    "posting": ("api:dossier-posting", "post"),
    "comment": ("api:dossier-comment", "post"),
    "submit": ("api:dossier-submit", "post"),
    "appraise": ("api:dossier-appraise", "post"),
    "return": ("api:dossier-return", "post"),
    "decide": ("api:dossier-decide", "post"),
}
ACTIONS = sorted({code for title in TITLES for code in (a.code for a in procedure_for_title(title).actions)})
# URL name (and method, for the API) -> the transition it performs. The emulation council's meeting
# is recorded on the web only.
API_WRITES = {("api:dossier-list", "post"): "open", **{API_ACTIONS[code]: code for code in ACTIONS
                                                       if code in API_ACTIONS}}
UI_WRITES = {
    "workflows:open_round": "open",
    # A certificate of merit's round opens from its eligible list (titles:merit).
    "workflows:open_merit_round": "open",
    **{action.url_name: action.code for title in TITLES for action in procedure_for_title(title).actions},
    "workflows:revoke": "revoke",
    "workflows:concerns": "raise_concern",
}
# Writes that touch only the caller's own data (their session, their inbox, their
# channels): any logged-in user, whatever their role; covered by their apps' tests.
PERSONAL_WRITES = {"login", "logout", "set_language", "notifications:mark_read", "notifications:preferences",
                   # The password reset changes only the account whose mailbox got the one-time link.
                   "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
                   # The caller's own API token (tests/api/test_tokens_and_schema.py).
                   "api:token"}
# The households' master data: the hamlet's head and its commune's officer, nobody else; the matrix of
# roles × own/other unit for these is tests/directory/test_households.py::test_who_may_edit_a_household.
MASTER_DATA_WRITES = {"directory:households", "directory:household_add", "directory:household_edit",
                      "directory:household_set_active", "directory:household_import",
                      "directory:household_import_template", "directory:household_import_progress",
                      "directory:household_import_refused",
                      # The offices' role pages: tests/directory/test_roles.py.
                      "directory:people", "directory:give_role", "directory:end_role",
                      # The Front's people and collectives (18/11): tests/directory/test_front_records.py.
                      "directory:front_records", "directory:person_add", "directory:person_edit",
                      "directory:collective_add", "directory:collective_edit"}
# A dossier's printed documents (read through dossier_for: whoever may see the dossier) and the
# public list of a decision; marking that list published is the deciding unit's chair's alone.
# Who gets what: tests/documents/ (another commune's user gets 404, the officer 403).
DOCUMENTS = {"documents:index", "documents:document", "documents:document_pdf", "documents:certificates",
             "documents:published", "documents:publish"}
# The tally sheet's draft and its delayed sending from a phone: the meeting's permission
# (record_review on the hamlet), 404 outside it; tests/workflows/test_tally_drafts.py.
TALLY_DRAFTS = {"workflows:meeting_draft", "workflows:meeting_sync"}
# The 18/11 list's own action (what each proposal asks for): generated with the festival procedure's other
# actions in tests/workflows/test_procedure_transitions.py (right role, wrong role 403, other unit 404), its
# policy in FESTIVAL_POLICY below; the honour list is read like a dossier page (tests/workflows/test_festival.py).
FESTIVAL_PAGES = {"workflows:instruments", "workflows:honour_list"}
# Pages that only read (their own tests check what they show to whom).
READ_ONLY = {
    "workflows:home", "workflows:service_worker", "workflows:manifest", "workflows:dossier", "workflows:household", "workflows:history", "workflows:minutes",
    "notifications:list",
    "api:schema", "api:docs", "api:not_found",
    "documents:verify", "documents:verify_lookup", "workflows:provenance", "workflows:provenance_json", "workflows:certificate",
    # who reads which figures: tests/figures/test_dashboard.py
    "figures:dashboard", "figures:export",
    # a unit's eligibility for a certificate of merit, guarded like a dossier page (404 outside it)
    "titles:merit",
    # a hamlet's titles, streak and rates, guarded like a dossier page: tests/titles/test_hamlet_page.py
    "workflows:hamlet",
}
# The Django admin is for staff only; see test_admin_is_closed_to_every_role.
SKIPPED_NAMESPACES = {"admin"}


# ---------------------------------------------------------------- the resolver walk

def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), entry


def _writing_methods(callback):
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a DRF viewset route
        return sorted(m for m in actions if m in ("post", "put", "patch", "delete"))
    cls = getattr(callback, "cls", None)
    if cls is not None:  # a DRF APIView
        return sorted(m for m in ("post", "put", "patch", "delete") if hasattr(cls, m))
    return None  # a Django view: it must be classified by name


def test_every_endpoint_is_in_the_tables():
    unknown = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name is None:
            unknown.append(f"unnamed pattern {pattern.pattern}")
            continue
        methods = _writing_methods(pattern.callback)
        if methods is None:
            if name not in UI_WRITES and name not in (PERSONAL_WRITES | READ_ONLY | MASTER_DATA_WRITES | DOCUMENTS
                                                | TALLY_DRAFTS | EVALUATION_PAGES | FESTIVAL_PAGES):
                unknown.append(name)
        else:
            unknown += [f"{name} {m.upper()}" for m in methods
                        if (name, m) not in API_WRITES and name not in PERSONAL_WRITES]
    assert not unknown, (
        "Endpoints without a row in the permission matrix (add them to API_WRITES / UI_WRITES with "
        f"who may use them, or to READ_ONLY / PERSONAL_WRITES): {sorted(set(unknown))}"
    )


def test_admin_is_closed_to_every_role(client, district):
    for role, level in ROLE_LEVEL.items():
        user = UserFactory(username=f"admin_probe_{role}")
        grant_membership(user=user, unit=getattr(district, level), role=role, since=datetime.date(2018, 1, 1))
        client.force_login(user)
        response = client.get("/admin/directory/unit/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role


# ---------------------------------------------------------------- the matrix

PERSONAS = [(role, scope) for role in ROLE_LEVEL for scope in ("own", "other")] + [("outsider", "none"),
                                                                                  ("anonymous", "none")]
# The builder's stage (_stage) of each state a procedure action may need.
STAGE_OF_STATE = {DossierState.OPEN: "registered", DossierState.REVIEWED: "reviewed",
                  DossierState.POSTING: "posting", DossierState.SUBMITTED: "submitted",
                  DossierState.COUNCIL: "council", DossierState.APPRAISED: "appraised",
                  DossierState.DECIDED: "decided"}
STATE_ORDER = list(STAGE_OF_STATE)
STATE_OF_STAGE = {stage: state for state, stage in STAGE_OF_STATE.items()}


def _rules(title):
    return RuleSet.objects.in_force_for(TitleType.objects.get(code=title), YEARS[title])


def _level_of(title, code):
    """The level of the unit that does `code` on a YEAR dossier of `title`: the unit of the
    action's stage, as the rule set places the appraising and deciding units."""
    if code == "open":
        return TITLES[title]
    unit_attr = procedure_for_title(title).stage_of(code).unit_attr
    rules = _rules(title)
    return {"unit": TITLES[title], "appraising_unit": rules.appraising_level,
            "deciding_unit": rules.deciding_level}[unit_attr]


def _permission(title, code):
    procedure = procedure_for_title(title)
    return procedure.opening_permission if code == "open" else procedure.action(code).permission


def _allowed(title, code):
    """The roles that may do `code` on their own unit: those whose unit is the unit of the
    action's stage and whose role grants the permission the procedure declares for it."""
    if code in WRITES:
        return WRITES[code].allowed
    level, permission = _level_of(title, code), _permission(title, code)
    return frozenset(role for role, at in ROLE_LEVEL.items() if at == level and permission in ROLE_PERMISSIONS[role])


def _needed_stage(title, code):
    """The builder's stage a write starts from: the first state the action acts in under
    the title's YEAR rule set (the procedure says which), "none" for opening a round."""
    if code == "open":
        return "none"
    if code in WRITES:
        return WRITES[code].stage
    action, steps = procedure_for_title(title).action(code), _rules(title).steps
    return STAGE_OF_STATE[next(state for state in STATE_ORDER if action.acts_in(state, steps, 1))]


def _sees(world, title, unit):
    """Whether a role held on `unit` sees the title's dossiers of its unit (on it or above)."""
    return unit.path and world["own"][TITLES[title]].path.startswith(unit.path)


def _expected(world, title, code, role, scope):
    if role == "anonymous":
        return "login"
    if role == "outsider" or scope == "other" or not _sees(world, title, world[scope][ROLE_LEVEL[role]]):
        return 404
    return "ok" if role in _allowed(title, code) else 403


def test_the_procedures_grant_each_action_to_the_roles_the_policy_names(db):
    granted = {title: {code: set(_allowed(title, code)) for code in POLICY[title]} for title in TITLES}
    assert granted == POLICY
    for title in TITLES:
        assert set(POLICY[title]) == {"open"} | set(_codes_of(title))


def test_every_permission_a_procedure_declares_exists_on_units_and_is_granted_by_a_role():
    declared = {codename for title in TITLES for codename in procedure_for_title(title).permissions}
    on_units = {codename for codename, _ in Unit._meta.permissions}
    granted = {codename for codenames in ROLE_PERMISSIONS.values() for codename in codenames}
    assert declared and declared <= on_units and declared <= granted


@pytest.fixture
def world(district, family_title):
    """The dossiers' units (a hamlet's for the Cultural Family, its commune's for the hamlet
    title), plus another district for the 'other unit' personas, and who moves dossiers."""
    other_district = UnitFactory(level=Level.DISTRICT, kind=UnitKind.HUYEN, name="Xuân Lộc",
                                 parent=district.province, valid_from=datetime.date(2004, 1, 1))
    own = {"hamlet": district.hamlet, "commune": district.commune, "district": district.district}
    other = {"hamlet": district.far_hamlet, "commune": district.other_commune, "district": other_district}
    movers = {}
    for username, unit, role in [("mover_head", district.hamlet, Role.HAMLET_HEAD),
                                 ("mover_officer", district.commune, Role.COMMUNE_OFFICER),
                                 ("mover_chair", district.commune, Role.COMMUNE_CHAIR)]:
        movers[role] = UserFactory(username=username)
        grant_membership(user=movers[role], unit=unit, role=role, since=datetime.date(2018, 1, 1))
    return {"district": district, "own": own, "other": other, "movers": movers,
            "head": movers[Role.HAMLET_HEAD], "officer": movers[Role.COMMUNE_OFFICER],
            "chair": movers[Role.COMMUNE_CHAIR]}


def _persona(world, role, scope):
    if role == "anonymous":
        return None
    user = UserFactory(username=f"p_{role}_{scope}")
    if role != "outsider":
        grant_membership(user=user, unit=world[scope][ROLE_LEVEL[role]], role=role,
                         since=datetime.date(2018, 1, 1))
    return user


def _new_subject(title, unit):
    # Eligible, for a certificate of merit: the register holds its counted title for the window.
    return subject_for(TitleType.objects.get(code=title), unit, YEARS[title])


def _stage(world, stage, title=FAMILY):
    """Move a fresh dossier of `title` to `stage` through the real services (the shared
    factory, tests/dossiers.py); return it and its context."""
    unit = world["own"][TITLES[title]]
    spare = _new_subject(title, unit)
    context = {"hamlet": unit, "spare": spare, "dossier": None, "title": TitleType.objects.get(code=title),
               "year": YEARS[title]}
    if stage == "none":
        return context
    dossier = dossier_at(title, STATE_OF_STAGE[stage], unit=unit, year=YEARS[title])
    context["dossier"] = dossier
    posting = dossier.postings.first()
    # Sent after the posting where there is one, else after the factory's meeting of 2 November.
    context["send_from"] = posting.sendable_from if posting is not None else datetime.date(YEARS[title], 11, 4)
    if stage == "decided":
        context["award"] = dossier.decision.awards.first()
    return context


def _api_body(transition, ctx):
    dossier, title, YEAR = ctx["dossier"], ctx["title"], ctx["year"]  # noqa: N806 - the title's year
    nominations = list(dossier.nominations.values_list("pk", flat=True)) if dossier else []
    subject_ids = "hamlet_ids" if title.subject_kind == "hamlet" else "household_ids"
    return {
        "open": {"hamlet": ctx["hamlet"].pk, "title_type": title.code, "year": YEAR},
        "register": {subject_ids: [ctx["spare"].pk], "registered_on": f"{YEAR}-03-02"},
        "withdraw": {"nomination_ids": nominations[:1], "reason": "Đăng ký nhầm"},
        "assess": {"assessments": [{"nomination": pk, "text": "Đạt 5 tiêu chí"} for pk in nominations],
                   "assessed_on": f"{YEAR}-03-05"},
        "meeting": {"held_on": f"{YEAR}-11-02", "invited": 40, "present": 30, "method": "show_of_hands",
                    "votes": [{"nomination": pk, "votes_for": 30, "votes_against": 0} for pk in nominations]},
        "attach_minutes": {"minutes": [_minutes_file()]},
        "posting": {"starts_on": f"{YEAR}-11-03", "place": "Nhà văn hóa ấp"},
        "comment": {"received_on": f"{YEAR}-11-04", "author": "Ông Ba", "text": "Đồng ý"},
        "submit": {"submitted_on": ctx.get("send_from", "").__str__()},
        "appraise": {"strikes": []},
        "return": {"reason": "Thiếu biên bản họp"},
        "decide": {"number": "99/QĐ-UBND", "signed_on": f"{YEAR}-12-01", "signer": "Trần Văn A"},
    }[transition]


def _minutes_file():
    return SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")


# The year's dates are months old: on the web the person confirms them.
CONFIRMED = {"dates_confirmed": "on"}


def _ui_body(transition, ctx):
    dossier, YEAR = ctx["dossier"], ctx["year"]  # noqa: N806 - the title's year
    nominations = list(dossier.nominations.values_list("pk", flat=True)) if dossier else []
    revision = {"expected_revision": dossier.revision} if dossier else {}
    body = {
        "open": {"round": f"{ctx['title'].pk}:{ctx['hamlet'].pk}", "year": YEAR},
        "register": {"households": [ctx["spare"].pk], "registered_on": f"02/03/{YEAR}", **CONFIRMED},
        "withdraw": {"reason": "Đăng ký nhầm"},
        "assess": {"assessed_on": f"05/03/{YEAR}", **{f"text_{pk}": "Đạt 5 tiêu chí" for pk in nominations},
                   **CONFIRMED},
        "meeting": {"held_on": f"02/11/{YEAR}", "invited": 40, "present": 30, "method": "show_of_hands",
                    "chaired_by": "", **{f"for_{pk}": 30 for pk in nominations},
                    **{f"against_{pk}": 0 for pk in nominations}, **CONFIRMED},
        "attach_minutes": {"minutes": [_minutes_file()]},
        "posting": {"starts_on": f"03/11/{YEAR}", "place": "Nhà văn hóa ấp", **CONFIRMED},
        "comment": {"received_on": f"04/11/{YEAR}", "author": "Ông Ba", "text": "Đồng ý", "nomination": "",
                    **CONFIRMED},
        "submit": {"submitted_on": ctx.get("send_from", datetime.date(YEAR, 1, 1)).strftime("%d/%m/%Y"),
                   **CONFIRMED},
        "appraise": {"confirmed": "1"},
        "return": {"reason": "Thiếu biên bản họp", "confirmed": "1"},
        "council": {"held_on": f"20/11/{YEAR}", "members": 9, "present": 7, "conclusion": "Thống nhất đề nghị",
                    **CONFIRMED},
        "decide": {"number": "99/QĐ-UBND", "signed_on": f"01/12/{YEAR}", "signer": "Trần Văn A", **CONFIRMED},
        "revoke": {"ground": _first_revocation_ground(), "decision_number": "5/QĐ-UBND",
                   "decided_on": f"15/12/{YEAR}", "reason": "Khai không đúng sự thật"},
        "raise_concern": {"action": "raise", "text": "Biên bản họp thiếu chữ ký", "nomination": ""},
    }[transition]
    return {**revision, **body}


def _first_revocation_ground():
    from titles.services import revocation_grounds

    return revocation_grounds()["grounds"][0]["code"]


def _events():
    return AuditEvent.objects.count()


def _codes_of(title):
    """The procedure actions of `title` under its YEARS rule set: those whose rule-set step it has
    (the emulation council's meeting is the cultural hamlet's only)."""
    steps = _rules(title).steps
    return [a.code for a in procedure_for_title(title).actions if not a.step or a.step in steps]


def _titles_of(transition, name=""):
    """The titles a write is checked on: the writes outside the procedures on the Cultural Family's
    dossiers, an action on the titles whose procedure has it, the inbox's open-round form on the
    yearly titles and the eligible list's on the certificates of merit."""
    if transition in WRITES:
        return [FAMILY]
    if name == "workflows:open_round":
        return [title for title in TITLES if title not in MERIT_TITLES]
    if name == "workflows:open_merit_round":
        return list(MERIT_TITLES)
    return [title for title in TITLES
            if transition == "open" or transition in {a.code for a in procedure_for_title(title).actions}
            and (transition != "council" or title == HAMLET_MERIT)]


ROWS = [pytest.param(title, "api", name, method, id=f"{title}-api-{name}")
        for (name, method), transition in API_WRITES.items() for title in _titles_of(transition, name)] + [
    pytest.param(title, "ui", name, "post", id=f"{title}-ui-{name}")
    for name, transition in UI_WRITES.items() for title in _titles_of(transition, name)
]


def _attempt(world, surface, name, method, transition, ctx, user):
    dossier = ctx["dossier"]
    if dossier is not None:
        dossier.refresh_from_db()
    target = ctx.get(WRITES[transition].target if transition in WRITES else "dossier")
    kwargs = {"pk": target.pk} if target else {}
    if name == "workflows:open_merit_round":
        kwargs = {"title": ctx["title"].code, "unit": ctx["hamlet"].pk, "year": ctx["year"]}
    if surface == "ui" and transition == "withdraw":  # the page of one registration
        kwargs["nomination_pk"] = dossier.nominations.order_by("pk").first().pk
    url = reverse(name, kwargs=kwargs)
    if surface == "api":
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        # Files travel as multipart, everything else as JSON.
        return getattr(client, method)(url, _api_body(transition, ctx),
                                       format="multipart" if transition == "attach_minutes" else "json")
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.post(url, _ui_body(transition, ctx))


def _problem(surface, transition, expected, response, changed, created, name=""):
    """What is wrong with this outcome, or None."""
    status = response.status_code
    if expected == "ok":
        wanted = (200, 201) if surface == "api" else (302,)
        if status not in wanted or not changed:
            body = response.content[:300].decode(errors="replace")
            return f"expected the change to happen, got {status} (audit grew: {changed}) {body}"
        return None
    if changed:
        return f"refused ({status}) but the audit trail changed"
    if expected == "login":
        if surface == "api" and status != 401:
            return f"expected 401, got {status}"
        if surface == "ui" and not (status == 302 and "/accounts/login/" in response["Location"]):
            return f"expected a redirect to the login page, got {status}"
        return None
    if surface == "ui" and name == "workflows:open_round":
        # The UI offers only the caller's own units: any other choice is a refused form.
        return None if status == 302 and not created else f"expected a refused form, got {status}"
    if status != expected:
        return f"expected {expected}, got {status}"
    if surface == "api":
        code = response.json().get("code")
        if code != {403: "permission_denied", 404: "not_found"}[expected]:
            return f"error code {code}"
    return None


@pytest.mark.parametrize("title,surface,name,method", ROWS)
def test_permission_matrix(world, title, surface, name, method):
    transition = API_WRITES[(name, method)] if surface == "api" else UI_WRITES[name]
    ctx = _stage(world, _needed_stage(title, transition), title)
    failures = []
    for role, scope in PERSONAS:
        # Each persona acts on the same dossier from the same state: every attempt
        # runs in a savepoint that is rolled back afterwards.
        with transaction.atomic():
            user = _persona(world, role, scope)
            before, dossiers_before = AuditEvent.objects.count(), Dossier.objects.count()
            response = _attempt(world, surface, name, method, transition, ctx, user)
            changed = AuditEvent.objects.count() != before
            created = Dossier.objects.count() != dossiers_before
            problem = _problem(surface, transition, _expected(world, title, transition, role, scope), response,
                               changed, created, name)
            transaction.set_rollback(True)
        if problem:
            failures.append(f"{role} on {scope} unit: {problem}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- dated memberships

# One rule on every surface: a membership grants its role from `since` to `until`, both
# days included; beat's directory.tasks.apply_membership_dates starts and ends them on
# those dates. Each surface below answers "may this user read the hamlet's dossier?".

def _surfaces(user, dossier, household):
    from notifications.services.outbox import users_holding

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    web = Client()
    web.force_login(user)
    households = api.get("/api/households/").json()
    return {
        "api dossier": api.get(f"/api/dossiers/{dossier.pk}/").status_code == 200,
        "api dossier list": api.get("/api/dossiers/").json()["count"] == 1,
        "api households and phones": households["count"] > 0
        and all(row["phone"] for row in households["results"]),
        "api audit events": api.get("/api/audit-events/", {"dossier": dossier.pk}).json()["count"] > 0,
        "api write (register)": api.post(
            f"/api/dossiers/{dossier.pk}/register/",
            {"household_ids": [household.pk], "registered_on": f"{YEAR}-03-02"}, format="json",
        ).status_code == 200,
        "web dossier page": web.get(reverse("workflows:dossier", args=[dossier.pk])).status_code == 200,
        "web household page": web.get(reverse("workflows:household", args=[household.pk])).status_code == 200,
        "inbox": reverse("workflows:dossier", args=[dossier.pk]) in web.get(reverse("workflows:home")).content.decode(),
        "notifications": user in users_holding(dossier.unit, "prepare_dossier"),
    }


@pytest.fixture
def dated(world, monkeypatch):
    """A registered dossier of the hamlet, a spare household of it, and a way to move "today"."""
    ctx = _stage(world, "registered")
    real = timezone.localdate
    state = {"today": real()}
    monkeypatch.setattr(timezone, "localdate", lambda value=None, tz=None: real(value, tz) if value else state["today"])

    def surfaces(user):
        # Each look runs in a savepoint: the write probe must not change what the next look sees.
        with transaction.atomic():
            seen = _surfaces(user, ctx["dossier"], ctx["spare"])
            transaction.set_rollback(True)
        return seen

    def day_passes(to):
        from directory.tasks import apply_membership_dates

        state["today"] = to
        apply_membership_dates()  # what beat runs at the top of every hour

    return SimpleNamespace(hamlet=ctx["hamlet"], today=state["today"], surfaces=surfaces, day_passes=day_passes)


def _days(n):
    return datetime.timedelta(days=n)


def _grants_everywhere(seen):
    return [surface for surface, allowed in seen.items() if not allowed]


def _grants_nowhere(seen):
    return [surface for surface, allowed in seen.items() if allowed]


def test_a_current_membership_grants_its_role_on_every_surface(dated):
    user = UserFactory(username="dated_current")
    grant_membership(user=user, unit=dated.hamlet, role=Role.HAMLET_HEAD, since=dated.today - _days(30))
    assert not _grants_everywhere(dated.surfaces(user))


def test_a_membership_starting_tomorrow_grants_nothing_anywhere_until_its_first_day(dated):
    user = UserFactory(username="dated_future")
    grant_membership(user=user, unit=dated.hamlet, role=Role.HAMLET_HEAD, since=dated.today + _days(1))
    assert not _grants_nowhere(dated.surfaces(user)), "a future membership already grants on these surfaces"
    dated.day_passes(dated.today + _days(1))
    assert not _grants_everywhere(dated.surfaces(user)), "its first day came and these surfaces still refuse"


def test_an_ended_membership_grants_nothing_anywhere(dated):
    user = UserFactory(username="dated_ended")
    membership = grant_membership(user=user, unit=dated.hamlet, role=Role.HAMLET_HEAD,
                                  since=dated.today - _days(400))
    end_membership(membership=membership, until=dated.today - _days(1))
    assert not _grants_nowhere(dated.surfaces(user))


def test_a_membership_ended_without_a_date_ends_at_once(dated):
    user = UserFactory(username="dated_ended_now")
    membership = grant_membership(user=user, unit=dated.hamlet, role=Role.HAMLET_HEAD,
                                  since=dated.today - _days(400))
    end_membership(membership=membership)
    assert not _grants_nowhere(dated.surfaces(user))


def test_a_membership_ending_on_a_later_date_grants_until_that_day_included(dated):
    user = UserFactory(username="dated_ending")
    membership = grant_membership(user=user, unit=dated.hamlet, role=Role.HAMLET_HEAD,
                                  since=dated.today - _days(400))
    end_membership(membership=membership, until=dated.today + _days(1))
    assert not _grants_everywhere(dated.surfaces(user)), "ending on a later date removed these rights at once"
    dated.day_passes(dated.today + _days(1))
    assert not _grants_everywhere(dated.surfaces(user)), "the last day is not included on these surfaces"
    dated.day_passes(dated.today + _days(2))
    assert not _grants_nowhere(dated.surfaces(user)), "the day after the last one these surfaces still grant"


def test_the_membership_dates_task_is_idempotent_and_scheduled_every_hour(dated, settings):
    from directory.services import apply_membership_dates

    user = UserFactory(username="dated_task")
    grant_membership(user=user, unit=dated.hamlet, role=Role.HAMLET_HEAD, since=dated.today + _days(1))
    dated.day_passes(dated.today + _days(1))
    assert apply_membership_dates() == (0, 0)
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "directory.tasks.apply_membership_dates")
    assert entry["schedule"].minute == {0} and entry["schedule"].hour == set(range(24))


# ---------------------------------------------------------------- 18 November proposals (procedure-scoped)

FESTIVAL_TITLE = "khen-thuong-18-11-ca-nhan"
_COMMUNE_FRONT = Role.COMMUNE_FRONT_CHAIR
# Who may do what on a hamlet's 18/11 list, in words: the Front's own stages. No People's Committee role
# (hamlet head, commune officer, commune chair) holds any of them.
FESTIVAL_POLICY = {
    "open": {_FRONT}, "register": {_FRONT}, "withdraw": {_FRONT}, "instruments": {_FRONT}, "assess": {_FRONT},
    "meeting": {_FRONT}, "attach_minutes": {_FRONT}, "submit": {_FRONT},
    "appraise": {_COMMUNE_FRONT}, "return": {_COMMUNE_FRONT}, "decide": {_COMMUNE_FRONT},
}
_LEVEL_ROLES = {"hamlet": GRANTABLE_ROLES[Level.HAMLET], "commune": GRANTABLE_ROLES[Level.COMMUNE]}


def test_the_festival_procedure_grants_its_stages_to_front_roles_only(db):
    procedure = procedure_for_title(FESTIVAL_TITLE)
    rules = RuleSet.objects.in_force_for(TitleType.objects.get(code=FESTIVAL_TITLE), 2025)
    granted = {}
    for code in FESTIVAL_POLICY:
        permission = procedure.opening_permission if code == "open" else procedure.action(code).permission
        unit_attr = "unit" if code == "open" else procedure.stage_of(code).unit_attr
        level = {"unit": "hamlet", "appraising_unit": rules.appraising_level,
                 "deciding_unit": rules.deciding_level}[unit_attr]
        granted[code] = {role for role in _LEVEL_ROLES[level] if permission in ROLE_PERMISSIONS[role]}
    assert granted == FESTIVAL_POLICY
    assert set(FESTIVAL_POLICY) == {"open"} | {a.code for a in procedure.actions}
    declared = set(procedure.permissions)
    assert declared <= {codename for codename, _ in Unit._meta.permissions}
    # ...and the commune Front holds nothing the Cultural Family's stages need beyond reading and supervising.
    family = set(procedure_for_title(FAMILY).permissions) - {"supervise"}
    assert not family & set(ROLE_PERMISSIONS[_COMMUNE_FRONT])
    assert not declared & (set(ROLE_PERMISSIONS[Role.COMMUNE_CHAIR]) | set(ROLE_PERMISSIONS[Role.COMMUNE_OFFICER])
                           | set(ROLE_PERMISSIONS[Role.HAMLET_HEAD]))
