"""Imports of lab results: starting a job from an upload, reading jobs in scope, and the matching queue
of results whose person was not found (a ward matches one to a person by CCCD, or dismisses it)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.bulk.jobs import JobKind, MatchingQueue
from phaodai.core.bulk.jobs import progress_of as progress_of
from phaodai.core.clock import Clock, now
from phaodai.core.errors import Conflict, InvalidInput
from phaodai.core.jurisdiction import paths_of
from phaodai.core.models import ImportJob
from phaodai.diagnostics.lab_import import LabResultImport
from phaodai.diagnostics.models import Sample, UnmatchedResult
from phaodai.people import selectors as people

KIND = ImportJob.Kind.LAB_RESULTS


class AlreadyResolved(Conflict):
    code = "unmatched_already_resolved"
    message = _("This result has already been matched or dismissed.")


def _enqueue(job_id: int) -> Any:
    from phaodai.diagnostics.tasks import run_import  # tasks import this module

    return run_import.enqueue(job_id)


JOBS = JobKind(
    kind=KIND,
    perm=Perm.IMPORT_RESULTS,
    start_action="import.lab_results.start",
    handler=lambda clock: LabResultImport(clock=clock),
    enqueue=_enqueue,
)
# A result whose person is unknown waits under its laboratory's unit, and only officials over that unit
# see it (the city's for the CDC, a district's for its hospitals' labs): nothing tells a ward the person
# is theirs, and a name with a result is health data.
QUEUE = MatchingQueue(
    model=UnmatchedResult,
    perm=Perm.SAMPLE,
    object_type="diagnostics.unmatchedresult",
    related="lab",
    already_resolved=AlreadyResolved,
)

start_import = JOBS.start
run_import = JOBS.run
resumable = JOBS.resumable
jobs_visible_to = JOBS.visible_to
job_for = JOBS.get
unmatched_visible_to = QUEUE.visible_to
unmatched_for = QUEUE.get


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


def dismiss_unmatched(*, by: Any, unmatched: UnmatchedResult, clock: Clock = now) -> None:
    """Close the result without a person (a test sample, a visitor with no CCCD...)."""
    QUEUE.dismiss(by=by, entry=unmatched, action="diagnostics.unmatched.dismiss", clock=clock)
