"""A staff list uploaded as CSV or Excel (.xlsx): each bad row reported (row, column, reason), every
good row kept.

Headers may be English or the Vietnamese of the police form. A CCCD is taken exactly as written:
one that lost its leading zero in Excel is refused, never padded back (it would name someone else).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from phaodai.core.bulk import files
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import DomainError
from phaodai.core.text import search_key
from phaodai.permits import services
from phaodai.permits.models import Organisation

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
COLUMNS = (
    "full_name",
    "cccd",
    "birth_year",
    "job",
    "group",
    "purpose",
    "zones",
    "route",
    "plate",
    "valid_from",
    "valid_to",
)
REQUIRED = ("full_name", "cccd", "birth_year", "group", "purpose", "valid_from", "valid_to")
# Header spellings accepted, compared without diacritics, case or spaces.
_ALIASES = {
    "full_name": ("full_name", "name", "ho va ten", "ho ten"),
    "cccd": ("cccd", "so cccd", "cccd/cmnd", "so cccd/cmnd", "citizen id"),
    "birth_year": ("birth_year", "nam sinh", "year of birth"),
    "job": ("job", "role", "chuc vu", "nghe nghiep", "chuc vu/nghe nghiep"),
    "group": ("group", "nhom"),
    "purpose": ("purpose", "muc dich", "ly do"),
    "zones": ("zones", "khu vuc", "dia ban"),
    "route": ("route", "lo trinh", "tuyen duong"),
    "plate": ("plate", "bien so", "bien so xe", "bien kiem soat"),
    "valid_from": ("valid_from", "tu ngay", "from"),
    "valid_to": ("valid_to", "den ngay", "to"),
}
_HEADER_KEYS = {
    " ".join(search_key(alias).replace("_", " ").split()): name
    for name, aliases in _ALIASES.items()
    for alias in aliases
}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file (the header is line 1)
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    already: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def rejected_rows(self) -> int:
        return len({error.row for error in self.errors})


def _header_name(raw: str) -> str | None:
    return _HEADER_KEYS.get(" ".join(search_key(raw.strip().lstrip("\ufeff")).replace("_", " ").split()))


def _date(raw: str, column: str) -> date:
    text = raw.strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise services.invalid(_("Write the date as dd/mm/yyyy."), column)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise services.invalid(
            _("Save the file as CSV UTF-8 (Excel: CSV UTF-8 (Comma delimited))."), "file"
        ) from None


def _cell_text(value: object) -> str:
    """An Excel cell as the CSV would have written it: dates dd/mm/yyyy, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _workbook_records(data: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet's non-empty rows as text, by the sheet's row number (the zip-bomb check first)."""
    from openpyxl import load_workbook  # slow to import; only spreadsheets need it

    stream = io.BytesIO(data)
    files.check_xlsx_archive(stream)
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, KeyError, its own InvalidFileException, XML errors
        raise services.invalid(
            _("The file could not be opened as an Excel workbook (.xlsx)."), "file"
        ) from None
    try:
        records = []
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            if any(cell.strip() for cell in cells):
                records.append((number, cells))
                if len(records) > MAX_ROWS + 1:
                    break
        return records
    except Exception:  # a sheet's XML is parsed lazily: a damaged sheet fails here
        raise services.invalid(_("The workbook is damaged; save it again and upload it."), "file") from None
    finally:
        workbook.close()


def read_rows(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """The file's rows by line number, or a message saying why the file as a whole cannot be read."""
    if len(data) > MAX_BYTES:
        return [], _("The file is larger than 1 MB; split the list.")
    if data.startswith(files.OLE_MAGIC):
        return [], str(files.old_excel().detail)
    try:
        records = _workbook_records(data) if data.startswith(files.ZIP_MAGIC) else _csv_records(data)
    except DomainError as error:
        return [], str(error.detail)
    if not records:
        return [], _("The file is empty.")
    (_line, header), body = records[0], records[1:]
    names = [_header_name(cell) for cell in header]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        return [], _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}
    if len(body) > MAX_ROWS:
        return [], _("At most %(n)d people per file; split the list.") % {"n": MAX_ROWS}
    rows = [
        (line, {name: cell for name, cell in zip(names, cells, strict=False) if name}) for line, cells in body
    ]
    return rows, ""


def _csv_records(data: bytes) -> list[tuple[int, list[str]]]:
    """The CSV's non-empty lines, by line number (at most one past the row limit is read)."""
    text = _decode(data)
    if "\x00" in text:
        raise services.invalid(_("This is not a CSV text file."), "file")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    records = []
    try:
        for line, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            if any(cell.strip() for cell in cells):
                records.append((line, cells))
                if len(records) > MAX_ROWS + 1:
                    break
    except csv.Error:
        raise services.invalid(_("The file is not valid CSV (check the quotes)."), "file") from None
    return records


def import_staff_list(
    *, by: Any, organisation: Organisation, data: bytes, clock: Clock = now
) -> ImportReport:
    """Check every row, report each bad one, and submit the good ones (idempotently)."""
    services.require_submitter(by, organisation)
    report = ImportReport()
    rows, problem = read_rows(data)
    if problem:
        report.file_error = problem
        return report
    today = local_date(clock())
    zones = services.ZoneCache()
    seen: dict[str, int] = {}
    good: list[services.CleanRow] = []
    for line, cells in rows:
        try:
            row = services.StaffRow(
                full_name=cells.get("full_name", ""),
                cccd=cells.get("cccd", ""),
                birth_year=cells.get("birth_year", ""),
                group=cells.get("group", ""),
                purpose=cells.get("purpose", ""),
                valid_from=_date(cells.get("valid_from", ""), "valid_from"),
                valid_to=_date(cells.get("valid_to", ""), "valid_to"),
                job=cells.get("job", ""),
                zones=cells.get("zones", ""),
                route=cells.get("route", ""),
                plate=cells.get("plate", ""),
            )
            clean = services.clean_row(row, today=today, zones=zones)
        except DomainError as error:
            report.errors.append(RowError(line, error.field or "", str(error.detail)))
            continue
        key = clean.number  # one line per person in a list
        if key in seen:
            message = _("The same person (CCCD) as line %(line)d.") % {"line": seen[key]}
            report.errors.append(RowError(line, "cccd", message))
            continue
        seen[key] = line
        good.append(clean)
    for submitted in services.submit_clean_rows(by=by, organisation=organisation, rows=good, clock=clock):
        if submitted.created:
            report.created += 1
        else:
            report.already += 1
    return report


def template_csv() -> str:
    """An empty list with the English headers and one example row, for officers to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "Nguyễn Văn An",
            "001085012345",
            "1985",
            "Lái xe",
            "2",
            "Vận chuyển hàng thiết yếu",
            "004 001",
            "",
            "29C-123.45",
            "06/09/2021",
            "15/09/2021",
        ]
    )
    return out.getvalue()
