"""Helpers for the tests of every import kind: files (CSV, XLSX), an in-memory upload, a job's counts and
its rejection report as lines."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from phaodai.core.bulk.report import rejection_report
from phaodai.core.models import ImportJob

COUNTS = ("rows", "accepted", "duplicates", "corrected", "rejected", "unmatched")


def csv_bytes(rows: Iterable[Sequence[Any]], *, header: Sequence[str], bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def xlsx_bytes(rows: Iterable[Sequence[Any]], *, header: Sequence[str], sheet: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(list(header))
    for values in rows:
        worksheet.append(list(values))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class Upload:
    """An in-memory upload (name, size, read)."""

    def __init__(self, data: bytes, name: str) -> None:
        self._stream = io.BytesIO(data)
        self.name, self.size = name, len(data)

    def read(self, size: int = -1, /) -> bytes:
        return self._stream.read(size)


def counts(job: ImportJob) -> dict[str, int]:
    return {name: getattr(job, name) for name in COUNTS}


def report_lines(job: ImportJob) -> list[list[str]]:
    text = "".join(rejection_report(job)).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))
