"""Time in phaodai: stored in UTC, reasoned about in Hà Nội time (UTC+7).

Code that depends on "now" takes a `clock` argument defaulting to `now`, so tests can pass a fixed
clock or freeze time with time-machine.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import InvalidInput

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
Clock = Callable[[], datetime]

# Regimes switch at 06:00 local time unless a decision says otherwise (S5).
DEFAULT_SWITCH_TIME = time(6, 0)


# Instants outside these years are typing mistakes (and year 1 in UTC+7 has no UTC equivalent).
FIRST_YEAR, LAST_YEAR = 1900, 2200


def plausible(moment: datetime) -> bool:
    """Whether an instant is within the years phaodai reasons about (refuse it before comparing)."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def now() -> datetime:
    """The current instant, aware and in UTC (the default clock)."""
    return timezone.now()


def hanoi(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware datetime at a Hà Nội wall-clock time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=HANOI)


def to_local(moment: datetime) -> datetime:
    """The same instant on Hà Nội's wall clock; naive datetimes are refused, not guessed."""
    if timezone.is_naive(moment):
        raise ValueError("naive datetime: phaodai only reasons about aware datetimes")
    return moment.astimezone(HANOI)


def local_date(moment: datetime) -> date:
    """The Hà Nội calendar date of an instant (daily counts are bucketed by it)."""
    return to_local(moment).date()


def at_local(day: date, at: time) -> datetime:
    """The instant at which Hà Nội's wall clock shows `at` on `day`."""
    return datetime.combine(day, at, tzinfo=HANOI)


def next_local_time(after: datetime, at: time = DEFAULT_SWITCH_TIME) -> datetime:
    """The first instant strictly after `after` when the local clock reads `at` (e.g. "next 06:00")."""
    local = to_local(after)
    candidate = at_local(local.date(), at)
    if candidate <= local:
        candidate = at_local(local.date() + timedelta(days=1), at)
    return candidate


class ImplausibleDay(InvalidInput):
    code = "implausible_day"
    message = _("This date is not plausible; check the year.")


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a Hà Nội calendar day, for bucketing stored UTC instants.

    ImplausibleDay (422) outside the plausible years: year 1 and 9999 overflow on the way to UTC.
    """
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ImplausibleDay()
    start = at_local(day, time(0, 0))
    return start, start + timedelta(days=1)


def read_local_date(text: str) -> date | None:
    """A day typed dd/mm/yyyy or picked as YYYY-MM-DD, within the plausible years; None otherwise."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:  # a week either side of year 1 or 9999 would overflow
            return day
    return None
