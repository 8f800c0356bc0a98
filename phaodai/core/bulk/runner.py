"""Running an import job: rows in batches, each batch committed with the job's cursor and counts.

A batch's rows, its rejections, the job's `committed_rows` (the last file row of the batch) and its
counts are written in one transaction. A run that dies (killed, database restarted) leaves the job
"running" or "failed" with the cursor at the last committed batch; running it again skips the rows up
to the cursor, so the final counts are exact. Only one run of a job holds it at a time (compare-and-set
on its status).

The file is read one batch ahead, in a thread (_ReadAhead): while the database works on a batch (its
statements, the COMMIT's deferred foreign-key checks), the next one is parsed, and checked if the
handler has a `prepare` step. Batches are still written and committed one at a time, in file order, by
the caller's thread; the reading thread never touches the database, and a failure while reading is
raised where the synchronous loop would have raised it.
"""

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from typing import Any, Generic, Protocol, TypeVar

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from phaodai.core import audit
from phaodai.core.bulk.reader import HeaderSpec, Row, RowStream, open_rows
from phaodai.core.bulk.uploads import stored_path
from phaodai.core.clock import Clock, now
from phaodai.core.errors import DomainError
from phaodai.core.models import ImportJob, ImportRejection

BATCH_SIZE = 5000
# A running job not heard from for this long died with its worker: it may be taken over.
STALE_AFTER = timedelta(minutes=10)
# Failed jobs are resumed automatically this many times at most (a damaged file fails each time).
MAX_ATTEMPTS = 5
COUNTS = ("accepted", "duplicates", "corrected", "rejected", "unmatched")


@dataclass(frozen=True)
class Rejection:
    """Why a row (or one of its cells) was refused; the value is never kept."""

    row: int
    column: str
    reason: str
    message: str


@dataclass
class BatchResult:
    """What a batch did: the counts of its rows, its rejections, and whatever after_commit needs."""

    accepted: int = 0
    duplicates: int = 0
    corrected: int = 0
    rejected: int = 0
    unmatched: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    payload: Any = None


class BatchHandler(Protocol):
    """One kind of import: its header, and how a batch of rows is checked and written."""

    spec: HeaderSpec

    def write_batch(self, job: ImportJob, rows: Sequence[Row]) -> BatchResult:
        """Check and write the rows; runs inside the batch's transaction."""

    def after_commit(self, job: ImportJob, result: BatchResult) -> None:
        """Work that follows a committed batch (notifications); a failure here does not undo it."""

    def on_resume(self, job: ImportJob) -> None:
        """Before a resumed run: redo after-commit work a dead run may have missed (idempotently)."""


# A handler may also have `prepare(rows: list[Row]) -> list[Row]`: work on a batch that needs neither
# the database nor the job (the row checks), run in the reading thread while the previous batch is
# written. What it returns (the same rows, possibly carrying that work) is what write_batch gets.
Prepare = Callable[[list[Row]], list[Row]]


def claim(job_id: int, *, clock: Clock = now) -> ImportJob | None:
    """Take the job for one run: queued, failed, or running but silent too long. None if someone has it."""
    moment = clock()
    taken = (
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.FAILED])
            | Q(status=ImportJob.Status.RUNNING, updated_at__lt=moment - STALE_AFTER)
        )
        .update(
            status=ImportJob.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=Coalesce("started_at", moment),
            updated_at=moment,
            error="",
        )
    )
    return ImportJob.objects.get(pk=job_id) if taken else None


class RunTakenOver(Exception):
    """Another run claimed the job (this one was silent too long): this one stops without writing."""


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


@dataclass
class _Read:
    """A batch as read: its rows (prepared), the malformed records met while reading it, and how far
    into the file reading was. The last one has no rows: the malformed records after the last row."""

    rows: list[Row]
    malformed: list[int]
    position: int


def _reads(stream: RowStream, resume_after: int, size: int, prepare: Prepare | None) -> Iterator[_Read]:
    fresh = (row for row in stream if row[0] > resume_after)
    for batch in _batches(fresh, size):
        bad = [n for n in stream.take_malformed() if n > resume_after]
        yield _Read(prepare(batch) if prepare else batch, bad, stream.position())
    yield _Read([], [n for n in stream.take_malformed() if n > resume_after], stream.position())


T = TypeVar("T")


class _ReadAhead(Generic[T]):
    """Iterates `items` in a thread, at most one item ahead of the consumer (two batches in memory).

    The thread computes the next item once the consumer has taken the previous one; an exception it
    meets is raised to the consumer in the item's place. `close` stops and joins it (the file it reads
    must stay open until then). The caller's language is the thread's (reader messages, rejections).
    """

    def __init__(self, items: Iterator[T]) -> None:
        self._items = items
        self._lock = threading.Condition()
        self._slot: tuple[str, Any] | None = None
        self._closed = False
        self._thread = threading.Thread(
            target=self._produce, args=(translation.get_language(),), name="import-read-ahead", daemon=True
        )
        self._thread.start()

    def _produce(self, language: str | None) -> None:
        try:
            with translation.override(language):
                for item in self._items:
                    if not self._hand_over(("item", item)):
                        return
        except BaseException as error:  # raised again in the consumer's thread
            self._hand_over(("error", error))
            return
        self._hand_over(("end", None))

    def _hand_over(self, entry: tuple[str, Any]) -> bool:
        """Leave `entry` for the consumer and wait until it is taken; False once closed."""
        with self._lock:
            self._slot = entry
            self._lock.notify_all()
            self._lock.wait_for(lambda: self._slot is None or self._closed)
            return not self._closed

    def __iter__(self) -> Iterator[T]:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._slot is not None)
                assert self._slot is not None
                (kind, value), self._slot = self._slot, None
                self._lock.notify_all()
            if kind == "error":
                raise value
            if kind == "end":
                return
            yield value

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        self._thread.join()


def _malformed(numbers: list[int], result: BatchResult) -> None:
    message = _("The CSV record is malformed (a stray quote, or a cell over 128 KB); it was skipped.")
    for number in numbers:
        result.rejections.append(Rejection(number, "*", "malformed", message))
        result.rejected += 1


def run(
    job_id: int,
    handler: BatchHandler,
    *,
    batch_size: int = BATCH_SIZE,
    clock: Clock = now,
    progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob | None:
    """Run (or resume) a job to its end; returns it done or failed, or None when another run holds it."""
    job = claim(job_id, clock=clock)
    if job is None:
        return None
    try:
        if job.committed_rows:
            handler.on_resume(job)
        with open_rows(stored_path(job.stored_name), handler.spec) as stream:
            prepare: Prepare | None = getattr(handler, "prepare", None)
            reads = _ReadAhead(_reads(stream, job.committed_rows, batch_size, prepare))
            try:
                for read in reads:
                    _write(job, handler, read, clock, progress)
            finally:
                reads.close()
    except RunTakenOver:
        return None
    except DomainError as error:
        return _fail(job, str(error.detail), clock)
    except Exception as error:
        # No exception text: a database error quotes the row's values, which may be personal data.
        _fail(
            job,
            _("The import stopped (%(kind)s); run it again to resume.") % {"kind": type(error).__name__},
            clock,
        )
        raise
    moment = clock()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, finished_at=moment, updated_at=moment, bytes_read=job.size_bytes
    )
    job.refresh_from_db()
    if progress is not None:
        progress(job)
    return job


def _write(
    job: ImportJob,
    handler: BatchHandler,
    read: _Read,
    clock: Clock,
    progress: Callable[[ImportJob], None] | None,
) -> None:
    """Write and commit one batch, then its after-commit work."""
    batch, bad = read.rows, read.malformed
    if not batch:
        if bad:
            # Malformed records after the last good row: committed as a batch of their own.
            result = BatchResult()
            _malformed(bad, result)
            with transaction.atomic():
                _commit_batch(job, [], result, read.position, clock, last=max(bad), skipped=len(bad))
        return
    with transaction.atomic():
        result = handler.write_batch(job, batch)
        _malformed(bad, result)
        last = max([batch[-1][0], *bad])
        _commit_batch(job, batch, result, read.position, clock, last=last, skipped=len(bad))
    handler.after_commit(job, result)
    if progress is not None:
        progress(job)


def _commit_batch(
    job: ImportJob,
    batch: list[Row],
    result: BatchResult,
    position: int,
    clock: Clock,
    *,
    last: int,
    skipped: int = 0,
) -> None:
    ImportRejection.objects.bulk_create(
        [
            ImportRejection(
                job=job, row_number=r.row, column=r.column, reason=r.reason, message=r.message[:300]
            )
            for r in result.rejections
        ],
        ignore_conflicts=True,  # a row refused twice for one column keeps its first reason
    )
    counts = {name: getattr(result, name) for name in COUNTS}
    rows = len(batch) + skipped  # the malformed records count as rows read (and rejected)
    # Only the run that claimed the job last may commit (its attempt number is the claim's token).
    held = ImportJob.objects.filter(
        pk=job.pk, attempts=job.attempts, committed_rows=job.committed_rows, status=ImportJob.Status.RUNNING
    ).update(
        committed_rows=last,
        rows=F("rows") + rows,
        bytes_read=position,
        updated_at=clock(),
        **{name: F(name) + value for name, value in counts.items()},
    )
    if not held:
        raise RunTakenOver()
    audit.record(
        actor=job.uploaded_by,
        action=f"import.{job.kind}.batch",
        object_type="core.importjob",
        object_id=job.pk,
        unit_path=job.unit_path,
        after={"rows": f"{batch[0][0] if batch else last}-{last}", **counts},
        clock=clock,
    )
    job.committed_rows = last
    job.rows += rows
    for name, value in counts.items():
        setattr(job, name, getattr(job, name) + value)
    job.bytes_read = position


def _fail(job: ImportJob, message: str, clock: Clock) -> ImportJob:
    moment = clock()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, error=message[:500], updated_at=moment, finished_at=moment
    )
    job.refresh_from_db()
    return job


def resumable(*, kind: str, clock: Clock = now) -> list[int]:
    """Jobs to run again: failed ones, and running ones whose worker went silent."""
    moment = clock()
    return list(
        ImportJob.objects.filter(kind=kind)
        .filter(
            Q(status=ImportJob.Status.FAILED, committed_rows__gt=0)
            | Q(status=ImportJob.Status.RUNNING, updated_at__lt=moment - STALE_AFTER)
        )
        .filter(attempts__lt=MAX_ATTEMPTS)
        .values_list("pk", flat=True)
    )
