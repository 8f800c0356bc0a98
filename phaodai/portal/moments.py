"""The instant a public lookup is about: `at` in ISO 8601, read on Hà Nội's clock.

- an aware datetime ("2021-09-10T12:00:00+07:00", "...Z") is that instant;
- a naive datetime ("2021-09-10T12:00") is Hà Nội wall-clock time;
- a date alone ("2021-09-10") means 12:00 Hà Nội time that day (after the 06:00 switch of regimes);
- nothing means now.
"""

import re
from datetime import date, datetime, time

from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import HANOI, Clock, now, to_local
from phaodai.core.errors import InvalidInput

NOON = time(12, 0)
MAX_LENGTH = 40
# Far outside any regime, and clear of the calendar's edges (year 1 in UTC+7 has no UTC equivalent).
FIRST_YEAR, LAST_YEAR = 1900, 2200
UNENCODED_PLUS = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ][\d:.]+) (\d{2}(?::?\d{2})?)$")


class InvalidMoment(InvalidInput):
    code = "invalid_input"
    message = _("“at” must be an ISO 8601 date or date and time, e.g. 2021-09-10 or 2021-09-10T12:00.")


def parse_at(raw: str | None, clock: Clock = now) -> datetime:
    """The instant `raw` names (see the module docstring); InvalidMoment when it is not a date."""
    text = (raw or "").strip()
    if not text:
        return clock()
    if len(text) > MAX_LENGTH:
        raise InvalidMoment(field="at")
    try:
        if len(text) == 10:
            moment = combine(date.fromisoformat(text), NOON)
        else:
            # A "+" of an offset arrives as a space when the query string did not percent-encode it.
            moment = datetime.fromisoformat(UNENCODED_PLUS.sub(r"\1+\2", text))
    except ValueError:
        raise InvalidMoment(field="at") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidMoment(field="at")
    return moment.replace(tzinfo=HANOI) if moment.tzinfo is None else moment


def combine(day: date, moment: time | None) -> datetime:
    """Hà Nội's `moment` (12:00 when None) on `day`, as an aware instant."""
    return datetime.combine(day, moment or NOON, tzinfo=HANOI)


def local_iso(moment: datetime) -> str:
    """The instant in ISO 8601 with Hà Nội's offset, to the second."""
    return to_local(moment).replace(microsecond=0).isoformat()


def query_value(moment: datetime) -> str:
    """A short `at` for links: Hà Nội wall-clock time to the minute ("2021-09-10T12:00")."""
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")
