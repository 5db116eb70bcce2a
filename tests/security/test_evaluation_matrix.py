"""The Front's evaluation in the permission matrix: every writing page of evaluations/, for every role
on its own unit, on another unit and for nobody (test_permission_matrix.py classifies these endpoints
through EVALUATION_PAGES).

Expected outcome of a write (the 2021 scheme: hamlet → commune → district):
- anonymous: a redirect to the login page;
- a role held on another unit, on a unit below the target's, or none: 404;
- a role on the target's unit or above without the stage's permission: 403;
- an allowed role with a valid form: the change happens (a redirect back) and nothing else changes.
"""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory.models import ROLE_PERMISSIONS, Level, Role, UnitKind
from directory.services import grant_membership
from evaluations.models import Inspection, PoorHousehold, Report, RoadmapTarget, Sponsor, Support
from evaluations.services import add_sponsor, list_households, open_report, save_report, set_targets, submit_report
from tests.factories import HouseholdFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
YEAR = 2021

ROLE_LEVEL = {Role.HAMLET_FRONT_HEAD: "hamlet", Role.HAMLET_HEAD: "hamlet", Role.COMMUNE_FRONT_CHAIR: "commune",
              Role.COMMUNE_OFFICER: "commune", Role.SUPERVISOR: "commune", Role.DISTRICT_FRONT_BOARD: "district",
              Role.DISTRICT_OFFICE: "district"}
_FRONT, _COMMUNE, _DISTRICT = Role.HAMLET_FRONT_HEAD, Role.COMMUNE_FRONT_CHAIR, Role.DISTRICT_FRONT_BOARD

# url name -> (the level of the unit it acts on, the state of the report it needs, who may, the permission)
WRITES = {
    "evaluations:open": ("hamlet", None, {_FRONT}, "report_evaluation"),
    "evaluations:save": ("hamlet", "draft", {_FRONT}, "report_evaluation"),
    "evaluations:submit": ("hamlet", "draft", {_FRONT}, "report_evaluation"),
    "evaluations:accept": ("hamlet", "submitted", {_COMMUNE}, "review_evaluation"),
    "evaluations:return": ("hamlet", "submitted", {_COMMUNE}, "review_evaluation"),
    "evaluations:inspect": ("commune", "submitted", {_DISTRICT}, "inspect_evaluation"),
    "evaluations:roadmap": ("commune", None, {_COMMUNE}, "plan_roadmap"),
    "evaluations:roadmap_copy": ("commune", None, {_COMMUNE}, "plan_roadmap"),
    "evaluations:poor_add": ("hamlet", None, {_FRONT, _COMMUNE}, "record_sponsorship"),
    "evaluations:sponsor_add": ("hamlet", None, {_FRONT, _COMMUNE}, "record_sponsorship"),
    "evaluations:support_add": ("hamlet", None, {_FRONT, _COMMUNE}, "record_sponsorship"),
    "evaluations:poor_review": ("hamlet", None, {_FRONT, _COMMUNE}, "record_sponsorship"),
}
# Pages that only read: the report (404 outside the unit's subtree: test_pages.py), the lists.
READS = {"evaluations:index", "evaluations:report", "evaluations:poor"}
EVALUATION_PAGES = set(WRITES) | READS
ABOVE = {"hamlet": ("hamlet", "commune", "district"), "commune": ("commune", "district")}


# The level at which each stage's permission must be held: its own unit (not inherited), the level the
# route sends the report to, the inspecting level, or any level above (the ledger: inherited).
HELD_AT = {"report_evaluation": lambda level: {level}, "plan_roadmap": lambda level: {level},
           "review_evaluation": lambda level: {"commune"}, "inspect_evaluation": lambda level: {"district"},
           "record_sponsorship": lambda level: set(ABOVE[level])}


def test_the_roles_grant_each_stage_to_the_roles_the_policy_names():
    for name, (level, _state, allowed, permission) in WRITES.items():
        granted = {role for role, at in ROLE_LEVEL.items()
                   if at in HELD_AT[permission](level) and permission in ROLE_PERMISSIONS[role]}
        assert granted == allowed, name


@pytest.fixture
def world(db):
    province = UnitFactory(level=Level.PROVINCE, kind=UnitKind.TINH, parent=None, valid_from=datetime.date(1976, 1, 1))
    units, other = {}, {}
    for side in (units, other):
        side["district"] = UnitFactory(level=Level.DISTRICT, kind=UnitKind.HUYEN, parent=province,
                                       valid_from=datetime.date(2004, 1, 1))
        side["commune"] = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, parent=side["district"],
                                      valid_from=datetime.date(2004, 1, 1))
        side["hamlet"] = UnitFactory(level=Level.HAMLET, parent=side["commune"], valid_from=datetime.date(2004, 1, 1))
    mover = {}
    for role, level in ((_FRONT, "hamlet"), (_COMMUNE, "commune"), (_DISTRICT, "district")):
        mover[role] = UserFactory(username=f"mover_{role}")
        grant_membership(user=mover[role], unit=units[level], role=role, since=datetime.date(2018, 1, 1))
    hamlet = units["hamlet"]
    households = HouseholdFactory.create_batch(3, hamlet=hamlet)
    list_households(actor=mover[_FRONT], hamlet=hamlet, year=YEAR, households=households[:1], category="poor")
    entry = PoorHousehold.objects.get(household=households[0])
    sponsor = add_sponsor(actor=mover[_FRONT], entry=entry, kind="person", name="Bà Năm", since=datetime.date(YEAR, 2, 1))
    set_targets(actor=mover[_COMMUNE], unit=units["commune"], year=YEAR - 1,
                targets={("great_unity_houses", "year", 1): "4"})
    return {"own": units, "other": other, "mover": mover, "households": households, "entry": entry, "sponsor": sponsor}


def _report(world, level, state):
    unit = world["own"][level]
    mover = world["mover"][{"hamlet": _FRONT, "commune": _COMMUNE}[level]]
    report = open_report(actor=mover, unit=unit, year=YEAR, period="year")
    if state == "submitted":
        save_report(actor=mover, report=report, values={"highlights" if level == "commune" else "trees_planted": "3"})
        report = submit_report(actor=mover, report=report)
    return report


def _request(world, name, report):
    own = world["own"]
    hamlet, commune, entry = own["hamlet"], own["commune"], world["entry"]
    revision = {"expected_revision": report.revision} if report else {}
    return {
        "evaluations:open": ((), {"unit": hamlet.pk, "year": YEAR, "period": "half"}),
        "evaluations:save": ((report.pk if report else 0,), {**revision, "v_trees_planted": "7"}),
        "evaluations:submit": ((report.pk if report else 0,), revision),
        "evaluations:accept": ((report.pk if report else 0,), revision),
        "evaluations:return": ((report.pk if report else 0,), {**revision, "reason": "Thiếu số liệu"}),
        "evaluations:inspect": ((report.pk if report else 0,), {"inspected_on": f"20/12/{YEAR}", "team": "Đoàn MTTQ huyện",
                                                                 **{f"p_c{n}": "15" for n in range(1, 6)}}),
        "evaluations:roadmap": ((commune.pk, YEAR), {"t_great_unity_houses_year_1": "5"}),
        "evaluations:roadmap_copy": ((commune.pk, YEAR), {}),
        "evaluations:poor_add": ((hamlet.pk, YEAR), {"households": [world["households"][1].pk], "category": "near_poor"}),
        "evaluations:sponsor_add": ((hamlet.pk, YEAR, entry.pk), {"kind": "organisation", "name": "Đoàn thanh niên",
                                                                  "since": f"01/03/{YEAR}"}),
        "evaluations:support_add": ((hamlet.pk, YEAR, world["sponsor"].pk), {"kind": "Gạo", "value": "500000",
                                                                            "given_on": f"02/03/{YEAR}"}),
        "evaluations:poor_review": ((hamlet.pk, YEAR, entry.pk), {"result": "escaped", "reviewed_on": f"01/12/{YEAR}"}),
    }[name]


def _fingerprint():
    return (sum(Report.objects.values_list("case__revision", flat=True)), Report.objects.count(),
            tuple(Report.objects.order_by("pk").values_list("state", flat=True)), Inspection.objects.count(),
            tuple(RoadmapTarget.objects.values_list("target", flat=True)), PoorHousehold.objects.count(),
            tuple(PoorHousehold.objects.values_list("review_result", flat=True)), Sponsor.objects.count(),
            Support.objects.count())


PERSONAS = [(role, scope) for role in ROLE_LEVEL for scope in ("own", "other")] + [("outsider", None), ("anonymous", None)]


def _expected(name, role, scope):
    level, _state, allowed, _permission = WRITES[name]
    if role == "anonymous":
        return "login"
    if role == "outsider" or scope == "other" or ROLE_LEVEL[role] not in ABOVE[level]:
        return 404
    return "ok" if role in allowed else 403


@pytest.mark.parametrize("name", sorted(WRITES))
def test_evaluation_permission_matrix(world, name):
    level, state, _allowed, _permission = WRITES[name]
    report = _report(world, level, state) if state else None
    failures = []
    for role, scope in PERSONAS:
        with transaction.atomic():
            client = Client()
            if role not in ("anonymous",):
                user = UserFactory(username=f"p_{role}_{scope}")
                if role != "outsider":
                    grant_membership(user=user, unit=world[scope][ROLE_LEVEL[role]], role=role,
                                     since=datetime.date(2018, 1, 1))
                client.force_login(user)
            args, body = _request(world, name, report)
            before = _fingerprint()
            response = client.post(reverse(name, args=args), body)
            changed = _fingerprint() != before
            expected = _expected(name, role, scope)
            status = response.status_code
            if expected == "ok":
                problem = None if status == 302 and changed else f"expected the change, got {status} ({changed})"
            elif changed:
                problem = f"refused ({status}) but something changed"
            elif expected == "login":
                problem = None if status == 302 and "/accounts/login/" in response["Location"] else f"got {status}"
            else:
                problem = None if status == expected else f"expected {expected}, got {status}"
            transaction.set_rollback(True)
        if problem:
            failures.append(f"{role} on {scope} unit: {problem}")
    assert not failures, "\n".join(failures)


def test_dates_of_the_matrix_are_in_the_past():
    assert timezone.localdate().year > YEAR
