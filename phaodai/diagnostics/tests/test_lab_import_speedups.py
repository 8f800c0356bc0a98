"""The import's speed-ups change nothing it writes: the blind index with its key's states computed once,
and the runner reading (and checking) the next batch in a thread while the database writes the last."""

import hashlib
import hmac
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from phaodai.core.bulk import runner
from phaodai.core.bulk.uploads import stored_path
from phaodai.core.crypto import BlindIndex
from phaodai.core.models import ImportRejection
from phaodai.diagnostics import lab_import
from phaodai.diagnostics.models import Sample
from phaodai.diagnostics.tests.conftest import resident_cccd
from phaodai.diagnostics.tests.test_import_support import clock, counts, csv_bytes, row, start

# The blind index -------------------------------------------------------------------------------------


def hmac_new(key: bytes, value: str, purpose: str) -> str:
    """The blind index as it was computed before (hmac.new per value)."""
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("length", [1, 16, 32, 63, 64, 65, 200])
def test_the_blind_index_is_hmac_sha256_for_keys_of_every_length(length: int) -> None:
    key = bytes((7 * i + length) % 256 for i in range(length))
    index = BlindIndex(key)
    values = ["001080123456", "", "Nguyễn Văn An", "x" * 500, "001080123456\x00"]
    for value in values:
        for purpose in ("cccd", "phone", ""):
            assert index(value, purpose) == hmac_new(key, value, purpose)
    # the states are copied, never advanced: the same call twice gives the same index
    assert index(values[0], "cccd") == index(values[0], "cccd")


def test_the_blind_index_gives_the_same_value_from_several_threads() -> None:
    index, key = BlindIndex(b"k" * 32), b"k" * 32
    found: list[bool] = []

    def work(offset: int) -> None:
        found.append(all(index(str(n), "cccd") == hmac_new(key, str(n), "cccd") for n in range(offset, 3000)))

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [True] * 4


# The runner's read-ahead ---------------------------------------------------------------------------


class Boom(Exception):
    pass


def test_the_read_ahead_yields_every_item_in_order_then_stops() -> None:
    reads = runner._ReadAhead(iter(range(100)))
    try:
        assert list(reads) == list(range(100))
    finally:
        reads.close()


def test_the_read_ahead_stays_one_item_ahead() -> None:
    made: list[int] = []

    def items() -> Iterator[int]:
        for n in range(10):
            made.append(n)
            yield n

    reads = runner._ReadAhead(items())
    taken = []
    try:
        for item in reads:
            taken.append(item)
            if item == 3:
                # the thread may have made item 4 (the next one), never item 5
                reads._thread.join(0.2)
                assert made[-1] <= 4
                break
    finally:
        reads.close()
    assert taken == [0, 1, 2, 3]
    assert not reads._thread.is_alive()


def test_an_error_while_reading_is_raised_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise Boom()

    reads = runner._ReadAhead(items())
    taken = []
    with pytest.raises(Boom):
        try:
            for item in reads:
                taken.append(item)
        finally:
            reads.close()
    assert taken == [1, 2]


def test_the_reading_thread_speaks_the_callers_language() -> None:
    def items() -> Iterator[str | None]:
        yield translation.get_language()

    with translation.override("vi"):
        reads = runner._ReadAhead(items())
        try:
            assert list(reads) == ["vi"]
        finally:
            reads.close()


# Checked ahead, written with the scope of the batch's own transaction --------------------------------


@pytest.fixture
def residents(resident: Any, lab_cdc: Any) -> list[Any]:
    return [resident(n) for n in range(3)]


class ScopeLostAfterFirstBatch(lab_import.LabResultImport):
    """The uploader's units as read per batch: gone from the second batch on (a role revoked meanwhile)."""

    batches = 0

    def scope_of(self, job: Any) -> tuple[str, ...]:
        self.batches += 1
        return super().scope_of(job) if self.batches == 1 else ("/99/",)


@pytest.mark.django_db
def test_rows_checked_ahead_still_meet_the_scope_their_batch_reads(
    lab_tech_cdc: Any, residents: list[Any]
) -> None:
    rows = [row(f"HN-{n:04d}", resident_cccd(n % 3)) for n in range(20)]
    job = start(lab_tech_cdc, csv_bytes(rows))
    done = runner.run(job.pk, ScopeLostAfterFirstBatch(clock=clock), batch_size=10, clock=clock)
    assert done is not None and done.status == "done"
    assert counts(done) == {"rows": 20, "accepted": 10, "duplicates": 0, "corrected": 0, "rejected": 10,
                            "unmatched": 0}  # fmt: skip
    assert Sample.objects.count() == 10
    refused = ImportRejection.objects.filter(job=done).values_list("row_number", "reason")
    assert sorted(refused) == [(n, "lab_out_of_scope") for n in range(12, 22)]


@pytest.mark.django_db
def test_a_damaged_file_fails_after_the_batches_before_the_damage(
    lab_tech_cdc: Any, residents: list[Any]
) -> None:
    # The stored file's row 281 is not UTF-8 (the upload was checked; the stored copy was damaged since).
    # The file is decoded 8 KB at a time: the damage is met while reading batch 3 (rows 202-301), read
    # ahead while batch 2 is written; the run fails after batch 2 commits, as reading one batch at a
    # time does.
    rows = [row(f"HN-{n:04d}", resident_cccd(n % 3)) for n in range(300)]
    data = csv_bytes(rows)
    job = start(lab_tech_cdc, data)
    lines = data.split(b"\r\n")
    assert len(b"\r\n".join(lines[:251])) > 3 * 8192  # the damage lies past the third 8 KB chunk
    lines[280] = lines[280].replace("Văn".encode(), "Văn".encode("cp1258"))
    stored_path(job.stored_name).write_bytes(b"\r\n".join(lines))
    failed = runner.run(job.pk, lab_import.LabResultImport(clock=clock), batch_size=100, clock=clock)
    assert failed is not None
    assert (failed.status, failed.committed_rows, failed.rows) == ("failed", 201, 200)
    assert "is not UTF-8" in failed.error
    assert Sample.objects.count() == 200


# The staged rows' binary COPY, encoded in the reading thread ---------------------------------------


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's binary COPY")
def test_staged_rows_encoded_ahead_read_back_as_they_were() -> None:
    from phaodai.core.clock import hanoi
    from phaodai.diagnostics import lab_import_sql

    moment = hanoi(2021, 9, 10, 8, 0)
    rows = [
        (2, "HN-0001", "001080100000", "ab" * 32, moment, moment + timedelta(hours=25, microseconds=7), "pcr",
         "negative", 1, "/01/"),
        (3, "a.b/c_d-e1", None, None, moment.astimezone(UTC), moment + timedelta(days=3), "rapid_antigen",
         "positive", 2**40, "/01/001/00139/"),
        (2**31 - 1, "X" * 32, "", "", datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
         datetime(2000, 1, 1, tzinfo=UTC), "pcr_pooled", "invalid", 7, "Hà Nội"),
    ]  # fmt: skip
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(lab_import_sql._CREATE)
        cursor.execute(f"TRUNCATE {lab_import_sql.STAGED}")
        with cursor.copy(lab_import_sql._COPY) as copy:
            copy.write(lab_import_sql._SIGNATURE + b"".join(map(lab_import_sql.encode, rows)))
            copy.write(lab_import_sql._TRAILER)
        cursor.execute(f"SELECT * FROM {lab_import_sql.STAGED} ORDER BY n")
        assert cursor.fetchall() == rows
