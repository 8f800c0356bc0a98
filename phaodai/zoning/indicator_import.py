"""A ward's indicator values from CSV or XLSX: one row per area and observation time, with a report.

Decisions:
- the file is wide: an area column (full code 00139-TDP01 or local code TDP01), one column per indicator
  (its code or a Vietnamese/English header, see COLUMN_ALIASES) and an optional `as_of` column; a row
  without an as_of takes the time given in the form, and a file may hold several observation times:
  rows are grouped by as_of and each group is entered at once (enter_indicators takes one as_of);
- the header is the first of the first 10 non-empty rows naming the area column and one indicator;
- a blank cell means "no value"; a bad cell is reported (row, column, reason) and the row's other
  values are kept, as each indicator is observed on its own;
- the same area at the same as_of in two rows: the first row wins, the later ones are reported;
- CSV: UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1258; delimiter `,` `;` or tab.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core.clock import HANOI, Clock, now, plausible
from phaodai.core.errors import DomainError
from phaodai.core.jurisdiction import require_within
from phaodai.territory import selectors as territory
from phaodai.territory.imports import (
    MissingColumns,
    ParsedRows,
    SheetLayout,
    TooManyRows,  # noqa: F401 - raised by read_sheet for this module's row cap; callers catch it here
    Upload,
    read_sheet,
)
from phaodai.territory.rules import CellError, fold
from phaodai.zoning import rules
from phaodai.zoning.authoring import IndicatorEntry, enter_indicators
from phaodai.zoning.errors import criteria_message
from phaodai.zoning.forms_authoring import ENTERABLE_ORDER, INDICATOR_NAMES, indicator_label

MAX_DATA_ROWS = 5000
HEADER_SEARCH_ROWS = 10
AREA, AS_OF = "area", "as_of"
AS_OF_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
)

# Headers each column is known by (compared folded: no case, diacritics or punctuation), Vietnamese first.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    AREA: (
        "Mã khu vực",
        "Mã KV",
        "Mã",
        "Mã tổ dân phố",
        "Khu vực",
        "area code",
        "code",
        "local code",
    ),
    AS_OF: (
        "Thời điểm",
        "Thời điểm số liệu",
        "Số liệu tính đến",
        "Tính đến",
        "Ngày",
        "Ngày giờ",
        "observed at",
        "date",
    ),
    "community_cases_7d": ("Số ca cộng đồng 7 ngày", "Ca cộng đồng 7 ngày", "F0 cộng đồng 7 ngày"),
    "community_cases_14d": ("Số ca cộng đồng 14 ngày", "Ca cộng đồng 14 ngày", "F0 cộng đồng 14 ngày"),
    "unknown_source_cases_14d": (
        "Số ca không rõ nguồn lây 14 ngày",
        "Số ca chưa rõ nguồn lây 14 ngày",
        "Ca không rõ nguồn 14 ngày",
    ),
    "cases_per_100k_7d": (
        "Số ca mới trên 100.000 dân 7 ngày",
        "Số ca/100.000 dân/tuần",
        "Ca trên 100.000 dân",
    ),
    "days_since_last_community_case": (
        "Số ngày từ ca cộng đồng cuối",
        "Số ngày không có ca mới",
        "Số ngày kể từ ca cộng đồng cuối cùng",
    ),
    "lockdown_active": ("Đang phong tỏa", "Phong tỏa", "Lockdown"),
    "tests_7d": ("Số xét nghiệm 7 ngày", "Số mẫu xét nghiệm 7 ngày", "Xét nghiệm 7 ngày"),
    "test_positivity_7d_pct": (
        "Tỷ lệ dương tính 7 ngày",
        "Tỉ lệ dương tính 7 ngày",
        "Tỷ lệ xét nghiệm dương tính",
    ),
    "first_dose_18plus_pct": ("Tỷ lệ tiêm mũi 1 từ 18 tuổi", "Tỷ lệ tiêm mũi 1", "Tỉ lệ tiêm mũi 1"),
    "full_dose_65plus_pct": (
        "Tỷ lệ tiêm đủ liều từ 65 tuổi",
        "Tỷ lệ 65 tuổi tiêm đủ liều",
        "Tỉ lệ tiêm đủ liều 65",
    ),
    "treatment_capacity_met": ("Đáp ứng năng lực điều trị", "Năng lực điều trị", "Đủ năng lực điều trị"),
}
# Columns a template or a ward's own sheet may carry that are simply not read (no note about them).
KNOWN_UNUSED = ("Tên", "Tên khu vực", "STT", "TT", "name", "area name", "no")


def _header_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for column, aliases in COLUMN_ALIASES.items():
        names = [column, *aliases]
        if column in INDICATOR_NAMES:
            names.append(INDICATOR_NAMES[column])
        for name in names:
            keys.setdefault(fold(name), column)
    return keys


HEADER_KEYS = _header_keys()
UNUSED_KEYS = frozenset(fold(name) for name in KNOWN_UNUSED)


def header_column(header: str) -> str | None:
    return HEADER_KEYS.get(fold(header))


@dataclass
class IndicatorPlan:
    """Entries grouped by observation time, each with its row number, and the reasons for the rest."""

    groups: dict[datetime, list[tuple[int, IndicatorEntry]]]
    errors: list[CellError]
    blank_rows: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    values_saved: int
    rows_read: int
    observed: list[datetime]
    errors: list[CellError]
    blank_rows: int
    notes: list[str]

    @property
    def refused_rows(self) -> int:
        return len({error.row for error in self.errors})


# Reading --------------------------------------------------------------------------------------


def read_indicator_file(upload: Upload, *, limit: int) -> ParsedRows:
    """Rows of a CSV or XLSX indicator sheet, keyed by column, with the file's row numbers."""
    return read_sheet(upload, limit=limit, layout=SheetLayout(_find_header, MAX_DATA_ROWS))


def _find_header(records: Iterator[tuple[int, Sequence[Any]]]) -> tuple[int, dict[str, int], list[str]]:
    seen = 0
    for number, record in records:
        headers = ["" if value is None else str(value).strip() for value in record]
        if not any(headers):
            continue
        seen += 1
        positions: dict[str, int] = {}
        ignored: list[str] = []
        for index, header in enumerate(headers):
            column = header_column(header) if header else None
            if column is None or column in positions:
                if header and fold(header) not in UNUSED_KEYS:
                    ignored.append(header)
                continue
            positions[column] = index
        if AREA in positions and any(column in rules.ENTERABLE for column in positions):
            return number, positions, ignored
        if seen >= HEADER_SEARCH_ROWS:
            break
    raise MissingColumns(
        _(
            "No header row names the area column (e.g. “Mã khu vực”, area) and at least one indicator column "
            "(e.g. community_cases_7d, “Số ca cộng đồng 7 ngày”); download the template to see them."
        ),
        field="file",
    )


# Checking -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_as_of(value: Any) -> datetime:
    """An observation time from a cell: an Excel date/time, or text dd/mm/yyyy [hh:mm]; Hà Nội time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    else:
        text = _text(value)
        for pattern in AS_OF_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(text) from None
    if not plausible(moment):
        raise ValueError(str(value))
    return moment.replace(tzinfo=HANOI) if timezone.is_naive(moment) else moment


def plan_indicators(
    parsed: ParsedRows, *, ward: Any, areas: Sequence[Any], default_as_of: datetime | None, at: datetime
) -> IndicatorPlan:
    """Check every row against the ward's areas; write nothing."""
    plan = IndicatorPlan(groups={}, errors=[], notes=list(parsed.notes))
    by_code = {area.code.upper(): area for area in areas}
    by_local = {area.local_code.upper(): area for area in areas}
    indicators = [column for column in parsed.columns if column in rules.ENTERABLE]
    first_row: dict[tuple[int, datetime], int] = {}
    for number, cells in parsed.rows:
        if all(_text(value) == "" for value in cells.values()):
            plan.blank_rows += 1
            continue
        area = _area(number, cells.get(AREA), ward, by_code, by_local, plan.errors)
        as_of = _as_of(number, cells.get(AS_OF), default_as_of, at, plan.errors)
        if area is None or as_of is None:
            continue
        if (area.pk, as_of) in first_row:
            reason = _("Area %(area)s at this time is already given by row %(row)d.") % {
                "area": area.local_code,
                "row": first_row[(area.pk, as_of)],
            }
            plan.errors.append(CellError(number, AREA, reason, area.code))
            continue
        first_row[(area.pk, as_of)] = number
        entries = []
        for indicator in indicators:
            raw = cells.get(indicator)
            if _text(raw) == "":
                continue
            try:
                value = rules.clean_value(indicator, _cell_value(indicator, raw))
            except rules.CriteriaError as error:
                plan.errors.append(CellError(number, indicator, criteria_message(error), _text(raw)))
                continue
            entries.append((number, IndicatorEntry(area, indicator, value)))
        if not entries and not any(e.row == number for e in plan.errors):
            plan.errors.append(CellError(number, "", _("The row holds no indicator value.")))
        plan.groups.setdefault(as_of, []).extend(entries)
    return plan


def _cell_value(indicator: str, raw: Any) -> Any:
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)  # Excel hands whole numbers over as floats; 1.0 is the flag 1
    if isinstance(raw, str):
        raw = raw.strip()
        if rules.INDICATORS[indicator] == rules.PERCENT and raw.endswith("%"):
            raw = raw[:-1].strip()
    return raw


def _area(
    number: int,
    value: Any,
    ward: Any,
    by_code: dict[str, Any],
    by_local: dict[str, Any],
    errors: list[CellError],
) -> Any:
    code = _text(value).upper()
    if not code:
        errors.append(CellError(number, AREA, _("The area code is missing.")))
        return None
    area = by_code.get(code) or by_local.get(code)
    if area is None:
        prefix = code.split("-", 1)[0]
        reason = (
            _("Area %(code)s belongs to another ward; import it in that ward.")
            if "-" in code and prefix.isascii() and prefix.isdigit() and prefix != ward.code
            else _("No active area of %(ward)s has the code %(code)s.")
        ) % {"code": _text(value), "ward": ward.name}
        errors.append(CellError(number, AREA, reason, _text(value)))
    return area


def _as_of(
    number: int, value: Any, default: datetime | None, at: datetime, errors: list[CellError]
) -> datetime | None:
    if _text(value) == "":
        if default is None:
            errors.append(CellError(number, AS_OF, _("Give the time of observation here or in the form.")))
        return default
    try:
        moment = parse_as_of(value)
    except ValueError:
        errors.append(CellError(number, AS_OF, _("Write the time as dd/mm/yyyy hh:mm."), _text(value)))
        return None
    if moment > at:
        errors.append(
            CellError(number, AS_OF, _("The values cannot be observed in the future."), _text(value))
        )
        return None
    return moment


# Writing --------------------------------------------------------------------------------------


def import_indicator_file(
    *, ward: Any, by: Any, upload: Upload, default_as_of: datetime | None = None, clock: Clock = now
) -> ImportReport:
    """Read a ward's indicator sheet and enter every valid value, one call per observation time."""
    require_within(
        by, Perm.ENTER_INDICATORS, path=ward.path, object_type="territory.unit", object_id=ward.code
    )
    parsed = read_indicator_file(upload, limit=settings.PHAODAI_MAX_UPLOAD_BYTES)
    areas = list(territory.areas_of(ward))
    plan = plan_indicators(parsed, ward=ward, areas=areas, default_as_of=default_as_of, at=clock())
    errors, saved, observed = list(plan.errors), 0, []
    for as_of, items in sorted(plan.groups.items()):
        if not items:
            continue
        try:
            saved += len(
                enter_indicators(by=by, entries=[entry for _row, entry in items], as_of=as_of, clock=clock)
            )
        except DomainError as error:  # nothing of this group was written; say so on each of its rows
            errors.extend(CellError(row, "", str(error.detail)) for row in sorted({row for row, _e in items}))
            continue
        observed.append(as_of)
    errors.sort(key=lambda error: (error.row, error.column))
    return ImportReport(
        values_saved=saved,
        rows_read=len(parsed.rows) - plan.blank_rows,
        observed=observed,
        errors=errors,
        blank_rows=plan.blank_rows,
        notes=plan.notes,
    )


def template_rows(areas: Sequence[Any], as_of: datetime) -> Iterator[list[str]]:
    """The template's header (codes) and one line per area with its code and name, values blank."""
    stamp = timezone.localtime(as_of, HANOI).strftime("%d/%m/%Y %H:%M")
    yield [AREA, "name", *ENTERABLE_ORDER, AS_OF]
    for area in areas:
        yield [area.local_code, area.name, *("" for _ in ENTERABLE_ORDER), stamp]


def column_label(column: str) -> str:
    if column == AREA:
        return _("Area")
    if column == AS_OF:
        return _("Observed at")
    return indicator_label(column) if column else ""
