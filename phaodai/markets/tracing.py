"""The tracing link (issue #8, point 5): the households inside a market in the same hours as an F0.

A visit of the F0 is (market, local date, optional hours): with hours, the window is those hours of
that day in Hà Nội time; without, the market's opening hours that day. A household was there with
the F0 when an allowed entry of its representative at that market overlaps the window: the entry's
pass slot when the entry names a known pass, else one stay (a slot and its margin) from the scan.
Exits are not used: a slot is short, and an exit is not always scanned.

The visits' markets must be within the officer's units for cases.trace or markets.manage (403
without either anywhere, 404 logged outside). The F0's own household is left out. The households are
offered to the cases module as exposure candidates (`add_as_contacts`, setting "market", through
cases.services.add_contacts, which checks the officer traces the F0).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.cases import services as cases
from phaodai.core.clock import Clock, at_local, now, to_local
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.jurisdiction import paths_of
from phaodai.markets.gate import IN, stay_of
from phaodai.markets.models import GateEntry, Market, Representative
from phaodai.markets.selectors import market_in_reach

TRACER_PERMS: Final = (Perm.TRACE, Perm.MANAGE_MARKETS)
MAX_VISITS: Final = 30


@dataclass(frozen=True)
class Visit:
    """An F0 at a market on a local day, in some hours (None: while it was open)."""

    market: Market
    day: date
    hours: tuple[time, time] | None = None

    def window(self) -> tuple[datetime, datetime]:
        start, end = self.hours or (self.market.opens_at, self.market.closes_at)
        return at_local(self.day, start), at_local(self.day, end)


@dataclass(frozen=True)
class ExposedHousehold:
    """A household whose representative was inside with the F0: who, where they live, when they were there."""

    household_id: int
    household_code: str
    address: str
    area_code: str
    area_name: str
    representative_id: Any
    representative_name: str
    market_code: str
    day: date
    entered_at: datetime
    slot: tuple[datetime, datetime] | None
    representative: Any = field(default=None, repr=False, compare=False)  # the Person, for add_as_contacts


def require_tracer(user: Any) -> None:
    if not any(paths_of(user, perm) for perm in TRACER_PERMS):
        raise NotPermitted()


def market_for_tracing(user: Any, code: str) -> Market:
    """A market within the user's units for tracing or managing markets; 404 (logged) outside."""
    require_tracer(user)
    return market_in_reach(user, code, TRACER_PERMS)


def read_visit(market: Market, day: date, hours: Sequence[time] | None) -> Visit:
    """A visit, its hours checked: two times, the first before the second."""
    if hours is None or len(hours) == 0:
        return Visit(market, day)
    if len(hours) != 2 or not hours[0] < hours[1]:
        raise InvalidInput(_("Give the hours as a start before an end."), field="hours")
    return Visit(market, day, (hours[0], hours[1]))


def _check_reach(user: Any, visits: Sequence[Visit]) -> None:
    require_tracer(user)
    for visit in visits:
        # Fetched again within reach: a Market object handed in proves nothing about the user.
        market_for_tracing(user, visit.market.code)


def _overlapping(visit: Visit) -> Q:
    start, end = visit.window()
    stay = stay_of(visit.market, visit.day)
    with_slot = Q(market_pass__isnull=False, market_pass__slot_start__lt=end, market_pass__slot_end__gt=start)
    without_slot = Q(market_pass__isnull=True, scanned_at__gt=start - stay, scanned_at__lt=end)
    return Q(market=visit.market) & (with_slot | without_slot)


def households_exposed(*, by: Any, visits: Iterable[Visit], f0: Any = None) -> list[ExposedHousehold]:
    """The households inside at the F0's visits (see the module's docstring), each once per visit, by area."""
    visits = list(visits)
    if not visits:
        raise InvalidInput(_("Give at least one market visit."), field="visits")
    if len(visits) > MAX_VISITS:
        raise InvalidInput(_("At most %(n)s visits at once.") % {"n": MAX_VISITS}, field="visits")
    _check_reach(by, visits)
    own_household = getattr(f0, "household_id", None)
    found: dict[tuple[int, date, str], ExposedHousehold] = {}
    for visit in visits:
        rows = (
            GateEntry.objects.filter(_overlapping(visit), direction=IN, allowed=True, household__isnull=False)
            .select_related("household__area", "market_pass__representative", "market")
            .order_by("scanned_at")
        )
        for entry in rows:
            household = entry.household
            if household is None or household.pk == own_household:
                continue
            key = (household.pk, visit.day, entry.market.code)
            if key in found:
                continue
            representative = _representative(entry)
            if representative is None or (f0 is not None and representative.pk == f0.pk):
                continue
            pass_ = entry.market_pass
            found[key] = ExposedHousehold(
                household_id=household.pk,
                household_code=household.code,
                address=household.address,
                area_code=household.area.code,
                area_name=household.area.name,
                representative_id=representative.pk,
                representative_name=representative.full_name,
                market_code=entry.market.code,
                day=visit.day,
                entered_at=entry.scanned_at,
                slot=(pass_.slot_start, pass_.slot_end) if pass_ is not None else None,
                representative=representative,
            )
    return sorted(found.values(), key=lambda h: (h.day, h.market_code, h.area_code, h.household_code))


def _representative(entry: GateEntry) -> Any:
    """The person who went in: the pass's representative, else the household's named one."""
    if entry.market_pass is not None:
        return entry.market_pass.representative
    if entry.household_id is None:
        return None
    row = Representative.objects.filter(household_id=entry.household_id).select_related("person").first()
    return row.person if row is not None else None


def visits_of(f0: Any, since: date, until: date) -> list[tuple[str, date, time, time]]:
    """The F0's own allowed entries (as a representative) between two local days: to prefill the visits."""
    start, end = at_local(since, time(0, 0)), at_local(until, time(0, 0)) + timedelta(days=1)
    rows = GateEntry.objects.filter(
        market_pass__representative_id=f0.pk,
        direction=IN,
        allowed=True,
        scanned_at__gte=start,
        scanned_at__lt=end,
    ).select_related("market", "market_pass")
    visits = []
    for entry in rows.order_by("scanned_at")[:MAX_VISITS]:
        assert entry.market_pass is not None
        slot_start, slot_end = to_local(entry.market_pass.slot_start), to_local(entry.market_pass.slot_end)
        visits.append((entry.market.code, slot_start.date(), slot_start.time(), slot_end.time()))
    return visits


def add_as_contacts(
    *, by: Any, case: Any, households: Iterable[ExposedHousehold], clock: Clock = now
) -> cases.ContactsAdded:
    """The households' representatives as contacts of the case's person, exposed at the market that day."""
    contacts = [
        cases.ContactInput(
            exposed_on=household.day,
            setting="market",
            person=household.representative,
            note=f"{household.market_code} {to_local(household.entered_at):%H:%M}",
        )
        for household in households
    ]
    return cases.add_contacts(by=by, source=case.person, contacts=contacts, clock=clock)
