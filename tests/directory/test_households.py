"""The office keeps the hamlet's household list: add, edit, move, deactivate, import from Excel."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from django.conf import settings

from directory import services, tasks
from directory.models import Household, HouseholdChange, HouseholdImport, Role
from directory.services import grant_membership
from tests.factories import HouseholdFactory, UserFactory


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _values(**overrides):
    return {"code": "HH-NEW-1", "head_name": "Nguyễn Văn An", "address": "Tổ 3", "members": 4,
            "phone": "0912345678", **overrides}


def _counts(result):
    """An import's result without its zeros and its hamlet-by-hamlet lines."""
    return {key: value for key, value in result.items() if key != "hamlets" and value}


def _sheet(rows, headings=("Household code", "Head of household", "Address", "Members", "Phone")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "ds-ho.xlsx"
    return out


def test_hamlet_head_adds_a_household_and_the_change_records_who_in_which_role(district, hamlet_head):
    household = services.add_household(actor=hamlet_head, hamlet=district.hamlet, values=_values())

    assert household.hamlet == district.hamlet and household.head_name == "Nguyễn Văn An"
    change = HouseholdChange.objects.get(household=household)
    assert (change.action, change.role, change.unit, change.actor) == (
        "created", Role.HAMLET_HEAD, district.hamlet, hamlet_head)
    assert change.changes["head_name"] == [None, "Nguyễn Văn An"]


@pytest.mark.parametrize("overrides, fragment", [
    ({"head_name": "  "}, "head of household is missing"),
    ({"members": 0}, "from 1 to 99 (got 0)"),
    ({"phone": "12345"}, "12345 is not a Vietnamese number"),
])
def test_invalid_household_is_refused_with_the_rule_and_nothing_is_written(district, hamlet_head, overrides,
                                                                          fragment):
    with pytest.raises(ValidationError) as refused:
        services.add_household(actor=hamlet_head, hamlet=district.hamlet, values=_values(**overrides))

    assert fragment in " ".join(refused.value.messages)
    assert not Household.objects.filter(code="HH-NEW-1").exists()
    assert not HouseholdChange.objects.exists()


def test_a_duplicate_code_is_refused_naming_it(district, hamlet_head):
    HouseholdFactory(hamlet=district.hamlet, code="HH-NEW-1")
    with pytest.raises(ValidationError, match="HH-NEW-1 is already used"):
        services.add_household(actor=hamlet_head, hamlet=district.hamlet, values=_values())


def test_another_hamlets_head_can_neither_edit_nor_open_the_household(client, district, hamlet_head,
                                                                      other_hamlet_head):
    household = HouseholdFactory(hamlet=district.hamlet, head_name="Trần Thị Bích")

    with pytest.raises(PermissionDenied):
        services.edit_household(actor=other_hamlet_head, household=household, values={"head_name": "Giả mạo"})
    client.force_login(other_hamlet_head)
    assert client.get(reverse("directory:household_edit", args=[household.pk])).status_code == 404
    assert client.get(reverse("directory:household_edit", args=[10**9])).status_code == 404
    household.refresh_from_db()
    assert household.head_name == "Trần Thị Bích"


def test_commune_officer_moves_a_household_between_its_hamlets_only_with_a_reason(district, commune_officer):
    household = HouseholdFactory(hamlet=district.hamlet)

    with pytest.raises(ValidationError, match="needs a reason"):
        services.edit_household(actor=commune_officer, household=household, values={}, hamlet=district.other_hamlet)
    household.refresh_from_db()
    assert household.hamlet == district.hamlet and not HouseholdChange.objects.exists()

    services.edit_household(actor=commune_officer, household=household, values={}, hamlet=district.other_hamlet,
                            reason="Chuyển nơi ở")
    household.refresh_from_db()
    assert household.hamlet == district.other_hamlet
    change = HouseholdChange.objects.get(household=household)
    assert change.action == "moved" and change.role == Role.COMMUNE_OFFICER and change.reason == "Chuyển nơi ở"
    with pytest.raises(PermissionDenied):  # the other commune's hamlet is not the officer's
        services.edit_household(actor=commune_officer, household=household, values={}, hamlet=district.far_hamlet,
                                reason="x")


def test_an_edit_that_changes_nothing_records_nothing_and_one_change_records_only_that_field(district, hamlet_head):
    household = HouseholdFactory(hamlet=district.hamlet, members=3, address="Tổ 1")

    services.edit_household(actor=hamlet_head, household=household, values={"members": 3, "address": "Tổ 1"})
    assert not HouseholdChange.objects.exists()
    services.edit_household(actor=hamlet_head, household=household, values={"members": 5})
    assert HouseholdChange.objects.get().changes == {"members": [3, 5]}


def test_deactivated_household_keeps_its_row_and_the_change_says_why(client, district, hamlet_head):
    household = HouseholdFactory(hamlet=district.hamlet)
    client.force_login(hamlet_head)

    response = client.post(reverse("directory:household_set_active", args=[household.pk]),
                           {"active": "0", "reason": "Chuyển đi tỉnh khác"}, follow=True)

    household.refresh_from_db()
    assert not household.active
    assert "was deactivated" in response.content.decode()
    change = HouseholdChange.objects.get(household=household)
    assert change.action == "deactivated" and change.reason == "Chuyển đi tỉnh khác"
    page = client.get(reverse("directory:household_edit", args=[household.pk])).content.decode()
    assert "Active: yes → no · Chuyển đi tỉnh khác" in page


def test_dry_run_says_row_by_row_what_would_happen_without_naming_another_hamlets_household(district,
                                                                                            hamlet_head):
    HouseholdFactory(hamlet=district.hamlet, code="HH-1", head_name="Lê Văn Cũ", members=2)
    HouseholdFactory(hamlet=district.other_hamlet, code="HH-OTHER", head_name="Bí Mật Hàng Xóm")
    rows = [(2, {"code": "HH-1", "head_name": "Lê Văn Cũ", "members": 3}),
            (3, {"code": "HH-2", "head_name": "Phạm Thị Mới", "members": 4}),
            (4, {"code": "HH-3", "head_name": "", "members": 2}),
            (5, {"code": "HH-2", "head_name": "Trùng Mã", "members": 1}),
            (6, {"code": "HH-OTHER", "head_name": "Ai Đó", "members": 1}),
            (7, {"code": "HH-4", "head_name": "Võ Văn Số", "members": 1, "phone": "09"})]

    plan = services.plan_household_import(actor=hamlet_head, hamlet=district.hamlet, rows=rows)

    assert [row.outcome for row in plan] == ["change", "add", "refused", "refused", "refused", "refused"]
    assert plan[0].changes == {"members": [2, 3]}
    assert "head of household is missing" in plan[2].problems[0]
    assert "also on row 3" in plan[3].problems[0]
    assert "HH-OTHER is already used" in plan[4].problems[0] and "Bí Mật" not in " ".join(plan[4].problems)
    assert "09 is not a Vietnamese number" in plan[5].problems[0]
    assert Household.objects.count() == 2


def test_a_file_with_a_refused_row_imports_nothing(district, hamlet_head):
    rows = [(2, {"code": "HH-2", "head_name": "Phạm Thị Mới", "members": 4}),
            (3, {"code": "HH-3", "head_name": "", "members": 2})]
    with pytest.raises(ValidationError, match="1 of 2 rows are refused .*row 3"):
        services.import_households(actor=hamlet_head, hamlet=district.hamlet, rows=rows)
    assert not Household.objects.exists() and not HouseholdChange.objects.exists()


@pytest.mark.parametrize("size", [10, 200])
def test_import_takes_a_bounded_number_of_queries_and_importing_again_changes_nothing(
        district, hamlet_head, django_assert_max_num_queries, size):
    HouseholdFactory.create_batch(size // 2, hamlet=district.hamlet)
    existing = list(Household.objects.filter(hamlet=district.hamlet))
    rows = [(i + 2, {"code": h.code, "head_name": h.head_name + " Mới", "address": h.address,
                     "members": h.members, "phone": h.phone}) for i, h in enumerate(existing)]
    rows += [(len(rows) + i + 2, {"code": f"IMP-{i}", "head_name": f"Hộ {i}", "members": 2}) for i in range(size // 2)]

    with django_assert_max_num_queries(14):
        result = services.import_households(actor=hamlet_head, hamlet=district.hamlet, rows=rows, source="a.xlsx")

    assert _counts(result) == {"added": size // 2, "changed": size // 2}
    assert HouseholdChange.objects.filter(action="created", source="a.xlsx").count() == size // 2
    again = services.import_households(actor=hamlet_head, hamlet=district.hamlet, rows=rows, source="a.xlsx")
    assert _counts(again) == {"unchanged": size}
    assert HouseholdChange.objects.count() == size


def test_web_import_checks_then_applies_once(client, district, hamlet_head):
    client.force_login(hamlet_head)
    url = reverse("directory:household_import")
    sheet = _sheet([("HH-10", "Đặng Văn Mười", "Tổ 2", 5, "0987654321"), ("HH-11", "Hồ Thị Mười Một", "", 3, "")])

    dry = client.post(url, {"hamlet": district.hamlet.pk, "sheet": sheet})

    page = dry.content.decode()
    assert dry.status_code == 200 and "2 to add, 0 to change, 0 to move, 0 to deactivate, 0 to reactivate, " \
        "0 unchanged, 0 refused." in page
    assert not Household.objects.exists()
    token = dry.context["pending"]["token"]
    applied = client.post(url, {"confirm": "1", "token": token}, follow=True)
    assert "2 added, 0 changed, 0 moved, 0 deactivated, 0 reactivated, 0 unchanged" in applied.content.decode()
    assert set(Household.objects.values_list("code", flat=True)) == {"HH-10", "HH-11"}
    twice = client.post(url, {"confirm": "1", "token": token}, follow=True)
    assert "already applied" in twice.content.decode()
    assert Household.objects.count() == 2


def test_a_file_that_is_not_a_workbook_or_lacks_the_headings_is_refused_with_the_reason(client, district,
                                                                                     hamlet_head):
    client.force_login(hamlet_head)
    url = reverse("directory:household_import")
    not_xlsx = io.BytesIO(b"%PDF-1.4 not a sheet")
    not_xlsx.name = "ds.xlsx"
    response = client.post(url, {"hamlet": district.hamlet.pk, "sheet": not_xlsx})
    assert "not an Excel workbook" in response.content.decode()
    headless = _sheet([("x", "y")], headings=("Mã", "Tên"))
    response = client.post(url, {"hamlet": district.hamlet.pk, "sheet": headless})
    assert "missing: Household code, Head of household" in response.content.decode()


def test_the_template_reads_back_with_the_headings_and_imports_as_is(client, district, hamlet_head):
    client.force_login(hamlet_head)
    response = client.get(reverse("directory:household_import_template"))
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == [
        "Hamlet", "Household code", "Head of household", "Address", "Members", "Phone", "Active"]
    # The hamlets sheet lists the downloader's own hamlets, with the code the Hamlet column takes.
    assert [[c.value for c in line] for line in book["Hamlets"].iter_rows(min_row=2)] == [
        [district.hamlet.code, district.hamlet.name, district.commune.name]]
    upload = io.BytesIO(response.content)
    upload.name = "mau.xlsx"
    dry = client.post(reverse("directory:household_import"), {"hamlet": district.hamlet.pk, "sheet": upload})
    assert "1 to add" in dry.content.decode()


def test_someone_without_a_hamlet_to_manage_gets_not_found(client, commune_chair, supervisor):
    for user in (commune_chair, supervisor):
        client.force_login(user)
        assert client.get(reverse("directory:households")).status_code == 404
        assert client.get(reverse("directory:household_import")).status_code == 404


@pytest.mark.parametrize("role, where, allowed", [
    (Role.HAMLET_HEAD, "hamlet", True), (Role.HAMLET_HEAD, "other_hamlet", False),
    (Role.HAMLET_FRONT_HEAD, "hamlet", False), (Role.COMMUNE_OFFICER, "commune", True),
    (Role.COMMUNE_OFFICER, "other_commune", False), (Role.COMMUNE_CHAIR, "commune", False),
    (Role.SUPERVISOR, "commune", False), (Role.DISTRICT_CHAIR, "district", False), (None, None, False),
])
def test_who_may_edit_a_household(client, district, role, where, allowed):
    household = HouseholdFactory(hamlet=district.hamlet, head_name="Trước")
    user = UserFactory(username=f"probe_{role}_{where}")
    if role:
        grant_membership(user=user, unit=getattr(district, where), role=role, since=datetime.date(2018, 1, 1))
    client.force_login(user)

    response = client.post(reverse("directory:household_edit", args=[household.pk]), {
        "hamlet": district.hamlet.pk, "code": household.code, "head_name": "Sau", "address": household.address,
        "members": household.members, "phone": household.phone, "reason": ""})

    household.refresh_from_db()
    assert (household.head_name == "Sau") is allowed
    assert response.status_code == (302 if allowed else 404)
    assert HouseholdChange.objects.exists() is allowed


def test_the_household_list_finds_a_name_typed_without_diacritics(client, district, hamlet_head):
    HouseholdFactory(hamlet=district.hamlet, head_name="Nguyễn Thị Đào")
    HouseholdFactory(hamlet=district.hamlet, head_name="Lê Văn Tám")
    client.force_login(hamlet_head)

    page = client.get(reverse("directory:households"), {"hamlet": district.hamlet.pk, "q": "nguyen thi dao"})

    assert [h.head_name for h in page.context["page"]] == ["Nguyễn Thị Đào"]


def test_the_admin_shows_every_record_to_the_superuser_and_lets_only_units_be_edited(client, district):
    superuser = UserFactory(username="quan_tri", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    unregistered = []
    for app in ("directory", "titles", "workflows", "notifications"):
        for model in apps.get_app_config(app).get_models():
            if model not in admin.site._registry:
                unregistered.append(model.__name__)
                continue
            info = (model._meta.app_label, model._meta.model_name)
            assert client.get(reverse("admin:%s_%s_changelist" % info)).status_code == 200, model
    assert not unregistered
    assert client.get(reverse("admin:directory_unit_add")).status_code == 200
    for read_only in ("workflows_dossier", "titles_award", "workflows_auditevent", "directory_household"):
        assert client.get(reverse(f"admin:{read_only}_add")).status_code == 403


def test_a_large_file_is_applied_by_the_worker_and_its_author_follows_the_progress(client, district, hamlet_head,
                                                                                 other_hamlet_head, settings, monkeypatch,
                                                                                 django_capture_on_commit_callbacks):
    settings.HOUSEHOLD_IMPORT_SYNC_ROWS = 2  # "large" for the test: three rows go to the worker
    # The worker, in this process: `apply` runs the task here whether or not a broker is configured (CI has one).
    monkeypatch.setattr(tasks.apply_household_import, "delay",
                        lambda pk: tasks.apply_household_import.apply(args=(pk,)))
    client.force_login(hamlet_head)
    url = reverse("directory:household_import")
    sheet = _sheet([(f"HH-W{i}", f"Hộ Thứ {i}", "", 2, "") for i in range(3)])
    token = client.post(url, {"hamlet": district.hamlet.pk, "sheet": sheet}).context["pending"]["token"]

    with django_capture_on_commit_callbacks(execute=True) as sent:  # the task goes out after the commit
        waiting = client.post(url, {"confirm": "1", "token": token}, follow=True)

    assert len(sent) == 1 and "refreshes by itself" in waiting.content.decode()
    job = HouseholdImport.objects.get()
    response = client.get(reverse("directory:household_import_progress", args=[job.pk]))
    assert job.status == "applied" and _counts(job.result) == {"added": 3}
    assert Household.objects.filter(code__startswith="HH-W").count() == 3
    assert "3 added, 0 changed, 0 moved, 0 deactivated, 0 reactivated, 0 unchanged." in response.content.decode()
    assert services.run_household_import(job.pk, max_rows=10) is None  # a redelivered task does nothing
    assert Household.objects.filter(code__startswith="HH-W").count() == 3
    client.force_login(other_hamlet_head)
    assert client.get(reverse("directory:household_import_progress", args=[job.pk])).status_code == 404
