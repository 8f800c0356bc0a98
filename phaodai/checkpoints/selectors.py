"""Reads of checkpoints, rosters and crossings, always scoped to the acting user.

Who reads a checkpoint: users who manage checkpoints (`checkpoints.manage`: district officers, the city)
or verify passes (`checkpoints.verify`: checkpoint officers) within its focal unit or its other side.
A district officer sees its district's checkpoints, a checkpoint officer those of their unit, the city
all. Outside: 404, and the attempt is logged. Crossing lists are keyset-paginated, never counted.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Q, QuerySet
from django.http import Http404

from phaodai.accounts import selectors as accounts
from phaodai.accounts.roles import Perm
from phaodai.checkpoints import rules
from phaodai.checkpoints.models import Checkpoint, Crossing, Shift, ShiftStaff, StaffMember
from phaodai.core.clock import at_local
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, scope_q
from phaodai.core.text import search_key
from phaodai.territory import selectors as territory

CHECKPOINT_TYPE = "checkpoints.checkpoint"
SHIFT_TYPE = "checkpoints.shift"
READER_PERMS = (Perm.MANAGE_CHECKPOINTS, Perm.VERIFY_PASSES)
PAGE_SIZE = 50
LIST_LIMIT = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list; `next_after` is None on the last page."""

    items: list[T]
    next_after: str | None


# Reach --------------------------------------------------------------------------------------------


def _reach_q(user: Any, perms: Sequence[str] = READER_PERMS, prefix: str = "") -> Q:
    condition = Q(pk__in=[])
    for perm in perms:
        condition |= scope_q(user, f"{prefix}unit_path", perm) | scope_q(
            user, f"{prefix}other_side_path", perm
        )
    return condition


def is_reader(user: Any) -> bool:
    return any(paths_of(user, perm) for perm in READER_PERMS)


def reaches(user: Any, checkpoint: Checkpoint, perm: str | None = None) -> bool:
    """Whether the user acts at the checkpoint (its focal unit or other side) with `perm` (any reader's)."""
    perms = (perm,) if perm else READER_PERMS
    paths = [checkpoint.unit_path, checkpoint.other_side_path]
    return any(covers(user, path, p) for p in perms for path in paths if path)


def may_manage(user: Any, checkpoint: Checkpoint) -> bool:
    """Only the focal unit's managers (and those above them) change a checkpoint and its roster."""
    return covers(user, checkpoint.unit_path, Perm.MANAGE_CHECKPOINTS)


def may_record(user: Any, checkpoint: Checkpoint) -> bool:
    """Officers verifying at either side of the checkpoint record its crossings."""
    return reaches(user, checkpoint, Perm.VERIFY_PASSES)


# Checkpoints --------------------------------------------------------------------------------------


def checkpoints_visible_to(user: Any) -> QuerySet[Checkpoint]:
    return Checkpoint.objects.filter(_reach_q(user)).select_related("unit", "other_side")


def _one_or_404(queryset: QuerySet[Any], user: Any, object_type: str, pk: Any, path_field: str) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        other = queryset.model.objects.filter(pk=pk).values_list(path_field, flat=True).first()
        if other is not None:
            log_out_of_scope(user, object_type, pk, other)
        raise Http404
    return found


def checkpoint_for(user: Any, pk: Any) -> Checkpoint:
    """One checkpoint the user reaches; any other answers 404 (and the attempt is logged)."""
    return _one_or_404(checkpoints_visible_to(user), user, CHECKPOINT_TYPE, pk, "unit_path")


def search_checkpoints(
    user: Any, *, query: str = "", kind: str = "", district: str = "", limit: int = LIST_LIMIT
) -> list[Checkpoint]:
    """Visible checkpoints by name, code or road (diacritics optional), of a kind, in a district."""
    rows = checkpoints_visible_to(user)
    key = search_key(query or "")
    if key:
        rows = rows.filter(Q(name_key__contains=key) | Q(code__iexact=query.strip()) | Q(road__icontains=key))
    if kind in rules.KINDS:
        rows = rows.filter(kind=kind)
    unit = territory.unit_by_code(district) if district else None
    if unit is not None:
        rows = rows.filter(unit_path__startswith=unit.path)
    return list(rows.order_by("unit_path", "code")[:limit])


def checkpoint_by_code(code: str) -> Checkpoint | None:
    """The checkpoint with this code, unscoped (for the demo and imports)."""
    return Checkpoint.objects.filter(code=code.strip().upper()).first()


def districts_of(user: Any) -> list[Any]:
    """The districts the user covers as a reader (the city's officers: all), for filters and stats."""
    found: dict[str, Any] = {}
    for perm in READER_PERMS:
        for path in paths_of(user, perm):
            unit = territory.unit_by_path(path)
            if unit is None:
                continue
            if unit.level == "city":
                found.update((d.code, d) for d in territory.children_of(unit))
            elif unit.level == "district":
                found[unit.code] = unit
    return sorted(found.values(), key=lambda unit: unit.code)


def district_for(user: Any, code: str) -> Any:
    """The district asked for (default the user's first) among those the user covers; else 404 (logged)."""
    districts = districts_of(user)
    if not districts:
        raise NotPermitted()
    if not code:
        return districts[0]
    found = next((district for district in districts if district.code == code), None)
    if found is None:
        unit = territory.unit_by_code(code)
        if unit is not None:
            log_out_of_scope(user, "territory.unit", unit.code, unit.path)
        raise Http404
    return found


def managing_units(user: Any) -> list[Any]:
    """Districts and wards where the user may set up checkpoints (within their management units)."""
    units: dict[str, Any] = {}
    for path in paths_of(user, Perm.MANAGE_CHECKPOINTS):
        unit = territory.unit_by_path(path)
        if unit is not None:
            units.update((u.code, u) for u in territory.within(unit).exclude(level="city").order_by("path"))
    return sorted(units.values(), key=lambda unit: unit.path)


# Rosters ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterDay:
    day: date
    shifts: list[Shift]


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    start = at_local(monday, datetime.min.time())
    return start, start + rules.WEEK


def roster_week(checkpoint: Checkpoint, monday: date) -> list[RosterDay]:
    """The checkpoint's shifts starting in the week, by local day, each with its staff (2 queries)."""
    start, end = week_bounds(monday)
    shifts = list(
        Shift.objects.filter(checkpoint=checkpoint, starts_at__gte=start, starts_at__lt=end)
        .prefetch_related("staff__staff")
        .order_by("starts_at", "ends_at")
    )
    days = [RosterDay(monday + timedelta(days=offset), []) for offset in range(7)]
    for shift in shifts:
        days[(shift.starts_at - start) // timedelta(days=1)].shifts.append(shift)
    return days


def shifts_at(checkpoint: Checkpoint, moment: datetime) -> list[Shift]:
    """Shifts on at `moment` (who is on duty now), with their staff."""
    return list(
        Shift.objects.filter(checkpoint=checkpoint, starts_at__lte=moment, ends_at__gt=moment)
        .prefetch_related("staff__staff")
        .order_by("starts_at")
    )


def shift_for(user: Any, pk: Any) -> Shift:
    """A shift of a checkpoint the user reaches; any other answers 404 (logged)."""
    queryset = Shift.objects.filter(_reach_q(user, prefix="checkpoint__")).select_related("checkpoint")
    return _one_or_404(queryset, user, SHIFT_TYPE, pk, "unit_path")


def eligible_users(checkpoint: Checkpoint) -> list[Any]:
    """Active users with a role at the checkpoint's units (and the district above a ward's), for choices."""
    units = [checkpoint.unit, checkpoint.other_side]
    if checkpoint.unit.level == "ward" and checkpoint.unit.parent is not None:
        units.append(checkpoint.unit.parent)
    found: dict[int, Any] = {}
    for unit in units:
        if unit is not None:
            found.update((user.pk, user) for user in accounts.officials_of(unit))
    return sorted(found.values(), key=lambda user: user.username)


def staff_clashes(staff: StaffMember, start: datetime, end: datetime, *, except_shift: Any = None) -> Any:
    """The first post of `staff` overlapping [start, end) (on any checkpoint), or None."""
    posts = ShiftStaff.objects.filter(staff=staff, starts_at__lt=end, ends_at__gt=start)
    if except_shift is not None:
        posts = posts.exclude(shift=except_shift)
    return posts.select_related("shift__checkpoint").order_by("starts_at").first()


# Crossings ----------------------------------------------------------------------------------------


def crossings_at(
    checkpoint: Checkpoint,
    *,
    decision: str = "",
    after: tuple[datetime, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Crossing]:
    """The checkpoint's crossings, newest first (keyset on (at, id)); denied only with `decision`."""
    rows = Crossing.objects.filter(checkpoint=checkpoint).select_related("officer")
    if decision in rules.DECISIONS:
        rows = rows.filter(decision=decision)
    if after is not None:
        moment, pk = after
        rows = rows.filter(Q(at__lt=moment) | Q(at=moment, pk__lt=pk))
    found = list(rows.order_by("-at", "-pk")[: limit + 1])
    next_after = None
    if len(found) > limit:
        last = found[limit - 1]
        next_after = f"{last.at.isoformat()}|{last.pk}"
    return Page(found[:limit], next_after)


def vehicle_crossings(plate: str, since: datetime, until: datetime) -> list[Crossing]:
    """A vehicle's crossings in a period, oldest first (for matching transit entries and exits)."""
    key = rules.plate_key(plate)
    if not key:
        return []
    return list(
        Crossing.objects.filter(plate=key, at__gte=since, at__lt=until)
        .select_related("checkpoint")
        .order_by("at", "pk")
    )


# SQLite binds at most 999 parameters per statement (older builds); stay well under it.
PLATES_PER_QUERY = 500
GatewayRow = tuple[int, str, datetime, str, int, str, str]


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), PLATES_PER_QUERY):
        yield values[start : start + PLATES_PER_QUERY]


def gateway_crossings(plates: Iterable[str], since: datetime, until: datetime) -> list[GatewayRow]:
    """Allowed crossings of many plates at city gateways and province borders in [since, until),
    oldest first, as plain rows (pk, plate, at, direction, checkpoint id, code, name): matching every
    open transit trip takes one query per 500 plates, not one per plate."""
    wanted = sorted({plate for plate in plates if plate})
    found: list[GatewayRow] = []
    for chunk in _chunks(wanted):
        rows = (
            Crossing.objects.filter(
                plate__in=chunk,
                at__gte=since,
                at__lt=until,
                decision="allowed",
                checkpoint__kind__in=(rules.CITY_GATEWAY, rules.PROVINCE_BORDER),
            )
            .order_by("at", "pk")
            .values_list(
                "pk", "plate", "at", "direction", "checkpoint_id", "checkpoint__code", "checkpoint__name"
            )
        )
        found.extend(rows.iterator(chunk_size=2000))
    return found
