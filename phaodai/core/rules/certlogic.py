"""CertLogic's date-time arithmetic and UVCI fragments, as plain functions raising ValueError."""

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

TIME_UNITS = frozenset({"year", "month", "day", "hour"})

_YEAR = re.compile(r"\d{4}")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The extended ISO form only: fromisoformat alone would also take week dates and "20210501".
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}")
_UVCI_PREFIX = "URN:UVCI:"
_UVCI_SEPARATORS = re.compile(r"[/#:]")


def parse_datetime(text: str) -> datetime:
    """An aware datetime from an ISO 8601 string; no offset (or a date alone) means UTC."""
    if _YEAR.fullmatch(text):
        return datetime(int(text), 1, 1, tzinfo=UTC)
    if match := _YEAR_MONTH.fullmatch(text):
        return datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC)
    if not (_DATE.fullmatch(text) or _DATE_TIME.match(text)):
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def as_instant(value: Any) -> datetime | None:
    """The aware datetime a value stands for (datetime, date or ISO string), or None if it is not one."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:
            return None
    return None


def plus_time(value: Any, amount: int, unit: str) -> datetime:
    """The date-time `amount` units after `value`, on the wall clock of its own offset."""
    moment = parse_datetime(value) if isinstance(value, str) else as_instant(value)
    if moment is None:
        raise ValueError(f"plusTime needs a date-time, got {value!r}")
    if type(amount) is not int:
        raise ValueError(f"plusTime needs an integer amount, got {amount!r}")
    try:
        if unit == "hour":
            return moment + timedelta(hours=amount)
        if unit == "day":
            return moment + timedelta(days=amount)
        if unit == "month":
            return _plus_months(moment, amount)
        if unit == "year":
            return _plus_months(moment, 12 * amount)
    except OverflowError as error:
        raise ValueError(f"plusTime out of range: {amount} {unit}") from error
    raise ValueError(f"plusTime unit must be one of {sorted(TIME_UNITS)}, got {unit!r}")


def _plus_months(moment: datetime, months: int) -> datetime:
    """Add calendar months, clamping the day to the target month's end (31 Jan + 1 month = 28/29 Feb)."""
    year, month0 = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"plusTime out of range: year {year}")
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def extract_from_uvci(uvci: Any, index: Any) -> str | None:
    """The index-th fragment of a UVCI split on "/", "#" and ":", or None when absent."""
    if type(index) is not int:
        raise ValueError(f"extractFromUVCI needs an integer index, got {index!r}")
    if uvci is None:
        return None
    if not isinstance(uvci, str):
        raise ValueError(f"extractFromUVCI needs a string or null, got {uvci!r}")
    body = uvci.removeprefix(_UVCI_PREFIX)
    fragments = _UVCI_SEPARATORS.split(body)
    return fragments[index] if 0 <= index < len(fragments) else None
