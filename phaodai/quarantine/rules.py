"""Pure policy for quarantine facilities: beds per room kind, readiness, who goes where. No Django."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

MALE, FEMALE, FAMILY = "male", "female", "family"
ROOM_KINDS = (MALE, FEMALE, FAMILY)
# A person goes to the rooms of their sex (people.Person.sex) unless admitted to a family room.
KIND_OF_SEX = {"M": MALE, "F": FEMALE}

# The managing unit's word on a facility; "active" and "full" follow from occupancy (decision 0019).
PREPARING, READY, ACTIVE, FULL, CLOSED = "preparing", "ready", "active", "full", "closed"
SETTABLE = (PREPARING, READY, CLOSED)
READINESS = (PREPARING, READY, ACTIVE, FULL, CLOSED)

# A school is highlighted as due soon this many days before its hand-back date (S38).
RETURN_SOON_DAYS = 14
# Clocks of phones and PCs drift: an admission or discharge a few minutes ahead is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Beds:
    """A count per room kind: beds a facility has, or beds taken, or beds free."""

    male: int = 0
    female: int = 0
    family: int = 0

    def of(self, kind: str) -> int:
        return int(getattr(self, kind))

    @property
    def total(self) -> int:
        return self.male + self.female + self.family

    def minus(self, other: "Beds") -> "Beds":
        return Beds(self.male - other.male, self.female - other.female, self.family - other.family)

    def plus(self, other: "Beds") -> "Beds":
        return Beds(self.male + other.male, self.female + other.female, self.family + other.family)


def readiness(state: str, capacity: Beds, used: Beds) -> str:
    """What a facility's readiness reads: the managing unit's state, refined by occupancy when ready.

    A ready facility with nobody in it is "ready"; with someone in it "active"; with no bed of any kind
    free "full". A full facility becomes active again by itself on the next discharge.
    """
    if state != READY:
        return state
    if used.total == 0:
        return READY
    if capacity.minus(used).total <= 0:
        return FULL
    return ACTIVE


def readiness_change_problem(current: str, target: str, capacity: Beds, used: Beds) -> str | None:
    """Why the managing unit may not set `target`, or None (setting the current state is a no-op)."""
    if target not in SETTABLE:
        return "follows_occupancy" if target in (ACTIVE, FULL) else "unknown"
    if target == READY and capacity.total <= 0:
        return "no_beds"
    if target in (PREPARING, CLOSED) and used.total > 0:
        return "not_empty"
    return None


def capacity_problem(capacity: Beds, used: Beds) -> str | None:
    """Why these beds cannot be set: negative, or fewer than the people already in rooms of a kind."""
    for kind in ROOM_KINDS:
        if capacity.of(kind) < 0:
            return "negative"
        if capacity.of(kind) < used.of(kind):
            return f"below_{kind}"
    return None


def room_kind_for(sex: str, requested: str | None) -> tuple[str | None, str | None]:
    """The room kind a person is admitted to, and a problem code when the request does not fit.

    Family rooms take anyone; a male or female room only people of that sex.
    """
    own = KIND_OF_SEX.get(sex)
    if not requested:
        return (own, None) if own else (None, "sex_unknown")
    if requested not in ROOM_KINDS:
        return None, "unknown_kind"
    if requested != FAMILY and requested != own:
        return None, "mismatch"
    return requested, None


def admission_problem(state: str, capacity: Beds, used: Beds, kind: str) -> str | None:
    """Why a facility cannot admit one more person to a room of `kind`, or None."""
    if state == PREPARING:
        return "not_ready"
    if state == CLOSED:
        return "closed"
    if capacity.of(kind) <= 0:
        return "no_rooms_of_kind"
    if used.of(kind) >= capacity.of(kind):
        return "full"
    return None


def moment_problem(moment: datetime, *, now: datetime) -> str | None:
    """Why an admission or discharge instant is refused: it is ahead of the clock (beyond its drift)."""
    if moment > now + CLOCK_SKEW:
        return "in_future"
    return None


def ancestors(path: str) -> tuple[str, ...]:
    """The paths of the units above a unit: "/01/004/00139/" → ("/01/", "/01/004/")."""
    parts = [part for part in path.split("/") if part]
    return tuple("/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts)))


def return_status(is_school: bool, return_due: date | None, today: date) -> str:
    """How urgent handing a school back is (S38): overdue, soon, scheduled, undated; "" if not a school."""
    if not is_school:
        return ""
    if return_due is None:
        return "undated"
    if return_due < today:
        return "overdue"
    if return_due <= today + timedelta(days=RETURN_SOON_DAYS):
        return "soon"
    return "scheduled"
