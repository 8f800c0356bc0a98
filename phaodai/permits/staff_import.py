"""A staff list uploaded as CSV: each bad row reported (row, column, reason), every good row kept.

Headers may be English or the Vietnamese of the police form. A CCCD is taken exactly as written:
one that lost its leading zero in Excel is refused, never padded back (it would name someone else).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

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


def read_rows(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """The file's rows by line number, or a message saying why the file as a whole cannot be read."""
    if len(data) > MAX_BYTES:
        return [], _("The file is larger than 1 MB; split the list.")
    try:
        text = _decode(data)
    except DomainError as error:
        return [], str(error.detail)
    if "\x00" in text:
        return [], _("This is not a CSV text file.")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], _("The file is empty.")
    names = [_header_name(cell) for cell in header]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        return [], _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                return [], _("At most %(n)d people per file; split the list.") % {"n": MAX_ROWS}
            rows.append((line, {name: cell for name, cell in zip(names, cells, strict=False) if name}))
    except csv.Error:
        return [], _("The file is not valid CSV (check the quotes).")
    return rows, ""


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
