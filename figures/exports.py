"""The summary table a commune or a district sends up, as an .xlsx formatted for printing."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

THIN = Side(style="thin", color="999999")


def _table(sheet, title, headings, rows, widths):
    sheet.append([title])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
    sheet.append(headings)
    head_row = sheet.max_row
    for cell in sheet[head_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
        rate = sheet.cell(sheet.max_row, len(headings))
        rate.number_format = "0.00"
    for index, width in enumerate(widths, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width or 0, width)
    sheet.append([])
    return head_row


def summary_workbook(*, root, title_type, year, tables):
    """The tables (figures.kinds: by hamlet for a commune's households, by commune, by district, the total,
    the years) on one sheet, A4 landscape, fitted to the page width, the first table's headings repeated on
    every printed page."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet.append([_("%(title)s — %(unit)s — %(year)s") % {"title": title_type, "unit": root, "year": year}])
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.append([])
    heads = [_table(sheet, table.title, table.headings, table.values, table.widths) for table in tables]
    first = heads[0]
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{first}:{first}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
