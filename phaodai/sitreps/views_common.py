"""What the report pages share: the schedule from the URL, the user's own units, dates typed in a query."""

from datetime import date
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core.clock import local_date, now, read_local_date
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import paths_of
from phaodai.sitreps import selectors
from phaodai.sitreps.errors import NoSuchSlot, UnknownSchedule
from phaodai.sitreps.models import Schedule
from phaodai.sitreps.selectors import SlotInstance
from phaodai.territory import selectors as territory

# Refusals about the user, not the report: pages let the middleware answer them (403/404).
ACCESS = (NotPermitted, OutOfScope)
# Depth of a reporting level in unit paths ("/01/004/00139/": city 1, district 2, ward 3).


def schedule_or_404(code: str) -> Schedule:
    """The schedule named in the URL (its slots come loaded, once for the whole page)."""
    try:
        schedule = selectors.schedule_by_code(code)
    except UnknownSchedule:
        raise Http404 from None
    return schedule


def own_units(user: Any, schedule: Schedule | None = None) -> list[Any]:
    """The units whose reports the user submits (as their own officials), on `schedule` when given."""
    units = [territory.unit_by_path(path) for path in paths_of(user, Perm.SUBMIT_REPORTS)]
    found = [u for u in units if u is not None]
    if schedule is not None:
        found = [u for u in found if selectors.is_reporter(schedule, u)]
    return sorted(found, key=lambda u: u.path)


def home_unit(user: Any) -> Any:
    """The widest unit the user reads reports of (the city for its commander, a district for its officer)."""
    paths = selectors.report_paths(user)
    if not paths:
        raise NotPermitted()
    return territory.widest_unit(paths)


def slot_instance(schedule: Schedule, text: str | None, unit: Any | None = None) -> SlotInstance:
    """The slot named in the request, or the one to fill now.

    For a unit, a slot it missed that still takes late reports comes before one not open yet (after
    16:30 the next slot is tomorrow's, while today's can still be filed late).
    """
    if text:
        return selectors.parse_slot(schedule, text)
    moment = now()
    current = selectors.current_instance(schedule, clock=lambda: moment)
    if unit is not None and (current is None or current.timing.state(moment) == "upcoming"):
        missed = selectors.missed_instances(schedule, unit, clock=lambda: moment)
        if missed:
            return missed[0]  # the oldest: it locks first
    if current is None:
        raise NoSuchSlot(_("This schedule takes no reports now."), field="slot")
    return current


def parse_day(text: str | None) -> date:
    """A day typed as YYYY-MM-DD (the date picker) or dd/mm/yyyy; today (Hà Nội) when absent."""
    if not text or not text.strip():
        return local_date(now())
    day = read_local_date(text)
    if day is not None:
        return day
    raise InvalidInput(
        _("“%(text)s” is not a date: use the date picker or type it as dd/mm/yyyy.") % {"text": text[:40]},
        field="date",
    )


def unit_filter(user: Any, code: str | None) -> Any | None:
    """The unit a page is narrowed to (?unit=); outside the user's units: 404."""
    return selectors.unit_in_view(user, code.strip()) if code and code.strip() else None
