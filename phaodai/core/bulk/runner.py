"""Running an import job: rows in batches, each batch committed with the job's cursor and counts.

A batch's rows, its rejections, the job's `committed_rows` (the last file row of the batch) and its
counts are written in one transaction. A run that dies (killed, database restarted) leaves the job
"running" or "failed" with the cursor at the last committed batch; running it again skips the rows up
to the cursor, so the final counts are exact. Only one run of a job holds it at a time (compare-and-set
on its status).
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from typing import Any, Protocol

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from phaodai.core import audit
from phaodai.core.bulk.reader import HeaderSpec, Row, open_rows
from phaodai.core.bulk.uploads import stored_path
from phaodai.core.clock import Clock, now
from phaodai.core.errors import DomainError
from phaodai.core.models import ImportJob, ImportRejection

BATCH_SIZE = 5000
# A running job not heard from for this long died with its worker: it may be taken over.
STALE_AFTER = timedelta(minutes=10)
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


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


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
            resume_after = job.committed_rows
            fresh = (row for row in stream if row[0] > resume_after)
            for batch in _batches(fresh, batch_size):
                with transaction.atomic():
                    result = handler.write_batch(job, batch)
                    _commit_batch(job, batch, result, stream.position(), clock)
                handler.after_commit(job, result)
                if progress is not None:
                    progress(job)
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


def _commit_batch(job: ImportJob, batch: list[Row], result: BatchResult, position: int, clock: Clock) -> None:
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
    ImportJob.objects.filter(pk=job.pk).update(
        committed_rows=batch[-1][0],
        rows=F("rows") + len(batch),
        bytes_read=position,
        updated_at=clock(),
        **{name: F(name) + value for name, value in counts.items()},
    )
    audit.record(
        actor=job.uploaded_by,
        action=f"import.{job.kind}.batch",
        object_type="core.importjob",
        object_id=job.pk,
        unit_path=job.unit_path,
        after={"rows": f"{batch[0][0]}-{batch[-1][0]}", **counts},
        clock=clock,
    )
    job.committed_rows = batch[-1][0]
    job.rows += len(batch)
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
        .values_list("pk", flat=True)
    )
