"""A commune's or district's household file: a Hamlet column names each row's hamlet among the importer's;
the dry run counts what it would do hamlet by hamlet and lists every refused row with its reason."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from directory import services, spreadsheets, tasks
from directory.models import Household, HouseholdChange, HouseholdImport, Level, Role, UnitKind
from directory.services import grant_membership
from tests.factories import HouseholdFactory, UnitFactory, UserFactory

HEADINGS = ("Hamlet", "Household code", "Head of household", "Address", "Members", "Phone", "Active")


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def officer(district):
    """The culture officer of both communes of the district: a district-wide file is theirs to import."""
    user = UserFactory(username="can_bo_hai_xa")
    for commune in (district.commune, district.other_commune):
        grant_membership(user=user, unit=commune, role=Role.COMMUNE_OFFICER, since=datetime.date(2018, 1, 1))
    return user


@pytest.fixture
def outside(district):
    """A hamlet of another district, with a household: nobody here manages it."""
    other_district = UnitFactory(level=Level.DISTRICT, kind=UnitKind.HUYEN, name="Huyện Xa", parent=district.province)
    commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name="Xã Bí Ẩn", parent=other_district)
    hamlet = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name="Ấp Kín Đáo", code="KIN-01", parent=commune)
    HouseholdFactory(hamlet=hamlet, code="HH-KIN", head_name="Người Không Quen")
    return hamlet


def _sheet(rows, headings=HEADINGS, name="ds-huyen.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = name
    return out


def _rows(lines, headings=HEADINGS):
    """A file's rows as the reader gives them, without writing the workbook."""
    return spreadsheets.read_household_rows(_sheet(lines, headings), max_rows=100)


def _counts(counts):
    return {key: value for key, value in counts.items() if value}


@pytest.fixture
def households(district):
    return {
        "same": HouseholdFactory(hamlet=district.hamlet, code="HH-A1", head_name="Lê Văn Một", members=2,
                                 address="Tổ 1", phone=""),
        "moving": HouseholdFactory(hamlet=district.hamlet, code="HH-A2", head_name="Trần Thị Hai", members=3,
                                   address="Tổ 2", phone=""),
        "leaving": HouseholdFactory(hamlet=district.other_hamlet, code="HH-B1", head_name="Phạm Văn Ba", members=4,
                                    address="Tổ 3", phone=""),
        "back": HouseholdFactory(hamlet=district.far_hamlet, code="HH-C1", head_name="Võ Thị Bốn", members=1,
                                 address="Tổ 4", phone="", active=False),
    }


def _district_file(district):
    h, o, f = district.hamlet, district.other_hamlet, district.far_hamlet
    return [
        (h.code, "HH-A1", "Lê Văn Một", "Tổ 1", 5, "", ""),              # change: 2 → 5 members
        (h.code, "HH-A9", "Đỗ Văn Mới", "Tổ 9", 3, "0912345678", ""),    # add
        (o.name.upper(), "HH-A2", "Trần Thị Hai", "Tổ 2", 3, "", "yes"),  # move, hamlet named by its name
        (o.code, "HH-B1", "Phạm Văn Ba", "Tổ 3", 4, "", "no"),           # deactivate
        (f.code, "HH-C1", "Võ Thị Bốn", "Tổ 4", 1, "", "có"),            # reactivate
        (f.code, "HH-C2", "Ngô Văn Năm", "", 2, "", ""),                 # add
    ]


def test_the_dry_run_counts_each_hamlet_and_writes_nothing(district, officer, households):
    plan = services.plan_household_import(actor=officer, rows=_rows(_district_file(district)))

    assert [row.outcome for row in plan] == ["change", "add", "move", "deactivate", "reactivate", "add"]
    assert plan[2].changes == {"hamlet": [district.hamlet.name, district.other_hamlet.name]}
    assert plan[3].changes == {"active": [True, False]}
    by_hamlet = {tally.hamlet.pk: _counts(tally.counts) for tally in plan.hamlets}
    assert by_hamlet == {district.hamlet.pk: {"change": 1, "add": 1},
                         district.other_hamlet.pk: {"move": 1, "deactivate": 1},
                         district.far_hamlet.pk: {"reactivate": 1, "add": 1}}
    assert Household.objects.count() == 4 and not HouseholdChange.objects.exists()


def test_every_refused_row_says_why(district, officer, households, outside):
    h = district.hamlet
    plan = services.plan_household_import(actor=officer, rows=_rows([
        ("Ấp Không Có", "HH-X1", "Bùi Văn Sáu", "", 2, "", ""),
        (outside.code, "HH-X2", "Mai Thị Bảy", "", 2, "", ""),
        (h.code, "HH-X3", "Lý Văn Tám", "", 0, "", ""),
        (h.code, "HH-X4", "Hà Thị Chín", "", 2, "", ""),
        (h.code, "HH-X4", "Hà Thị Chín Bis", "", 2, "", ""),
        ("", "HH-X5", "Đào Văn Mười", "", 2, "", ""),
        (h.code, "HH-KIN", "Ai Đó", "", 2, "", ""),
        (h.code, "HH-X6", "Cao Văn Mười Một", "", 2, "", "maybe"),
        (h.code, "HH-X7", "Tô Thị Mười Hai", "", 2, "09", ""),
    ]))

    reasons = {row.values["code"]: " ".join(row.problems) for row in plan.refused}
    assert [row.outcome for row in plan] == ["refused"] * 3 + ["add"] + ["refused"] * 5
    assert "No hamlet has the code or name “Ấp Không Có”" in reasons["HH-X1"]
    assert f"“{outside.code}” is not a hamlet whose households you manage" in reasons["HH-X2"]
    assert "Members must be a whole number from 1 to 99 (got 0)" in reasons["HH-X3"]
    assert "The code HH-X4 is also on row 5." == reasons["HH-X4"]
    assert "The hamlet is missing" in reasons["HH-X5"]
    assert "The household code HH-KIN is already used." == reasons["HH-KIN"]
    assert "Active must be yes or no" in reasons["HH-X6"] and "(got maybe)" in reasons["HH-X6"]
    assert "09 is not a Vietnamese number" in reasons["HH-X7"]
    # Rows matched to no hamlet of the officer's are counted apart, under no hamlet's name.
    assert [(t.hamlet, _counts(t.counts)) for t in plan.hamlets] == [
        (district.hamlet, {"add": 1, "refused": 5}), (None, {"refused": 3})]


def test_refusals_disclose_nothing_of_the_units_the_importer_does_not_manage(client, district, commune_officer,
                                                                            outside):
    HouseholdFactory(hamlet=district.far_hamlet, code="HH-FAR", head_name="Hàng Xóm Xã Bên")
    client.force_login(commune_officer)
    sheet = _sheet([(district.far_hamlet.code, "HH-1", "Một", "", 2, "", ""),
                    (outside.code, "HH-2", "Hai", "", 2, "", ""),
                    (district.hamlet.code, "HH-FAR", "Ba", "", 2, "", ""),
                    (district.hamlet.code, "HH-KIN", "Bốn", "", 2, "", "")])

    page = client.post(reverse("directory:household_import"), {"hamlet": "", "sheet": sheet}).content.decode()

    assert page.count("is not a hamlet whose households you manage") == 2
    assert page.count("is already used") == 2
    for secret in (district.far_hamlet.name, district.other_commune.name, outside.name, outside.parent.name,
                   "Hàng Xóm Xã Bên", "Người Không Quen"):
        assert secret not in page
    assert not Household.objects.filter(code__in=["HH-1", "HH-2"]).exists()


def test_a_hamlet_name_shared_by_two_communes_needs_the_code_or_the_commune(district, officer):
    district.far_hamlet.name = district.hamlet.name
    district.far_hamlet.save()
    headings = (*HEADINGS, "Commune")
    rows = _rows([(district.hamlet.name, "HH-1", "Một", "", 2, "", "", ""),
                  (district.hamlet.name, "HH-2", "Hai", "", 2, "", "", district.other_commune.name),
                  (district.far_hamlet.code, "HH-3", "Ba", "", 2, "", "", "")], headings)

    plan = services.plan_household_import(actor=officer, rows=rows)

    assert "2 of the hamlets you manage are called" in plan[0].problems[0]
    assert plan[1].hamlet == district.far_hamlet and plan[2].hamlet == district.far_hamlet


def test_a_file_for_one_hamlet_refuses_a_row_naming_another_and_a_file_with_no_hamlet_column_needs_one(
        district, officer):
    rows = _rows([(district.other_hamlet.code, "HH-1", "Một", "", 2, "", ""), ("", "HH-2", "Hai", "", 2, "", "")])
    plan = services.plan_household_import(actor=officer, hamlet=district.hamlet, rows=rows)
    assert "but the file is imported into Ấp Đông Kinh" in plan[0].problems[0]
    assert plan[1].outcome == "add" and plan[1].hamlet == district.hamlet

    bare = _rows([("HH-1", "Một")], headings=("Household code", "Head of household"))
    with pytest.raises(ValidationError, match="The file has no Hamlet column"):
        services.plan_household_import(actor=officer, rows=bare)


def test_a_file_without_members_or_active_leaves_them_as_they_are(district, officer, households):
    rows = _rows([(district.hamlet.code, "HH-A1", "Lê Văn Một", "Tổ 1"), (district.hamlet.code, "HH-N", "Mới", "", "")],
                 headings=("Hamlet", "Household code", "Head of household", "Address", "Members"))

    services.import_households(actor=officer, rows=rows)

    assert Household.objects.get(code="HH-A1").members == 2 and not HouseholdChange.objects.filter(
        household__code="HH-A1").exists()
    assert Household.objects.get(code="HH-N").members == 1 and Household.objects.get(code="HH-N").active


def test_a_ceased_hamlet_is_named_as_ceased(district, officer):
    ceased = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name="Ấp Đã Nhập", code="OLD-1",
                         parent=district.commune, valid_to=datetime.date(2025, 6, 30))

    plan = services.plan_household_import(actor=officer, rows=_rows([(ceased.code, "HH-1", "Một", "", 2, "", "")]))

    assert plan[0].problems == ["“OLD-1” ceased on 30/06/2025: its households can no longer be changed."]


def test_applying_records_every_change_dated_in_the_role_and_again_changes_nothing(district, officer, households):
    rows = _rows(_district_file(district))

    result = services.import_households(actor=officer, rows=rows, source="ds-huyen.xlsx")

    assert _counts({k: v for k, v in result.items() if k != "hamlets"}) == {
        "added": 2, "changed": 1, "moved": 1, "deactivated": 1, "reactivated": 1}
    assert [line["hamlet"] for line in result["hamlets"]] == [
        str(h) for h in sorted([district.hamlet, district.other_hamlet, district.far_hamlet], key=lambda h: h.path)]
    by_code = {h.code: h for h in Household.objects.select_related("hamlet")}
    assert by_code["HH-A1"].members == 5
    assert by_code["HH-A2"].hamlet == district.other_hamlet
    assert by_code["HH-B1"].active is False and by_code["HH-C1"].active is True
    assert by_code["HH-A9"].hamlet == district.hamlet and by_code["HH-C2"].hamlet == district.far_hamlet
    changes = {c.household.code: c for c in HouseholdChange.objects.select_related("household", "unit")}
    assert {code: c.action for code, c in changes.items()} == {
        "HH-A1": "updated", "HH-A9": "created", "HH-A2": "moved", "HH-B1": "deactivated", "HH-C1": "reactivated",
        "HH-C2": "created"}
    assert changes["HH-A2"].changes == {"hamlet": [district.hamlet.name, district.other_hamlet.name]}
    for change in changes.values():
        assert change.actor == officer and change.role == Role.COMMUNE_OFFICER and change.at is not None
        assert change.source == "ds-huyen.xlsx"
    # The role recorded is held over the hamlet's commune: the far hamlet's changes were made as its officer.
    assert changes["HH-C2"].unit == district.other_commune and changes["HH-A9"].unit == district.commune

    again = services.import_households(actor=officer, rows=rows, source="ds-huyen.xlsx")

    assert _counts({k: v for k, v in again.items() if k != "hamlets"}) == {"unchanged": 6}
    assert HouseholdChange.objects.count() == 6


def test_one_refused_row_and_the_file_changes_nothing(district, officer, households):
    rows = _rows([*_district_file(district), ("Ấp Không Có", "HH-Z", "Sai Ấp", "", 2, "", "")])

    with pytest.raises(ValidationError, match="1 of 7 rows are refused .*row 8: No hamlet has"):
        services.import_households(actor=officer, rows=rows)

    assert Household.objects.count() == 4 and not HouseholdChange.objects.exists()
    assert Household.objects.get(code="HH-A2").hamlet == district.hamlet
    assert Household.objects.get(code="HH-B1").active is True


def _mixed_rows(district, size):
    """`size` rows over three hamlets of two communes: 2 in 5 added, the rest changed, moved, deactivated."""
    hamlets = [district.hamlet, district.other_hamlet, district.far_hamlet]
    existing = [HouseholdFactory(hamlet=hamlets[i % 3], code=f"OLD-{i:04d}", members=2, address="", phone="")
                for i in range(size - size * 2 // 5)]
    lines = []
    for i, household in enumerate(existing):
        kind = i % 3
        hamlet = hamlets[(i + 1) % 3] if kind == 1 else household.hamlet  # kind 1 moves to the next hamlet
        lines.append((hamlet.code, household.code, household.head_name, "", 3 if kind == 0 else 2, "",
                      "no" if kind == 2 else ""))
    lines += [(hamlets[i % 3].code, f"NEW-{i:04d}", f"Hộ Mới {i}", "", 2, "", "") for i in range(size * 2 // 5)]
    return lines


@pytest.mark.parametrize("size", [10, 100])
def test_the_queries_do_not_grow_with_the_rows(district, officer, django_assert_max_num_queries, size):
    rows = spreadsheets.read_household_rows(_sheet(_mixed_rows(district, size)), max_rows=size)

    # Grants, hamlets, memberships, households; then a savepoint, the same four (locking the households) and
    # one statement each to add, to update and to record, for up to IMPORT_BATCH rows.
    with django_assert_max_num_queries(4):
        plan = services.plan_household_import(actor=officer, rows=rows)
    with django_assert_max_num_queries(9):
        result = services.import_households(actor=officer, rows=rows, source="q.xlsx")

    assert not plan.refused and len(result["hamlets"]) == 3
    assert result["added"] == size * 2 // 5 and result["moved"] > 0 and result["deactivated"] > 0
    assert HouseholdChange.objects.count() == size


def test_the_web_import_of_a_district_file_shows_each_hamlet_then_applies(client, district, officer, households):
    client.force_login(officer)
    url = reverse("directory:household_import")

    dry = client.post(url, {"hamlet": "", "sheet": _sheet(_district_file(district))})

    page = dry.content.decode()
    assert "2 to add, 1 to change, 1 to move, 1 to deactivate, 1 to reactivate, 0 unchanged, 0 refused." in page
    assert page.count('data-label="Move in">1<') == 1 and district.far_hamlet.name in page
    assert not HouseholdChange.objects.exists()
    applied = client.post(url, {"confirm": "1", "token": dry.context["pending"]["token"]}, follow=True)
    assert "Imported into 3 hamlets: 2 added, 1 changed, 1 moved, 1 deactivated, 1 reactivated, 0 unchanged." \
        in applied.content.decode()
    assert HouseholdChange.objects.count() == 6


def test_the_refused_rows_download_with_their_reasons_for_this_session_only(client, district, officer,
                                                                         commune_officer):
    client.force_login(officer)
    lines = [("Ấp Không Có", f"HH-{i}", f"Hộ {i}", "", 2, "", "") for i in range(3)]
    lines.append((district.hamlet.code, "HH-OK", "Đúng", "", 2, "", ""))
    dry = client.post(reverse("directory:household_import"), {"hamlet": "", "sheet": _sheet(lines)})
    token = dry.context["pending"]["token"]
    assert "Import these rows" not in dry.content.decode()

    response = client.get(reverse("directory:household_import_refused"), {"token": token})

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    table = [[c.value for c in line] for line in sheet.iter_rows()]
    assert table[0] == ["Row", "Hamlet", "Household code", "Head of household", "Reason"]
    assert [line[:3] for line in table[1:]] == [[i + 2, "Ấp Không Có", f"HH-{i}"] for i in range(3)]
    assert all("No hamlet has the code or name" in line[4] for line in table[1:])
    client.force_login(commune_officer)
    assert client.get(reverse("directory:household_import_refused"), {"token": token}).status_code == 404


def test_a_large_district_file_is_applied_by_the_worker_hamlet_by_hamlet(client, district, officer, households,
                                                                       settings, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    settings.HOUSEHOLD_IMPORT_SYNC_ROWS = 2
    monkeypatch.setattr(tasks.apply_household_import, "delay",
                        lambda pk: tasks.apply_household_import.apply(args=(pk,)))
    client.force_login(officer)
    url = reverse("directory:household_import")
    token = client.post(url, {"hamlet": "", "sheet": _sheet(_district_file(district))}).context["pending"]["token"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": "1", "token": token})

    job = HouseholdImport.objects.get()
    assert job.hamlet is None and job.status == "applied" and job.result["moved"] == 1
    page = client.get(reverse("directory:household_import_progress", args=[job.pk])).content.decode()
    assert "every hamlet the file names" in page
    assert "2 added, 1 changed, 1 moved, 1 deactivated, 1 reactivated, 0 unchanged." in page
    assert page.count("<tr>") == 4  # the heading and a line per hamlet


def test_the_template_has_the_hamlet_column_and_lists_the_importers_hamlets(client, district, officer):
    client.force_login(officer)
    book = load_workbook(io.BytesIO(client.get(reverse("directory:household_import_template")).content))
    assert [c.value for c in book.worksheets[0][1]] == list(HEADINGS)
    assert [line[0].value for line in book["Hamlets"].iter_rows(min_row=2)] == [
        h.code for h in sorted([district.hamlet, district.other_hamlet, district.far_hamlet], key=lambda h: h.path)]


@pytest.mark.vietnamese
def test_a_file_with_vietnamese_headings_reads(district, officer):
    rows = _rows([(district.hamlet.code, "HH-1", "Một", "", 2, "", "Không")],
                 headings=("Ấp, khu phố", "Mã hộ", "Chủ hộ", "Địa chỉ", "Số nhân khẩu", "Điện thoại", "Đang theo dõi"))
    assert rows[0][1]["hamlet"] == district.hamlet.code and rows[0][1]["active"] is False
