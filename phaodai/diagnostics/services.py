"""Writes of testing (S18): rounds and sessions, samples, results, pools, and telling wards of positives.

Each write is one transaction: permission and scope first (a refusal is logged outside the transaction),
then the row lock, then compare-and-set on `version`. Submissions are idempotent: a round by its
idempotency key, a sample by its code, a result by its outcome (the same outcome again changes nothing,
a different one is a correction kept in ResultCorrection).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from phaodai.accounts.roles import Perm
from phaodai.cases import lockdown_selectors
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now, plausible, to_local
from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, require_within
from phaodai.core.text import nfc
from phaodai.diagnostics import rules
from phaodai.diagnostics.models import (
    Lab,
    Method,
    Outcome,
    Pool,
    ResultCorrection,
    Retest,
    Sample,
    SamplingSession,
    SessionTarget,
    TestingRound,
)
from phaodai.diagnostics.selectors import persons_with_case_q
from phaodai.notifications.services import notify
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory

ROUND_TYPE, SAMPLE_TYPE, POOL_TYPE = "diagnostics.testinground", "diagnostics.sample", "diagnostics.pool"
NAME_MAX, PLACE_MAX, TEAM_MAX = 200, 200, 120
MAX_ROUND_DAYS = 92  # a quarter: longer programmes are planned as successive rounds
MAX_AREAS = 500
MAX_TARGET_LINES = 500
# S18: lockdowns and very-high- and high-risk groups are tested every 2-3 days.
FREQUENT_CADENCE_DAYS = 3
USUAL_CADENCE_DAYS = 7
POOL_SIZES = (5, 10)

# How exposed each risk group is (Hà Nội's 2021 lists put shippers and market traders first).
GROUP_RISK: dict[str, str] = {
    TestingRound.RiskGroup.SHIPPER: "very_high",
    TestingRound.RiskGroup.MARKET_TRADER: "very_high",
    TestingRound.RiskGroup.HEALTH_STAFF: "high",
    TestingRound.RiskGroup.TRANSPORT: "high",
    TestingRound.RiskGroup.FACTORY_WORKER: "high",
    TestingRound.RiskGroup.SERVICE: "moderate",
    TestingRound.RiskGroup.OTHER: "moderate",
}


# Errors ------------------------------------------------------------------------------------------------


class RoundChanged(Conflict):
    code = "round_changed"
    message = gettext_lazy("Someone else changed this round first; reload it and try again.")


class RoundClosed(Conflict):
    code = "round_closed"
    message = gettext_lazy("This testing round is closed.")


class SlowCadence(InvalidInput):
    code = "slow_cadence"
    message = gettext_lazy(
        "Lockdowns and very-high- or high-risk groups are tested every 2 to 3 days (S18). "
        "Tick the confirmation to plan a longer interval."
    )


class SessionNotOpen(Conflict):
    code = "session_not_open"
    message = gettext_lazy("This sampling session was cancelled or its round is closed.")


class InvalidSampleCode(InvalidInput):
    code = "invalid_sample_code"
    message = gettext_lazy(
        "A sample code has 4 to 32 letters, digits or . _ / -, and starts and ends with a letter or digit."
    )


class DuplicateSample(Duplicate):
    code = "duplicate_sample"
    message = gettext_lazy(
        "A different sample is already registered with this code. Check the barcode; every tube has its own."
    )


class AlreadySampled(Duplicate):
    code = "already_sampled"
    message = gettext_lazy("This person was already sampled in this session.")


class PersonNotFound(InvalidInput):
    code = "person_not_found"
    message = gettext_lazy("No person in your area is registered with this CCCD. Register them first.")


class PoolFull(Conflict):
    code = "pool_full"
    message = gettext_lazy("This pool already holds all its samples: start a new pool code.")


class PoolNotOpen(Conflict):
    code = "pool_not_open"
    message = gettext_lazy(
        "This pool already has a result or belongs to another session: use a new pool code."
    )


class PooledSample(InvalidInput):
    code = "pooled_sample"
    message = gettext_lazy("This sample was tested in a pool: enter the pool's result instead.")


class StaleResult(Conflict):
    code = "stale_result"
    message = gettext_lazy("A later result is already recorded: an earlier one cannot replace it.")


class SampleChanged(Conflict):
    code = "sample_changed"
    message = gettext_lazy("Someone else changed this sample's result first; reload it and try again.")


# Cadence policy ------------------------------------------------------------------------------------------


def needs_frequent_testing(target: str, risk_group: str = "") -> bool:
    """Lockdowns and very-high- or high-risk groups: every 2-3 days (S18)."""
    if target == TestingRound.Target.LOCKDOWN:
        return True
    return target == TestingRound.Target.GROUP and GROUP_RISK.get(risk_group) in ("very_high", "high")


def default_cadence(target: str, risk_group: str = "") -> int:
    return FREQUENT_CADENCE_DAYS if needs_frequent_testing(target, risk_group) else USUAL_CADENCE_DAYS


def session_days(starts_on: date, ends_on: date, cadence_days: int) -> list[date]:
    """The sampling days: the first day, then every `cadence_days` until the last day."""
    days, day = [], starts_on
    while day <= ends_on:
        days.append(day)
        day += timedelta(days=cadence_days)
    return days


# Rounds ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundPlan:
    """What a round is to be; checked whole by `check_plan` before anything is written."""

    name: str
    target: str
    method: str
    cadence_days: int
    starts_on: date
    ends_on: date
    lockdown_id: int | None = None
    area_codes: Sequence[str] = ()
    risk_group: str = ""
    pool_size: int | None = None
    accept_slow_cadence: bool = False


def _checked_name(value: str) -> str:
    name = nfc(value or "").strip()
    if not name:
        raise InvalidInput(_("Give the round a name."), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(
            _("The name is too long (%(max)d characters at most).") % {"max": NAME_MAX}, field="name"
        )
    return name


def _check_method(plan: RoundPlan) -> None:
    if plan.method not in Method.values:
        raise InvalidInput(_("Choose a testing method."), field="method")
    if plan.method == Method.PCR_POOLED and plan.pool_size not in POOL_SIZES:
        raise InvalidInput(_("Pooled PCR takes pools of 5 or 10 samples."), field="pool_size")
    if plan.method != Method.PCR_POOLED and plan.pool_size is not None:
        raise InvalidInput(_("Only pooled PCR has a pool size."), field="pool_size")


def _check_dates(plan: RoundPlan, today: date) -> None:
    if not 1 <= plan.cadence_days <= 14:
        raise InvalidInput(_("Sessions come every 1 to 14 days."), field="cadence_days")
    if plan.ends_on < plan.starts_on:
        raise InvalidInput(_("The last day comes before the first."), field="ends_on")
    if plan.ends_on < today:
        raise InvalidInput(_("The round would already be over."), field="ends_on")
    if (plan.ends_on - plan.starts_on).days >= MAX_ROUND_DAYS:
        raise InvalidInput(
            _("A round lasts %(max)d days at most: plan the next one when it ends.")
            % {"max": MAX_ROUND_DAYS},
            field="ends_on",
        )
    too_slow = plan.cadence_days > FREQUENT_CADENCE_DAYS and not plan.accept_slow_cadence
    if too_slow and needs_frequent_testing(plan.target, plan.risk_group):
        raise SlowCadence(field="cadence_days")


def _target_of(by: Any, unit: Any, plan: RoundPlan, at: datetime) -> tuple[Any, list[Any]]:
    """The lockdown (in force, within the unit) or the areas (of the unit) the round targets."""
    if plan.target == TestingRound.Target.LOCKDOWN:
        if plan.area_codes or plan.risk_group:
            raise InvalidInput(_("A lockdown round targets the lockdown only."), field="target")
        found = (
            lockdown_selectors.lockdowns_visible_to(by)
            .filter(lockdown_selectors.in_force_q(at), pk=plan.lockdown_id or 0, path__startswith=unit.path)
            .first()
        )
        if found is None:
            raise InvalidInput(_("Choose a lockdown in force in your unit."), field="lockdown")
        return found, []
    if plan.target == TestingRound.Target.AREAS:
        if plan.lockdown_id or plan.risk_group:
            raise InvalidInput(_("An areas round targets residential areas only."), field="target")
        codes = sorted({code.strip() for code in plan.area_codes if code.strip()})
        if not codes:
            raise InvalidInput(_("Choose at least one residential area."), field="areas")
        if len(codes) > MAX_AREAS:
            raise InvalidInput(_("At most %(max)d areas per round.") % {"max": MAX_AREAS}, field="areas")
        areas = list(territory.areas_within(unit).filter(code__in=codes).order_by("code"))
        if len(areas) != len(codes):
            raise InvalidInput(
                _("Choose residential areas of %(unit)s.") % {"unit": unit.full_name}, field="areas"
            )
        return None, areas
    if plan.target == TestingRound.Target.GROUP:
        if plan.lockdown_id or plan.area_codes:
            raise InvalidInput(_("A risk-group round targets the group only."), field="target")
        if plan.risk_group not in TestingRound.RiskGroup.values:
            raise InvalidInput(_("Choose the risk group."), field="risk_group")
        return None, []
    raise InvalidInput(_("Choose what the round targets."), field="target")


def create_round(
    *, by: Any, unit: Any, plan: RoundPlan, idempotency_key: str | None = None, clock: Clock = now
) -> tuple[TestingRound, bool]:
    """Plan a round with its dated sessions and their target people; (round, created).

    A retry with the same idempotency key answers with the round it created.
    """
    require_within(by, Perm.PLAN_TESTING, path=unit.path, object_type="territory.unit", object_id=unit.pk)
    if idempotency_key:
        earlier = TestingRound.objects.filter(idempotency_key=idempotency_key, created_by=by).first()
        if earlier is not None:
            return earlier, False
    moment = clock()
    name = _checked_name(plan.name)
    _check_method(plan)
    _check_dates(plan, local_date(moment))
    lockdown, areas = _target_of(by, unit, plan, moment)
    try:
        with transaction.atomic():
            testing_round = TestingRound.objects.create(
                name=name,
                unit=unit,
                path=unit.path,
                target=plan.target,
                lockdown=lockdown,
                risk_group=plan.risk_group if plan.target == TestingRound.Target.GROUP else "",
                method=plan.method,
                pool_size=plan.pool_size,
                cadence_days=plan.cadence_days,
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
                status=TestingRound.Status.PLANNED,
                created_by=by,
                idempotency_key=idempotency_key or None,
            )
            testing_round.areas.set(areas)
            _create_sessions(testing_round, lockdown, areas)
            _target_residents(by, testing_round, lockdown, areas)
            audit.record(
                actor=by,
                action="diagnostics.round.create",
                object_type=ROUND_TYPE,
                object_id=testing_round.pk,
                unit_path=unit.path,
                after=_round_state(testing_round),
                clock=clock,
            )
    except IntegrityError:
        # Two submissions with the same key at once: the other one won.
        winner = TestingRound.objects.filter(idempotency_key=idempotency_key or "-").first()
        if winner is None:
            raise
        return winner, False
    return testing_round, True


def _round_state(testing_round: TestingRound) -> dict[str, Any]:
    return {
        "status": testing_round.status,
        "target": testing_round.target,
        "method": testing_round.method,
        "cadence_days": testing_round.cadence_days,
        "starts_on": testing_round.starts_on.isoformat(),
        "ends_on": testing_round.ends_on.isoformat(),
        "version": testing_round.version,
    }


def _create_sessions(testing_round: TestingRound, lockdown: Any, areas: list[Any]) -> None:
    """One session per day (per area and day for an areas round), each scoped to its area's ward."""
    days = session_days(testing_round.starts_on, testing_round.ends_on, testing_round.cadence_days)
    if areas:
        places = [(area, area.path, area.name) for area in areas]
    elif lockdown is not None:
        place = f"{lockdown.place} — {lockdown.area.name}" if lockdown.place else lockdown.area.name
        places = [(lockdown.area, lockdown.path, place)]
    else:
        places = [(None, testing_round.path, "")]
    SamplingSession.objects.bulk_create(
        SamplingSession(round=testing_round, day=day, area=area, path=path, place=place[:PLACE_MAX])
        for day in days
        for area, path, place in places
    )


def _target_residents(by: Any, testing_round: TestingRound, lockdown: Any, areas: list[Any]) -> None:
    """Every resident of the round's areas becomes a target of each of their area's sessions, set-wise.

    A lockdown of a whole area targets its residents; a building or lane is narrower than the registry
    knows (it keeps areas, not addresses), so the ward adds those people (add_targets).
    """
    if lockdown is not None and lockdown.scope == "area":
        area_ids = [lockdown.area_id]
    else:
        area_ids = [area.pk for area in areas]
    if not area_ids:
        return
    residents = people.persons_visible_to(by).filter(residence_area_id__in=area_ids).order_by()
    residents_sql, params = residents.values("id", "residence_area_id").query.sql_with_params()
    target, session = SessionTarget._meta.db_table, SamplingSession._meta.db_table
    sql = (
        f"INSERT INTO {target} (session_id, person_id) "  # noqa: S608 - table names come from models
        f"SELECT s.id, p.id FROM {session} s JOIN ({residents_sql}) p ON p.residence_area_id = s.area_id "
        f"WHERE s.round_id = %s AND s.status = %s AND NOT EXISTS "
        f"(SELECT 1 FROM {target} t WHERE t.session_id = s.id AND t.person_id = p.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, testing_round.pk, SamplingSession.Status.PLANNED])
    _recount_targets(testing_round)


def _recount_targets(testing_round: TestingRound) -> None:
    counts = (
        SessionTarget.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    SamplingSession.objects.filter(round=testing_round).update(targeted=Coalesce(Subquery(counts), 0))


def _lock_round(testing_round: TestingRound, version: int | None) -> TestingRound:
    locked = TestingRound.objects.select_for_update().get(pk=testing_round.pk)
    if locked.status == TestingRound.Status.CLOSED:
        raise RoundClosed()
    if version is not None and locked.version != version:
        raise RoundChanged()
    return locked


def refresh_targets(*, by: Any, testing_round: TestingRound, clock: Clock = now) -> int:
    """Add residents registered since the round was planned to its open sessions; returns targets added."""
    require_within(
        by, Perm.PLAN_TESTING, path=testing_round.path, object_type=ROUND_TYPE, object_id=testing_round.pk
    )
    with transaction.atomic():
        locked = _lock_round(testing_round, None)
        before = SessionTarget.objects.filter(session__round=locked).count()
        areas = list(locked.areas.all())
        _target_residents(by, locked, locked.lockdown, areas)
        return SessionTarget.objects.filter(session__round=locked).count() - before


@dataclass(frozen=True)
class TargetsAdded:
    """The outcome of adding people to a round by CCCD; lines are 1-based, no CCCD is echoed."""

    added: int
    already: int
    not_found_lines: list[int] = field(default_factory=list)
    invalid_lines: list[int] = field(default_factory=list)


def add_targets(
    *, by: Any, testing_round: TestingRound, cccds: Sequence[str], clock: Clock = now
) -> TargetsAdded:
    """Add people (by CCCD, one per line) to the round's sessions from today on: a risk group's members,
    the residents of a locked-down building. Someone already targeted is counted, not added twice."""
    require_within(
        by, Perm.PLAN_TESTING, path=testing_round.path, object_type=ROUND_TYPE, object_id=testing_round.pk
    )
    lines = [line.strip() for line in cccds]
    if not any(lines):
        raise InvalidInput(_("Type at least one CCCD, one per line."), field="cccds")
    if len(lines) > MAX_TARGET_LINES:
        raise InvalidInput(_("At most %(max)d lines at a time.") % {"max": MAX_TARGET_LINES}, field="cccds")
    persons: dict[Any, Any] = {}
    not_found, invalid = [], []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        try:
            person = people.lookup_by_cccd(by, line)
        except InvalidInput:
            invalid.append(number)
            continue
        if person is None:
            not_found.append(number)
        else:
            persons[person.pk] = person
    today = local_date(clock())
    with transaction.atomic():
        locked = _lock_round(testing_round, None)
        sessions = list(
            locked.sessions.filter(status=SamplingSession.Status.PLANNED, day__gte=today).values_list(
                "pk", flat=True
            )
        )
        existing = set(
            SessionTarget.objects.filter(session_id__in=sessions, person_id__in=list(persons)).values_list(
                "session_id", "person_id"
            )
        )
        new = [
            SessionTarget(session_id=session_id, person_id=person_id)
            for session_id in sessions
            for person_id in persons
            if (session_id, person_id) not in existing
        ]
        SessionTarget.objects.bulk_create(new, ignore_conflicts=True)
        _recount_targets(locked)
        already = {person_id for _, person_id in existing}
        audit.record(
            actor=by,
            action="diagnostics.round.add_targets",
            object_type=ROUND_TYPE,
            object_id=locked.pk,
            unit_path=locked.path,
            after={"persons": len(persons), "targets": len(new)},
            clock=clock,
        )
    return TargetsAdded(
        added=len(set(persons) - already) if sessions else 0,
        already=len(already),
        not_found_lines=not_found,
        invalid_lines=invalid,
    )


def close_round(
    *, by: Any, testing_round: TestingRound, version: int | None, clock: Clock = now
) -> TestingRound:
    """Close a round: sessions up to today are done, later ones cancelled. Once only (compare-and-set)."""
    require_within(
        by, Perm.PLAN_TESTING, path=testing_round.path, object_type=ROUND_TYPE, object_id=testing_round.pk
    )
    today = local_date(clock())
    with transaction.atomic():
        locked = _lock_round(testing_round, version)
        before = _round_state(locked)
        planned = locked.sessions.filter(status=SamplingSession.Status.PLANNED)
        planned.filter(day__lte=today).update(status=SamplingSession.Status.DONE)
        planned.filter(day__gt=today).update(status=SamplingSession.Status.CANCELLED)
        locked.status = TestingRound.Status.CLOSED
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        audit.record(
            actor=by,
            action="diagnostics.round.close",
            object_type=ROUND_TYPE,
            object_id=locked.pk,
            unit_path=locked.path,
            before=before,
            after=_round_state(locked),
            clock=clock,
        )
    return locked


# Samples -----------------------------------------------------------------------------------------------

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


def lab_by_code(code: str, field_name: str = "lab") -> Lab | None:
    """The active laboratory with this code; None for no code; InvalidInput for an unknown one."""
    code = (code or "").strip()
    if not code:
        return None
    lab = Lab.objects.filter(code=code, active=True).first()
    if lab is None:
        raise InvalidInput(_("There is no laboratory with this code."), field=field_name)
    return lab


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


# Results -----------------------------------------------------------------------------------------------


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


# Telling wards of positives ----------------------------------------------------------------------------


def announce_positives(sample_ids: Sequence[int], *, clock: Clock = now) -> int:
    """Tell each ward of its residents' new positive results that await confirmation as a case.

    Only positive samples whose person has no case for them yet; each sample once (Sample.announced_at
    is the marker, claimed under a row lock), one notification per ward per call. Returns the number of
    samples announced. Called after each committed import batch and by the manual result path.
    """
    ids = sorted({int(pk) for pk in sample_ids})
    if not ids:
        return 0
    moment = clock()
    announced = 0
    with transaction.atomic():
        rows = list(
            Sample.objects.select_for_update()
            .filter(pk__in=ids, outcome=Outcome.POSITIVE, announced_at__isnull=True)
            .exclude(persons_with_case_q())
            .order_by("pk")
            .values_list("pk", "path", "code")
        )
        if not rows:
            return 0
        Sample.objects.filter(pk__in=[pk for pk, _path, _code in rows]).update(announced_at=moment)
        by_ward: dict[str, list[tuple[int, str]]] = {}
        for pk, path, code in rows:
            by_ward.setdefault(path, []).append((pk, code))
        url = reverse("diagnostics:positives")
        for path, samples in sorted(by_ward.items()):
            ward = territory.unit_by_path(path)
            if ward is None:
                continue
            notify(
                ward,
                kind="diagnostics.positive_to_confirm",
                subject=ngettext(
                    "%(n)d positive test result awaits confirmation as a case",
                    "%(n)d positive test results await confirmation as cases",
                    len(samples),
                )
                % {"n": len(samples)},
                body=_("Sample codes: %(codes)s") % {"codes": ", ".join(code for _pk, code in samples[:50])},
                url=url,
                perm=Perm.TRACE,
                severity="urgent",
                dedupe_key=f"diagnostics.positives:{path}:{samples[0][0]}",
                clock=clock,
            )
            announced += len(samples)
    return announced


# Reference data ----------------------------------------------------------------------------------------

LABS_DATA = Path(__file__).resolve().parent / "data" / "labs.json"


def ensure_labs() -> int:
    """Load the shipped laboratories (data/labs.json) that are missing; returns how many were added.

    Idempotent: a laboratory already known by its code is left as an operator may have corrected it.
    """
    rows = json.loads(LABS_DATA.read_text(encoding="utf-8"))["labs"]
    known = set(Lab.objects.values_list("code", flat=True))
    added = 0
    for row in rows:
        unit = territory.unit_by_code(row["unit"])
        if row["code"] in known or unit is None:
            continue
        Lab.objects.create(
            code=row["code"], name=row["name"], name_en=row["name_en"], unit=unit, path=unit.path
        )
        added += 1
    return added
