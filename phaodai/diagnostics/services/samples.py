"""Registering swabs (S18): one by one or in a session, alone or into a pooled tube.

A sample is idempotent by its code: the same code for the same person and time is a retry, for anyone
else a duplicate. In a session the person becomes a sampled target; a pool is locked while it fills.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now, plausible
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.jurisdiction import covers, paths_of, require_within
from phaodai.core.text import nfc
from phaodai.diagnostics import rules
from phaodai.diagnostics.models import (
    Lab,
    Method,
    Outcome,
    Pool,
    Retest,
    Sample,
    SamplingSession,
    SessionTarget,
    TestingRound,
)
from phaodai.diagnostics.services.errors import (
    AlreadySampled,
    DuplicateSample,
    InvalidSampleCode,
    PersonNotFound,
    PoolFull,
    PoolNotOpen,
    SessionNotOpen,
)
from phaodai.diagnostics.services.labs import lab_by_code
from phaodai.diagnostics.services.rounds import PLACE_MAX
from phaodai.people import selectors as people

SAMPLE_TYPE = "diagnostics.sample"
TEAM_MAX = 120

_CODE_PROBLEMS = {
    "missing": gettext_lazy("Scan or type the sample's code."),
    "too_long": gettext_lazy("A sample code has 32 characters at most."),
}


def checked_sample_code(raw: str) -> str:
    """The code as printed on the tube (kept exactly, case included), or InvalidSampleCode."""
    code = (raw or "").strip()
    problem = rules.sample_code_problem(code)
    if problem is None:
        return code
    raise InvalidSampleCode(_CODE_PROBLEMS.get(problem), field="code")


def _checked_moment(value: datetime, field_name: str, moment: datetime) -> datetime:
    if not plausible(value):
        raise InvalidInput(_("This date is not plausible."), field=field_name)
    if value > moment + rules.FUTURE_SLACK:
        raise InvalidInput(_("This time is in the future."), field=field_name)
    return value


@dataclass(frozen=True)
class SampleInput:
    """A swab as the sampling team registers it."""

    code: str
    cccd: str
    collected_at: datetime
    place: str = ""
    team: str = ""
    lab_code: str = ""
    method: str = ""  # taken from the session's round when sampled in a session
    pool_code: str = ""


def _person_for_sampling(by: Any, cccd: str) -> Any:
    try:
        person = people.lookup_by_cccd(by, cccd)
    except InvalidInput as error:
        raise InvalidInput(error.detail, field="cccd") from None
    if person is None or not covers(by, person.unit_path, Perm.SAMPLE):
        raise PersonNotFound(field="cccd")
    return person


def _method_of(session: SamplingSession | None, given: str) -> str:
    if session is not None:
        return session.round.method
    if given not in Method.values:
        raise InvalidInput(_("Choose the testing method."), field="method")
    if given == Method.PCR_POOLED:
        raise InvalidInput(_("Pooled samples are taken in a pooled round's session."), field="method")
    return given


def _check_session(session: SamplingSession, collected_at: datetime) -> None:
    if (
        session.status == SamplingSession.Status.CANCELLED
        or session.round.status == TestingRound.Status.CLOSED
    ):
        raise SessionNotOpen()
    if local_date(collected_at) != session.day:
        raise InvalidInput(
            _("This session is on %(day)s: check the collection time.") % {"day": f"{session.day:%d/%m/%Y}"},
            field="collected_at",
        )


def register_sample(
    *, by: Any, data: SampleInput, session: SamplingSession | None = None, clock: Clock = now
) -> tuple[Sample, bool]:
    """Register a swab; (sample, created). The same code for the same person and time is a retry.

    In a session, the person becomes one of its sampled targets (added as a target if they walked in).
    A member of a positive pool sampled individually closes their retest.
    """
    if session is not None:
        require_within(
            by,
            Perm.SAMPLE,
            path=session.path,
            object_type="diagnostics.samplingsession",
            object_id=session.pk,
        )
    elif not paths_of(by, Perm.SAMPLE):
        raise NotPermitted()
    moment = clock()
    code = checked_sample_code(data.code)
    collected_at = _checked_moment(data.collected_at, "collected_at", moment)
    place, team = nfc(data.place).strip()[:PLACE_MAX], nfc(data.team).strip()[:TEAM_MAX]
    if session is not None:
        # Read afresh: the round may have closed since the caller fetched the session.
        session = SamplingSession.objects.select_related("round").get(pk=session.pk)
        _check_session(session, collected_at)
    method = _method_of(session, data.method)
    lab = lab_by_code(data.lab_code)
    pool_code = (data.pool_code or "").strip()
    if method == Method.PCR_POOLED and not pool_code:
        raise InvalidInput(_("Give the pool's code: this round tests pooled samples."), field="pool_code")
    if method != Method.PCR_POOLED and pool_code:
        raise InvalidInput(_("Only pooled PCR samples go in a pool."), field="pool_code")
    if pool_code and rules.sample_code_problem(pool_code):
        raise InvalidInput(_("A pool code has the same form as a sample code."), field="pool_code")
    person = _person_for_sampling(by, data.cccd)
    existing = Sample.objects.filter(code=code).first()
    if existing is not None:
        return _same_sample_or_duplicate(existing, person, collected_at), False
    try:
        with transaction.atomic():
            sample = _insert_sample(
                by, code, person, method, collected_at, place, team, lab, session, pool_code, moment
            )
            audit.record(
                actor=by,
                action="diagnostics.sample.register",
                object_type=SAMPLE_TYPE,
                object_id=sample.pk,
                unit_path=sample.path,
                after={"code": code, "method": method, "session": session.pk if session else None},
                clock=clock,
            )
    except IntegrityError:
        existing = Sample.objects.filter(code=code).first()
        if existing is None:
            raise
        return _same_sample_or_duplicate(existing, person, collected_at), False
    return sample, True


def _same_sample_or_duplicate(existing: Sample, person: Any, collected_at: datetime) -> Sample:
    if existing.person_id == person.pk and existing.collected_at == collected_at:
        return existing
    raise DuplicateSample(field="code")


def _insert_sample(
    by: Any,
    code: str,
    person: Any,
    method: str,
    collected_at: datetime,
    place: str,
    team: str,
    lab: Lab | None,
    session: SamplingSession | None,
    pool_code: str,
    moment: datetime,
) -> Sample:
    pool = _pool_with_room(pool_code, session, lab, collected_at) if pool_code and session else None
    retest = (
        Retest.objects.select_for_update().filter(sample__person=person, status=Retest.Status.OPEN).first()
        if method != Method.PCR_POOLED
        else None
    )
    sample = Sample.objects.create(
        code=code,
        person=person,
        session=session,
        pool=pool,
        retest_of_id=retest.sample_id if retest else None,
        method=method,
        collected_at=collected_at,
        place=place or (session.place if session else ""),
        team=team or (session.team if session else ""),
        lab=lab,
        path=person.unit_path,
    )
    if retest is not None:
        retest.status, retest.retest_sample = Retest.Status.DONE, sample
        retest.save(update_fields=["status", "retest_sample", "updated_at"])
    if session is not None:
        _count_sampled(session, person, sample)
    return sample


def _count_sampled(session: SamplingSession, person: Any, sample: Sample) -> None:
    """Mark the person's target sampled, adding them as a target when they were not one (a walk-in)."""
    locked = SamplingSession.objects.select_for_update().get(pk=session.pk)
    target = SessionTarget.objects.select_for_update().filter(session=locked, person=person).first()
    if target is not None and target.sample_id is not None:
        raise AlreadySampled(field="cccd")
    if target is None:
        SessionTarget.objects.create(session=locked, person=person, sample=sample)
        locked.targeted = F("targeted") + 1
    else:
        target.sample = sample
        target.save(update_fields=["sample"])
    locked.sampled = F("sampled") + 1
    locked.save(update_fields=["targeted", "sampled", "updated_at"])
    # The first sample starts the round; not a planner's edit, so the version (their compare-and-set) stays.
    TestingRound.objects.filter(pk=locked.round_id, status=TestingRound.Status.PLANNED).update(
        status=TestingRound.Status.RUNNING
    )


def _pool_with_room(code: str, session: SamplingSession, lab: Lab | None, collected_at: datetime) -> Pool:
    """The open pool with this code (created with the first member), locked; PoolFull when it is full."""
    size = session.round.pool_size
    if size is None:
        raise InvalidInput(_("Pooled samples are taken in a pooled round's session."), field="pool_code")
    pool, _created = Pool.objects.get_or_create(
        code=code,
        defaults={
            "size": size,
            "session": session,
            "lab": lab,
            "collected_at": collected_at,
            "path": session.path,
        },
    )
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    if pool.outcome != Outcome.PENDING or pool.session_id != session.pk:
        raise PoolNotOpen(field="pool_code")
    if pool.members.count() >= pool.size:
        raise PoolFull(field="pool_code")
    if collected_at < pool.collected_at:
        pool.collected_at = collected_at
        pool.save(update_fields=["collected_at", "updated_at"])
    return pool
