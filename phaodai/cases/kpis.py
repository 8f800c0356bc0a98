"""The "golden time" KPIs per ward and district per day (S16, S36), read set-wise.

- New F0 by where they were found: in the community (including screening), in quarantine or a lockdown
  zone, or other (arrivals from another province); counted where the person lives, by local day.
- Of the F1 of the day's F0 (living in the unit): the share isolated within 24 hours of their F0's
  confirmation, and the median hours it took. An F1's delay runs from the F0's confirmation to the start of
  their first isolation order after it; an F1 already isolated at that moment counts as 0 hours; one not
  isolated yet counts as late. Cancelled orders do not count. Who is an F1 of the day is read from the
  exposures in each case's window as they stood at the confirmation (not from the derived levels, which
  change when an F1 tests positive later), so a past day's figure stays put.
- People under an isolation order at the end of the day, by setting, and those monitored at home after
  their isolation (isolation_selectors.isolation_counts: cancelled orders never count).
- Facility occupancy, from the quarantine app.

Every read groups by ward path in one query and rolls the wards up into each unit asked about in Python,
so a district with its wards, or the city with its districts, costs the same few queries as one ward.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.db.models import CharField, Count, Max, OuterRef, Q, Subquery, Value

from phaodai.cases import rules
from phaodai.cases.isolation_selectors import isolation_counts
from phaodai.cases.models import Case, Exposure, IsolationOrder, TraceLevel
from phaodai.core.clock import Clock, local_date, local_day_bounds, now
from phaodai.core.jurisdiction import common_path
from phaodai.quarantine import selectors as quarantine

GOLDEN_HOURS = 24
COMMUNITY = (Case.DetectedIn.COMMUNITY, Case.DetectedIn.SCREENING)
IN_QUARANTINE = (Case.DetectedIn.QUARANTINE, Case.DetectedIn.LOCKDOWN)
ISOLATION_KINDS = frozenset({"home", "facility", "hospital", "monitoring"})
T = TypeVar("T")


@dataclass(frozen=True)
class NewCases:
    community: int = 0
    quarantine: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.community + self.quarantine + self.other

    def plus(self, more: "NewCases") -> "NewCases":
        return NewCases(
            self.community + more.community, self.quarantine + more.quarantine, self.other + more.other
        )


def found_where(detected_in: str) -> str:
    """ "community", "quarantine" or "other": how the KPIs and the reports group cases."""
    if detected_in in COMMUNITY:
        return "community"
    if detected_in in IN_QUARANTINE:
        return "quarantine"
    return "other"


@dataclass(frozen=True)
class InIsolation:
    home: int = 0
    facility: int = 0
    hospital: int = 0
    monitoring: int = 0  # at home, after isolation

    @property
    def isolating(self) -> int:
        return self.home + self.facility + self.hospital

    def plus(self, more: "InIsolation") -> "InIsolation":
        return InIsolation(
            self.home + more.home,
            self.facility + more.facility,
            self.hospital + more.hospital,
            self.monitoring + more.monitoring,
        )


@dataclass(frozen=True)
class Timeliness:
    """The isolation delays (hours) of a day's F1; None for those not isolated yet."""

    delays: tuple[float | None, ...] = ()

    @property
    def f1(self) -> int:
        return len(self.delays)

    @property
    def on_time(self) -> int:
        return sum(1 for hours in self.delays if hours is not None and hours <= GOLDEN_HOURS)

    @property
    def not_isolated(self) -> int:
        return sum(1 for hours in self.delays if hours is None)

    @property
    def share(self) -> float | None:
        return rules.share_within(self.delays, GOLDEN_HOURS)

    @property
    def percent(self) -> float | None:
        share = self.share
        return None if share is None else round(100 * share, 1)

    @property
    def median_hours(self) -> float | None:
        return rules.median_hours(self.delays)

    def plus(self, more: "Timeliness") -> "Timeliness":
        return Timeliness(self.delays + more.delays)


@dataclass(frozen=True)
class UnitDay:
    unit: Any
    day: date
    new_cases: NewCases
    timeliness: Timeliness
    isolation: InIsolation


# Rolling ward rows up into units ----------------------------------------------------------------------------


def roll_up(by_path: Mapping[str, T], unit_path: str, zero: T, plus: Callable[[T, T], T]) -> T:
    total = zero
    for path, value in by_path.items():
        if path.startswith(unit_path):
            total = plus(total, value)
    return total


def _prefix(units: Sequence[Any]) -> str:
    return common_path([unit.path for unit in units])


# Set-wise reads, grouped by ward path ----------------------------------------------------------------------


def new_cases_by_path(prefix: str, start: datetime, end: datetime) -> dict[str, NewCases]:
    """Cases confirmed in [start, end) of persons living under `prefix`, by ward and where found."""
    rows = (
        Case.objects.filter(
            path__startswith=prefix,
            confirmed_on__gte=local_date(start),
            confirmed_on__lte=local_date(end),  # the local dates narrow through the index…
            confirmed_at__gte=start,
            confirmed_at__lt=end,  # …the instants decide
        )
        .order_by()
        .values_list("path", "detected_in")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for path, detected_in, n in rows:
        where = found_where(detected_in)
        counts[path][where] = counts[path].get(where, 0) + n
    return {path: NewCases(**found) for path, found in counts.items()}


def isolation_by_path(prefix: str, day: date) -> dict[str, InIsolation]:
    """People under an isolation order at the end of `day`, by following ward and kind (the isolation
    pages' own count, so both say the same)."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in isolation_counts(day, prefix):
        found = counts[row.path]
        found[row.kind] = found.get(row.kind, 0) + row.people
    return {
        path: InIsolation(**{kind: n for kind, n in found.items() if kind in ISOLATION_KINDS})
        for path, found in counts.items()
    }


def _delay(confirmed_at: datetime, orders: Iterable[tuple[datetime, datetime | None]]) -> float | None:
    """Hours from the F0's confirmation to the F1's isolation (0 if already isolated); None if not yet."""
    first_after: datetime | None = None
    for starts_at, released_at in orders:
        if starts_at <= confirmed_at and (released_at is None or released_at > confirmed_at):
            return 0.0
        if starts_at >= confirmed_at and (first_after is None or starts_at < first_after):
            first_after = starts_at
    return None if first_after is None else rules.hours_between(confirmed_at, first_after)


def _day_f0_confirmed(side: str, day: date, as_of: datetime) -> Subquery:
    """When the person at `side` of an exposure was confirmed as an F0 on `day`, if the exposure falls in
    that case's window (the F0 side of a link that makes the other person their F1)."""
    return Subquery(
        Case.objects.filter(
            person_id=OuterRef(side),
            confirmed_on=day,
            confirmed_at__lte=as_of,
            window_start__lte=OuterRef("exposed_on"),
            window_end__gte=OuterRef("exposed_on"),
        ).values("confirmed_at")[:1]
    )


def _day_f1(prefix: str, day: date, as_of: datetime) -> dict[Any, tuple[str, datetime]]:
    """The F1 of the F0 confirmed on `day` (by `as_of`), living under `prefix`: person -> (ward path, the
    earliest of their F0's confirmations). One query.

    Read from the exposures within each case's window, not from the derived levels: those move as tracing
    goes on (an F1 who tests positive later becomes an F0 and would leave the cohort of the day they were
    traced on), so a past day's figure would change. Whoever was a case already at the F0's confirmation
    is left out afterwards (see `_was_a_case`).
    """
    day_f0 = Case.objects.filter(confirmed_on=day, confirmed_at__lte=as_of).values("person_id")
    links = (
        Exposure.objects.filter(Q(low_id__in=day_f0) | Q(high_id__in=day_f0))
        .annotate(
            low_f0=_day_f0_confirmed("low_id", day, as_of), high_f0=_day_f0_confirmed("high_id", day, as_of)
        )
        .filter(
            Q(low_f0__isnull=False, high__unit_path__startswith=prefix)
            | Q(high_f0__isnull=False, low__unit_path__startswith=prefix)
        )
        .values_list("low_id", "high_id", "low__unit_path", "high__unit_path", "low_f0", "high_f0")
    )
    cohort: dict[Any, tuple[str, datetime]] = {}
    for low, high, low_path, high_path, low_f0, high_f0 in links:
        for person, path, confirmed_at in ((high, high_path, low_f0), (low, low_path, high_f0)):
            if confirmed_at is None or not path.startswith(prefix):
                continue
            known = cohort.get(person)
            if known is None or confirmed_at < known[1]:
                cohort[person] = (path, confirmed_at)
    return cohort


Spans = dict[Any, list[tuple[datetime, datetime | None]]]


def _orders_and_cases(persons: Sequence[Any], as_of: datetime) -> tuple[Spans, Spans]:
    """The persons' isolation orders started by `as_of` (not cancelled) and their cases confirmed by then,
    each as (from, until); one query."""
    orders = (
        IsolationOrder.objects.filter(person_id__in=persons, starts_at__lte=as_of)
        .exclude(status=IsolationOrder.Status.CANCELLED)
        .annotate(kind=Value("order", output_field=CharField()))
        .order_by()
        .values_list("person_id", "starts_at", "released_at", "kind")
    )
    cases = (
        Case.objects.filter(person_id__in=persons, confirmed_at__lte=as_of)
        .annotate(kind=Value("case", output_field=CharField()))
        .order_by()
        .values_list("person_id", "confirmed_at", "outcome_at", "kind")
    )
    found: dict[str, Spans] = {"order": defaultdict(list), "case": defaultdict(list)}
    for person_id, start, end, kind in orders.union(cases, all=True):
        found[kind][person_id].append((start, end))
    return found["order"], found["case"]


def _was_a_case(cases: Iterable[tuple[datetime, datetime | None]], moment: datetime) -> bool:
    """Whether the person was an F0 (confirmed, not yet recovered) at `moment`."""
    return any(start <= moment and (end is None or end > moment) for start, end in cases)


def timeliness_by_path(prefix: str, day: date, as_of: datetime) -> dict[str, Timeliness]:
    """The isolation delays of the F1 (living under `prefix`) of the F0 confirmed on `day`, by ward.

    Two queries. The cohort is fixed by what happened up to the F0's confirmation (see `_day_f1`), so a
    past day's figure moves only when a contact of that day is found later, never because one of them
    tested positive since.
    """
    cohort = _day_f1(prefix, day, as_of)
    if not cohort:
        return {}
    orders, cases = _orders_and_cases(list(cohort), as_of)
    delays: dict[str, list[float | None]] = defaultdict(list)
    for person_id, (path, confirmed_at) in cohort.items():
        if not _was_a_case(cases.get(person_id, ()), confirmed_at):
            delays[path].append(_delay(confirmed_at, orders.get(person_id, ())))
    return {path: Timeliness(tuple(found)) for path, found in delays.items()}


def traced_f1_by_path(prefix: str, start: datetime, end: datetime) -> dict[str, int]:
    """Persons who are F1 and whose link to their F0 was first recorded in [start, end), by ward."""
    first_link = (
        Exposure.objects.filter(
            Q(low=OuterRef("person_id"), high=OuterRef("via_id"))
            | Q(low=OuterRef("via_id"), high=OuterRef("person_id"))
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    rows = (
        TraceLevel.objects.filter(level=1, path__startswith=prefix)
        .annotate(linked=Subquery(first_link))
        .filter(linked__gte=start, linked__lt=end)
        .order_by()
        .values_list("path")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


@dataclass(frozen=True)
class CommunityCases:
    last_7_days: int
    last_14_days: int
    unknown_source_14_days: int
    last_at: datetime | None


# Above this many areas, one pass over every community case beats binding each area id as a parameter.
AREA_FILTER_LIMIT = 500


def community_cases_by_area(area_ids: Sequence[int], at: datetime) -> dict[int, CommunityCases]:
    """Community cases living in each area in the 7 and 14 days up to `at`, and the latest before it."""
    rows = Case.objects.filter(detected_in__in=COMMUNITY, confirmed_at__lte=at)
    if len(area_ids) <= AREA_FILTER_LIMIT:
        rows = rows.filter(residence_area_id__in=area_ids)
    d7, d14 = at - timedelta(days=7), at - timedelta(days=14)
    grouped = (
        rows.order_by()
        .values_list("residence_area_id")
        .annotate(
            c7=Count("pk", filter=Q(confirmed_at__gt=d7)),
            c14=Count("pk", filter=Q(confirmed_at__gt=d14)),
            u14=Count("pk", filter=Q(confirmed_at__gt=d14, source_known=False)),
            last=Max("confirmed_at"),
        )
    )
    wanted = set(area_ids)
    return {
        area_id: CommunityCases(c7, c14, u14, last)
        for area_id, c7, c14, u14, last in grouped
        if area_id in wanted
    }


# The board --------------------------------------------------------------------------------------------------


def counted_at(day: date, as_of: datetime) -> datetime:
    """The end of `day`, or `as_of` if the day is not over."""
    return min(local_day_bounds(day)[1] - timedelta(seconds=1), as_of)


def daily(units: Sequence[Any], day: date, *, clock: Clock = now) -> list[UnitDay]:
    """The day's KPIs of each unit (a ward, a district, the city), in four queries whatever the units."""
    if not units:
        return []
    as_of = clock()
    prefix = _prefix(units)
    start, end = local_day_bounds(day)
    cases = new_cases_by_path(prefix, start, min(end, as_of + timedelta(microseconds=1)))
    timeliness = timeliness_by_path(prefix, day, as_of)
    isolation = isolation_by_path(prefix, day)
    return [
        UnitDay(
            unit=unit,
            day=day,
            new_cases=roll_up(cases, unit.path, NewCases(), NewCases.plus),
            timeliness=roll_up(timeliness, unit.path, Timeliness(), Timeliness.plus),
            isolation=roll_up(isolation, unit.path, InIsolation(), InIsolation.plus),
        )
        for unit in units
    ]


def facility_occupancy(user: Any, unit: Any, day: date, *, clock: Clock = now) -> list[Any]:
    """The quarantine facilities the unit's people go to (managed by it, within it or above it), with
    beds taken at the end of `day` (now, for today), as far as the user reads facilities."""
    if not quarantine.is_reader(user):
        return []
    moment = clock()
    at = None if day >= local_date(moment) else counted_at(day, moment)
    groups = quarantine.occupancy_by_district(user, at, today=local_date(moment))
    return [g for g in groups if g.unit.path.startswith(unit.path) or unit.path.startswith(g.unit.path)]
