"""Allocation of a market-pass scheme: which household goes to which market, on which days, at what hour.

The algorithm is pure (rules.py); this module loads the ward, runs it and writes the passes. A run
replaces every pass not yet printed; printed passes are in people's hands and never move.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, at_local, now, to_local
from phaodai.core.errors import InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.markets import rules
from phaodai.markets.errors import SchemeLocked
from phaodai.markets.models import AllocationRun, Market, MarketPass, Representative, Scheme
from phaodai.territory import selectors as territory

# A run's list of households left out is for reading on a page, not a register: the count is whole.
LEFT_OUT_SHOWN = 200
BATCH = 2000


def run_allocation(*, by: Any, scheme: Scheme, clock: Clock = now) -> AllocationRun:
    """Allocate `scheme` over its ward: passes for every household with a representative.

    Needs Perm.MANAGE_MARKETS over the scheme's ward. One transaction with the scheme row locked, so
    two runs at once follow one another: printed passes stay exactly where they are (their seats
    counted first), unprinted ones are deleted and placed again. No market-slot is filled beyond its
    capacity; what cannot fit is reported per market-day in the run's `shortfall`, households without
    a representative in `left_out`. A withdrawn scheme refuses (errors.SchemeLocked); a pattern that
    does not parse is InvalidInput on its field. Returns the new AllocationRun.
    """
    require_within(
        by, Perm.MANAGE_MARKETS, path=scheme.unit_path, object_type="markets.scheme", object_id=scheme.pk
    )
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().select_related("unit").get(pk=scheme.pk)
        if locked.status == Scheme.Status.WITHDRAWN:
            raise SchemeLocked()
        plan = _plan_of(locked)
        ward = _WardData.load(locked)
        result = rules.allocate(
            scheme=plan,
            households=ward.households,
            markets=ward.markets,
            ranking=rules.rank_markets(ward.areas, ward.markets),
            printed=ward.printed,
        )
        MarketPass.objects.filter(scheme=locked, printed_at__isnull=True).delete()
        MarketPass.objects.bulk_create(_new_passes(locked, ward, result), batch_size=BATCH)
        run = _record_run(locked, by, ward, result)
        Scheme.objects.filter(pk=locked.pk).update(
            status=Scheme.Status.ALLOCATED, version=locked.version + 1, updated_at=clock()
        )
        audit.record(
            actor=by,
            action="markets.scheme.allocated",
            object_type="markets.scheme",
            object_id=locked.pk,
            unit_path=locked.unit_path,
            after={"run": run.number, "passes": run.passes, "kept": run.kept, "short": _short(result)},
            clock=clock,
        )
    scheme.refresh_from_db()
    return run


def scheme_plan(scheme: Scheme) -> rules.Scheme:
    """The scheme as the rules read it, or InvalidInput naming the field that does not make sense."""
    return _plan_of(scheme)


def _plan_of(scheme: Scheme) -> rules.Scheme:
    try:
        return rules.make_scheme(
            starts_on=scheme.starts_on,
            ends_on=scheme.ends_on,
            pattern=scheme.pattern,
            slot_minutes=scheme.slot_minutes,
            market_choice=scheme.market_choice,
        )
    except rules.SchemeError as error:
        raise InvalidInput(
            _("This scheme cannot be allocated: %(reason)s.") % {"reason": error.reason}, field=error.field
        ) from error


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _as_rules_market(market: Market) -> rules.Market:
    return rules.Market(
        id=market.pk,
        code=market.code,
        area=market.area_id,
        opens_minute=_minutes(market.opens_at),
        closes_minute=_minutes(market.closes_at),
        capacity=market.capacity,
        is_open=market.status == Market.Status.OPEN,
    )


@dataclass
class _WardData:
    """What a run reads of the ward, turned into the rules' inputs (and the look-ups to write back)."""

    areas: list[rules.Area]
    households: list[rules.Household]
    markets: list[rules.Market]
    printed: list[rules.PrintedPass]
    representative: dict[int, Any]  # household id -> person id
    household_code: dict[int, str]
    market_code: dict[int, str]

    @classmethod
    def load(cls, scheme: Scheme) -> "_WardData":
        ward = scheme.unit
        area_rows = list(territory.areas_of(ward))
        representative = dict(
            Representative.objects.filter(household__area__ward=ward).values_list("household_id", "person_id")
        )
        households: list[rules.Household] = []
        household_code: dict[int, str] = {}
        for area in area_rows:
            for hid, code in territory.households_of(area).values_list("id", "code"):
                households.append(rules.Household(hid, area.pk, hid in representative))
                household_code[hid] = code
        market_rows = list(Market.objects.filter(unit=ward).order_by("code"))
        printed = [
            rules.PrintedPass(household, day, market, _minutes(to_local(start).time()))
            for household, day, market, start in MarketPass.objects.filter(
                scheme=scheme, printed_at__isnull=False
            ).values_list("household_id", "day", "market_id", "slot_start")
        ]
        # Markets of other areas are ranked by how far apart the areas' centres are, where outlines exist.
        centres = territory.area_centres([area.pk for area in area_rows])
        return cls(
            areas=[rules.Area(area.pk, area.code, centres.get(area.pk)) for area in area_rows],
            households=households,
            markets=[_as_rules_market(market) for market in market_rows],
            printed=printed,
            representative=representative,
            household_code=household_code,
            market_code={market.pk: market.code for market in market_rows},
        )


def _at(day: date, minute: int) -> datetime:
    return at_local(day, time(minute // 60, minute % 60)).astimezone(UTC)


def _new_passes(scheme: Scheme, ward: _WardData, result: rules.Allocation) -> list[MarketPass]:
    """One MarketPass per placed household-day, numbered after the highest number already printed."""
    prefix = f"CHO-{scheme.pk}-"
    kept_ids = MarketPass.objects.filter(scheme=scheme).values_list("pass_id", flat=True)
    number = max((int(pid.removeprefix(prefix)) for pid in kept_ids if pid.startswith(prefix)), default=0)
    area_of = {household.id: household.area for household in ward.households}
    passes = []
    for placement in rules.expand(result):
        number += 1
        passes.append(
            MarketPass(
                scheme=scheme,
                household_id=placement.household,
                area_id=area_of[placement.household],
                unit_path=scheme.unit_path,
                representative_id=ward.representative[placement.household],
                market_id=placement.market,
                day=placement.day,
                slot_start=_at(placement.day, placement.start_minute),
                slot_end=_at(placement.day, placement.end_minute),
                pass_id=f"{prefix}{number:06d}",
            )
        )
    return passes


def _short(result: rules.Allocation) -> int:
    return sum(item.short for item in result.shortfall)


def _record_run(scheme: Scheme, by: Any, ward: _WardData, result: rules.Allocation) -> AllocationRun:
    last = AllocationRun.objects.filter(scheme=scheme).aggregate(last=Max("number"))["last"] or 0
    return AllocationRun.objects.create(
        scheme=scheme,
        number=last + 1,
        run_by=by,
        households=result.households,
        passes=result.placed,
        kept=result.kept,
        left_out_count=len(result.left_out),
        shortfall=[
            {
                "market": ward.market_code.get(item.market, "") if item.market else "",
                "day": item.day.isoformat(),
                "short": item.short,
            }
            for item in result.shortfall
        ],
        left_out=[
            {"household": ward.household_code[hid], "reason": rules.NO_REPRESENTATIVE}
            for hid in result.left_out[:LEFT_OUT_SHOWN]
        ],
    )


def latest_run(scheme: Scheme) -> AllocationRun | None:
    return AllocationRun.objects.filter(scheme=scheme).order_by("-number").first()


# The page's view of a run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotLoad:
    """How many passes one market (or, for "any in the ward", the ward) has in one slot of one day."""

    market: str  # market code, "" for any market of the ward
    day: date
    starts: datetime
    ends: datetime
    passes: int
    capacity: int


def allocation_summary(scheme: Scheme) -> list[SlotLoad]:
    """Every market-day-slot with passes, its load against its capacity, by day, market and hour."""
    markets = list(Market.objects.filter(unit_id=scheme.unit_id))
    by_id = {market.pk: market for market in markets}
    pool = rules.pool_grid([_as_rules_market(market) for market in markets], scheme.slot_minutes)
    rows = (
        MarketPass.objects.filter(scheme=scheme)
        .values("market_id", "day", "slot_start", "slot_end")
        .annotate(passes=Count("pk"))
        .order_by("day", "market_id", "slot_start")
    )
    loads = []
    for row in rows:
        market = by_id.get(row["market_id"])
        if market is not None:
            capacity = market.capacity if market.status == Market.Status.OPEN else 0
        else:
            slot = pool.slot_at(_minutes(to_local(row["slot_start"]).time()))
            capacity = pool.capacities[slot] if slot is not None else 0
        loads.append(
            SlotLoad(
                market=market.code if market else "",
                day=row["day"],
                starts=row["slot_start"],
                ends=row["slot_end"],
                passes=row["passes"],
                capacity=capacity,
            )
        )
    return loads


# The name the parts agreed on for the page's read.
demand_summary = allocation_summary
