"""Results (S18): a sample's by hand, a pool's by hand or from a lab import, with corrections kept.

The same outcome again changes nothing; a different one is a correction kept in ResultCorrection. A pool's
result applies to its members, and a positive pool sends each member to an individual retest.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible, to_local
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, log_out_of_scope
from phaodai.diagnostics import rules
from phaodai.diagnostics.models import Lab, Method, Outcome, Pool, ResultCorrection, Retest, Sample
from phaodai.diagnostics.services.announce import announce_positives
from phaodai.diagnostics.services.errors import PooledSample, SampleChanged, StaleResult
from phaodai.diagnostics.services.labs import lab_by_code
from phaodai.diagnostics.services.samples import SAMPLE_TYPE

POOL_TYPE = "diagnostics.pool"


class Change(StrEnum):
    RESULT = "result"  # the first result
    UNCHANGED = "unchanged"  # the same outcome again
    CORRECTED = "corrected"  # a different outcome: the earlier one is kept in ResultCorrection


RESULT_OUTCOMES = (Outcome.NEGATIVE, Outcome.POSITIVE, Outcome.INVALID)


def _check_outcome(outcome: str) -> None:
    if outcome not in RESULT_OUTCOMES:
        raise InvalidInput(_("The result is negative, positive or invalid."), field="outcome")


def _check_result_time(collected_at: datetime, resulted_at: datetime, moment: datetime) -> None:
    if not plausible(resulted_at):
        raise InvalidInput(_("This date is not plausible."), field="resulted_at")
    problem = rules.result_times_problem(collected_at, resulted_at, moment)
    if problem == "before_collection":
        raise InvalidInput(
            _("The result cannot come before the sample was taken (%(at)s).")
            % {"at": f"{to_local(collected_at):%H:%M %d/%m/%Y}"},
            field="resulted_at",
        )
    if problem == "future":
        raise InvalidInput(_("This time is in the future."), field="resulted_at")


def may_enter_result(user: Any, sample: Sample) -> bool:
    """Laboratories enter results; a rapid antigen test is read where it is taken, by the sampling team."""
    if covers(user, sample.path, Perm.IMPORT_RESULTS):
        return True
    return sample.method == Method.RAPID_ANTIGEN and covers(user, sample.path, Perm.SAMPLE)


def record_result(
    *,
    by: Any,
    sample: Sample,
    outcome: str,
    resulted_at: datetime,
    lab_code: str = "",
    version: int | None = None,
    clock: Clock = now,
) -> Change:
    """Record a sample's result by hand. The same outcome again changes nothing; a different one is a
    correction kept in history. A positive tells the ward that it awaits confirmation as a case."""
    if not may_enter_result(by, sample):
        if not covers(by, sample.path, Perm.SAMPLE) and not covers(by, sample.path, Perm.IMPORT_RESULTS):
            log_out_of_scope(by, SAMPLE_TYPE, sample.pk, sample.path)
            raise OutOfScope()
        raise NotPermitted()
    _check_outcome(outcome)
    if sample.pool_id is not None:
        raise PooledSample()
    moment = clock()
    _check_result_time(sample.collected_at, resulted_at, moment)
    lab = lab_by_code(lab_code) or sample.lab
    with transaction.atomic():
        locked = Sample.objects.select_for_update().get(pk=sample.pk)
        if version is not None and locked.version != version:
            raise SampleChanged()
        verdict = rules.classify(
            rules.IncomingResult(person_id=None, outcome=outcome, resulted_at=resulted_at),
            rules.StoredResult(
                person_id=locked.person_id, outcome=locked.outcome, resulted_at=locked.resulted_at
            ),
        )
        if verdict == rules.Verdict.DUPLICATE:
            return Change.UNCHANGED
        if verdict == rules.Verdict.STALE:
            raise StaleResult(field="resulted_at")
        change = Change.CORRECTED if verdict == rules.Verdict.CORRECTED else Change.RESULT
        before = {"outcome": locked.outcome, "version": locked.version}
        _set_result(locked, outcome, resulted_at, lab, by, moment)
        audit.record(
            actor=by,
            action=f"diagnostics.sample.{change.value}",
            object_type=SAMPLE_TYPE,
            object_id=locked.pk,
            unit_path=locked.path,
            before=before,
            after={"outcome": locked.outcome, "version": locked.version},
            clock=clock,
        )
        if outcome == Outcome.POSITIVE:
            announce_positives([locked.pk], clock=clock)
    return change


def _set_result(
    sample: Sample, outcome: str, resulted_at: datetime, lab: Lab | None, by: Any, moment: datetime
) -> None:
    if sample.outcome != Outcome.PENDING and sample.outcome != outcome:
        ResultCorrection.objects.create(
            sample=sample,
            outcome_before=sample.outcome,
            outcome_after=outcome,
            resulted_at_before=sample.resulted_at,
            resulted_at_after=resulted_at,
            lab=lab,
            corrected_by=by,
            corrected_at=moment,
        )
    sample.outcome, sample.resulted_at, sample.lab = outcome, resulted_at, lab
    sample.version += 1
    sample.save(update_fields=["outcome", "resulted_at", "lab", "version", "updated_at"])


# Pools -------------------------------------------------------------------------------------------------

# What a pool's outcome means for each of its members.
MEMBER_OUTCOME: dict[str, str] = {
    Outcome.NEGATIVE: Outcome.NEGATIVE,
    Outcome.POSITIVE: Outcome.RETEST,
    Outcome.INVALID: Outcome.INVALID,
}


@dataclass(frozen=True)
class PoolResult:
    change: Change
    members_changed: int
    retests_requested: int


def record_pool_result(
    *, by: Any, pool: Pool, outcome: str, resulted_at: datetime, lab_code: str = "", clock: Clock = now
) -> PoolResult:
    """A pool's result applies to its members: negative to all; positive sends each to an individual
    retest (one Retest per member, never two); invalid makes each invalid. The same outcome again
    changes nothing; a different one corrects each member (kept in history) and cancels or reopens retests."""
    if not covers(by, pool.path, Perm.IMPORT_RESULTS):
        if not covers(by, pool.path, Perm.SAMPLE):
            log_out_of_scope(by, POOL_TYPE, pool.pk, pool.path)
            raise OutOfScope()
        raise NotPermitted()
    _check_outcome(outcome)
    with transaction.atomic():
        return _apply_pool_result(
            by=by, pool_id=pool.pk, outcome=outcome, resulted_at=resulted_at, lab=lab_by_code(lab_code),
            clock=clock,
        )  # fmt: skip


def apply_imported_pool_result(
    *, job: Any, pool_id: int, outcome: str, resulted_at: datetime, lab_id: int, clock: Clock = now
) -> PoolResult:
    """A pool's result from a lab import (lab_import checked scope, outcome, times and staleness),
    inside the import batch's transaction: the members and retests follow as for a result by hand."""
    return _apply_pool_result(
        by=job.uploaded_by, pool_id=pool_id, outcome=outcome, resulted_at=resulted_at,
        lab=Lab.objects.get(pk=lab_id), clock=clock, import_job=job,
    )  # fmt: skip


def _apply_pool_result(
    *, by: Any, pool_id: int, outcome: str, resulted_at: datetime, lab: Lab | None, clock: Clock,
    import_job: Any = None,
) -> PoolResult:  # fmt: skip
    moment = clock()
    locked = Pool.objects.select_for_update().get(pk=pool_id)
    if locked.outcome == outcome:
        return PoolResult(Change.UNCHANGED, 0, 0)
    lab = lab or locked.lab
    members = list(Sample.objects.select_for_update().filter(pool=locked).order_by("pk"))
    if not members:
        raise InvalidInput(_("This pool has no samples yet."), field="pool_code")
    latest = max(member.collected_at for member in members)
    _check_result_time(latest, resulted_at, moment)
    if locked.resulted_at is not None and resulted_at < locked.resulted_at:
        raise StaleResult(field="resulted_at")
    change = Change.RESULT if locked.outcome == Outcome.PENDING else Change.CORRECTED
    before = {"outcome": locked.outcome}
    locked.outcome, locked.resulted_at, locked.lab = outcome, resulted_at, lab
    locked.save(update_fields=["outcome", "resulted_at", "lab", "updated_at"])
    member_outcome = MEMBER_OUTCOME[outcome]
    changed = 0
    for member in members:
        if member.outcome != member_outcome:
            _set_result(member, member_outcome, resulted_at, lab, by, moment)
            changed += 1
    requested = _retests_follow(locked, members, outcome == Outcome.POSITIVE, moment)
    after = {"outcome": outcome, "members": len(members), "retests": requested}
    if import_job is not None:
        after["import_job"] = import_job.pk
    audit.record(
        actor=by,
        action=f"diagnostics.pool.{change.value}",
        object_type=POOL_TYPE,
        object_id=locked.pk,
        unit_path=locked.path,
        before=before,
        after=after,
        clock=clock,
    )
    return PoolResult(change, changed, requested)


def _retests_follow(pool: Pool, members: list[Sample], positive: bool, moment: datetime) -> int:
    """Open one retest per member of a positive pool (reopening cancelled ones); cancel them otherwise."""
    retests = Retest.objects.filter(pool=pool)
    if not positive:
        retests.filter(status=Retest.Status.OPEN).update(status=Retest.Status.CANCELLED, updated_at=moment)
        return 0
    reopened = retests.filter(status=Retest.Status.CANCELLED).update(
        status=Retest.Status.OPEN, updated_at=moment
    )
    have = set(retests.values_list("sample_id", flat=True))
    new = [
        Retest(sample=member, pool=pool, path=member.path, requested_at=moment)
        for member in members
        if member.pk not in have
    ]
    Retest.objects.bulk_create(new, ignore_conflicts=True)
    return len(new) + reopened
