"""The household list as the hamlets and communes exchange it: an .xlsx sheet, one household a row.

Reading only: what importing a sheet does is decided by directory.services.plan_household_import."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

# Column key -> its heading in the published template. Headings are matched in either language,
# and case and surrounding spaces do not matter, so a commune's own copy of the template still reads.
COLUMNS = {
    "code": gettext_lazy("Household code"),
    "head_name": gettext_lazy("Head of household"),
    "address": gettext_lazy("Address"),
    "members": gettext_lazy("Members"),
    "phone": gettext_lazy("Phone"),
}
REQUIRED = ("code", "head_name")


def _heading_keys():
    keys = {}
    for language in ("vi", "en"):
        with translation.override(language):
            for key, heading in COLUMNS.items():
                keys[str(heading).strip().lower()] = key
    for key in COLUMNS:
        keys[key] = key
    return keys


def template_workbook():
    """The published template: the headings, one example row, and a sheet that explains each column."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Households")
    sheet.append([str(heading) for heading in COLUMNS.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["HH-0001", "Nguyễn Văn An", "Tổ 1", 4, "0912345678"])
    for column, width in zip("ABCDE", (16, 28, 30, 10, 16)):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet(_("How to fill"))
    for line in (
        _("One household a row, under the headings of the first sheet; keep the headings."),
        _("Household code and head of household are required; a code is unique across the province."),
        _("Members: a whole number from 1 to 99. Phone: 0… or +84…, 9 to 11 digits, or empty."),
        _("A row whose code already exists in this hamlet updates that household; a new code adds one."),
        _("The import first shows what it would do, row by row; nothing is written until you confirm."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
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


def read_household_rows(upload, *, max_rows):
    """[(row number in the file, {column key: value})] from an uploaded .xlsx, or ValidationError saying
    what is wrong with the file itself (not a spreadsheet, headings missing, too many rows)."""
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
            raise ValidationError(_("The file has more than %(max)s households; split it by hamlet.")
                                  % {"max": max_rows})
        values = {}
        for key, index in positions.items():
            value = line[index] if index < len(line) else None
            values[key] = _members(value) if key == "members" else _cell_text(value)
        values.setdefault("members", 1)  # a list without the column: one member, as the form's default
        rows.append((number, values))
    book.close()
    return rows
