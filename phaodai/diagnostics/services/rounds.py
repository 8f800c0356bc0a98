"""Testing rounds (S18): planning one with its dated sessions and target people, adding people, closing it.

A round is idempotent by its idempotency key; a change after planning is a compare-and-set on `version`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.cases import lockdown_selectors
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.core.text import nfc
from phaodai.diagnostics.models import Method, SamplingSession, SessionTarget, TestingRound
from phaodai.diagnostics.services.cadence import FREQUENT_CADENCE_DAYS, needs_frequent_testing, session_days
from phaodai.diagnostics.services.errors import RoundChanged, RoundClosed, SlowCadence
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory

ROUND_TYPE = "diagnostics.testinground"
NAME_MAX, PLACE_MAX = 200, 200
MAX_ROUND_DAYS = 92  # a quarter: longer programmes are planned as successive rounds
MAX_AREAS = 500
MAX_TARGET_LINES = 500
POOL_SIZES = (5, 10)


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
