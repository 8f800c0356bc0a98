"""Pure policy of committees, duty rosters and hotlines (S8, S12); no Django here.

- A steering committee (Ban Chỉ đạo) counts as established once its head (the party secretary) is
  seated; a command center (Sở Chỉ huy) once its chief (the People's Committee chair) is. A body
  missing its leader is recorded all the same: the rule warns, it does not refuse.
- One person is never on two overlapping duty shifts of the same unit.
- Hotline numbers are landlines (02x…), mobiles, short service numbers (1022) or 1800/1900 lines.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

STEERING, COMMAND_CENTER = "steering", "command_center"
HEAD, CHIEF, DEPUTY, STANDING, MEMBER = "head", "chief", "deputy", "standing", "member"

# The one seat each kind of body needs filled, exactly once, before it counts as established.
LEADER_OF = {STEERING: HEAD, COMMAND_CENTER: CHIEF}
# Seats a body of each kind may have: a head belongs to a steering committee, a chief to a command center.
POSITIONS_OF = {
    STEERING: frozenset({HEAD, DEPUTY, STANDING, MEMBER}),
    COMMAND_CENTER: frozenset({CHIEF, DEPUTY, STANDING, MEMBER}),
}

# Problems of a body's seats (stable codes; the services and pages word them).
MISSING_LEADER, SEVERAL_LEADERS = "missing_leader", "several_leaders"


@dataclass(frozen=True)
class Completeness:
    """Whether a body's leader seat is filled exactly once, and what is wrong when it is not."""

    kind: str
    leader_position: str
    leaders: int
    problem: str | None

    @property
    def complete(self) -> bool:
        return self.problem is None


def completeness(kind: str, active_positions: Iterable[str]) -> Completeness:
    """Count the leader seats among the active members' positions: exactly one is complete."""
    leader = LEADER_OF[kind]
    leaders = sum(1 for position in active_positions if position == leader)
    problem = None if leaders == 1 else MISSING_LEADER if leaders == 0 else SEVERAL_LEADERS
    return Completeness(kind=kind, leader_position=leader, leaders=leaders, problem=problem)


def position_allowed(kind: str, position: str) -> bool:
    return position in POSITIONS_OF[kind]


@dataclass(frozen=True)
class BodyFacts:
    """What readiness reads of one standing or dissolved body."""

    kind: str
    established_on: date
    dissolved_on: date | None
    complete: bool


def established_by(body: BodyFacts, day: date) -> bool:
    """Set up on or before `day`, not dissolved by then, and with its leader seated."""
    standing = body.dissolved_on is None or body.dissolved_on > day
    return body.complete and standing and body.established_on <= day


@dataclass(frozen=True)
class Readiness:
    """A unit's two bodies as of a day: when each was established (if it counts) and whether both are."""

    steering_on: date | None
    command_center_on: date | None
    steering_complete: bool
    command_center_complete: bool
    ready: bool
    missing: tuple[str, ...]


def readiness(bodies: Sequence[BodyFacts], day: date) -> Readiness:
    """Whether a unit had both a complete steering committee and command center by `day` (inclusive)."""
    by_kind: dict[str, BodyFacts] = {}
    for body in sorted(bodies, key=lambda b: b.established_on):
        # The body standing on `day` wins; else the latest one recorded.
        if body.kind not in by_kind or established_by(body, day):
            by_kind[body.kind] = body
    missing = tuple(kind for kind in (STEERING, COMMAND_CENTER) if not _counts(by_kind.get(kind), day))
    steering, center = by_kind.get(STEERING), by_kind.get(COMMAND_CENTER)
    return Readiness(
        steering_on=steering.established_on if steering else None,
        command_center_on=center.established_on if center else None,
        steering_complete=bool(steering and steering.complete),
        command_center_complete=bool(center and center.complete),
        ready=not missing,
        missing=missing,
    )


def _counts(body: BodyFacts | None, day: date) -> bool:
    return body is not None and established_by(body, day)


# Duty --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    """A duty shift as the overlap rule sees it: whose, and the half-open interval [starts, ends)."""

    ref: int
    person_key: str
    starts_at: datetime
    ends_at: datetime


def clash(new: Shift, existing: Iterable[Shift]) -> Shift | None:
    """The first shift of the same person that overlaps `new` (back-to-back shifts do not overlap)."""
    for shift in sorted(existing, key=lambda s: (s.starts_at, s.ref)):
        if shift.ref == new.ref or shift.person_key != new.person_key:
            continue
        if shift.starts_at < new.ends_at and new.starts_at < shift.ends_at:
            return shift
    return None


def on_duty(shifts: Iterable[Shift], at: datetime) -> list[Shift]:
    """The shifts running at `at`, earliest first."""
    return sorted((s for s in shifts if s.starts_at <= at < s.ends_at), key=lambda s: (s.starts_at, s.ref))


# Hotline numbers ---------------------------------------------------------------------------------

LANDLINE, MOBILE, SHORT, SERVICE = "landline", "mobile", "short", "service"
# Short public numbers: police 113, fire 114, ambulance 115, the city's 1022 and the like.
SHORT_LENGTHS = (3, 4)
SERVICE_PREFIXES = ("1800", "1900")
# Problems with a number (stable codes, worded by the services).
NOT_DIGITS, BAD_LENGTH, BAD_PREFIX = "not_digits", "bad_length", "bad_prefix"


@dataclass(frozen=True)
class Number:
    """A phone number in its stored form (digits only), what kind of line it is, or the problem."""

    digits: str
    kind: str | None
    problem: str | None


def read_number(raw: str) -> Number:
    """Classify a typed number: "024 3825 2222", "(024) 38.25.22.22", "1022", "1900 9095", "0912 345 678"."""
    text = "".join(raw.split())
    for mark in ".-()":
        text = text.replace(mark, "")
    if text.startswith("+84"):
        text = "0" + text[3:]
    if not text.isascii() or not text.isdigit():
        return Number(text, None, NOT_DIGITS)
    if len(text) in SHORT_LENGTHS and text[0] == "1":
        return Number(text, SHORT, None)
    if text.startswith(SERVICE_PREFIXES):
        return Number(text, SERVICE, None) if len(text) in (8, 10) else Number(text, None, BAD_LENGTH)
    if text.startswith("02"):
        # Landlines since 2017: 0 + a 2-digit area code (24 for Hà Nội) + 8 digits.
        return Number(text, LANDLINE, None) if len(text) == 11 else Number(text, None, BAD_LENGTH)
    if text.startswith("0"):
        return Number(text, MOBILE, None)  # the caller checks mobile prefixes and length
    return Number(text, None, BAD_PREFIX)


def display_number(digits: str) -> str:
    """Group the digits as people write them: 024 3825 2222, 0912 345 678, 1900 9095."""
    if len(digits) == 11 and digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if len(digits) == 10 and digits.startswith("0"):
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if digits.startswith(SERVICE_PREFIXES):
        return f"{digits[:4]} {digits[4:]}"
    return digits


def year_of(text: str) -> int | None:
    """A four-digit year within 1900–2200 from a filter box; anything else means "no year filter"."""
    text = text.strip()
    if len(text) == 4 and text.isascii() and text.isdigit() and 1900 <= int(text) <= 2200:
        return int(text)
    return None
