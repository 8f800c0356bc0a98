"""Imports of lab results: starting a job from an upload, reading jobs in scope, and the matching queue
of results whose person was not found (a ward matches one to a person by CCCD, or dismisses it)."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.bulk.files import Upload
from phaodai.core.bulk.uploads import store_import_file
from phaodai.core.clock import Clock, now
from phaodai.core.errors import Conflict, InvalidInput, NotPermitted
from phaodai.core.jurisdiction import get_in_scope_or_404, log_out_of_scope, paths_of, scope, scope_q
from phaodai.core.models import ImportJob
from phaodai.diagnostics.models import Sample, UnmatchedResult
from phaodai.people import selectors as people

KIND = ImportJob.Kind.LAB_RESULTS


class AlreadyResolved(Conflict):
    code = "unmatched_already_resolved"
    message = _("This result has already been matched or dismissed.")


def start_import(
    *, by: Any, upload: Upload, enqueue: Callable[[int], Any] | None = None, clock: Clock = now
) -> ImportJob:
    """Store the file (refused whole if unreadable), create the job in the uploader's unit, queue it."""
    paths = paths_of(by, Perm.IMPORT_RESULTS)
    if not paths:
        raise NotPermitted()
    stored = store_import_file(upload)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=KIND,
            stored_name=stored.stored_name,
            original_name=stored.original_name,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            uploaded_by=by,
            unit_path=paths[0],
        )
        audit.record(
            actor=by, action="import.lab_results.start", object_type="core.importjob", object_id=job.pk,
            unit_path=job.unit_path, after={"size": stored.size_bytes, "sha256": stored.sha256}, clock=clock,
        )  # fmt: skip
        if enqueue is None:
            from phaodai.diagnostics.tasks import run_import  # tasks import this module

            def enqueue(job_id: int) -> Any:
                return run_import.enqueue(job_id)

        job_id = job.pk
        transaction.on_commit(lambda: enqueue(job_id))
    return job


def jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    """Lab-result imports of the user's units (for those who may import results)."""
    return scope(ImportJob.objects.filter(kind=KIND), user, "unit_path", perm=Perm.IMPORT_RESULTS)


def job_for(user: Any, job_id: int) -> ImportJob:
    """One visible job; 404 (logged) outside the user's units."""
    return get_in_scope_or_404(
        ImportJob.objects.filter(kind=KIND), user, path_field="unit_path", perm=Perm.IMPORT_RESULTS, pk=job_id
    )


def progress_of(job: ImportJob) -> int:
    """Percent of the file read (100 once done)."""
    if job.status == ImportJob.Status.DONE:
        return 100
    return min(99, job.bytes_read * 100 // job.size_bytes) if job.size_bytes else 0


# The matching queue ---------------------------------------------------------------------------------


def _queue_scope(user: Any) -> Q:
    # A result whose person is unknown waits under its laboratory's unit, and only officials over that
    # unit see it (the city's for the CDC, a district's for its hospitals' labs): nothing tells a ward
    # the person is theirs, and a name with a result is health data.
    return scope_q(user, "path", Perm.SAMPLE)


def unmatched_visible_to(user: Any) -> QuerySet[UnmatchedResult]:
    """Open unmatched results the user may match, oldest first."""
    if not paths_of(user, Perm.SAMPLE):
        return UnmatchedResult.objects.none()
    return (
        UnmatchedResult.objects.filter(_queue_scope(user), status=UnmatchedResult.Status.OPEN)
        .select_related("lab")
        .defer("cccd_ciphertext")
        .order_by("created_at", "pk")
    )


def unmatched_for(user: Any, pk: int) -> UnmatchedResult:
    """One result of the user's queue; 404 (logged) for one outside it."""
    if not paths_of(user, Perm.SAMPLE):
        raise NotPermitted()
    found = UnmatchedResult.objects.filter(_queue_scope(user), pk=pk).select_related("lab").first()
    if found is None:
        outside = UnmatchedResult.objects.filter(pk=pk).values_list("path", flat=True).first()
        if outside is not None:
            log_out_of_scope(user, "diagnostics.unmatchedresult", pk, outside)
        raise Http404
    return found


@transaction.atomic
def match_unmatched(
    *, by: Any, unmatched: UnmatchedResult, cccd: str, lab_cccd_wrong: bool = False, clock: Clock = now
) -> Sample:
    """Give the result to the person with this CCCD (within the user's units): a sample is created.
    When the laboratory sent another CCCD, the officer must say that the laboratory's was wrong."""
    person = people.lookup_by_cccd(by, cccd)
    if person is None or not any(person.unit_path.startswith(p) for p in paths_of(by, Perm.SAMPLE)):
        raise InvalidInput(_("No person with this CCCD lives within your units."), field="cccd")
    current = UnmatchedResult.objects.select_for_update().get(pk=unmatched.pk)
    if current.status != UnmatchedResult.Status.OPEN:
        raise AlreadyResolved()
    overridden = bool(current.cccd_index) and current.cccd_index != person.cccd_index
    if overridden and not lab_cccd_wrong:
        # The laboratory named a CCCD: the result is that person's unless someone vouches otherwise.
        raise InvalidInput(
            _(
                "This CCCD differs from the one the laboratory sent with the result. Register the person "
                "with the laboratory's CCCD, or confirm that the laboratory's CCCD was wrong."
            ),
            field="cccd",
        )
    if Sample.objects.filter(code=current.sample_code).exists():
        raise Conflict(_("A sample with this code exists already."), field="cccd")
    moment = clock()
    sample = Sample.objects.create(
        code=current.sample_code, person=person, method=current.method, collected_at=current.collected_at,
        lab=current.lab, outcome=current.outcome, resulted_at=current.resulted_at, path=person.unit_path,
        import_job=current.import_job,
    )  # fmt: skip
    UnmatchedResult.objects.filter(pk=current.pk).update(
        status=UnmatchedResult.Status.MATCHED,
        sample=sample,
        resolved_by=by,
        resolved_at=moment,
        updated_at=moment,
    )
    audit.record(
        actor=by, action="diagnostics.unmatched.match", object_type="diagnostics.unmatchedresult",
        object_id=current.pk, unit_path=person.unit_path,
        after={"sample": sample.pk, "lab_cccd_overridden": overridden}, clock=clock,
    )  # fmt: skip
    if sample.outcome == "positive":
        from phaodai.diagnostics.lab_import import announce

        transaction.on_commit(lambda: announce([sample.pk], clock=clock))
    return sample


@transaction.atomic
def dismiss_unmatched(*, by: Any, unmatched: UnmatchedResult, clock: Clock = now) -> None:
    """Close the result without a person (a test sample, a visitor with no CCCD...)."""
    moment = clock()
    taken = UnmatchedResult.objects.filter(pk=unmatched.pk, status=UnmatchedResult.Status.OPEN).update(
        status=UnmatchedResult.Status.DISMISSED, resolved_by=by, resolved_at=moment, updated_at=moment
    )
    if not taken:
        raise AlreadyResolved()
    audit.record(
        actor=by, action="diagnostics.unmatched.dismiss", object_type="diagnostics.unmatchedresult",
        object_id=unmatched.pk, unit_path=unmatched.path, clock=clock,
    )  # fmt: skip
