"""The lab import's guards: a laboratory's jurisdiction, hand entries meanwhile, pools, runs taken over,
damaged records, and one audit entry per corrected result."""

import dataclasses
from typing import Any

import pytest

from phaodai.accounts.roles import Role
from phaodai.core.audit import AuditEntry
from phaodai.core.bulk import runner
from phaodai.core.models import ImportJob, ImportRejection
from phaodai.diagnostics import lab_import
from phaodai.diagnostics.models import Outcome, ResultCorrection, Retest, Sample
from phaodai.diagnostics.tests.conftest import make_lab, resident_cccd
from phaodai.diagnostics.tests.test_import_support import (
    clock,
    counts,
    csv_bytes,
    import_file,
    row,
    run,
    start,
)
from phaodai.diagnostics.tests.test_pools import pool_of_five  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents(resident: Any, lab_cdc: Any) -> list[Any]:
    return [resident(n) for n in range(3)]


@pytest.fixture
def lab_tech_ba_dinh(db: Any) -> Any:
    """A technician of a laboratory supervised by Ba Đình district (001)."""
    from conftest import make_persona

    make_lab("BV-BADINH", "Phòng xét nghiệm Bệnh viện Ba Đình", "001")
    return make_persona("lab-001", Role.LAB_TECHNICIAN, "001")


def reasons(job: ImportJob) -> list[tuple[int, str, str]]:
    return list(
        ImportRejection.objects.filter(job=job)
        .order_by("row_number")
        .values_list("row_number", "column", "reason")
    )


# A laboratory's jurisdiction -------------------------------------------------------------------------


def test_a_district_lab_imports_only_its_own_laboratorys_results(
    lab_tech_ba_dinh: Any, residents: list[Any]
) -> None:
    # Bồ Đề's residents may be swabbed anywhere; Ba Đình's laboratory may report on them,
    # but not in the name of the city's CDC.
    job = import_file(
        lab_tech_ba_dinh,
        csv_bytes([row("BD-0001", resident_cccd(0), lab="BV-BADINH"), row("HN-0002", resident_cccd(1))]),
    )
    assert counts(job)["accepted"] == 1 and counts(job)["rejected"] == 1
    assert reasons(job) == [(3, "lab", "lab_out_of_scope")]
    assert list(Sample.objects.values_list("code", flat=True)) == ["BD-0001"]


def test_a_district_lab_cannot_change_another_laboratorys_sample(
    lab_tech_cdc: Any, lab_tech_ba_dinh: Any, residents: list[Any]
) -> None:
    import_file(lab_tech_cdc, csv_bytes([row("HN-0001", resident_cccd(0), result="negative")]))
    # The same code from Ba Đình's laboratory: the CDC's sample of a Long Biên resident is not theirs.
    job = import_file(
        lab_tech_ba_dinh,
        csv_bytes([row("HN-0001", resident_cccd(0), result="positive", lab="BV-BADINH")]),
    )
    assert reasons(job) == [(2, "sample_code", "sample_out_of_scope")]
    assert Sample.objects.get(code="HN-0001").outcome == Outcome.NEGATIVE
    assert not ResultCorrection.objects.exists()


def test_a_district_lab_cannot_overwrite_another_laboratorys_waiting_result(
    lab_tech_cdc: Any, lab_tech_ba_dinh: Any, lab_cdc: Any
) -> None:
    import_file(lab_tech_cdc, csv_bytes([row("HN-0009", "001080999999", result="positive")]))
    job = import_file(
        lab_tech_ba_dinh, csv_bytes([row("HN-0009", "001080999999", result="negative", lab="BV-BADINH")])
    )
    assert reasons(job) == [(2, "sample_code", "sample_out_of_scope")]
    from phaodai.diagnostics.models import UnmatchedResult

    assert UnmatchedResult.objects.get().outcome == Outcome.POSITIVE


# A result entered by hand while the batch was planned ------------------------------------------------


def test_a_result_entered_by_hand_meanwhile_stops_the_batch_and_the_rerun_sees_it(
    lab_tech_cdc: Any, residents: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(lab_tech_cdc, csv_bytes([row("HN-0001", resident_cccd(0), result="negative")]))
    data = csv_bytes(
        [row("HN-0001", resident_cccd(0), result="positive", resulted="2021-09-12T09:00:00+07:00")]
    )
    job = start(lab_tech_cdc, data)
    read = lab_import.stored_results

    def read_before_a_hand_entry(codes: set[str], covered: Any) -> Any:
        # what the import read is one version behind: an officer recorded a result meanwhile
        return {
            code: dataclasses.replace(stored, outcome="pending", version=stored.version - 1)
            for code, stored in read(codes, covered).items()
        }

    monkeypatch.setattr(lab_import, "stored_results", read_before_a_hand_entry)
    failed = runner.run(job.pk, lab_import.LabResultImport(clock=clock), clock=clock)
    assert failed is not None and failed.status == ImportJob.Status.FAILED
    assert "by hand" in failed.error
    assert Sample.objects.get(code="HN-0001").outcome == "negative"  # the hand entry stands
    assert not ResultCorrection.objects.exists()
    monkeypatch.setattr(lab_import, "stored_results", read)
    done = run(job)
    assert done.corrected == 1
    correction = ResultCorrection.objects.get()
    assert (correction.outcome_before, correction.outcome_after) == ("negative", "positive")


# Pools -----------------------------------------------------------------------------------------------


def test_a_pools_result_in_a_file_sends_its_members_to_retest(
    lab_tech_cdc: Any,
    pool_of_five: Any,  # noqa: F811 - the fixture
) -> None:
    job = import_file(
        lab_tech_cdc,
        csv_bytes(
            [
                row(
                    "P-0001", "", collected="10/09/2021 09:00", resulted="2021-09-11T03:00:00+07:00",
                    method="pcr_pooled", result="positive",
                ),
                # a member's own code: its result comes from the pool or from its retest
                row("BD-000001", resident_cccd(1), method="pcr_pooled", resulted="2021-09-11T03:00:00+07:00"),
            ]
        ),
    )  # fmt: skip
    assert (job.accepted, job.rejected) == (1, 1)
    assert reasons(job) == [(3, "sample_code", "pooled_member")]
    assert set(pool_of_five.members.values_list("outcome", flat=True)) == {Outcome.RETEST}
    assert Retest.objects.filter(pool=pool_of_five, status="open").count() == 5
    again = import_file(
        lab_tech_cdc,
        csv_bytes(
            [row("P-0001", "", method="pcr_pooled", result="positive", resulted="2021-09-11T03:00:00+07:00")]
        ),
    )
    assert again.duplicates == 1 and Retest.objects.filter(pool=pool_of_five).count() == 5


def test_a_pools_code_with_a_cccd_is_refused(
    lab_tech_cdc: Any,
    pool_of_five: Any,  # noqa: F811 - the fixture
) -> None:
    job = import_file(
        lab_tech_cdc,
        csv_bytes(
            [row("P-0001", resident_cccd(0), method="pcr_pooled", resulted="2021-09-11T03:00:00+07:00")]
        ),
    )
    assert reasons(job) == [(2, "cccd", "pool_with_cccd")]


# Runs ------------------------------------------------------------------------------------------------


def test_a_run_taken_over_commits_nothing_more(lab_tech_cdc: Any, residents: list[Any]) -> None:
    rows = [row(f"HN-{n:04d}", resident_cccd(n % 3)) for n in range(30)]
    job = start(lab_tech_cdc, csv_bytes(rows))

    class TakenOverAfterFirstBatch(lab_import.LabResultImport):
        batches = 0

        def write_batch(self, job: ImportJob, rows: Any) -> Any:
            self.batches += 1
            if self.batches == 2:
                # the silent run's job is claimed by another worker (its attempt number moves on)
                ImportJob.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
            return super().write_batch(job, rows)

    assert runner.run(job.pk, TakenOverAfterFirstBatch(clock=clock), batch_size=10, clock=clock) is None
    job.refresh_from_db()
    assert (job.committed_rows, job.rows, Sample.objects.count()) == (11, 10, 10)


def test_failed_jobs_are_resumed_automatically_a_bounded_number_of_times(
    lab_tech_cdc: Any, residents: list[Any]
) -> None:
    job = start(lab_tech_cdc, csv_bytes([row("HN-0001", resident_cccd(0))]))
    ImportJob.objects.filter(pk=job.pk).update(
        status="failed", committed_rows=1, attempts=runner.MAX_ATTEMPTS - 1
    )
    assert runner.resumable(kind=job.kind) == [job.pk]
    ImportJob.objects.filter(pk=job.pk).update(attempts=runner.MAX_ATTEMPTS)
    assert runner.resumable(kind=job.kind) == []


def test_a_malformed_record_is_reported_and_the_rows_after_it_are_imported(
    lab_tech_cdc: Any, residents: list[Any]
) -> None:
    import csv as csv_module

    good = csv_bytes([row(f"HN-{n:04d}", resident_cccd(n)) for n in range(3)]).decode()
    lines = good.split("\r\n")
    # a cell over the csv module's limit between the first and the second result
    lines.insert(2, "HN-0999," + "9" * (csv_module.field_size_limit() + 10))
    job = import_file(lab_tech_cdc, "\r\n".join(lines).encode(), batch_size=2)
    assert job.status == ImportJob.Status.DONE
    assert reasons(job) == [(3, "*", "malformed")]
    assert (job.rows, job.accepted, job.rejected) == (4, 3, 1)
    assert Sample.objects.count() == 3


def test_each_corrected_result_has_its_own_audit_entry(lab_tech_cdc: Any, residents: list[Any]) -> None:
    import_file(lab_tech_cdc, csv_bytes([row(f"HN-{n:04d}", resident_cccd(n)) for n in range(3)]))
    later = "2021-09-12T09:00:00+07:00"
    import_file(
        lab_tech_cdc,
        csv_bytes(
            [row(f"HN-{n:04d}", resident_cccd(n), result="positive", resulted=later) for n in range(2)]
        ),
    )
    entries = AuditEntry.objects.filter(action="diagnostics.sample.corrected")
    ids = set(Sample.objects.filter(code__in=["HN-0000", "HN-0001"]).values_list("pk", flat=True))
    assert {int(e.object_id) for e in entries} == ids
