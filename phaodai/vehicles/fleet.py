"""A transport company's fleet registered for the green lane from one CSV file.

Each good row becomes a registration (in its own transaction, so nothing valid is lost); each bad one
is reported with its row, column and reason: a plate that is not Vietnamese, a plate twice in the file,
a plate already registered with other details, a bad date. Re-sending the same file registers nothing
twice (rows already registered come back as "already registered").
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.utils.translation import gettext as _

from phaodai.core.bulk.reader import HeaderSpec, delimiter_of, find_header
from phaodai.core.clock import Clock, at_local, now, read_local_date
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.core.text import search_key
from phaodai.vehicles import common
from phaodai.vehicles.green_lane import register_green_lane

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("plate", "operator", "cargo", "route", "valid_from", "valid_to")
REQUIRED = ("plate", "cargo", "route", "valid_from", "valid_to")
# Header spellings, compared without diacritics or case: Vietnamese first, English accepted.
ALIASES = {
    "plate": ("bien so", "bien kiem soat", "bks", "plate"),
    "operator": ("don vi van tai", "doanh nghiep", "cong ty", "operator"),
    "cargo": ("hang hoa", "loai hang", "cargo"),
    "route": ("lo trinh", "tuyen duong", "route"),
    "valid_from": ("tu ngay", "hieu luc tu", "valid from", "valid_from"),
    "valid_to": ("den ngay", "hieu luc den", "valid to", "valid_to"),
}
_COLUMN_OF = {alias: column for column, aliases in ALIASES.items() for alias in aliases}


def _column_of(header: str) -> str | None:
    return _COLUMN_OF.get(" ".join(search_key(header).replace("_", " ").split()))


SPEC = HeaderSpec(
    columns=REQUIRED,
    column_of=lambda header: _column_of(header) or "",
    hint="Biển số, Hàng hóa, Lộ trình, Từ ngày, Đến ngày (Đơn vị vận tải: optional)",
)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class FleetResult:
    created: list[Any] = field(default_factory=list)
    already: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            _("The file is larger than 1 MB; split the fleet into several files."), field="file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            _("The file is not UTF-8 text; in Excel choose Save As → CSV UTF-8."), field="file"
        ) from None


def _day(value: str, column: str) -> date:
    day = read_local_date(value or "")
    if day is None:
        raise InvalidInput(_("Give the date as dd/mm/yyyy, e.g. 15/09/2021."), field=column)
    return day


def _records(text: str) -> list[tuple[int, list[str]]]:
    if "\x00" in text:
        raise InvalidInput(_("The file holds characters that are not text."), field="file")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=delimiter_of(first), strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            records.append((reader.line_num, record))
            if len(records) > MAX_ROWS + 10:
                raise InvalidInput(
                    _("At most %(limit)s vehicles per file.") % {"limit": MAX_ROWS}, field="file"
                )
    except csv.Error:
        raise InvalidInput(
            _("Line %(line)s is not valid CSV (a stray quote?).") % {"line": reader.line_num}, field="file"
        ) from None
    return records


def import_fleet(
    *, by: Any, unit: Any, data: bytes, operator: Any = "", batch: str = "", clock: Clock = now
) -> FleetResult:
    """Register every good row of a fleet CSV; report the bad ones (row, column, reason)."""
    common.require_registrar(by, unit)
    records = _records(_decode(data))
    header_row, positions = find_header(iter(records), SPEC)
    header = next(record for number, record in records if number == header_row)
    for index, cell in enumerate(header):
        if _column_of(cell) == "operator":
            positions["operator"] = index
    default_operator = str(operator or "").strip()
    result = FleetResult()
    seen: dict[str, int] = {}
    for number, record in records:
        if number <= header_row or not any(cell.strip() for cell in record):
            continue
        cells = {column: (record[i] if i < len(record) else "") for column, i in positions.items()}
        try:
            plate = common.plate(cells["plate"])
            if plate in seen:
                raise InvalidInput(
                    _("This plate is already on row %(row)s of the file.") % {"row": seen[plate]},
                    field="plate",
                )
            seen[plate] = number
            start, end = _day(cells["valid_from"], "valid_from"), _day(cells["valid_to"], "valid_to")
            registration, created = register_green_lane(
                by=by,
                unit=unit,
                plate=plate,
                operator=cells.get("operator", "").strip() or default_operator,
                cargo=cells["cargo"],
                route=cells["route"],
                valid_from=at_local(start, time(0, 0)),
                valid_to=at_local(end + timedelta(days=1), time(0, 0)),
                batch=batch,
                clock=clock,
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            result.errors.append(RowError(number, error.field or "", str(error.detail)))
            continue
        (result.created if created else result.already).append(registration)
    return result
