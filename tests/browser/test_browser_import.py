"""A commune officer imports a district-wide household file on a 360 px phone: the dry run's hamlet table and
refused rows stack into cards, nothing is wider than the screen, axe finds nothing; the corrected file imports."""

import datetime
import io
import os
from pathlib import Path

import pytest
from openpyxl import Workbook

from directory.models import Household, HouseholdChange, Role
from directory.services import grant_membership
from tests.factories import HouseholdFactory, UserFactory

from .support import MARKS, log_in
from .test_accessibility import AXE, axe_violations

pytestmark = MARKS

HEADINGS = ("Hamlet", "Household code", "Head of household", "Address", "Members", "Phone", "Active")


@pytest.fixture
def officer(district):
    user = UserFactory(username="can_bo_hai_xa")
    for commune in (district.commune, district.other_commune):
        grant_membership(user=user, unit=commune, role=Role.COMMUNE_OFFICER, since=datetime.date(2018, 1, 1))
    return user


def _xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADINGS))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return str(path)


def _shot(page, tmp_path, name):
    # Kept beside the test's files; BROWSER_SCREENSHOTS=<directory> keeps a copy to look at.
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_district_file_is_checked_then_imported_on_a_phone(live_server, phone, district, officer, tmp_path):
    HouseholdFactory(hamlet=district.hamlet, code="HH-A2", head_name="Trần Thị Hai", members=3, address="Tổ 2",
                     phone="")
    h, o, f = district.hamlet, district.other_hamlet, district.far_hamlet
    good = [(h.code, "HH-A1", "Lê Văn Một", "Tổ 1", 4, "0912345678", ""),
            (o.code, "HH-A2", "Trần Thị Hai", "Tổ 2", 3, "", ""),
            (f.name, "HH-C1", "Võ Thị Ba", "Tổ 4", 2, "", "")]
    bad = [*good, ("Ấp Không Có", "HH-X1", "Bùi Văn Sai", "", 2, "", ""), (h.code, "HH-X2", "Đỗ Thị Số", "", 0, "", "")]
    phone.context.add_init_script(path=str(AXE))
    log_in(phone, live_server, officer)
    phone.goto(f"{live_server.url}/households/import/")

    assert phone.locator("#id_hamlet option:checked").inner_text() == "Every hamlet the file names"
    phone.set_input_files("#id_sheet", _xlsx(tmp_path / "ds-loi.xlsx", bad))
    phone.click("text=Check the file (nothing is written yet)")

    main = phone.inner_text("main")
    assert "2 to add, 0 to change, 1 to move, 0 to deactivate, 0 to reactivate, 0 unchanged, 2 refused." in main
    row = phone.locator("table.stack tbody tr", has_text=o.name)
    # A stacked row labels each figure with its column's heading.
    assert row.locator("td[data-label='Move in']").inner_text() == "1"
    assert "No hamlet has the code or name “Ấp Không Có”" in main and "Members must be a whole number" in main
    assert phone.locator("button", has_text="Import these rows").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone) == []
    _shot(phone, tmp_path, "import-district-refused-360")

    phone.set_input_files("#id_sheet", _xlsx(tmp_path / "ds-dung.xlsx", good))
    phone.click("text=Check the file (nothing is written yet)")
    assert "2 to add, 0 to change, 1 to move" in phone.inner_text("main")
    _shot(phone, tmp_path, "import-district-dry-run-360")
    phone.click("button:has-text('Import these rows')")

    assert "Imported into 3 hamlets: 2 added, 0 changed, 1 moved" in phone.inner_text("main")
    assert Household.objects.get(code="HH-A2").hamlet == o
    assert HouseholdChange.objects.filter(source="ds-dung.xlsx").count() == 3
