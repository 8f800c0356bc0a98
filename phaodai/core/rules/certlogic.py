"""CertLogic's date-time arithmetic, dates of birth and UVCI fragments, as plain functions raising ValueError.

Dates follow the CertLogic 1.3.2 specification: a partial date ("2021", "2021-06") stands for the
last day it allows, as dccDateOfBirth reads it; a missing time is midnight and a missing offset is
UTC; fractions of a second are cut to milliseconds; plusTime adds with JavaScript's setUTC*
methods (see plus_time). Only the specification's forms are read, in ASCII digits (_SPEC_DATE_TIME);
integral floats count as integers (JavaScript cannot tell 1.0 from 1).
"""

import calendar
import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

TIME_UNITS = frozenset({"year", "month", "day", "hour"})

# Digits are ASCII only (re.ASCII): CertLogic dates are, and Python's \d would take "٢٠٢١".
_YEAR = re.compile(r"\d{4}", re.ASCII)
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
# The specification's date-time forms, and no others: seconds required, any fraction after a dot,
# offset Z, ±h, ±hh, ±hmm, ±hhmm, ±h:mm or ±hh:mm with minutes below 60.
_SPEC_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{1,2}):?(\d{2})?)?",
    re.ASCII,
)
_UVCI_PREFIX = "URN:UVCI:"
_UVCI_SEPARATORS = re.compile(r"[/#:]")


def date_of_birth(value: Any) -> datetime:
    """dccDateOfBirth: YYYY, YYYY-MM or YYYY-MM-DD as the last day it allows, at 00:00 UTC."""
    if not isinstance(value, str):
        raise ValueError(f"dccDateOfBirth needs a string, got {value!r}")
    if _YEAR.fullmatch(value):
        return datetime(int(value), 12, 31, tzinfo=UTC)
    if match := _YEAR_MONTH.fullmatch(value):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"month must be in 1..12: {value!r}")
        return datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=UTC)
    if match := _DATE.fullmatch(value):
        return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
    raise ValueError(f"not a date of birth (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")


@lru_cache(maxsize=4096)
def parse_datetime(text: str) -> datetime:
    """An aware datetime from an ISO 8601 string, read as CertLogic reads it (module docstring).

    Cached: a checkpoint's rules read the same clock and pass dates several times per scan.
    """
    if _YEAR.fullmatch(text) or _YEAR_MONTH.fullmatch(text) or _DATE.fullmatch(text):
        return date_of_birth(text)
    if match := _SPEC_DATE_TIME.fullmatch(text):
        year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
        millis = int((match[7] or "0")[:3].ljust(3, "0"))
        offset = UTC
        if match[9]:
            if int(match[11] or 0) > 59:
                raise ValueError(f"a date-time offset needs minutes below 60: {text!r}")
            minutes = int(match[10]) * 60 + int(match[11] or 0)
            offset = timezone(timedelta(minutes=-minutes if match[9] == "-" else minutes))
        return datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=offset)
    raise ValueError(
        f"not an ISO 8601 date-time in a CertLogic form (YYYY-MM-DDThh:mm:ss[.f][offset]): {text!r}"
    )


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


def plus_time(value: Any, amount: Any, unit: Any) -> datetime:
    """`value` plus `amount` units, as JavaScript's `d.setUTC<Unit>(d.getUTC<Unit>() + amount)` computes it.

    The calendar is UTC's and a day that does not exist in the target month runs on into the next
    (2020-02-29 + 1 year is 2021-03-01, 2021-01-31 + 1 month is 2021-03-03), as the specification's
    leap-day table says. The result is shown at the operand's own offset and cut to milliseconds.
    """
    moment = parse_datetime(value) if isinstance(value, str) else as_instant(value)
    if moment is None:
        raise ValueError(f"plusTime needs a date-time, got {value!r}")
    amount = _whole(amount, "plusTime needs an integer amount")
    if not isinstance(unit, str) or unit not in TIME_UNITS:
        raise ValueError(f"plusTime unit must be one of {sorted(TIME_UNITS)}, got {unit!r}")
    if amount == 0:  # the usual way to read a date-time string; no calendar work needed
        return (
            moment
            if moment.microsecond % 1000 == 0
            else moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        )
    utc = moment.astimezone(UTC)
    try:
        if unit == "hour":
            result = utc + timedelta(hours=amount)
        elif unit == "day":
            result = utc + timedelta(days=amount)
        else:
            result = _plus_months(utc, amount if unit == "month" else 12 * amount)
        result = result.astimezone(moment.tzinfo)
    except OverflowError as error:
        raise ValueError(f"plusTime out of range: {amount} {unit}") from error
    return result.replace(microsecond=result.microsecond // 1000 * 1000)


def _plus_months(moment: datetime, months: int) -> datetime:
    """Add calendar months keeping the day of the month, running on past the month's end as JS does."""
    year, month0 = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"plusTime out of range: year {year}")
    first = moment.replace(year=year, month=month0 + 1, day=1)
    return first + timedelta(days=moment.day - 1)


def _whole(value: Any, need: str) -> int:
    """An integer, or an integral float (JavaScript cannot tell 1.0 from 1); ValueError otherwise."""
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise ValueError(f"{need}, got {value!r}")


def extract_from_uvci(uvci: Any, index: Any) -> str | None:
    """The index-th fragment of a UVCI split on "/", "#" and ":", or None when absent."""
    index = _whole(index, "extractFromUVCI needs an integer index")
    if uvci is None:
        return None
    if not isinstance(uvci, str):
        raise ValueError(f"extractFromUVCI needs a string or null, got {uvci!r}")
    body = uvci.removeprefix(_UVCI_PREFIX)
    fragments = _UVCI_SEPARATORS.split(body)
    return fragments[index] if 0 <= index < len(fragments) else None
