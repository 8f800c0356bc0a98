"""Helpers for the lab-import tests: result files (CSV, XLSX) and a city of registered residents."""

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from phaodai.core.bulk import runner
from phaodai.core.clock import hanoi
from phaodai.core.models import ImportJob
from phaodai.core.tests import importing
from phaodai.core.tests.importing import Upload
from phaodai.core.tests.importing import counts as counts
from phaodai.core.tests.importing import report_lines as report_lines
from phaodai.diagnostics import services_imports
from phaodai.diagnostics.lab_import import COLUMNS, LabResultImport
from phaodai.diagnostics.tests.conftest import name_of, resident_cccd

NOW = hanoi(2021, 9, 20, 12, 0)
HEADER = list(COLUMNS)


def clock() -> Any:
    return NOW


def row(
    code: str,
    cccd: str,
    *,
    name: str = "Nguyễn Văn An",
    collected: str = "10/09/2021 08:00",
    resulted: str = "2021-09-11T09:30:00+07:00",
    method: str = "pcr",
    result: str = "âm tính",
    lab: str = "CDC-HN",
) -> list[str]:
    return [code, cccd, name, collected, resulted, method, result, lab]


def csv_bytes(rows: Iterable[Sequence[Any]], *, header: Sequence[str] = HEADER, bom: bool = False) -> bytes:
    return importing.csv_bytes(rows, header=header, bom=bom)


def xlsx_bytes(rows: Iterable[Sequence[Any]], *, header: Sequence[str] = HEADER) -> bytes:
    return importing.xlsx_bytes(rows, header=header, sheet="Kết quả")


def start(user: Any, data: bytes, name: str = "ket-qua.csv") -> ImportJob:
    return services_imports.start_import(
        by=user, upload=Upload(data, name), enqueue=lambda _id: None, clock=clock
    )


def run(job: ImportJob, *, batch_size: int = 500, handler: Any = None) -> ImportJob:
    done = runner.run(job.pk, handler or LabResultImport(clock=clock), batch_size=batch_size, clock=clock)
    assert done is not None
    return done


def import_file(user: Any, data: bytes, name: str = "ket-qua.csv", batch_size: int = 500) -> ImportJob:
    return run(start(user, data, name), batch_size=batch_size)


def register_residents(area: Any, n: int) -> list[str]:
    """Register n residents of `area` in bulk; their CCCDs (resident_cccd(i) for i < n)."""
    from phaodai.people import services as people_services
    from phaodai.people.rules import PersonRow

    rows = [
        PersonRow(
            cccd=resident_cccd(i), full_name=name_of(i), birth_date=date(1980, 1, 1 + i % 28), sex="M",
            phone="", residence_area_id=area.pk, unit_path=area.path,
        )
        for i in range(n)
    ]  # fmt: skip
    people_services.bulk_register(rows)
    return [r.cccd for r in rows]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
