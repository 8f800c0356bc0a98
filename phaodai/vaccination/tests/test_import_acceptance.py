"""Issue #6 acceptance for dose imports: a large file with 1 % bad rows, imported twice, and killed midway.

On SQLite the file has 4,000 rows; PostgreSQL runs 40,000 (the COPY-and-merge path). Both check exact
counts, the whole rejection report, every resident's summary, and that the second run changes nothing.
"""

from datetime import date
from typing import Any

import pytest
from django.db import connection

from phaodai.core.bulk import runner
from phaodai.people.cccd import cccd_index
from phaodai.vaccination.models import Dose, Summary, UnmatchedDose
from phaodai.vaccination.tests.conftest import CLOCK, cccd_for
from phaodai.vaccination.tests.test_import_doses import DiesAfter, Killed
from phaodai.vaccination.tests.test_import_support import (
    counts,
    csv_bytes,
    expect,
    report_lines,
    row,
    run,
    start,
)

pytestmark = pytest.mark.django_db
BORN = date(1985, 3, 2)
FIRST, SECOND = date(2021, 8, 2), date(2021, 8, 30)
# (column, reason, how the row is spoiled): one bad row in every 100, always a dose 2, spoiled once.
BAD: list[tuple[str, str, dict[str, Any]]] = [
    ("cccd", "cccd_scientific", {"cccd": "1.23457E+11"}),
    ("given_on", "given_on_format", {"given": "30-08-2021"}),
    ("product", "product_unknown", {"product": "Covaxin"}),
    ("lot", "lot_missing", {"lot": ""}),
    ("dose_number", "beyond_series", {"number": 3}),
    ("given_on", "interval_too_short", {"given": "05/08/2021"}),
]


def cccd(person: int) -> str:
    return cccd_for("M", BORN, person)


def unregistered(person: int) -> bool:
    return person % 97 == 0


def rows_of(size: int) -> tuple[list[list[Any]], dict[str, int], list[list[str]]]:
    """Doses 1 and 2 of size/2 persons: the rows, the counts a first import gives, the report's lines."""
    rows: list[list[Any]] = []
    expected = expect(rows=size)
    report: list[list[str]] = []
    for i in range(size):
        person, number = i // 2, i % 2 + 1
        values: dict[str, Any] = {
            "cccd": cccd(person),
            "number": number,
            "given": f"{(FIRST, SECOND)[i % 2]:%d/%m/%Y}",
        }
        if i % 100 == 99:
            column, reason, spoil = BAD[(i // 100) % len(BAD)]
            values.update(spoil)
            expected["rejected"] += 1
            report.append([str(i + 2), column, reason])
        elif unregistered(person):
            expected["unmatched"] += 1
        else:
            expected["accepted"] += 1
        rows.append(row(values.pop("cccd"), **values))
    return rows, expected, report


def register(area: Any, persons: int) -> None:
    from phaodai.people import services as people_services
    from phaodai.people.rules import PersonRow

    done = people_services.bulk_register(
        [
            PersonRow(cccd(p), "Nguyễn Văn An", BORN, "M", "", area.pk, area.path)
            for p in range(persons)
            if not unregistered(p)
        ]
    )
    assert not done.rejections


def test_a_large_file_with_one_percent_bad_rows_imports_exactly_and_twice_changes_nothing(
    health_worker_bo_de: Any, areas: Any
) -> None:
    size = 40_000 if connection.vendor == "postgresql" else 4_000
    register(areas["bo_de"], size // 2)
    rows, expected, report = rows_of(size)
    data = csv_bytes(rows)

    first = run(start(health_worker_bo_de, data), batch_size=runner.BATCH_SIZE)
    assert (first.status, counts(first)) == ("done", expected)
    assert [line[:3] for line in report_lines(first)[1:]] == report
    assert Dose.objects.count() == expected["accepted"]
    assert UnmatchedDose.objects.count() == expected["unmatched"]
    # Every vaccinated resident's summary: first dose on 02/08, complete on 30/08 unless dose 2 was refused.
    refused = {cccd_index(cccd((int(line[0]) - 2) // 2)) for line in report}
    summaries = dict(Summary.objects.values_list("person__cccd_index", "completed_on"))
    assert len(summaries) == size // 2 - sum(unregistered(p) for p in range(size // 2))
    assert all(completed == (None if index in refused else SECOND) for index, completed in summaries.items())
    assert set(Summary.objects.values_list("first_dose_on", flat=True)) == {FIRST}
    snapshot = Dose.objects.order_by("pk").values_list("pk", "lot", "given_on", "updated_at")
    before = list(snapshot)

    second = run(start(health_worker_bo_de, data), batch_size=runner.BATCH_SIZE)
    assert counts(second) == expect(
        rows=size, duplicates=expected["accepted"] + expected["unmatched"], rejected=expected["rejected"]
    )
    assert list(snapshot) == before
    assert UnmatchedDose.objects.count() == expected["unmatched"]


def test_a_large_import_killed_midway_resumes_to_the_same_counts(
    health_worker_bo_de: Any, areas: Any
) -> None:
    register(areas["bo_de"], 2_000)
    rows, expected, _report = rows_of(4_000)
    job = start(health_worker_bo_de, csv_bytes(rows))
    with pytest.raises(Killed):
        runner.run(job.pk, DiesAfter(3, clock=CLOCK), batch_size=500, clock=CLOCK)
    job.refresh_from_db()
    assert (job.status, job.rows, job.committed_rows) == ("failed", 1500, 1501)
    resumed = run(job, batch_size=500)
    assert counts(resumed) == expected
    assert Dose.objects.count() == expected["accepted"]
