"""On PostgreSQL the set-wise import (lab_import_sql) ends exactly where the Python path ends.

A seeded file with every kind of row — good rows in each time form and word spelling, each bad cell,
odd cells that are still good, persons not registered, codes repeated within and across batches,
corrections, stale and duplicate results, results for waiting samples, another person's code, the
samples, pools and unmatched results of a laboratory outside the uploader's units, pools and their
members — is imported twice from the same database state: by the Python path (set_wise=False), rolled
back, then set-wise. Samples, corrections, retests, the unmatched queue, rejections, counts, audit
entries and announcements must be equal.
"""

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from phaodai.accounts.roles import Role
from phaodai.core.audit import AuditEntry
from phaodai.core.bulk import runner
from phaodai.core.crypto import field_cipher
from phaodai.core.models import ImportJob, ImportRejection
from phaodai.diagnostics import lab_import
from phaodai.diagnostics.models import ResultCorrection, Retest, Sample, UnmatchedResult
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING, make_lab, resident_cccd
from phaodai.diagnostics.tests.test_import_support import (
    clock,
    counts,
    csv_bytes,
    import_file,
    register_residents,
    row,
    start,
)
from phaodai.diagnostics.tests.test_pools import pool_of_five  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
SEED = 20211009
PERSONS = 40
BATCH = 50
NOT_REGISTERED = [resident_cccd(1000 + n) for n in range(20)]

# Time cells: (collected, resulted), every form both paths must read alike; all before "now" (20/9).
GOOD_TIMES = [
    ("10/09/2021 08:00", "2021-09-11T09:30:00+07:00"),
    ("10/9/2021 8:05", "11/09/2021 9:30"),
    ("1/9/2021 08:05:30", "2021-09-02 07:00"),
    ("10/09/2021T08:00", "2021-09-11T02:30:00Z"),
    ("2021-09-10T08:00", "2021-09-11T09:30:00.5+07:00"),
    ("2021-09-10 08:00:00", "2021-09-11T09:30:00.123456-0130"),
    ("29/02/2020 23:59", "2020-03-01T00:00:00+0700"),
    (" 10/09/2021 08:00 ", "2021-09-11T09:30:00,25+07:00"),  # odd: Python reads these
    ("2021-09-10T08:00:00+07", "2021-09-11T09:30:00+07:00:00"),
    ("10/09/2021  08:00", "2021-09-11T09:30:00.1234567+07:00"),
]
BAD_TIMES = [
    ("", "2021-09-11T09:30:00+07:00"),  # collected_at_missing
    ("10/09/2021 08:00", "   "),  # resulted_at_missing
    ("31/09/2021 08:00", "2021-09-11T09:30:00+07:00"),  # collected_at_format
    ("10/09/2021 08:00", "2021-09-11T24:00"),  # resulted_at_format
    ("10/09/2018 08:00", "2021-09-11T09:30:00+07:00"),  # collected_at_out_of_range
    ("10/09/2021 08:00", "2021-13-11T09:30"),  # resulted_at_format
    ("10/09/2021 08:00", "09/09/2021 08:00"),  # result_before_collection
    ("10/09/2021 08:00", "2021-09-20T12:11:00+07:00"),  # result_in_future (now 20/9 12:00)
    ("10/09/2021 08:00", "2021-09-20T12:09:00+07:00"),  # not yet in the future (10 minutes' slack)
    ("10/09/2021 25:00", "11/09/2021 09:30"),  # collected_at_format
    ("10/09/2201 08:00", "11/09/2201 09:30"),  # out of range, both
    ("tomorrow", "yesterday"),
    ("10/09/2021 08:00", "2021-09-11T09:30:00+24:00"),
]
METHODS = ["pcr", "RT-PCR", "rt pcr", "PCR đơn", "Test nhanh", "rapid_antigen", " pcr ", "PCR  gộp", "neg"]
RESULTS = ["âm tính", "Âm Tính", "am tinh", "negative", "NEGATIVE", "dương tính", "DUONG TINH", "positive",
           "không xác định", "invalid", " âm tính ", "neg", "+", "dương"]  # fmt: skip
BAD_CCCDS = ["1.23457E+11", "1,23457e+11", "10801234567", "1080123456", "00108012345X", "999080123456",
             "001280123456", "001 080 123 456", "001080123456 "]  # fmt: skip
BAD_CODES = ["", "AB", "HN 0002!", "=HYPERLINK(1)", "X" * 33, "-AB1", "AB1-", " HN-7000 ", "HN/ä/01"]


@pytest.fixture
def lab_tech_ba_dinh(db: Any) -> Any:
    """A technician of a laboratory supervised by Ba Đình district (001)."""
    from conftest import make_persona

    return make_persona("lab-001", Role.LAB_TECHNICIAN, "001")


@pytest.fixture
def world(
    lab_tech_cdc: Any,
    lab_tech_ba_dinh: Any,
    bo_de_area: Any,
    pool_of_five: Any,  # noqa: F811 - the fixture
) -> dict[str, Any]:
    """Residents, stored samples of two laboratories, a pool, and open unmatched results of both."""
    if connection.vendor != "postgresql":
        pytest.skip("the set-wise path is PostgreSQL's")
    from phaodai.diagnostics.models import Lab

    cdc, ba_dinh = Lab.objects.get(code="CDC-HN"), make_lab("BV-BADINH", "Bệnh viện Ba Đình", "001")
    register_residents(bo_de_area, PERSONS)
    persons = {p.cccd_index: p for p in _persons()}
    resulted = SEPT_10_MORNING + timedelta(days=1)
    for n in range(5, 25):
        person = persons[_index(resident_cccd(n))]
        pending = n < 10
        Sample.objects.create(
            code=f"S-{n:04d}", person=person, method="pcr", collected_at=SEPT_10_MORNING,
            lab=ba_dinh if n >= 20 else cdc, outcome="pending" if pending else "negative",
            resulted_at=None if pending else resulted, path=person.unit_path,
        )  # fmt: skip
    import_file(lab_tech_cdc, csv_bytes([row(f"U-{n:04d}", NOT_REGISTERED[n]) for n in range(4)]))
    import_file(
        lab_tech_ba_dinh,
        csv_bytes([row(f"UB-{n:04d}", NOT_REGISTERED[4 + n], lab="BV-BADINH") for n in range(4)]),
    )
    return {"cdc": lab_tech_cdc, "ba_dinh": lab_tech_ba_dinh}


def _persons() -> list[Any]:
    from phaodai.people.models import Person

    return list(Person.objects.all())


def _index(cccd: str) -> str:
    from phaodai.people.cccd import cccd_index

    return cccd_index(cccd)


def seeded_rows() -> list[list[str]]:
    """The file: every kind of row, shuffled with a seed, some codes repeated across batches."""
    rng = random.Random(SEED)
    rows: list[list[str]] = []

    def lab() -> str:
        return rng.choice(["CDC-HN", "CDC-HN", "BV-BADINH", "cdc-hn", " CDC-HN", "NOPE"])

    def good(code: str, cccd: str, **cells: str) -> list[str]:
        collected, resulted = rng.choice(GOOD_TIMES)
        values = {"collected": collected, "resulted": resulted, "method": rng.choice(METHODS[:-1]),
                  "result": rng.choice(RESULTS[:-3]), "lab": lab(), **cells}  # fmt: skip
        return row(code, cccd, **values)

    for n in range(120):  # new samples and unmatched results
        cccd = resident_cccd(25 + n % 15) if n % 5 else rng.choice([*NOT_REGISTERED[8:], ""])
        rows.append(
            good(f"N-{n:04d}", cccd, name=rng.choice(["Nguyễn Văn An", "Lê  Thị\u0301 Hoa", "A" * 60]))
        )
    for n, (collected, resulted) in enumerate(BAD_TIMES):  # each bad cell
        rows.append(row(f"B-{n:04d}", resident_cccd(n % PERSONS), collected=collected, resulted=resulted))
    for n, method in enumerate(METHODS):
        rows.append(good(f"W-{n:04d}", resident_cccd(n % PERSONS), method=method))
    for n, result in enumerate(RESULTS):
        rows.append(good(f"V-{n:04d}", resident_cccd(n % PERSONS), result=result))
    for n, code in enumerate(BAD_CODES):
        rows.append(good(code, resident_cccd(n % PERSONS)))
    for n, cccd in enumerate(BAD_CCCDS):
        rows.append(good(f"C-{n:04d}", cccd))
    for n in range(3):
        rows.append(good(f"L-{n:04d}", resident_cccd(n), name="Tên" * 60))
    for n in range(5, 25):  # the stored samples: results, duplicates, corrections, stale, other persons
        code, own = f"S-{n:04d}", resident_cccd(n)
        for _ in range(3):
            cccd = rng.choice([own, own, "", resident_cccd(30), NOT_REGISTERED[0]])
            rows.append(good(code, cccd, result=rng.choice(["âm tính", "dương tính", "invalid"]),
                             resulted=rng.choice(["11/09/2021 09:00", "2021-09-11T09:00:00+07:00",
                                                  "12/09/2021 10:00", "09/09/2021 10:00",
                                                  "10/09/2021 20:00"])))  # fmt: skip
    for n in range(10):  # repeats within and across batches
        code = f"R-{n:04d}"
        for _ in range(rng.choice([2, 3])):
            rows.append(good(code, resident_cccd(26), result=rng.choice(["âm tính", "dương tính"]),
                             resulted=rng.choice(["11/09/2021 09:00", "12/09/2021 10:00"])))  # fmt: skip
    for n in range(8):  # the open unmatched results of both laboratories
        code = f"U-{n % 4:04d}" if n < 4 else f"UB-{n % 4:04d}"
        rows.append(good(code, NOT_REGISTERED[n], result=rng.choice(["âm tính", "dương tính"])))
    pooled = {
        "method": "pcr_pooled",
        "collected": "10/09/2021 09:00",
        "resulted": "2021-09-11T03:00:00+07:00",
    }
    rows.append(row("P-0001", "", result="positive", **pooled))
    rows.append(row("P-0001", resident_cccd(0), result="negative", **pooled))
    rows.append(row("BD-000001", resident_cccd(1), result="negative", **pooled))
    rng.shuffle(rows)
    return rows


def snapshot(job: ImportJob, announced: list[int]) -> dict[str, Any]:
    """Everything an import wrote, with no ids that differ between two runs."""
    cipher = field_cipher()

    def mine(job_id: int | None) -> bool:
        return job_id == job.pk

    samples = Sample.objects.order_by("code").values_list(
        "code", "person_id", "method", "collected_at", "lab__code", "outcome", "resulted_at", "path",
        "version", "import_job_id", "pool__code", "announced_at",
    )  # fmt: skip
    corrections = ResultCorrection.objects.order_by("sample__code", "id").values_list(
        "sample__code", "outcome_before", "outcome_after", "resulted_at_before", "resulted_at_after",
        "lab__code", "import_job_id", "corrected_by_id",
    )  # fmt: skip
    unmatched = [
        (u.sample_code, cipher.decrypt(u.cccd_ciphertext, lab_import.UNMATCHED_CCCD_AAD) if u.cccd_ciphertext
         else None, u.cccd_index, u.full_name, u.method, u.collected_at, u.outcome, u.resulted_at, u.lab.code,
         u.path, u.status, u.row_number if mine(u.import_job_id) else None)
        for u in UnmatchedResult.objects.order_by("sample_code", "status", "id").select_related("lab")
    ]  # fmt: skip
    audited = AuditEntry.objects.filter(action="diagnostics.sample.corrected").values_list(
        "object_id", flat=True
    )
    codes = dict(Sample.objects.values_list("pk", "code"))
    return {
        "counts": counts(job),
        "status": job.status,
        "rejections": sorted(
            ImportRejection.objects.filter(job=job).values_list("row_number", "column", "reason", "message")
        ),
        "samples": [(*s[:9], mine(s[9]), s[10], s[11] is not None) for s in samples],
        "corrections": [(*c[:6], mine(c[6]), c[7]) for c in corrections],
        "retests": sorted(Retest.objects.values_list("sample__code", "status")),
        "unmatched": unmatched,
        "audited": sorted(codes[int(pk)] for pk in audited),
        "announced": sorted(codes[pk] for pk in announced),
    }


def imported(user: Any, data: bytes, *, set_wise: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    announced: list[int] = []
    monkeypatch.setattr(lab_import, "announce", lambda ids, *, clock: announced.extend(ids))
    job = start(user, data)
    handler = lab_import.LabResultImport(clock=clock, set_wise=set_wise)
    done = runner.run(job.pk, handler, batch_size=BATCH, clock=clock)
    assert done is not None
    return snapshot(done, announced)


@pytest.mark.parametrize("uploader", ["cdc", "ba_dinh"])
def test_the_set_wise_path_writes_exactly_what_the_python_path_writes(
    world: dict[str, Any], uploader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = csv_bytes(seeded_rows())
    with transaction.atomic():
        expected = imported(world[uploader], data, set_wise=False, monkeypatch=monkeypatch)
        transaction.set_rollback(True)
    got = imported(world[uploader], data, set_wise=True, monkeypatch=monkeypatch)
    assert got == expected
    # the file holds every kind of outcome, so the comparison covers each of them
    reasons = {reason for _row, _column, reason, _message in got["rejections"]}
    if uploader == "ba_dinh":
        assert {"lab_out_of_scope", "sample_out_of_scope"} <= reasons
        return
    assert {"cccd_scientific", "cccd_leading_zero_lost", "cccd_invalid", "sample_code_format",
            "sample_code_missing", "sample_code_too_long", "collected_at_format", "collected_at_missing",
            "collected_at_out_of_range", "resulted_at_missing", "resulted_at_format",
            "result_before_collection", "result_in_future", "method_unknown", "result_unknown", "lab_unknown",
            "full_name_too_long", "stale_result", "other_person", "pooled_member",
            "pool_with_cccd"} <= reasons  # fmt: skip
    assert all(got["counts"][name] for name in ("accepted", "duplicates", "corrected", "unmatched"))
    assert got["announced"] and got["audited"] and got["retests"]


def test_a_second_import_of_the_file_ends_alike_on_both_paths(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = csv_bytes(seeded_rows())
    imported(world["cdc"], data, set_wise=True, monkeypatch=monkeypatch)
    with transaction.atomic():
        expected = imported(world["cdc"], data, set_wise=False, monkeypatch=monkeypatch)
        transaction.set_rollback(True)
    got = imported(world["cdc"], data, set_wise=True, monkeypatch=monkeypatch)
    assert got == expected
    assert got["counts"]["duplicates"] > got["counts"]["accepted"]
