"""Lab result imports end to end on small files: matching, idempotence, corrections, bad rows, resume."""

from typing import Any

import pytest

from phaodai.core.bulk import runner
from phaodai.core.models import ImportJob, ImportRejection
from phaodai.diagnostics import lab_import
from phaodai.diagnostics.models import ResultCorrection, Sample, UnmatchedResult
from phaodai.diagnostics.tests.conftest import resident_cccd
from phaodai.diagnostics.tests.test_import_support import (
    counts,
    csv_bytes,
    import_file,
    report_lines,
    row,
    run,
    start,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def announced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sample ids announced to wards (diagnostics.services.announce_positives), in order."""
    told: list[int] = []
    monkeypatch.setattr(lab_import, "announce", lambda ids, *, clock: told.extend(ids))
    return told


@pytest.fixture
def residents(resident: Any, lab_cdc: Any) -> list[Any]:
    return [resident(n) for n in range(3)]


def test_results_create_samples_of_registered_residents_at_their_ward(
    lab_tech_cdc: Any, residents: list[Any], announced: list[int]
) -> None:
    data = csv_bytes(
        [
            row("HN-0001", resident_cccd(0)),
            row("HN-0002", resident_cccd(1), result="Dương Tính"),
            row("HN-0003", resident_cccd(2), result="khong xac dinh", method="RT-PCR"),
        ]
    )
    job = import_file(lab_tech_cdc, data)
    assert job.status == ImportJob.Status.DONE
    assert counts(job) == {
        "rows": 3,
        "accepted": 3,
        "duplicates": 0,
        "corrected": 0,
        "rejected": 0,
        "unmatched": 0,
    }
    samples = {s.code: s for s in Sample.objects.all()}
    assert samples["HN-0002"].outcome == "positive"
    assert samples["HN-0003"].outcome == "invalid"
    assert samples["HN-0001"].person_id == residents[0].pk
    assert samples["HN-0001"].path == residents[0].unit_path
    assert announced == [samples["HN-0002"].pk]


def test_the_same_file_twice_changes_nothing(lab_tech_cdc: Any, residents: list[Any]) -> None:
    data = csv_bytes(
        [row(f"HN-{n:04d}", resident_cccd(n % 3)) for n in range(10)] + [row("HN-9999", "001080999999")]
    )
    first = import_file(lab_tech_cdc, data)
    before = list(Sample.objects.order_by("code").values_list("code", "outcome", "version", "updated_at"))
    second = import_file(lab_tech_cdc, data)
    assert counts(first) == {
        "rows": 11,
        "accepted": 10,
        "duplicates": 0,
        "corrected": 0,
        "rejected": 0,
        "unmatched": 1,
    }
    assert counts(second) == {
        "rows": 11,
        "accepted": 0,
        "duplicates": 11,
        "corrected": 0,
        "rejected": 0,
        "unmatched": 0,
    }
    assert (
        list(Sample.objects.order_by("code").values_list("code", "outcome", "version", "updated_at"))
        == before
    )
    assert UnmatchedResult.objects.count() == 1


def test_a_changed_outcome_is_a_correction_kept_in_history(
    lab_tech_cdc: Any, residents: list[Any], announced: list[int]
) -> None:
    import_file(lab_tech_cdc, csv_bytes([row("HN-0001", resident_cccd(0), result="negative")]))
    job = import_file(
        lab_tech_cdc,
        csv_bytes([row("HN-0001", resident_cccd(0), result="positive", resulted="12/09/2021 10:00")]),
    )
    assert (job.corrected, job.accepted) == (1, 0)
    sample = Sample.objects.get(code="HN-0001")
    assert (sample.outcome, sample.version) == ("positive", 2)
    correction = ResultCorrection.objects.get(sample=sample)
    assert (correction.outcome_before, correction.outcome_after) == ("negative", "positive")
    assert correction.import_job_id == job.pk and correction.corrected_by_id == lab_tech_cdc.pk
    assert announced == [sample.pk]


def test_an_older_different_result_is_refused_as_stale(lab_tech_cdc: Any, residents: list[Any]) -> None:
    import_file(lab_tech_cdc, csv_bytes([row("HN-0001", resident_cccd(0), resulted="12/09/2021 10:00")]))
    job = import_file(
        lab_tech_cdc,
        csv_bytes([row("HN-0001", resident_cccd(0), result="positive", resulted="11/09/2021 10:00")]),
    )
    assert job.rejected == 1
    assert report_lines(job)[1][:3] == ["2", "result", "stale_result"]


def test_a_waiting_sample_gets_its_result_matched_by_code_alone(
    lab_tech_cdc: Any, sampled_person: Any
) -> None:
    sample = sampled_person(7, code="HN-0777")
    job = import_file(lab_tech_cdc, csv_bytes([row("HN-0777", "", result="negative")]))
    assert (job.accepted, job.unmatched) == (1, 0)
    sample.refresh_from_db()
    assert sample.outcome == "negative" and sample.import_job_id == job.pk


def test_a_code_of_another_persons_sample_is_refused(
    lab_tech_cdc: Any, sampled_person: Any, resident: Any
) -> None:
    sampled_person(7, code="HN-0777")
    resident(8)
    job = import_file(lab_tech_cdc, csv_bytes([row("HN-0777", resident_cccd(8))]))
    assert job.rejected == 1
    assert report_lines(job)[1][:3] == ["2", "cccd", "other_person"]


def test_a_code_of_a_registered_sample_with_an_unregistered_cccd_is_refused(
    lab_tech_cdc: Any, sampled_person: Any
) -> None:
    sample = sampled_person(7, code="HN-0777")
    job = import_file(lab_tech_cdc, csv_bytes([row("HN-0777", "001080123456", result="positive")]))
    assert (job.rejected, job.accepted, job.unmatched) == (1, 0, 0)
    assert report_lines(job)[1][:3] == ["2", "cccd", "other_person"]
    sample.refresh_from_db()
    assert sample.outcome == "pending"  # the registered person's sample is untouched


def test_persons_not_found_wait_in_the_matching_queue_encrypted(lab_tech_cdc: Any, lab_cdc: Any) -> None:
    job = import_file(lab_tech_cdc, csv_bytes([row("HN-0001", "001080123456", name="Lê Thị Hoa")]))
    assert job.unmatched == 1
    waiting = UnmatchedResult.objects.get()
    assert waiting.full_name == "Lê Thị Hoa" and waiting.row_number == 2 and waiting.path == lab_cdc.path
    assert waiting.cccd_ciphertext is not None
    assert b"001080123456" not in bytes(waiting.cccd_ciphertext)
    assert waiting.cccd_index and waiting.cccd_index != "001080123456"


@pytest.mark.parametrize(
    ("cccd", "reason"),
    [
        ("1.23457E+11", "cccd_scientific"),
        ("1,23457e+11", "cccd_scientific"),
        ("1080123456", "cccd_invalid"),
        ("01080123456", "cccd_leading_zero_lost"),
        ("10801234567", "cccd_leading_zero_lost"),
        ("00108012345X", "cccd_invalid"),
        ("999080123456", "cccd_invalid"),
    ],
)
def test_excel_mangled_cccds_are_refused_never_repaired(
    lab_tech_cdc: Any, lab_cdc: Any, cccd: str, reason: str
) -> None:
    job = import_file(lab_tech_cdc, csv_bytes([row("HN-0001", cccd)]))
    assert (job.rejected, job.unmatched, job.accepted) == (1, 0, 0)
    assert report_lines(job)[1][:3] == ["2", "cccd", reason]
    assert not UnmatchedResult.objects.exists() and not Sample.objects.exists()


def test_a_cccd_read_as_a_number_from_a_workbook_is_refused(lab_tech_cdc: Any, lab_cdc: Any) -> None:
    values = row("HN-0001", "x")
    values[1] = 1080123456  # type: ignore[call-overload]
    job = import_file(lab_tech_cdc, xlsx_bytes([values]), name="ket-qua.xlsx")
    assert report_lines(job)[1][:3] == ["2", "cccd", "cccd_number"]


def test_each_bad_cell_is_reported_with_its_column_and_no_value(lab_tech_cdc: Any, lab_cdc: Any) -> None:
    data = csv_bytes(
        [
            row("HN-0001", "001080123456", collected="11/09/2021 10:00", resulted="11/09/2021 09:00"),
            row("HN 0002!", "001080123457", result="neg", method="pcr?", lab="NOPE"),
            row("HN-0003", "001080123458", collected="2021-09-31 08:00", resulted="tomorrow"),
            row("HN-0004", "001080123459", resulted="25/09/2021 10:00"),
        ]
    )
    job = import_file(lab_tech_cdc, data)
    assert (job.rows, job.rejected) == (4, 4)
    lines = report_lines(job)
    assert lines[0] == ["row", "column", "reason", "message"]
    assert [line[:3] for line in lines[1:]] == [
        ["2", "resulted_at", "result_before_collection"],
        ["3", "lab", "lab_unknown"],
        ["3", "method", "method_unknown"],
        ["3", "result", "result_unknown"],
        ["3", "sample_code", "sample_code_format"],
        ["4", "collected_at", "collected_at_format"],
        ["4", "resulted_at", "resulted_at_format"],
        ["5", "resulted_at", "result_in_future"],
    ]
    text = "\n".join(",".join(line) for line in lines)
    for value in ("001080123456", "HN 0002!", "NOPE", "tomorrow"):
        assert value not in text


def test_a_formula_is_kept_as_text_and_escaped_in_the_report(lab_tech_cdc: Any, lab_cdc: Any) -> None:
    data = csv_bytes(
        [
            row("HN-0001", "001080123456", name='=HYPERLINK("http://x.example","bấm")'),
            row('=cmd|" /C calc"!A0', "001080123457"),
        ]
    )
    job = import_file(lab_tech_cdc, data)
    assert (job.unmatched, job.rejected) == (1, 1)
    assert UnmatchedResult.objects.get().full_name == '=HYPERLINK("http://x.example","bấm")'
    assert "cmd" not in "".join(",".join(line) for line in report_lines(job))
    from phaodai.core.bulk.report import csv_lines

    assert (
        "".join(csv_lines([["=1+2", "-3", "@SUM(A1)", "+x"]])).lstrip("\ufeff")
        == "'=1+2,-3,'@SUM(A1),'+x\r\n"
    )


def test_a_workbook_imports_like_a_csv(lab_tech_cdc: Any, residents: list[Any]) -> None:
    from datetime import datetime

    values = row("HN-0001", resident_cccd(0))
    values[3] = datetime(2021, 9, 10, 8, 0)  # type: ignore[call-overload]
    values[4] = datetime(2021, 9, 11, 9, 30)  # type: ignore[call-overload]
    job = import_file(lab_tech_cdc, xlsx_bytes([values, row("HN-0002", resident_cccd(1))]), name="kq.xlsx")
    assert (job.rows, job.accepted) == (2, 2)
    sample = Sample.objects.get(code="HN-0001")
    assert sample.collected_at.isoformat() == "2021-09-10T01:00:00+00:00"


def test_repeats_within_one_file_are_read_in_order(lab_tech_cdc: Any, residents: list[Any]) -> None:
    data = csv_bytes(
        [
            row("HN-0001", resident_cccd(0), result="negative"),
            row("HN-0001", resident_cccd(0), result="negative"),
            row("HN-0001", resident_cccd(0), result="positive", resulted="12/09/2021 08:00"),
        ]
    )
    job = import_file(lab_tech_cdc, data)
    assert (job.accepted, job.duplicates, job.corrected) == (1, 1, 1)
    assert Sample.objects.get().outcome == "positive"
    assert ResultCorrection.objects.count() == 1


class Killed(Exception):
    pass


class DiesAfter(lab_import.LabResultImport):
    """The import, killed after `batches` committed batches (a worker dying, a database restart)."""

    def __init__(self, batches: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.left = batches

    def write_batch(self, job: Any, rows: Any) -> Any:
        if self.left == 0:
            raise Killed()
        self.left -= 1
        return super().write_batch(job, rows)


def test_a_killed_import_resumes_after_its_last_committed_batch(
    lab_tech_cdc: Any, residents: list[Any]
) -> None:
    from phaodai.diagnostics.tests.test_import_support import clock

    rows = [row(f"HN-{n:04d}", resident_cccd(n % 3)) for n in range(45)]
    rows[7] = row("HN-0007", "1.2E+11")
    rows[30] = row("HN-0030", "001080999999")
    data = csv_bytes(rows)
    expected = counts(import_file(lab_tech_cdc, data, batch_size=10))
    Sample.objects.all().delete()
    UnmatchedResult.objects.all().delete()

    job = start(lab_tech_cdc, data)
    with pytest.raises(Killed):
        runner.run(job.pk, DiesAfter(2, clock=clock), batch_size=10, clock=clock)
    job.refresh_from_db()
    assert (job.status, job.committed_rows, job.rows) == ("failed", 21, 20)
    assert "Killed" in job.error
    resumed = run(job, batch_size=10)
    assert counts(resumed) == expected
    assert resumed.status == "done" and resumed.attempts == 2
    assert Sample.objects.count() == 43 and UnmatchedResult.objects.count() == 1
    assert ImportRejection.objects.filter(job=job).count() == 1


def test_a_job_runs_once_at_a_time(lab_tech_cdc: Any, residents: list[Any]) -> None:
    job = start(lab_tech_cdc, csv_bytes([row("HN-0001", resident_cccd(0))]))
    assert runner.claim(job.pk) is not None
    assert runner.run(job.pk, lab_import.LabResultImport()) is None
