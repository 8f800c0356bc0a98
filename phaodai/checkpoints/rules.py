"""Pure policy of checkpoints: which unit may run which kind, boundaries, shifts, crossings, peaks.

No Django here: frozen values in, decisions out (checked by import-linter).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Kinds of checkpoint (S22): the city's gateways, borders with a neighbouring province, district,
# ward and residential-area checkpoints.
CITY_GATEWAY = "city_gateway"
PROVINCE_BORDER = "province_border"
DISTRICT = "district"
WARD = "ward"
RESIDENTIAL = "residential"
KINDS = (CITY_GATEWAY, PROVINCE_BORDER, DISTRICT, WARD, RESIDENTIAL)

# The level of the focal (managing) unit of each kind. A city gateway is run by the district it
# stands in, which the city police coordinate (decision in docs/guide/checkpoints.md): the district's
# officers and police then see and staff it, and the city, which covers every district, manages all.
MANAGING_LEVELS: Mapping[str, frozenset[str]] = {
    CITY_GATEWAY: frozenset({"district"}),
    PROVINCE_BORDER: frozenset({"district", "ward"}),
    DISTRICT: frozenset({"district"}),
    WARD: frozenset({"ward"}),
    RESIDENTIAL: frozenset({"ward"}),
}
# Kinds on the city's edge name the neighbouring province; a border checkpoint must.
PROVINCE_KINDS = frozenset({CITY_GATEWAY, PROVINCE_BORDER})
PROVINCE_REQUIRED = frozenset({PROVINCE_BORDER})

# Shifts: long enough for a 24-hour duty, short enough that a typing slip (a week) is caught.
LONGEST_SHIFT = timedelta(hours=24)
WEEK = timedelta(days=7)

# Crossings.
DIRECTIONS = ("in", "out")
DECISIONS = ("allowed", "denied")
PASS_TYPES = ("permit", "declaration", "vehicle", "transit", "shipper", "market", "hcert")
# As the rule bundles' CertLogic "Identifier" (e.g. PD-PERMIT-0001).
RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
LOCAL_ID = DEVICE_ID
PASS_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")
_PLATE = re.compile(r"[0-9]{2}[A-Z]{1,2}[0-9]?-?[0-9]{3,6}")
_PLATE_NOISE = re.compile(r"[\s.\-]")
MAX_FAILED_RULES = 20
MAX_RULE_DESCRIPTION = 300
# A device clock ahead of the server by more than this is refused (its times cannot be trusted).
CLOCK_AHEAD_TOLERANCE = timedelta(minutes=10)


def managing_level_allowed(kind: str, level: str) -> bool:
    return level in MANAGING_LEVELS.get(kind, frozenset())


def boundary_key(unit_code: str, other_code: str, place_key: str) -> str:
    """The same key whichever of the two sides registers the checkpoint (one focal unit per place)."""
    first, second = sorted((unit_code, other_code))
    return f"{first}|{second}|{place_key}"[:200]


# Shifts -----------------------------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of the week `day` is in (rosters are kept by week)."""
    return day - timedelta(days=day.weekday())


def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    """Half-open [start, end): a shift ending at 14:00 does not clash with one starting at 14:00."""
    return start < other_end and other_start < end


def may_staff(role_paths: Iterable[str], checkpoint_paths: Sequence[str], district_path: str) -> bool:
    """Whether a user whose roles are bound at `role_paths` may stand a shift at the checkpoint.

    Eligible: a role at one of the checkpoint's units (the focal unit or the other side) or below it,
    or, for a checkpoint run by a ward, at the district above it (district police reinforce wards).
    """
    for path in role_paths:
        if any(path.startswith(own) for own in checkpoint_paths if own):
            return True
        if district_path and path == district_path:
            return True
    return False


# Crossings --------------------------------------------------------------------------------------------


def plate_key(raw: str) -> str:
    """A plate without separators, upper case: "29c-123.45" -> "29C12345" ("" when not a plate)."""
    compact = _PLATE_NOISE.sub("", raw or "").upper()
    return compact if _PLATE.fullmatch(compact) else ""


@dataclass(frozen=True)
class FailedRule:
    rule_id: str
    description: str


def failed_rule_problem(rule_id: str, description: str) -> str | None:
    """Why one failed rule cannot be stored, or None."""
    if not RULE_ID.fullmatch(rule_id or ""):
        return "rule_id"
    if len(description or "") > MAX_RULE_DESCRIPTION:
        return "description"
    return None


# Stats ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourCount:
    hour: int  # local hour of day, 0-23
    crossings: int
    denied: int

    @property
    def allowed(self) -> int:
        return self.crossings - self.denied


def hours_of_day(counts: Mapping[int, tuple[int, int]]) -> list[HourCount]:
    """Every hour 0-23 with its (crossings, denied), zeros where nothing crossed."""
    return [HourCount(hour, *counts.get(hour, (0, 0))) for hour in range(24)]


def peak(hours: Iterable[HourCount]) -> HourCount | None:
    """The busiest hour (the earliest of equals); None when nothing crossed."""
    best: HourCount | None = None
    for row in hours:
        if row.crossings and (best is None or row.crossings > best.crossings):
            best = row
    return best
