"""Helpers for the dose-import tests: dose files (CSV, XLSX), uploads and runs at the tests' clock."""

from collections.abc import Iterable, Sequence
from typing import Any

from phaodai.core.models import ImportJob
from phaodai.core.tests import importing
from phaodai.core.tests.importing import COUNTS, Upload, report_lines
from phaodai.core.tests.importing import counts as counts
from phaodai.vaccination import services_imports
from phaodai.vaccination.dose_import import COLUMNS, DoseImport
from phaodai.vaccination.tests.conftest import CLOCK

HEADER = list(COLUMNS)


def row(
    cccd: Any,
    *,
    name: str = "Nguyễn Văn An",
    born: Any = "",
    product: str = "pfizer",
    lot: Any = "FF2589",
    number: Any = 1,
    given: Any = "01/09/2021",
    site: str = "Trạm Y tế phường Bồ Đề",
    vaccinator: str = "Lê Thị Hoa",
) -> list[Any]:
    return [cccd, name, born, product, lot, number, given, site, vaccinator]


def csv_bytes(rows: Iterable[Sequence[Any]], *, header: Sequence[str] = HEADER) -> bytes:
    return importing.csv_bytes(rows, header=header)


def xlsx_bytes(rows: Iterable[Sequence[Any]], *, header: Sequence[str] = HEADER) -> bytes:
    return importing.xlsx_bytes(rows, header=header, sheet="Mũi tiêm")


def start(user: Any, data: bytes, name: str = "mui-tiem.csv") -> ImportJob:
    return services_imports.start_import(
        by=user, upload=Upload(data, name), enqueue=lambda _id: None, clock=CLOCK
    )


def run(job: ImportJob, *, batch_size: int = 500, handler: Any = None) -> ImportJob:
    from phaodai.core.bulk import runner

    done = runner.run(job.pk, handler or DoseImport(clock=CLOCK), batch_size=batch_size, clock=CLOCK)
    assert done is not None
    return done


def import_file(user: Any, data: bytes, name: str = "mui-tiem.csv", batch_size: int = 500) -> ImportJob:
    return run(start(user, data, name), batch_size=batch_size)


def expect(**given: int) -> dict[str, int]:
    """Counts with the ones not named at 0."""
    return {name: given.get(name, 0) for name in COUNTS}


def reasons(job: ImportJob) -> list[list[str]]:
    """The report's (row, column, reason) lines, header left out."""
    return [line[:3] for line in report_lines(job)[1:]]
