"""The rejection report of an import as CSV: row, column, reason, message; never a value from the file.

Every cell is escaped against spreadsheet formula injection: text starting with = + - @ (or a tab or
carriage return) is prefixed with an apostrophe, so Excel shows it as text instead of running it.
"""

import csv
from collections.abc import Iterable, Iterator

from phaodai.core.models import ImportJob, ImportRejection

HEADER = ("row", "column", "reason", "message")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> str:
    """The text of a cell, made inert for spreadsheets (numbers stay as they are)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class _Line:
    """A file-like sink that hands back what csv.writer wrote for one row."""

    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """CSV text line by line (for a streaming response), every cell escaped; UTF-8 BOM first for Excel."""
    writer = csv.writer(_Line())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([escape_cell(cell) for cell in row])


def rejection_report(job: ImportJob) -> Iterator[str]:
    """The job's rejections in file order, streamed from the database."""
    rejections = (
        ImportRejection.objects.filter(job=job)
        .order_by("row_number", "column")
        .values_list("row_number", "column", "reason", "message")
    )
    return csv_lines(_with_header(rejections.iterator(chunk_size=2000)))


def _with_header(rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    yield HEADER
    yield from rows
