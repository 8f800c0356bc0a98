"""Issue #6 acceptance for lab imports: a 100,000-row file with 1 % bad rows, imported twice.

On SQLite the file has 10,000 rows (the 100,000-row run takes minutes there); PostgreSQL runs the full
100,000 rows. Both check exact counts and the whole rejection report.
"""

from typing import Any

import pytest
from django.db import connection

from phaodai.core.bulk import runner
from phaodai.diagnostics import lab_import
from phaodai.diagnostics.models import Sample, UnmatchedResult
from phaodai.diagnostics.tests.conftest import resident_cccd
from phaodai.diagnostics.tests.test_import_support import (
    clock,
    counts,
    csv_bytes,
    register_residents,
    report_lines,
    row,
    run,
    start,
)

pytestmark = pytest.mark.django_db
PERSONS = 2000
# (column, reason, how the row is spoiled); one bad row in every 100, each spoiled in one cell only.
BAD = [
    ("cccd", "cccd_scientific", {"cccd": "1.23457E+11"}),
    ("cccd", "cccd_leading_zero_lost", {"cccd": "10801234567"}),
    ("resulted_at", "result_before_collection", {"resulted": "09/09/2021 08:00"}),
    ("result", "result_unknown", {"result": "neg"}),
    ("lab", "lab_unknown", {"lab": "LAB-X"}),
    ("sample_code", "sample_code_format", {"code": "=HYPERLINK(1)"}),
    ("collected_at", "collected_at_format", {"collected": "10-09-2021"}),
]


def rows_of(size: int) -> tuple[list[list[str]], dict[str, int], list[list[str]]]:
    """The file's rows, the counts expected of a first import, and the report's expected lines."""
    rows: list[list[str]] = []
    expected = {"rows": size, "accepted": 0, "duplicates": 0, "corrected": 0, "rejected": 0, "unmatched": 0}
    report: list[list[str]] = []
    for i in range(size):
        code = f"T{i:07d}"
        result = "dương tính" if i % 50 == 7 else "âm tính"
        if i % 100 == 99:
            column, reason, spoil = BAD[(i // 100) % len(BAD)]
            values = {"code": code, "cccd": resident_cccd(i % PERSONS), **spoil}
            code, cccd = values.pop("code"), values.pop("cccd")
            rows.append(row(code, cccd, **values))
            expected["rejected"] += 1
            report.append([str(i + 2), column, reason])
        elif i % 97 == 0:
            rows.append(row(code, resident_cccd(200000 + i), result=result))
            expected["unmatched"] += 1
        else:
            rows.append(row(code, resident_cccd(i % PERSONS), result=result, method="RT-PCR"))
            expected["accepted"] += 1
    return rows, expected, report


def test_a_large_file_with_one_percent_bad_rows_imports_exactly_and_twice_changes_nothing(
    lab_tech_cdc: Any, lab_cdc: Any, bo_de_area: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = 100_000 if connection.vendor == "postgresql" else 10_000
    announced: list[int] = []
    monkeypatch.setattr(lab_import, "announce", lambda ids, *, clock: announced.extend(ids))
    register_residents(bo_de_area, PERSONS)
    rows, expected, report = rows_of(size)
    data = csv_bytes(rows, bom=True)

    first = run(start(lab_tech_cdc, data), batch_size=runner.BATCH_SIZE)
    assert first.status == "done"
    assert counts(first) == expected
    assert [line[:3] for line in report_lines(first)[1:]] == report
    assert Sample.objects.count() == expected["accepted"]
    assert UnmatchedResult.objects.count() == expected["unmatched"]
    positives = Sample.objects.filter(outcome="positive")
    assert sorted(announced) == sorted(positives.values_list("pk", flat=True))
    snapshot = Sample.objects.order_by("code").values_list("code", "outcome", "version", "updated_at")
    before = list(snapshot)

    second = run(start(lab_tech_cdc, data), batch_size=runner.BATCH_SIZE)
    assert counts(second) == {
        "rows": size,
        "accepted": 0,
        "duplicates": expected["accepted"] + expected["unmatched"],
        "corrected": 0,
        "rejected": expected["rejected"],
        "unmatched": 0,
    }
    assert list(snapshot) == before
    assert UnmatchedResult.objects.count() == expected["unmatched"]
    assert len(announced) == positives.count()


def test_a_large_import_killed_mid_way_resumes_to_the_same_counts(
    lab_tech_cdc: Any, lab_cdc: Any, bo_de_area: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phaodai.diagnostics.tests.test_import_lab import DiesAfter, Killed

    monkeypatch.setattr(lab_import, "announce", lambda ids, *, clock: None)
    register_residents(bo_de_area, PERSONS)
    rows, expected, _report = rows_of(10_000)
    job = start(lab_tech_cdc, csv_bytes(rows))
    with pytest.raises(Killed):
        runner.run(job.pk, DiesAfter(3, clock=clock), batch_size=1000, clock=clock)
    job.refresh_from_db()
    assert (job.status, job.rows, job.committed_rows) == ("failed", 3000, 3001)
    resumed = run(job, batch_size=1000)
    assert counts(resumed) == expected
    assert Sample.objects.count() == expected["accepted"]
