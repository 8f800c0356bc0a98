"""Market-pass allocation, pure: which days each household may go, and to which market at what hour.

No Django here (import-linter checks it): frozen dataclasses in, an `Allocation` out.

How it stays fast at city scale: households are never placed one by one. For each group of households
that share an area and a day (their "phase" of the pattern), the group's COUNT is poured into the
area's ranked markets, nearest first, least-loaded slot first. The group's households, sorted by id,
then take consecutive positions: a `Run` says "positions start..stop go to this market, cycling through
these slots". `expand` turns that back into one placement per household-day for persisting.

Why cycling is exact: a market-day whose slots all have the same capacity and which has only ever been
filled this way holds `total // S` people in each slot plus one more in the first `total % S` slots.
Filling "least-loaded first, ties by time" from there hands out slots `total % S, total % S + 1, ...`
round the clock, so a run of k households starting at that slot is exactly what the greedy would do.
Market-days that printed passes have made uneven (or a ward pool whose slots differ in capacity) fall
back to a general water-filling that gives each slot its own run.
"""

import gc
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import dist
from typing import Any, NamedTuple

EVERY_N_DAYS = "every_n_days"
PARITY = "parity"
NEAREST = "nearest"
ANY_IN_WARD = "any_in_ward"
NO_REPRESENTATIVE = "no_representative"
MAX_PERIOD_DAYS = 92
MAX_EVERY_N = 31


class SchemeError(ValueError):
    """A scheme that cannot be allocated as written; `field` names the part to fix."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


# Inputs --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Household:
    id: int
    area: int
    has_representative: bool = True


@dataclass(frozen=True, slots=True)
class Area:
    id: int
    code: str
    # (latitude, longitude) of the area's centre, when known: ranks the ward's other markets.
    centre: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Market:
    id: int
    code: str
    area: int | None
    opens_minute: int  # minutes after local midnight
    closes_minute: int
    capacity: int  # people inside at once; a visit lasts one slot
    is_open: bool = True


@dataclass(frozen=True, slots=True)
class PrintedPass:
    """A pass already printed: it stays exactly as it is, and its seat is taken before anyone else's."""

    household: int
    day: date
    market: int | None
    start_minute: int


@dataclass(frozen=True, slots=True)
class Pattern:
    """Which days a household of a phase may go; households of an area are spread over the phases."""

    kind: str
    n: int = 1
    extra_weekdays: frozenset[int] = frozenset()

    @property
    def phases(self) -> int:
        return self.n if self.kind == EVERY_N_DAYS else 2

    def days_of_phase(self, phase: int, days: Sequence[date]) -> tuple[date, ...]:
        if self.kind == EVERY_N_DAYS:
            return tuple(days[phase :: self.n])
        # Parity: phase 0 odd days of the month, phase 1 even; the extra weekdays are everyone's.
        wanted = 1 if phase == 0 else 0
        return tuple(d for d in days if d.weekday() in self.extra_weekdays or d.day % 2 == wanted)


@dataclass(frozen=True, slots=True)
class Scheme:
    starts_on: date
    ends_on: date
    pattern: Pattern
    slot_minutes: int = 60
    market_choice: str = NEAREST

    @property
    def days(self) -> tuple[date, ...]:
        count = (self.ends_on - self.starts_on).days + 1
        return tuple(self.starts_on + timedelta(days=offset) for offset in range(count))


def parse_pattern(raw: Any) -> Pattern:
    """The scheme's pattern from its stored JSON, or a SchemeError saying what is wrong with it."""
    if not isinstance(raw, Mapping):
        raise SchemeError("pattern", 'must be an object such as {"kind": "every_n_days", "n": 3}')
    kind = raw.get("kind")
    if kind == EVERY_N_DAYS:
        _only_keys(raw, {"kind", "n"})
        n = raw.get("n")
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_EVERY_N:
            raise SchemeError("pattern", f"n must be a whole number of days from 1 to {MAX_EVERY_N}")
        return Pattern(kind=EVERY_N_DAYS, n=n)
    if kind == PARITY:
        _only_keys(raw, {"kind", "extra_weekdays"})
        extra = raw.get("extra_weekdays", [])
        if not isinstance(extra, list) or not all(_is_int(day) and 0 <= day <= 6 for day in extra):
            raise SchemeError(
                "pattern", "extra_weekdays must be a list of weekdays, 0 (Monday) to 6 (Sunday)"
            )
        if len(set(extra)) != len(extra):
            raise SchemeError("pattern", "extra_weekdays lists a weekday twice")
        return Pattern(kind=PARITY, extra_weekdays=frozenset(extra))
    raise SchemeError("pattern", f'kind must be "{EVERY_N_DAYS}" or "{PARITY}"')


def make_scheme(
    *, starts_on: date, ends_on: date, pattern: Any, slot_minutes: int, market_choice: str
) -> Scheme:
    """A checked Scheme: a pattern that parses, a period in order and not too long, a usable slot."""
    if ends_on < starts_on:
        raise SchemeError("ends_on", "the period ends before it starts")
    if (ends_on - starts_on).days + 1 > MAX_PERIOD_DAYS:
        raise SchemeError("ends_on", f"a period is at most {MAX_PERIOD_DAYS} days")
    if not 15 <= slot_minutes <= 24 * 60:
        raise SchemeError("slot_minutes", "a slot lasts from 15 minutes to a day")
    if market_choice not in (NEAREST, ANY_IN_WARD):
        raise SchemeError("market_choice", f'must be "{NEAREST}" or "{ANY_IN_WARD}"')
    return Scheme(starts_on, ends_on, parse_pattern(pattern), slot_minutes, market_choice)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _only_keys(raw: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise SchemeError("pattern", f"unknown key {unknown[0]!r}")


# Ranking -------------------------------------------------------------------------------------------


def rank_markets(areas: Sequence[Area], markets: Sequence[Market]) -> dict[int, tuple[int, ...]]:
    """For each area, the ward's open markets nearest first: its own area's, then the others by the
    distance between area centres (when both are known), then by code."""
    centre = {area.id: area.centre for area in areas}
    usable = [market for market in markets if market.is_open]
    ranking: dict[int, tuple[int, ...]] = {}
    for area in areas:

        def key(market: Market, here: Area = area) -> tuple[int, float, str]:
            there = centre.get(market.area) if market.area is not None else None
            apart = dist(here.centre, there) if here.centre and there else float("inf")
            return (0 if market.area == here.id else 1, apart, market.code)

        ranking[area.id] = tuple(market.id for market in sorted(usable, key=key))
    return ranking


# Slots and their loads -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotGrid:
    """The slots of one market (or of the ward pool): when each starts, and how many fit in it."""

    first_minute: int
    slot_minutes: int
    capacities: tuple[int, ...]

    def start_of(self, slot: int) -> int:
        return self.first_minute + slot * self.slot_minutes

    def slot_at(self, minute: int) -> int | None:
        slot = (minute - self.first_minute) // self.slot_minutes
        return slot if minute >= self.first_minute and slot < len(self.capacities) else None


def market_grid(market: Market, slot_minutes: int) -> SlotGrid:
    # A visit lasts one whole slot, so a last slot that would run past closing is not offered.
    count = (market.closes_minute - market.opens_minute) // slot_minutes
    return SlotGrid(market.opens_minute, slot_minutes, (market.capacity,) * count)


def pool_grid(markets: Sequence[Market], slot_minutes: int) -> SlotGrid:
    """Any market of the ward: a slot holds the capacity of every open market open for all of it."""
    usable = [market for market in markets if market.is_open]
    if not usable:
        return SlotGrid(0, slot_minutes, ())
    first = min(market.opens_minute for market in usable)
    count = (max(market.closes_minute for market in usable) - first) // slot_minutes
    capacities = []
    for slot in range(count):
        start = first + slot * slot_minutes
        capacities.append(
            sum(
                m.capacity
                for m in usable
                if m.opens_minute <= start and start + slot_minutes <= m.closes_minute
            )
        )
    return SlotGrid(first, slot_minutes, tuple(capacities))


_ROTATIONS: dict[tuple[int, int], tuple[int, ...]] = {}


def _rotation(count: int, first: int) -> tuple[int, ...]:
    key = (count, first)
    if key not in _ROTATIONS:
        _ROTATIONS[key] = tuple((first + step) % count for step in range(count))
    return _ROTATIONS[key]


class DayLoad:
    """How many people one market (or the pool) already has in each slot of one day.

    While `loads` is None the day is in its even form (see the module docstring): `total` says it all.
    """

    __slots__ = ("capacities", "capacity", "loads", "total", "uniform")

    def __init__(self, grid: SlotGrid) -> None:
        self.capacities = grid.capacities
        self.capacity = sum(grid.capacities)
        self.total = 0
        self.loads: list[int] | None = None
        self.uniform = len(set(grid.capacities)) == 1 and grid.capacities[0] > 0
        if not self.uniform:
            self.loads = [0] * len(grid.capacities)

    @property
    def room(self) -> int:
        if self.loads is None:
            return self.capacity - self.total
        return sum(max(0, cap - load) for cap, load in zip(self.capacities, self.loads, strict=True))

    def slot_loads(self) -> list[int]:
        if self.loads is not None:
            return list(self.loads)
        count = len(self.capacities)
        level, extra = divmod(self.total, count)
        return [level + 1 if slot < extra else level for slot in range(count)]

    def seat(self, slot: int) -> None:
        """One printed pass's seat, taken whether or not there is room (it is already in a hand)."""
        if self.loads is None:
            self.loads = self.slot_loads()
        self.loads[slot] += 1
        self.total += 1

    def place(self, wanted: int) -> list[tuple[int, tuple[int, ...]]]:
        """Put up to `wanted` people in, least-loaded slot first, ties by time.

        Returns [(how many, the slots they cycle through)], in the order households take them."""
        if self.loads is None:  # the even form: no need to look at the slots
            taken = min(wanted, self.capacity - self.total)
            if taken <= 0:
                return []
            first = self.total % len(self.capacities)
            self.total += taken
            return [(taken, _rotation(len(self.capacities), first))]
        taken = min(wanted, self.room)
        if taken <= 0:
            return []
        added = water_fill(self.loads, self.capacities, taken)
        for slot, count in enumerate(added):
            self.loads[slot] += count
        self.total += taken
        return [(count, (slot,)) for slot, count in enumerate(added) if count]


def water_fill(loads: Sequence[int], capacities: Sequence[int], wanted: int) -> list[int]:
    """How many of `wanted` each slot takes when each goes, one at a time, to the least-loaded slot
    with room (ties to the earlier slot). Computed by levels, not one by one."""

    def poured(level: int) -> int:
        return sum(max(0, min(cap, level) - load) for load, cap in zip(loads, capacities, strict=True))

    low, high = min(loads, default=0), max(capacities, default=0)
    # The highest level the water can rise to without pouring more than `wanted`.
    while low < high:
        middle = (low + high + 1) // 2
        if poured(middle) <= wanted:
            low = middle
        else:
            high = middle - 1
    added = [max(0, min(cap, low) - load) for load, cap in zip(loads, capacities, strict=True)]
    left = wanted - sum(added)
    for slot, (load, cap) in enumerate(zip(loads, capacities, strict=True)):
        if left == 0:
            break
        if max(load, low) == low and low < cap:
            added[slot] += 1
            left -= 1
    return added


# Allocation ----------------------------------------------------------------------------------------


# Results are named tuples, not dataclasses: a city makes hundreds of thousands of them, and a tuple
# is several times quicker to build than a frozen dataclass.


class Run(NamedTuple):
    """Households at positions start..stop-1 of their group go to `market` (None: any of the ward),
    the household at position p to slot `slots[(p - start) % len(slots)]`."""

    start: int
    stop: int
    market: int | None
    slots: tuple[int, ...]


class GroupPlacement(NamedTuple):
    """The households of one area that go on `day`, sorted by id, and where they were placed.

    Positions at or past the last run's stop had no room: they are the group's shortfall."""

    area: int
    day: date
    households: tuple[int, ...]
    runs: tuple[Run, ...]


@dataclass(frozen=True, slots=True)
class Shortfall:
    market: int | None  # the market the households should have gone to (None: the ward)
    day: date
    short: int


class Placement(NamedTuple):
    household: int
    day: date
    market: int | None
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class Allocation:
    groups: tuple[GroupPlacement, ...]
    shortfall: tuple[Shortfall, ...]
    left_out: tuple[int, ...]  # households without a representative, by id
    demand: int  # household-days that needed a new pass
    placed: int
    kept: int  # printed passes, left where they were
    grids: Mapping[int | None, SlotGrid]
    loads: Mapping[tuple[int | None, date], list[int]] = field(default_factory=dict)
    households: int = 0  # households that get passes (with a representative)


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """A city's allocation builds hundreds of thousands of small tuples and no cycles: the cyclic
    collector would walk them all again and again for nothing (a third of the time, measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def allocate(
    *,
    scheme: Scheme,
    households: Sequence[Household],
    markets: Sequence[Market],
    ranking: Mapping[int, Sequence[int]],
    printed: Sequence[PrintedPass] = (),
) -> Allocation:
    """Give each household with a representative its days, and each household-day a market and slot,
    never beyond a slot's capacity. See the module docstring for how."""
    with _cycle_collection_paused():
        return _allocate(scheme, households, markets, ranking, printed)


def _allocate(
    scheme: Scheme,
    households: Sequence[Household],
    markets: Sequence[Market],
    ranking: Mapping[int, Sequence[int]],
    printed: Sequence[PrintedPass],
) -> Allocation:
    days = scheme.days
    pattern = scheme.pattern
    by_market = {market.id: market for market in markets if market.is_open}
    pooled = scheme.market_choice == ANY_IN_WARD
    grids: dict[int | None, SlotGrid] = (
        {None: pool_grid(markets, scheme.slot_minutes)}
        if pooled
        else {mid: market_grid(market, scheme.slot_minutes) for mid, market in by_market.items()}
    )
    choices: dict[int, tuple[int | None, ...]] = (
        {}
        if pooled
        else {area: tuple(mid for mid in ranked if mid in grids) for area, ranked in ranking.items()}
    )
    # One DayLoad per target and day of the period, looked up by the day's index.
    day_loads = {target: [DayLoad(grid) for _ in days] for target, grid in grids.items()}
    day_index = {day: index for index, day in enumerate(days)}

    printed_days: dict[int, set[date]] = defaultdict(set)
    for kept in printed:
        printed_days[kept.household].add(kept.day)
        target = None if pooled else kept.market
        grid = grids.get(target)
        slot = grid.slot_at(kept.start_minute) if grid is not None else None
        # A printed pass at a market since closed, or off the grid, still stands; it takes no seat here.
        if slot is not None and kept.day in day_index:
            day_loads[target][day_index[kept.day]].seat(slot)

    members, left_out = _members_by_area(households)
    phase_days = [pattern.days_of_phase(phase, days) for phase in range(pattern.phases)]
    groups: list[GroupPlacement] = []
    short_by: dict[tuple[int | None, date], int] = defaultdict(int)
    demand = placed = 0
    for area in sorted(members):
        targets: tuple[int | None, ...] = (None,) if pooled else choices.get(area, ())
        target_loads = [(target, day_loads[target]) for target in targets]
        nearest = targets[0] if targets else None
        for phase, ids in enumerate(_phases(members[area], pattern, phase_days, printed_days)):
            if not ids:
                continue
            some_printed = bool(printed_days) and not printed_days.keys().isdisjoint(ids)
            for day in phase_days[phase]:
                going = ids
                if some_printed:
                    going = tuple(hid for hid in ids if day not in printed_days.get(hid, ()))
                wanted = len(going)
                index = day_index[day]
                runs: list[Run] = []
                position = 0
                for target, loads in target_loads:
                    if position == wanted:
                        break
                    for count, slots in loads[index].place(wanted - position):
                        runs.append(Run(position, position + count, target, slots))
                        position += count
                demand += wanted
                placed += position
                if position < wanted:
                    short_by[(nearest, day)] += wanted - position
                groups.append(GroupPlacement(area, day, going, tuple(runs)))
    shortfall = tuple(
        Shortfall(market, day, short)
        for (market, day), short in sorted(short_by.items(), key=lambda item: (item[0][1], str(item[0][0])))
    )
    return Allocation(
        groups=tuple(groups),
        shortfall=shortfall,
        left_out=tuple(sorted(left_out)),
        demand=demand,
        placed=placed,
        kept=len(printed),
        grids=grids,
        loads={
            (target, days[index]): load.slot_loads()
            for target, loads in day_loads.items()
            for index, load in enumerate(loads)
            if load.total
        },
        households=sum(len(ids) for ids in members.values()),
    )


def _members_by_area(households: Sequence[Household]) -> tuple[dict[int, list[int]], list[int]]:
    members: dict[int, list[int]] = defaultdict(list)
    left_out: list[int] = []
    keep_out = left_out.append
    for household in households:  # the one pass over every household
        if household.has_representative:
            members[household.area].append(household.id)
        else:
            keep_out(household.id)
    for ids in members.values():
        ids.sort()
    return members, left_out


def _phases(
    ids: list[int],
    pattern: Pattern,
    phase_days: list[tuple[date, ...]],
    printed_days: Mapping[int, set[date]],
) -> list[tuple[int, ...]]:
    """The area's households spread evenly over the phases by their order; a household with printed
    passes stays in the phase its printed days belong to most, so a re-run does not change its days."""
    count = pattern.phases
    if not printed_days or printed_days.keys().isdisjoint(ids):
        return [tuple(ids[phase::count]) for phase in range(count)]
    phases: list[list[int]] = [[] for _ in range(count)]
    for position, hid in enumerate(ids):
        phase = position % count
        kept = printed_days.get(hid)
        if kept:
            by_order = phase
            phase = max(range(count), key=lambda p: (len(kept.intersection(phase_days[p])), p == by_order))
        phases[phase].append(hid)
    return [tuple(members) for members in phases]


def expand(allocation: Allocation) -> Iterator[Placement]:
    """One placement per household-day placed, for persisting (a ward at a time, not a city)."""
    for group in allocation.groups:
        for run in group.runs:
            grid = allocation.grids[run.market]
            cycle = len(run.slots)
            for position in range(run.start, run.stop):
                start = grid.start_of(run.slots[(position - run.start) % cycle])
                yield Placement(
                    group.households[position], group.day, run.market, start, start + grid.slot_minutes
                )
