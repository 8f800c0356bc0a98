"""A slot's reports as an XLSX workbook laid out for printing (one row per unit, the total in bold)."""

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from phaodai.core.clock import to_local
from phaodai.sitreps.models import Schedule
from phaodai.sitreps.rules import NUMERIC_KINDS
from phaodai.sitreps.selectors import SlotTable, localized

THOUSANDS = "#,##0"
HEADER_ROW = 4  # title, subtitle, a blank line, then the header
# A cell starting with one of these would be read by Excel as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
THIN = Side(style="thin", color="999999")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def safe_text(value: Any) -> str:
    """Text as typed, with an apostrophe in front when Excel would otherwise run it as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def slot_filename(schedule: Schedule, table: SlotTable) -> str:
    """e.g. bao-cao-ward-daily-1630-2021-09-08-1630.xlsx"""
    instance = table.instance
    return f"bao-cao-{schedule.code}-{instance.day.isoformat()}-{instance.slot.at:%H%M}.xlsx"


def _label(field: Any) -> str:
    unit_label = localized(field, "unit_label")
    label = localized(field, "label")
    return f"{label} ({unit_label})" if unit_label else label


def _status(submission: Any) -> str:
    if submission is None:
        return _("not reported")
    at = f"{to_local(submission.submitted_at):%H:%M %d/%m}"
    return (_("on time, %(at)s") if submission.on_time else _("late, %(at)s")) % {"at": at}


def _title(sheet: Worksheet, schedule: Schedule, table: SlotTable, title_unit: str, width: int) -> None:
    sheet["A1"] = safe_text(localized(schedule, "name"))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = safe_text(
        _("Slot %(slot)s · %(unit)s") % {"slot": table.instance.local_label, "unit": title_unit}
    )
    sheet["A2"].font = Font(italic=True)
    for row in (1, 2):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(width, 1))


def _header(sheet: Worksheet, labels: list[str]) -> None:
    fill = PatternFill("solid", fgColor="EEEEEE")
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=safe_text(label))
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = GRID
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")


def _printable(sheet: Worksheet, columns: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=2)
    sheet.column_dimensions["A"].width = 28
    for column in range(2, columns + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14


def slot_workbook(table: SlotTable, schedule: Schedule, *, title_unit: str) -> bytes:
    """The slot's numbers (first sheet) and the units' texts (second sheet), as XLSX bytes."""
    numeric = [f for f in table.fields if f.kind in NUMERIC_KINDS]
    texts = [f for f in table.fields if f.kind not in NUMERIC_KINDS]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Figures")[:31]
    labels = [_("Unit"), _("Reported"), *(_label(f) for f in numeric)]
    _title(sheet, schedule, table, title_unit, len(labels))
    _header(sheet, labels)
    row = HEADER_ROW
    for unit, submission in table.rows:
        row += 1
        values = submission.values if submission is not None else {}
        sheet.cell(row=row, column=1, value=safe_text(unit.full_name)).border = GRID
        sheet.cell(row=row, column=2, value=safe_text(_status(submission))).border = GRID
        for column, field in enumerate(numeric, start=3):
            cell = sheet.cell(row=row, column=column, value=values.get(field.code))
            cell.number_format = THOUSANDS
            cell.border = GRID
    row += 1
    bold = Font(bold=True)
    sheet.cell(row=row, column=1, value=_("TOTAL")).font = bold
    sheet.cell(row=row, column=2, value=safe_text(_("%(n)s of %(m)s reported") % _counts(table))).font = bold
    for column, field in enumerate(numeric, start=3):
        cell = sheet.cell(row=row, column=column, value=table.total.get(field.code))
        cell.font = bold
        cell.number_format = THOUSANDS
    for column in range(1, len(labels) + 1):
        sheet.cell(row=row, column=column).border = GRID
    _printable(sheet, len(labels))
    _text_sheet(book, schedule, table, title_unit, texts)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def _counts(table: SlotTable) -> dict[str, int]:
    return {"n": sum(1 for _unit, s in table.rows if s is not None), "m": len(table.rows)}


def _text_sheet(
    book: Workbook, schedule: Schedule, table: SlotTable, title_unit: str, texts: list[Any]
) -> None:
    sheet = book.create_sheet(_("Situation and proposals")[:31])
    labels = [_("Unit"), *(localized(f, "label") for f in texts)]
    _title(sheet, schedule, table, title_unit, len(labels))
    _header(sheet, labels)
    row = HEADER_ROW
    wrap = Alignment(wrap_text=True, vertical="top")
    for unit, submission in table.rows:
        row += 1
        values = submission.values if submission is not None else {}
        sheet.cell(row=row, column=1, value=safe_text(unit.full_name)).alignment = wrap
        for column, field in enumerate(texts, start=2):
            cell = sheet.cell(row=row, column=column, value=safe_text(values.get(field.code) or ""))
            cell.alignment = wrap
            cell.border = GRID
    _printable(sheet, len(labels))
    for column in range(2, len(labels) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 60
