"""Our pass, the private claim of a PD1 code: a dataclass with a compact CBOR map, checked strictly.

The map's keys are short on purpose (a QR code grows with every byte). Rules read the same map as
`payload` (its dates are ISO 8601 text, as CertLogic's plusTime takes them):

    v    format version (1)                 t    type (PassType)
    id   pass id                            n    holder's name (or a vehicle's operator/driver)
    yb   holder's birth year                cc   masked CCCD, "001******234"
    vf   valid from  (UTC, "...Z")          vt   valid to (UTC, "...Z")
    pg   permit group 1-6 (POLICY.md §4)    pu   purpose
    z    zones (unit codes)                 rt   route
    pl   vehicle plate                      og   organisation
    cg   cargo                              vd   vaccine doses recorded when issued
    hr   allowed hours ["HH:MM", "HH:MM"]   mk   market code
    sy   declared symptoms (bool)           xp   declared exposure (bool)
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

VERSION: Final = 1


class PassType(StrEnum):
    PERMIT = "permit"
    DECLARATION = "declaration"
    VEHICLE = "vehicle"
    TRANSIT = "transit"
    SHIPPER = "shipper"
    MARKET = "market"


class PayloadError(ValueError):
    """A pass map that is not one of ours: unknown or missing keys, wrong types, values out of range."""


_TEXT_LIMIT: Final = 120
_INSTANT = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z")
_MASKED_CCCD = re.compile(r"\d{3}\*{6}\d{3}")
_PLATE = re.compile(r"[0-9A-Z][0-9A-Z.\- ]{2,15}")
_ZONE = re.compile(r"[0-9A-Za-z._-]{1,16}")
_HOUR = re.compile(r"([01]\d|2[0-3]):[0-5]\d|24:00")
_MAX_ZONES: Final = 32

# What each type must carry besides the common keys (the attribute names of PassPayload).
REQUIRED: Final[dict[PassType, tuple[str, ...]]] = {
    PassType.PERMIT: ("holder", "purpose_group"),
    PassType.DECLARATION: ("holder", "symptoms", "exposure"),
    PassType.VEHICLE: ("plate",),
    PassType.TRANSIT: ("plate",),
    PassType.SHIPPER: ("holder", "hours"),
    PassType.MARKET: ("holder", "market"),
}


@dataclass(frozen=True)
class PassPayload:
    """What a pass says about its holder; `to_map` is what is signed, `from_map` what a verifier reads."""

    type: PassType
    pass_id: str
    valid_from: datetime
    valid_to: datetime
    holder: str | None = field(default=None, metadata={"key": "n"})
    birth_year: int | None = field(default=None, metadata={"key": "yb"})
    cccd_masked: str | None = field(default=None, metadata={"key": "cc"})
    purpose_group: int | None = field(default=None, metadata={"key": "pg"})
    purpose: str | None = field(default=None, metadata={"key": "pu"})
    zones: tuple[str, ...] = field(default=(), metadata={"key": "z"})
    route: str | None = field(default=None, metadata={"key": "rt"})
    plate: str | None = field(default=None, metadata={"key": "pl"})
    organisation: str | None = field(default=None, metadata={"key": "og"})
    cargo: str | None = field(default=None, metadata={"key": "cg"})
    doses: int | None = field(default=None, metadata={"key": "vd"})
    hours: tuple[str, str] | None = field(default=None, metadata={"key": "hr"})
    market: str | None = field(default=None, metadata={"key": "mk"})
    symptoms: bool | None = field(default=None, metadata={"key": "sy"})
    exposure: bool | None = field(default=None, metadata={"key": "xp"})

    def __post_init__(self) -> None:
        # Lists given by a caller become tuples, so equal passes compare (and hash) equal.
        for name in ("zones", "hours"):
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))
        _check(self)

    def to_map(self) -> dict[str, Any]:
        """The compact map (absent values left out): signed in the code, read by rules as `payload`."""
        out: dict[str, Any] = {
            "v": VERSION,
            "t": str(self.type),
            "id": self.pass_id,
            "vf": instant_text(self.valid_from),
            "vt": instant_text(self.valid_to),
        }
        for name, key in _NAMES_KEYS:
            value = getattr(self, name)
            if value is None or value == ():
                continue
            out[key] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_map(cls, data: Any) -> "PassPayload":
        """The pass a map describes; PayloadError unless the map is exactly one we could have signed."""
        kind = check_map(data)
        return cls(
            type=kind,
            pass_id=data["id"],
            valid_from=parse_instant(data["vf"]),
            valid_to=parse_instant(data["vt"]),
            **{name: data[key] for name, key in _NAMES_KEYS if key in data},
        )


def check_map(data: Any) -> PassType:
    """The type of the pass a map describes; PayloadError unless we could have signed exactly this map.

    The verifier's path: every value is checked once, and no PassPayload is built. Text, integer and
    pattern values are checked here in the loop rather than by a reader each (it runs for every scan,
    and bench/passes_verify.py measures it); the messages are the readers' own.
    """
    if type(data) is not dict and not isinstance(data, Mapping):
        raise PayloadError("a pass is a map")
    if not _KEYS.issuperset(data):  # also refuses keys that are not text
        raise PayloadError("unknown keys in a pass")
    version = data.get("v")
    if type(version) is not int or version != VERSION:
        raise PayloadError("unknown pass format version")
    text = data.get("t")
    kind = _TYPES.get(text) if isinstance(text, str) else None
    if kind is None:
        raise PayloadError("unknown pass type")
    identifier, start, end = data.get("id"), data.get("vf"), data.get("vt")
    if type(identifier) is not str or not identifier.strip() or len(identifier) > _TEXT_LIMIT:
        _text(identifier)  # raises, saying why (a str subclass goes through the same check)
    if type(start) is not str or type(end) is not str:
        parse_instant(end), parse_instant(start)  # raises, saying why (or reads a str subclass)
    if _instant(end) <= _instant(start):
        raise PayloadError("a pass must end after it starts")
    for key, value in data.items():
        spec = _SPECS_BY_KEY.get(key)
        if spec is None:
            continue  # v, t, id, vf, vt: checked above
        if value is None or value == []:  # to_map leaves out what a pass does not hold
            raise PayloadError("a pass map leaves out what it does not hold")
        how, first, second = spec
        if how == _AS_TEXT:
            if type(value) is not str or not value.strip() or len(value) > _TEXT_LIMIT:
                _text(value)  # raises, saying why (a str subclass goes through the same check)
        elif how == _AS_INTEGER:
            if type(value) is not int or not first <= value <= second:
                raise PayloadError(f"expected an integer from {first} to {second}")
        elif how == _AS_PATTERN:  # here (first, second) = (a quick test, the reader)
            if type(value) is not str or not first(value):
                second(value)  # the pattern decides: raises, saying why
        else:
            first(value)
    for key in _REQUIRED_KEYS[kind]:
        if key not in data:
            raise PayloadError(f"a {kind} pass needs {', '.join(REQUIRED[kind])}")
    return kind


_OPTIONAL: Final = tuple(spec for spec in fields(PassPayload) if "key" in spec.metadata)
_NAMES_KEYS: Final = tuple((spec.name, spec.metadata["key"]) for spec in _OPTIONAL)
_KEYS: Final = frozenset({"v", "t", "id", "vf", "vt"} | {spec.metadata["key"] for spec in _OPTIONAL})


def instant_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise PayloadError("pass times must be aware")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


@lru_cache(maxsize=1024)
def _instant(text: str) -> datetime:
    match = _INSTANT.fullmatch(text)
    if match is None:
        raise PayloadError("a pass time is UTC text such as 2021-09-09T23:00:00Z")
    try:
        year, month, day, hour, minute, second = map(int, match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise PayloadError("a pass time names no real instant") from None


def parse_instant(value: Any) -> datetime:
    """A pass time; cached, since passes issued together share their validity window."""
    if not isinstance(value, str):
        raise PayloadError("a pass time is UTC text such as 2021-09-09T23:00:00Z")
    return _instant(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _TEXT_LIMIT:
        raise PayloadError(f"expected text of 1 to {_TEXT_LIMIT} characters")
    return value


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise PayloadError("expected true or false")
    return value


def _pattern(pattern: re.Pattern[str], what: str) -> Any:
    def read(value: Any) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise PayloadError(f"malformed {what}")
        return value

    return read


_zone: Final = _pattern(_ZONE, "zone code")
_hour: Final = _pattern(_HOUR, "hour")


def _zones(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not 0 < len(value) <= _MAX_ZONES:
        raise PayloadError(f"zones are a list of 1 to {_MAX_ZONES} codes")
    for zone in value:
        if type(zone) is not str or not _zone_ok(zone):
            _zone(zone)  # raises, saying why (a str subclass goes through the same check)
    return tuple(value)


def _hours(value: Any) -> tuple[str, str]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise PayloadError('hours are ["HH:MM", "HH:MM"]')
    start, end = _hour(value[0]), _hour(value[1])
    if start >= end:
        raise PayloadError("hours must end after they start")
    return start, end


def _integer_from(low: int, high: int) -> Any:
    def read(value: Any) -> int:
        if type(value) is not int or not low <= value <= high:
            raise PayloadError(f"expected an integer from {low} to {high}")
        return value

    return read


# How check_map and _check read each optional value: (how, and its arguments).
_AS_TEXT, _AS_INTEGER, _AS_PATTERN, _BY_READER = "text", "integer", "pattern", "reader"
_SPECS: Final[dict[str, tuple[str, Any, Any]]] = {
    "holder": (_AS_TEXT, None, None),
    "birth_year": (_AS_INTEGER, 1900, 2100),
    "cccd_masked": (_AS_PATTERN, _MASKED_CCCD, "masked CCCD"),
    "purpose_group": (_AS_INTEGER, 1, 6),
    "purpose": (_AS_TEXT, None, None),
    "zones": (_BY_READER, _zones, None),
    "route": (_AS_TEXT, None, None),
    "plate": (_AS_PATTERN, _PLATE, "plate"),
    "organisation": (_AS_TEXT, None, None),
    "cargo": (_AS_TEXT, None, None),
    "doses": (_AS_INTEGER, 0, 9),
    "hours": (_BY_READER, _hours, None),
    "market": (_AS_TEXT, None, None),
    "symptoms": (_BY_READER, _boolean, None),
    "exposure": (_BY_READER, _boolean, None),
}


def _reader(how: str, first: Any, second: Any) -> Any:
    if how == _AS_TEXT:
        return _text
    if how == _AS_INTEGER:
        return _integer_from(first, second)
    if how == _AS_PATTERN:
        return _pattern(first, second)
    return first


_READERS: Final[dict[str, Any]] = {name: _reader(*spec) for name, spec in _SPECS.items()}
_TYPES: Final = {str(kind): kind for kind in PassType}
# Quick tests that accept only what the pattern of the same name accepts (\d is any Unicode
# decimal digit, as str.isdecimal; strip(chars) leaves nothing exactly when every character is one
# of chars): a value they do not accept goes to the pattern, which decides and says why.
_PLATE_FIRST: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_PLATE_CHARS: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.- "
_ZONE_CHARS: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-"


def _masked_cccd_ok(value: str) -> bool:
    return len(value) == 12 and value[3:9] == "******" and value[:3].isdecimal() and value[9:].isdecimal()


def _plate_ok(value: str) -> bool:
    return 3 <= len(value) <= 16 and value[0] in _PLATE_FIRST and not value.strip(_PLATE_CHARS)


def _zone_ok(value: str) -> bool:
    return 0 < len(value) <= 16 and not value.strip(_ZONE_CHARS)


_QUICK: Final = {_MASKED_CCCD: _masked_cccd_ok, _PLATE: _plate_ok}
# check_map's view of _SPECS: a pattern comes with its quick test and its reader.
_SPECS_BY_KEY: Final[dict[str, tuple[str, Any, Any]]] = {
    key: (how, _QUICK[first], _READERS[name]) if how == _AS_PATTERN else (how, first, second)
    for name, key in _NAMES_KEYS
    for how, first, second in [_SPECS[name]]
}
_KEY_OF: Final = dict(_NAMES_KEYS)
_REQUIRED_KEYS: Final = {kind: tuple(_KEY_OF[name] for name in names) for kind, names in REQUIRED.items()}


def _check(payload: PassPayload) -> None:
    """The same checks for a pass built in code as for one read from a code."""
    if not isinstance(payload.type, PassType):
        raise PayloadError("unknown pass type")
    _text(payload.pass_id)
    if not isinstance(payload.valid_from, datetime) or not isinstance(payload.valid_to, datetime):
        raise PayloadError("pass times are datetimes")
    if payload.valid_from.tzinfo is None or payload.valid_to.tzinfo is None:
        raise PayloadError("pass times must be aware")
    if payload.valid_to <= payload.valid_from:
        raise PayloadError("a pass must end after it starts")
    for name, _key in _NAMES_KEYS:
        value = getattr(payload, name)
        if value is not None and value != ():
            _READERS[name](value)
    missing = [name for name in REQUIRED[payload.type] if getattr(payload, name) is None]
    if missing:
        raise PayloadError(f"a {payload.type} pass needs {', '.join(missing)}")


def mask_cccd(cccd: str) -> str:
    """What a pass shows of a CCCD: the first and last three digits ("001******234")."""
    if len(cccd) != 12 or not (cccd.isascii() and cccd.isdigit()):
        raise PayloadError("a CCCD has 12 digits")
    return f"{cccd[:3]}******{cccd[-3:]}"
