"""Pure policy of vehicles: plates, shipper hours, matching transit entries to exits, the vehicle check.

No Django here (checked by import-linter): frozen values in, decisions with reasons out. Times are
aware datetimes; hours of day are read on Hà Nội's wall clock by the caller's `local` conversion.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from phaodai.checkpoints.rules import CITY_GATEWAY, PROVINCE_BORDER, plate_key

# Checkpoints on the city's edge: where a transit vehicle enters and leaves (S23).
GATEWAY_KINDS = (CITY_GATEWAY, PROVINCE_BORDER)
IN, OUT = "in", "out"
ALLOWED = "allowed"
# The expected time to cross the city when a trip does not say (hours; a setting may change it).
DEFAULT_TRANSIT_HOURS = 6
MAX_TRANSIT_HOURS = 48
# How early before its window a trip's entry still counts (a truck a little ahead of plan).
ENTRY_GRACE = timedelta(hours=2)
_HOUR_TEXT = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_TEXT_LIMIT = 120


def normal_plate(raw: str) -> str:
    """The stored form of a Vietnamese plate ("29C-123.45" -> "29C12345"), "" when it is not one."""
    return plate_key(raw or "")


def shown_plate(key: str) -> str:
    """A stored plate as people write it: "29C12345" -> "29C-123.45", "29H123456" -> "29H1-234.56"."""
    match = re.fullmatch(r"(\d{2}[A-Z]{1,2})(\d{3,7})", key or "")
    if match is None:
        return key
    head, digits = match.groups()
    if len(digits) in (6, 7):  # a motorbike's series digit, then the number
        head, digits = head + digits[0], digits[1:]
    if len(digits) == 5:
        return f"{head}-{digits[:3]}.{digits[3:]}"
    return f"{head}-{digits}"


# Shipper hours (S25) ---------------------------------------------------------------------------------


def read_hour(text: str) -> time | None:
    """ "06:00" -> time(6, 0); None when not HH:MM on a 24-hour clock."""
    match = _HOUR_TEXT.fullmatch((text or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def hour_text(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


@dataclass(frozen=True)
class Verdict:
    """A decision with the reasons for it: (code, values) pairs the interface words."""

    allowed: bool
    basis: str  # what the decision rests on: green_lane, transit, shipper, unknown…
    reasons: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    conditions: tuple[str, ...] = ()  # e.g. ("no_stop",) for a transit vehicle
    subject_id: Any = None


@dataclass(frozen=True)
class ShipperFacts:
    """What the hours check needs of a shipper (a registration or a decoded pass)."""

    active: bool
    valid_from: datetime
    valid_to: datetime
    start: time
    end: time


def shipper_hours_verdict(facts: ShipperFacts, at: datetime, local_time: time) -> Verdict:
    """Allowed from `start` (inclusive) until `end` (exclusive), within validity, unless revoked."""
    hours = {"start": hour_text(facts.start), "end": hour_text(facts.end), "at": hour_text(local_time)}
    if not facts.active:
        return Verdict(False, "shipper", (("shipper_revoked", {}),))
    if at < facts.valid_from:
        return Verdict(False, "shipper", (("not_yet_valid", {"valid_from": facts.valid_from}),))
    if at >= facts.valid_to:
        return Verdict(False, "shipper", (("expired", {"valid_to": facts.valid_to}),))
    if local_time < facts.start:
        return Verdict(False, "shipper", (("before_hours", hours),))
    if local_time >= facts.end:
        return Verdict(False, "shipper", (("after_hours", hours),))
    return Verdict(True, "shipper", (("within_hours", hours),))


# Transit matching (S23) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TripWindow:
    """A registered transit trip: the plate, when it is expected to enter, how long it may take."""

    trip_id: Any
    plate: str
    enter_from: datetime
    enter_until: datetime
    expected: timedelta


@dataclass(frozen=True)
class GatewayCrossing:
    """One allowed crossing of a gateway or border checkpoint by a plate."""

    crossing_id: Any
    plate: str
    at: datetime
    direction: str
    checkpoint_id: Any
    checkpoint_code: str = ""
    checkpoint_name: str = ""


@dataclass(frozen=True)
class TripMatch:
    """What the crossing log says about a trip: its entry, its exit, and whether it is overdue."""

    trip_id: Any
    entry: GatewayCrossing | None = None
    exit: GatewayCrossing | None = None
    overdue: bool = False
    due_by: datetime | None = None

    @property
    def duration(self) -> timedelta | None:
        if self.entry is None or self.exit is None:
            return None
        return self.exit.at - self.entry.at

    @property
    def state(self) -> str:
        """expected (not entered), in_city, overdue, left."""
        if self.entry is None:
            return "expected"
        if self.exit is not None:
            return "left"
        return "overdue" if self.overdue else "in_city"


@dataclass
class _PlateLog:
    entries: list[GatewayCrossing] = field(default_factory=list)
    exits: list[GatewayCrossing] = field(default_factory=list)


def match_trips(
    trips: Iterable[TripWindow], crossings: Iterable[GatewayCrossing], at: datetime
) -> dict[Any, TripMatch]:
    """Pair each trip with its entry and exit, plate by plate, in time order.

    A trip's entry is the plate's first unused "in" within its window (less a grace); its exit the
    first "out" after that entry and before the plate's next entry (a vehicle that entered twice
    without being seen leaving left in between unseen, and the later entry belongs to a later trip).
    Repeated trips of one plate consume entries in order. Instants are compared as such, so a trip
    across midnight is like any other. A trip entered and not out by entry + expected is overdue.
    """
    logs: dict[str, _PlateLog] = {}
    for crossing in sorted(crossings, key=lambda c: (c.at, str(c.crossing_id))):
        log = logs.setdefault(crossing.plate, _PlateLog())
        (log.entries if crossing.direction == IN else log.exits).append(crossing)
    results: dict[Any, TripMatch] = {}
    by_plate: dict[str, list[TripWindow]] = {}
    for trip in trips:
        by_plate.setdefault(trip.plate, []).append(trip)
    for plate, plate_trips in by_plate.items():
        log = logs.get(plate, _PlateLog())
        used: set[Any] = set()
        for trip in sorted(plate_trips, key=lambda t: (t.enter_from, str(t.trip_id))):
            results[trip.trip_id] = _match_one(trip, log, used, at)
    return results


def _match_one(trip: TripWindow, log: _PlateLog, used: set[Any], at: datetime) -> TripMatch:
    entry = next(
        (
            c
            for c in log.entries
            if c.crossing_id not in used and trip.enter_from - ENTRY_GRACE <= c.at < trip.enter_until
        ),
        None,
    )
    if entry is None:
        return TripMatch(trip.trip_id)
    used.add(entry.crossing_id)
    following = next((c.at for c in log.entries if c.at > entry.at), None)
    exit_ = next(
        (
            c
            for c in log.exits
            if c.crossing_id not in used and c.at >= entry.at and (following is None or c.at <= following)
        ),
        None,
    )
    due_by = entry.at + trip.expected
    if exit_ is not None:
        used.add(exit_.crossing_id)
        return TripMatch(trip.trip_id, entry, exit_, overdue=exit_.at > due_by, due_by=due_by)
    return TripMatch(trip.trip_id, entry, None, overdue=at > due_by, due_by=due_by)


# The vehicle check ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What the registers hold for a plate at the moment of the check (at most one of each kind)."""

    green_lane: Any = None  # a GreenLane-like: .status, .valid_from, .valid_to, .pk
    green_lane_problem: str = ""  # why the latest green-lane registration does not hold, if it does not
    transit: Any = None
    shipper: Verdict | None = None


def vehicle_verdict(plate: str, checkpoint_kind: str, standing: Standing) -> Verdict:
    """Allowed or denied, with reasons: green lane first, then a transit trip, then a shipper."""
    if not plate:
        return Verdict(False, "invalid_plate", (("invalid_plate", {}),))
    if standing.green_lane is not None:
        return Verdict(
            True, "green_lane", (("green_lane_valid", {"valid_to": standing.green_lane.valid_to}),),
            subject_id=standing.green_lane.pk,
        )  # fmt: skip
    if standing.transit is not None:
        where = "gateway" if checkpoint_kind in GATEWAY_KINDS else "inside"
        return Verdict(
            True, "transit", (("transit_no_stop", {"where": where}),), ("no_stop",), standing.transit.pk
        )
    if standing.shipper is not None:
        return standing.shipper
    reasons: list[tuple[str, Mapping[str, Any]]] = []
    if standing.green_lane_problem:
        reasons.append((standing.green_lane_problem, {}))
    reasons.append(("unknown_vehicle", {}))
    return Verdict(False, "unknown", tuple(reasons))


def text_problem(value: str, *, required: bool = True, limit: int = _TEXT_LIMIT) -> str | None:
    """Why a text field cannot be stored (and signed in a pass), or None."""
    if required and not value:
        return "required"
    if len(value) > limit:
        return "too_long"
    return None
