"""Reading a ward's area list from CSV or XLSX into checked rows, with a reason for every refusal.

Reading and checking write nothing; services.import_areas writes the rows that pass.
Decisions (see also rules.parse_count):
- the header is the first of the first 10 non-empty rows that names all five columns;
- CSV: UTF-8 (with or without BOM) or UTF-16 with BOM; otherwise Windows-1258, unless the bytes are
  UTF-8 with a damaged character, which is refused rather than read as mojibake; the delimiter is
  whichever of `,` `;` tab the header line uses most (Excel's "sep=;" first line is honoured);
- local codes are text and kept as given; a code that equals a stored one but for leading zeros
  is refused, since Excel strips them;
- a local code or a name repeated in the file: the first row wins, the later ones are reported.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from phaodai.core.bulk.files import (  # noqa: F401 - shared with every import; re-exported for callers
    BINARY_MAGIC,
    OLE_MAGIC,
    TEXT_EXTENSIONS,
    XLSX_EXTENSIONS,
    ZIP_MAGIC,
    ImportFileError,
    MissingColumns,
    TooManyRows,
    UnreadableEncoding,
    UnsupportedFile,
    Upload,
    UploadTooLarge,
    read_limited,
    size_limit_text,
    sniff,
    too_large,
)
from phaodai.core.bulk.reader import delimiter_of
from phaodai.core.errors import DomainError
from phaodai.core.text import search_key
from phaodai.territory.rules import AREA_COLUMNS, AreaRow, CellError, header_field, zero_stripped
from phaodai.territory.validation import COLUMN_LABELS, Cell, is_blank, validate_row

MAX_DATA_ROWS = 5000
HEADER_SEARCH_ROWS = 10


@dataclass
class ParsedRows:
    """The data rows of a file, each as (row number in the file, cells by column)."""

    rows: list[tuple[int, dict[str, Cell]]]
    header_row: int
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


# Finds the header among the first records: (its row number, each column's position, headers not used).
HeaderFinder = Callable[[Iterator[tuple[int, Sequence[Any]]]], tuple[int, dict[str, int], list[str]]]


@dataclass(frozen=True)
class SheetLayout:
    """How to read one kind of sheet: where its header is, and how many data rows it may hold."""

    find_header: HeaderFinder
    max_rows: int


@dataclass
class AreaPlan:
    """Rows that passed every check that needs no database, and the reasons for the others."""

    rows: list[tuple[int, AreaRow]]
    errors: list[CellError]
    blank_rows: int
    notes: list[str] = field(default_factory=list)


def read_area_file(upload: Upload, *, limit: int) -> ParsedRows:
    """Rows of a CSV or XLSX area list, keyed by column, with the file's row numbers."""
    return read_sheet(upload, limit=limit, layout=SheetLayout(_find_header, MAX_DATA_ROWS))


def read_sheet(upload: Upload, *, limit: int, layout: SheetLayout) -> ParsedRows:
    """Rows of any CSV or XLSX sheet under the header `layout` finds, keyed by column, with row numbers.

    Handles what officials' files bring: a BOM, UTF-16, Windows-1258, `;` or tab delimiters, `sep=`,
    several sheets, old .xls or other files under a wrong name, and sheets padded with empty rows.
    """
    data = read_limited(upload, limit)
    if not data.strip():
        raise UnsupportedFile(_("The file is empty."), field="file")
    extension = PurePath(upload.name or "").suffix.lower()
    # Only the kind is sniffed here; the encoding policy (UTF-16, Windows-1258 read) is this module's own.
    if sniff(data[:4096], extension) == "xlsx":
        return _read_xlsx(data, layout)
    return _read_csv(data, layout)


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1258"]
    first_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            first_error = first_error or error
            lenient = data.decode("utf-8", errors="replace")
            if encoding == "utf-8" and any(ord(ch) > 0x7F and ch != "\ufffd" for ch in lenient):
                # Valid UTF-8 elsewhere: a damaged file, not Windows-1258; refuse instead of garbling.
                break
    assert first_error is not None
    line = data[: first_error.start].count(b"\n") + 1
    raise UnreadableEncoding(
        _(
            "Row %(row)d holds bytes that are neither UTF-8 nor Windows-1258 text; in Excel choose "
            "Save As → CSV UTF-8 (comma delimited) and upload that file."
        )
        % {"row": line},
        field="file",
    )


def _read_csv(data: bytes, layout: SheetLayout) -> ParsedRows:
    text, encoding = _decode(data)
    notes = []
    if encoding == "cp1258":
        notes.append(_("The file was read as Windows-1258 text; CSV UTF-8 is preferred."))
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter = first.strip()[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first_row_offset = 1
    else:
        delimiter = delimiter_of(first)
        first_row_offset = 0
    try:
        records = [
            (number + first_row_offset, record)
            for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)
        ]
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is malformed (%(error)s).") % {"error": error}, field="file"
        ) from None
    return _rows_under_header(records, notes, layout)


def _read_xlsx(data: bytes, layout: SheetLayout) -> ParsedRows:
    from openpyxl import load_workbook  # slow to import; only imports of spreadsheets need it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as error:
        raise UnsupportedFile(
            _("The file could not be opened as an Excel workbook (.xlsx): %(error)s") % {"error": error},
            field="file",
        ) from None
    except Exception:  # openpyxl raises its own InvalidFileException and parser errors
        raise UnsupportedFile(
            _("The file could not be opened as an Excel workbook (.xlsx)."), field="file"
        ) from None
    try:
        sheets = workbook.worksheets
        first_error: MissingColumns | None = None
        for sheet in sheets:
            records = _sheet_records(sheet.iter_rows(values_only=True), layout.max_rows)
            try:
                parsed = _rows_under_header(records, [], layout)
            except MissingColumns as error:
                first_error = first_error or error
                continue
            if len(sheets) > 1:
                parsed.notes.append(_("Rows were read from the sheet “%(sheet)s”.") % {"sheet": sheet.title})
            return parsed
        assert first_error is not None
        raise first_error
    except DomainError:
        raise
    except Exception:  # a sheet's XML is parsed lazily, row by row: a damaged sheet fails here
        raise UnsupportedFile(
            _("The file could not be opened as an Excel workbook (.xlsx): a sheet in it is damaged."),
            field="file",
        ) from None
    finally:
        workbook.close()


def _sheet_records(rows: Iterable[Sequence[Any]], max_rows: int) -> Iterator[tuple[int, Sequence[Any]]]:
    # Stop a little past the row cap so a sheet padded with a million rows is not walked to the end.
    for number, row in enumerate(rows, 1):
        if number > max_rows + HEADER_SEARCH_ROWS + 1000:
            raise TooManyRows(_too_many_rows_message(max_rows), field="file")
        yield number, row


def _too_many_rows_message(max_rows: int) -> str:
    return _("The file has more than %(max)d rows; split it into smaller files.") % {"max": max_rows}


def _header_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _find_header(
    records: Iterator[tuple[int, Sequence[Any]]],
) -> tuple[int, dict[str, int], list[str]]:
    """The header's row number, the position of each column, and the headers not used."""
    best: tuple[int, dict[str, int], list[str]] | None = None
    seen = 0
    for number, record in records:
        headers = [_header_text(value) for value in record]
        if not any(headers):
            continue
        seen += 1
        positions: dict[str, int] = {}
        ignored: list[str] = []
        for index, header in enumerate(headers):
            column = header_field(header) if header else None
            if column is None:
                if header:
                    ignored.append(header)
            elif column in positions:
                raise MissingColumns(
                    _("Row %(row)d: two columns (%(a)d and %(b)d) both hold the %(column)s.")
                    % {
                        "row": number,
                        "a": positions[column] + 1,
                        "b": index + 1,
                        "column": COLUMN_LABELS[column],
                    },
                    field="file",
                )
            else:
                positions[column] = index
        if len(positions) == len(AREA_COLUMNS):
            return number, positions, ignored
        if best is None or len(positions) > len(best[1]):
            best = (number, positions, [h for h in headers if h])
        if seen >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise MissingColumns(_("The file holds no rows."), field="file")
    number, positions, found = best
    missing = [str(COLUMN_LABELS[c]) + f" ({c})" for c in AREA_COLUMNS if c not in positions]
    raise MissingColumns(
        _(
            "Row %(row)d should be the header but lacks the columns: %(missing)s. Columns found: "
            "%(found)s. Accepted headers include local_code/mã, name/tên, kind/loại, population/dân số, "
            "households/số hộ."
        )
        % {"row": number, "missing": ", ".join(missing), "found": ", ".join(found) or "—"},
        field="file",
    )


def _rows_under_header(
    records: Iterable[tuple[int, Sequence[Any]]], notes: list[str], layout: SheetLayout
) -> ParsedRows:
    iterator = iter(records)
    header_row, positions, ignored = layout.find_header(iterator)
    rows: list[tuple[int, dict[str, Cell]]] = []
    filled = 0
    for number, record in iterator:
        cells = {
            column: (record[index] if index < len(record) else None) for column, index in positions.items()
        }
        rows.append((number, cells))
        filled += not is_blank(cells)
        if filled > layout.max_rows:
            raise TooManyRows(_too_many_rows_message(layout.max_rows), field="file")
    if ignored:
        notes.append(_("Columns not used: %(columns)s.") % {"columns": ", ".join(ignored)})
    return ParsedRows(
        rows=rows, header_row=header_row, ignored_columns=ignored, notes=notes, columns=list(positions)
    )


def plan_areas(parsed: ParsedRows) -> AreaPlan:
    """Check every row; within the file a repeated local code or name is refused after its first row."""
    plan = AreaPlan(rows=[], errors=[], blank_rows=0, notes=list(parsed.notes))
    first_code: dict[str, tuple[int, str]] = {}
    first_name: dict[str, int] = {}
    for number, cells in parsed.rows:
        if is_blank(cells):
            plan.blank_rows += 1
            continue
        checked = validate_row(number, cells)
        if isinstance(checked, list):
            plan.errors.extend(checked)
            continue
        stripped = zero_stripped(checked.local_code)
        if stripped in first_code:
            row, code = first_code[stripped]
            reason = (
                _("The local code “%(code)s” is already used by row %(row)d.")
                if code == checked.local_code
                else _(
                    "The local code “%(this)s” is the same as “%(code)s” in row %(row)d but for leading "
                    "zeros (Excel removes them; format the column as Text)."
                )
            ) % {"code": code, "row": row, "this": checked.local_code}
            plan.errors.append(CellError(number, "local_code", reason, checked.local_code))
            continue
        name_key = search_key(checked.name)
        if name_key in first_name:
            reason = _("The name “%(name)s” is already used by row %(row)d.") % {
                "name": checked.name,
                "row": first_name[name_key],
            }
            plan.errors.append(CellError(number, "name", reason, checked.name))
            continue
        first_code[stripped] = (number, checked.local_code)
        first_name[name_key] = number
        plan.rows.append((number, checked))
    return plan
