"""Rows of a CSV or XLSX file streamed one at a time under a header found by its column names.

Never the whole file in memory: CSV is decoded as it is read (UTF-8, BOM or not: other encodings were
refused by files.check_utf8 when the file was stored), XLSX goes through openpyxl in read-only mode
after the zip-bomb check. Row numbers are the file's, the header's row counted.
"""

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from phaodai.core.bulk import files
from phaodai.core.bulk.files import ImportFileError, MissingColumns, UnreadableEncoding, UnsupportedFile

HEADER_SEARCH_ROWS = 10
Record = Sequence[Any]
Row = tuple[int, dict[str, Any]]
# A CSV record the csv module refused (a field over its size limit, a stray quote): the rows after it
# are still read; the runner reports it as a rejected row.
MALFORMED: Record = ("\x00malformed",)


def normal_header(text: object) -> str:
    """A header cell as compared: trimmed, lower case, spaces and hyphens as underscores."""
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


@dataclass(frozen=True)
class HeaderSpec:
    """The columns a sheet must name, and how a header cell maps to a column (None: not used)."""

    columns: tuple[str, ...]
    column_of: Callable[[str], str | None] = field(default=normal_header)
    hint: str = ""  # shown when columns are missing, e.g. the accepted spellings

    def match(self, text: object) -> str | None:
        column = self.column_of(str(text or "").strip())
        return column if column in self.columns else None


def delimiter_of(first_line: str) -> str:
    """Whichever of `,` `;` tab the header line uses most (comma when none)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def find_header(records: Iterator[tuple[int, Record]], spec: HeaderSpec) -> tuple[int, dict[str, int]]:
    """The header's row number and each column's position, from the first 10 non-empty rows."""
    best: tuple[int, dict[str, int], list[str]] | None = None
    seen = 0
    for number, record in records:
        headers = ["" if value is None else str(value).strip() for value in record]
        if not any(headers):
            continue
        seen += 1
        positions: dict[str, int] = {}
        for index, header in enumerate(headers):
            column = spec.match(header) if header else None
            if column is not None and column in positions:
                raise MissingColumns(
                    _("Row %(row)d: two columns (%(a)d and %(b)d) are both “%(column)s”.")
                    % {"row": number, "a": positions[column] + 1, "b": index + 1, "column": column},
                    field="file",
                )
            if column is not None:
                positions[column] = index
        if len(positions) == len(spec.columns):
            return number, positions
        if best is None or len(positions) > len(best[1]):
            best = (number, positions, [h for h in headers if h])
        if seen >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise MissingColumns(_("The file holds no rows."), field="file")
    number, positions, _found = best
    missing = [column for column in spec.columns if column not in positions]
    raise MissingColumns(
        _("Row %(row)d should be the header but lacks the columns: %(missing)s. %(hint)s")
        % {"row": number, "missing": ", ".join(missing), "hint": spec.hint},
        field="file",
    )


class RowStream:
    """The data rows under the header, blank rows skipped, with how far into the file reading is."""

    def __init__(
        self,
        records: Iterator[tuple[int, Record]],
        spec: HeaderSpec,
        position: Callable[[], int],
        keep: Any = None,
    ):
        # `keep`: the text wrapper over the file, which would close the file when collected.
        self._keep = keep
        self.header_row, self._positions = find_header(records, spec)
        self._records = records
        self.position = position  # bytes (CSV) or an estimate (XLSX) read so far
        self._malformed: list[int] = []

    def take_malformed(self) -> list[int]:
        """Numbers of the records that could not be parsed since the last call (reported, skipped)."""
        taken, self._malformed = self._malformed, []
        return taken

    def __iter__(self) -> Iterator[Row]:
        positions = list(self._positions.items())
        for number, record in self._records:
            if record is MALFORMED:
                self._malformed.append(number)
                continue
            # Blank lines and rows of empty cells (Excel pads sheets with them) are not rows.
            if not any(record) or all(isinstance(v, str) and not v.strip() for v in record if v):
                continue
            width = len(record)
            cells = {column: (record[index] if index < width else None) for column, index in positions}
            yield number, cells


@contextmanager
def open_rows(path: Path, spec: HeaderSpec) -> Iterator[RowStream]:
    """Open a stored CSV or XLSX file and stream its rows (see the module doc)."""
    with path.open("rb") as raw:
        kind = files.sniff(raw.read(4096), path.suffix.lower())
        raw.seek(0)
        if kind == "xlsx":
            with _xlsx_stream(raw, spec) as stream:
                yield stream
        else:
            yield _csv_stream(raw, spec)


def _csv_stream(raw: IO[bytes], spec: HeaderSpec) -> RowStream:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
    first = text.readline()
    offset = 0
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter, first, offset = first.strip()[4], "", 1
    else:
        delimiter = delimiter_of(first)
    lines = chain([first], text) if first else text
    reader = csv.reader(lines, delimiter=delimiter)
    header_found = [False]  # before the header, a malformed record is the file's problem

    def records() -> Iterator[tuple[int, Record]]:
        number = offset
        while True:
            number += 1
            record: Record
            try:
                record = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise UnreadableEncoding(
                    _("Row %(row)d is not UTF-8 text; save the file as CSV UTF-8 and upload it again.")
                    % {"row": number},
                    field="file",
                ) from None
            except csv.Error:
                if number <= offset + HEADER_SEARCH_ROWS and not header_found[0]:
                    raise ImportFileError(
                        _("Row %(row)d of the CSV file is malformed.") % {"row": number}, field="file"
                    ) from None
                record = MALFORMED
            yield number, record

    stream = RowStream(records(), spec, raw.tell, keep=text)
    header_found[0] = True
    return stream


@contextmanager
def _xlsx_stream(raw: IO[bytes], spec: HeaderSpec) -> Iterator[RowStream]:
    from openpyxl import load_workbook  # slow to import; only spreadsheets need it

    files.check_xlsx_archive(raw)
    size = raw.seek(0, io.SEEK_END)
    raw.seek(0)
    try:
        workbook = load_workbook(raw, read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, KeyError, its own InvalidFileException, XML errors
        raise UnsupportedFile(
            _("The file could not be opened as an Excel workbook (.xlsx)."), field="file"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        total = max(sheet.max_row or 0, 1)
        done = [0]

        def records() -> Iterator[tuple[int, Record]]:
            try:
                for number, record in enumerate(sheet.iter_rows(values_only=True), 1):
                    done[0] = number
                    yield number, record
            except ImportFileError:
                raise
            except Exception:  # a sheet's XML is parsed lazily: a damaged sheet fails here
                raise UnsupportedFile(
                    _("Row %(row)d of the workbook is damaged; save it again and upload it.")
                    % {"row": done[0] + 1},
                    field="file",
                ) from None

        yield RowStream(records(), spec, lambda: min(size, size * done[0] // total))
    finally:
        workbook.close()
