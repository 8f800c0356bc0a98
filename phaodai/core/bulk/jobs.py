"""Import jobs of one kind (lab results, doses...): starting one from an upload, running and resuming it,
reading the jobs in scope; and the queue of imported rows whose person was not found, which is read and
dismissed the same way whatever the rows hold."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from phaodai.core import audit
from phaodai.core.bulk import runner
from phaodai.core.bulk.files import Upload
from phaodai.core.bulk.uploads import store_import_file
from phaodai.core.clock import Clock, now
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.jurisdiction import get_in_scope_or_404, log_out_of_scope, paths_of, scope, scope_q
from phaodai.core.models import ImportJob


def progress_of(job: ImportJob) -> int:
    """Percent of the file read (100 once done)."""
    if job.status == ImportJob.Status.DONE:
        return 100
    return min(99, job.bytes_read * 100 // job.size_bytes) if job.size_bytes else 0


def is_live(job: ImportJob) -> bool:
    """Whether the job may still move (its page keeps polling)."""
    return job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


@dataclass(frozen=True)
class JobKind:
    """One kind of import: who may start and read its jobs, the batch handler of its rows, its queue."""

    kind: str
    perm: str
    start_action: str  # the audit action of a started job
    handler: Callable[[Clock], runner.BatchHandler]
    enqueue: Callable[[int], Any]  # the background task; apps resolve it late (tasks import services)

    def start(
        self, *, by: Any, upload: Upload, enqueue: Callable[[int], Any] | None = None, clock: Clock = now
    ) -> ImportJob:
        """Store the file (refused whole if unreadable), create the job in the uploader's unit, queue it."""
        paths = paths_of(by, self.perm)
        if not paths:
            raise NotPermitted()
        stored = store_import_file(upload)
        queue = self.enqueue if enqueue is None else enqueue
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=self.kind, stored_name=stored.stored_name, original_name=stored.original_name,
                size_bytes=stored.size_bytes, sha256=stored.sha256, uploaded_by=by, unit_path=paths[0],
            )  # fmt: skip
            audit.record(
                actor=by, action=self.start_action, object_type="core.importjob", object_id=job.pk,
                unit_path=job.unit_path, after={"size": stored.size_bytes, "sha256": stored.sha256},
                clock=clock,
            )  # fmt: skip
            job_id = job.pk
            transaction.on_commit(lambda: queue(job_id))
        return job

    def run(
        self,
        job_id: int,
        *,
        batch_size: int = runner.BATCH_SIZE,
        clock: Clock = now,
        progress: Callable[[ImportJob], None] | None = None,
    ) -> ImportJob | None:
        """Run (or resume after its last committed batch) a job; None when another run holds it."""
        return runner.run(job_id, self.handler(clock), batch_size=batch_size, clock=clock, progress=progress)

    def resumable(self, *, clock: Clock = now) -> list[int]:
        """Jobs to run again: failed part-way, or running with a worker gone silent."""
        return runner.resumable(kind=self.kind, clock=clock)

    def exists(self, job_id: int) -> bool:
        return ImportJob.objects.filter(pk=job_id, kind=self.kind).exists()

    def visible_to(self, user: Any) -> QuerySet[ImportJob]:
        """Jobs of the user's units (for those with the permission)."""
        return scope(ImportJob.objects.filter(kind=self.kind), user, "unit_path", perm=self.perm)

    def get(self, user: Any, job_id: int) -> ImportJob:
        """One visible job; 404 (logged) outside the user's units."""
        return get_in_scope_or_404(
            ImportJob.objects.filter(kind=self.kind), user, path_field="unit_path", perm=self.perm, pk=job_id
        )


Entry = TypeVar("Entry", bound=models.Model)


@dataclass(frozen=True)
class MatchingQueue(Generic[Entry]):
    """Imported rows waiting for their person, kept under a unit (`path`) with an OPEN/DISMISSED status;
    only those whose units cover that unit (for `perm`) see and resolve them."""

    model: type[Entry]
    perm: str
    object_type: str  # for the audit log and the out-of-scope log
    related: str  # what the queue's pages show with each entry
    already_resolved: type[DomainError]

    def scope(self, user: Any) -> Q:
        return scope_q(user, "path", self.perm)

    def visible_to(self, user: Any) -> QuerySet[Entry]:
        """Open entries the user may resolve, oldest first (without the CCCD's ciphertext)."""
        manager = self.model._default_manager
        if not paths_of(user, self.perm):
            return manager.none()
        open_ = self.model.Status.OPEN  # type: ignore[attr-defined]
        return (
            manager.filter(self.scope(user), status=open_)
            .select_related(self.related)
            .defer("cccd_ciphertext")
            .order_by("created_at", "pk")
        )

    def get(self, user: Any, pk: int) -> Entry:
        """One entry of the user's queue; 404 (logged) for one outside it."""
        if not paths_of(user, self.perm):
            raise NotPermitted()
        manager = self.model._default_manager
        found = manager.filter(self.scope(user), pk=pk).select_related(self.related).first()
        if found is None:
            outside = manager.filter(pk=pk).values_list("path", flat=True).first()
            if outside is not None:
                log_out_of_scope(user, self.object_type, pk, outside)
            raise Http404
        return found

    def dismiss(self, *, by: Any, entry: Entry, action: str, clock: Clock = now) -> None:
        """Close the entry without a person, once: a second attempt is refused."""
        status = self.model.Status  # type: ignore[attr-defined]
        moment = clock()
        with transaction.atomic():
            taken = self.model._default_manager.filter(pk=entry.pk, status=status.OPEN).update(
                status=status.DISMISSED, resolved_by=by, resolved_at=moment, updated_at=moment
            )
            if not taken:
                raise self.already_resolved()
            audit.record(
                actor=by, action=action, object_type=self.object_type, object_id=entry.pk,
                unit_path=entry.path, clock=clock,  # type: ignore[attr-defined]
            )  # fmt: skip
