"""The household list as the hamlets and communes exchange it: an .xlsx sheet, one household a row.

Reading only: what importing a sheet does is decided by directory.services.plan_household_import."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

# Column key -> its heading in the published template. Headings are matched in either language,
# and case and surrounding spaces do not matter, so a commune's own copy of the template still reads.
COLUMNS = {
    "hamlet": gettext_lazy("Hamlet"),
    "code": gettext_lazy("Household code"),
    "head_name": gettext_lazy("Head of household"),
    "address": gettext_lazy("Address"),
    "members": gettext_lazy("Members"),
    "phone": gettext_lazy("Phone"),
    "active": pgettext_lazy("spreadsheet column", "Active"),
}
# Read when present, not in the template: a commune's own list that names hamlets like "Ấp 1" by name
# can say which commune's "Ấp 1" it means.
OPTIONAL_COLUMNS = {"commune": gettext_lazy("Commune")}
REQUIRED = ("code", "head_name")
# What the Active column may hold (any case); empty leaves the household as it is.
ACTIVE_WORDS = {True: ("yes", "y", "x", "1", "true", "có", "co"), False: ("no", "n", "0", "false", "không", "khong")}


def _heading_keys():
    keys = {}
    for language in ("vi", "en"):
        with translation.override(language):
            for key, heading in {**COLUMNS, **OPTIONAL_COLUMNS}.items():
                keys[str(heading).strip().lower()] = key
    for key in {**COLUMNS, **OPTIONAL_COLUMNS}:
        keys[key] = key
    return keys


def template_workbook(hamlets):
    """The published template: the headings, one example row, a sheet that explains each column, and a
    sheet listing `hamlets` (the ones the downloader manages) with the code to write in the Hamlet column."""
    hamlets = list(hamlets)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Households")
    sheet.append([str(heading) for heading in COLUMNS.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([hamlets[0].code if hamlets else "", "HH-0001", "Nguyễn Văn An", "Tổ 1", 4, "0912345678",
                  str(_("yes"))])
    for column, width in zip("ABCDEFG", (18, 16, 28, 30, 10, 16, 10)):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet(_("How to fill"))
    for line in (
        _("One household a row, under the headings of the first sheet; keep the headings."),
        _("Hamlet: the code (or the name) of the household's hamlet, from the sheet “Hamlets”; one file may "
          "list the households of every hamlet you manage. Leave it empty when you choose the hamlet on the "
          "import page."),
        _("Household code and head of household are required; a code is unique across the province."),
        _("Members: a whole number from 1 to 99. Phone: 0… or +84…, 9 to 11 digits, or empty."),
        _("Active: yes, or no for a household that moved away or ceased; empty leaves it as it is."),
        _("A row whose code already exists updates that household, and moves it when the row names another "
          "of your hamlets; a new code adds one."),
        _("The import first shows what it would do, hamlet by hamlet; nothing is written until you confirm."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    listing = book.create_sheet(_("Hamlets"))
    listing.append([str(_("Code")), str(_("Hamlet")), str(OPTIONAL_COLUMNS["commune"])])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for hamlet in hamlets:
        listing.append([hamlet.code, hamlet.name, hamlet.parent.name if hamlet.parent_id else ""])
    for column, width in zip("ABC", (20, 36, 36)):
        listing.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused_rows_workbook(rows):
    """The refused rows of a dry run (directory.services.ImportRow), each with its reasons, to correct the file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Refused rows"))
    sheet.append([str(_("Row")), str(COLUMNS["hamlet"]), str(COLUMNS["code"]), str(COLUMNS["head_name"]),
                  str(_("Reason"))])
    for row in rows:
        sheet.append([row.number, row.hamlet_text, row.values.get("code") or "", row.values.get("head_name") or "",
                      " ".join(row.problems)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _members(value):
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _cell_text(value)
    return int(text) if text.isdigit() else (text or None)


def _active(value):
    if value is None or isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    if not text:
        return None
    for answer, words in ACTIVE_WORDS.items():
        if text in words:
            return answer
    return text  # the service refuses the row, naming what it found


def read_household_rows(upload, *, max_rows):
    """[(row number in the file, {column key: value})] from an uploaded .xlsx, or ValidationError saying
    what is wrong with the file itself (not a spreadsheet, headings missing, too many rows). A column the
    file lacks is absent from every row's dict ("hamlet" absent: the import page names the hamlet)."""
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ValidationError(_("This file is not an Excel workbook (.xlsx): download the template and fill it.")) \
            from error
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None) or ()
    known = _heading_keys()
    positions = {}
    for index, heading in enumerate(header):
        key = known.get(_cell_text(heading).lower())
        if key and key not in positions:
            positions[key] = index
    missing = [str(COLUMNS[key]) for key in REQUIRED if key not in positions]
    if missing:
        raise ValidationError(_("The first row must hold the template's headings; missing: %(columns)s.")
                              % {"columns": ", ".join(missing)})
    rows = []
    for number, line in enumerate(lines, start=2):
        if not any(_cell_text(value) for value in line):
            continue  # blank lines between blocks of a hand-kept list
        if len(rows) >= max_rows:
            raise ValidationError(_("The file has more than %(max)s households; split it by commune or hamlet.")
                                  % {"max": max_rows})
        values = {}
        for key, index in positions.items():
            value = line[index] if index < len(line) else None
            if key == "members" and _cell_text(value) == "":
                continue  # as a file without the column: an existing household keeps its members, a new one has 1
            values[key] = (_members(value) if key == "members" else _active(value) if key == "active"
                           else _cell_text(value))
        rows.append((number, values))
    book.close()
    return rows
