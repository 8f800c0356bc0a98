"""Reads of relief, always scoped to the acting user's units for `relief.manage`.

The stocks board of a ward, a district or the city: each unit's balances with low-stock alerts, and
the days of supply (stock ÷ average daily use over the last 7 days; use = distributions and food aid)
of the unit shown, or of each district on the city's board. Lists are bounded.

The days of supply count back from the clock's moment, or from the end of a past Hà Nội day picked
on the board (the stock then is the one held at that moment: today's less what moved since), so a
past week — the demo's September 2021 — can be read back.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext

from phaodai.accounts.roles import Perm
from phaodai.core.clock import Clock, local_date, local_day_bounds, now, read_local_date
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, get_in_scope_or_404, log_out_of_scope, paths_of, scope_q
from phaodai.relief import rules
from phaodai.relief.models import Donation, Fund, Item, Movement, Spending, Stock, Transfer
from phaodai.territory import selectors as territory

PERM: Final = Perm.MANAGE_RELIEF
LIST_LIMIT: Final = 300
ALERT_LIMIT: Final = 200
DISTRICT_PATH_LENGTH: Final = len("/01/004/")


def is_manager(user: Any) -> bool:
    return bool(paths_of(user, PERM))


def require_manager(user: Any) -> None:
    if not is_manager(user):
        raise NotPermitted()


def items() -> QuerySet[Item]:
    return Item.objects.all()


def item_by_code(code: str) -> Item | None:
    return Item.objects.filter(code=code).first()


def unit_in_reach(user: Any, code: str = "") -> Any:
    """The unit asked for (a ward, district or the city within the user's), else the user's widest."""
    require_manager(user)
    if not code.strip():
        unit = territory.widest_unit(paths_of(user, PERM))
        if unit is None:
            raise NotPermitted()
        return unit
    unit = territory.unit_by_code(code.strip())
    if unit is None:
        raise InvalidInput(gettext("Choose a ward, a district or the city."), field="unit")
    if not covers(user, unit.path, PERM):
        log_out_of_scope(user, "territory.unit", unit.code, unit.path)
        raise OutOfScope()
    return unit


def donations_visible_to(user: Any) -> QuerySet[Donation]:
    return Donation.objects.filter(scope_q(user, "unit_path", PERM)).select_related("unit", "item")


def donations_of(user: Any, unit: Any) -> list[Donation]:
    return list(donations_visible_to(user).filter(unit_path__startswith=unit.path)[:LIST_LIMIT])


def spendings_of(user: Any, unit: Any) -> list[Spending]:
    """The newest money spent by the unit and the units under it (the unit already checked in reach)."""
    rows = Spending.objects.filter(scope_q(user, "unit_path", PERM), unit_path__startswith=unit.path)
    return list(rows.select_related("unit", "item", "by")[:LIST_LIMIT])


def money_held(unit: Any) -> int:
    """The đồng the unit's funds and those under it hold now."""
    total = Fund.objects.filter(unit_path__startswith=unit.path).aggregate(total=Sum("balance_vnd"))["total"]
    return int(total or 0)


def stock_for(user: Any, unit: Any, item: Item) -> Stock | None:
    require_manager(user)
    return Stock.objects.filter(unit=unit, item=item).select_related("unit", "item").first()


def movements_of(user: Any, unit: Any, item: Item) -> list[Movement]:
    """The newest movements of one unit and item (the unit already checked in reach)."""
    require_manager(user)
    rows = Movement.objects.filter(unit=unit, item=item).select_related("by").order_by("-at", "-pk")
    return list(rows[:LIST_LIMIT])


def transfers_visible_to(user: Any) -> QuerySet[Transfer]:
    reach = scope_q(user, "from_path", PERM) | scope_q(user, "to_path", PERM)
    return Transfer.objects.filter(reach).select_related("from_unit", "to_unit", "item", "proposed_by")


def transfers_of(user: Any, unit: Any) -> list[Transfer]:
    require_manager(user)
    around = Q(from_path__startswith=unit.path) | Q(to_path__startswith=unit.path)
    return list(transfers_visible_to(user).filter(around)[:LIST_LIMIT])


def transfer_for(user: Any, pk: int) -> Transfer:
    """One transfer seen from either ward; 403 without the permission, 404 (logged) outside both."""
    require_manager(user)
    found = transfers_visible_to(user).filter(pk=pk).first()
    if found is None:
        outside = Transfer.objects.filter(pk=pk).values_list("pk", "over_path").first()
        if outside is not None:
            log_out_of_scope(user, "relief.transfer", outside[0], outside[1])
        raise Http404
    return found


def stock_row_for(user: Any, pk: int) -> Stock:
    require_manager(user)
    queryset = Stock.objects.select_related("unit", "item")
    return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=PERM, pk=pk)


# The board ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Supply:
    unit_path: str
    unit_name: str
    item: Item
    stock: int
    used_7d: int

    @property
    def days(self) -> float | None:
        return rules.days_of_supply(self.stock, self.used_7d)


@dataclass
class Board:
    unit: Any
    stocks: list[Stock]
    alerts: list[Stock]
    supply: list[Supply]
    money_vnd: int
    donations: int
    in_transit: list[Transfer] = field(default_factory=list)
    # The đồng held now (donated less spent).
    money_held_vnd: int = 0
    # The days of supply are counted over the 7 days up to this moment.
    as_of: datetime | None = None
    # When nothing went out in those 7 days: the Hà Nội day of the latest use before them, if any.
    latest_use: date | None = None


def board_day(text: str) -> date | None:
    """The day the board's days of supply are read up to, typed dd/mm/yyyy or YYYY-MM-DD; None for now."""
    if not text.strip():
        return None
    day = read_local_date(text[:20])
    if day is None:
        raise InvalidInput(gettext("Give the day as dd/mm/yyyy."), field="day")
    return day


def supply_until(day: date | None, clock: Clock) -> datetime:
    """Where the use window ends: the clock's moment, or the end of a past Hà Nội day (today or a
    later day counts up to the moment itself — use that has not happened is not counted)."""
    moment = clock()
    if day is None or day >= local_date(moment):
        return moment
    return local_day_bounds(day)[1]


def _totals(rows: Any, prefix: str, sign: int = 1) -> dict[tuple[str, int], int]:
    return {(row.get("g", prefix), row["item"]): sign * int(row["total"] or 0) for row in rows}


def _supply(prefix: str, names: dict[str, str], group: bool, until: datetime) -> list[Supply]:
    catalogue = {item.pk: item for item in Item.objects.all()}
    since = until - timedelta(days=rules.USE_WINDOW_DAYS)
    stock_q = Stock.objects.filter(unit_path__startswith=prefix)
    moves = Movement.objects.filter(unit_path__startswith=prefix)
    used_q = moves.filter(kind__in=rules.OUTGOING_KINDS, at__gte=since, at__lt=until)
    later_q = moves.filter(at__gte=until)  # what moved after the moment: undone to get the stock then
    queries: list[Any] = [stock_q, used_q, later_q]
    if group:
        key = Substr("unit_path", 1, DISTRICT_PATH_LENGTH)
        queries = [q.annotate(g=key).values("g", "item") for q in queries]
    else:
        queries = [q.values("item") for q in queries]
    held = _totals(queries[0].annotate(total=Sum("quantity")), prefix)
    used = _totals(queries[1].annotate(total=Sum("quantity")), prefix, -1)
    later = _totals(queries[2].annotate(total=Sum("quantity")), prefix)
    for key_, moved in later.items():
        held[key_] = held.get(key_, 0) - moved
    keys = sorted(
        {key for key in {*held, *used} if key[0] in names}, key=lambda k: (k[0], catalogue[k[1]].position)
    )
    return [
        Supply(path, names[path], catalogue[item], held.get((path, item), 0), used.get((path, item), 0))
        for path, item in keys
    ]


def _latest_use(prefix: str, until: datetime) -> date | None:
    """The Hà Nội day goods last went out of the unit before `until` (to offer that week instead)."""
    moment = (
        Movement.objects.filter(unit_path__startswith=prefix, kind__in=rules.OUTGOING_KINDS, at__lt=until)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return None if moment is None else local_date(moment)


def low_stocks(unit: Any) -> list[Stock]:
    """The unit's low-stock alerts, read on their own (not from the board's first rows): at or below a
    threshold that is set, emptiest first."""
    rows = (
        Stock.objects.filter(unit_path__startswith=unit.path, low_threshold__gt=0)
        .filter(quantity__lte=F("low_threshold"))
        .select_related("unit", "item")
        .order_by("quantity", "unit_path", "item__position")
    )
    return list(rows[:ALERT_LIMIT])


def board(user: Any, *, unit_code: str = "", day: date | None = None, clock: Clock = now) -> Board:
    """The stocks board of a unit in the user's reach (their widest by default), its days of supply
    counted over the 7 days up to the clock's moment or to the end of a past `day`."""
    unit = unit_in_reach(user, unit_code)
    until = supply_until(day, clock)
    stocks = list(
        Stock.objects.filter(unit_path__startswith=unit.path)
        .select_related("unit", "item")
        .order_by("unit_path", "item__position")[:LIST_LIMIT]
    )
    alerts = low_stocks(unit)
    if unit.level == "city":
        districts = territory.children_of(unit)
        names = {d.path: d.full_name for d in districts}
        supply = _supply(unit.path, names, True, until)
    else:
        supply = _supply(unit.path, {unit.path: unit.full_name}, False, until)
    money = Donation.objects.filter(unit_path__startswith=unit.path, kind=Donation.Kind.MONEY).aggregate(
        total=Sum("amount_vnd"), n=Count("pk")
    )
    around = Q(from_path__startswith=unit.path) | Q(to_path__startswith=unit.path)
    transit = list(transfers_visible_to(user).filter(around, status=Transfer.Status.DISPATCHED)[:LIST_LIMIT])
    idle = supply and not any(s.used_7d for s in supply)
    latest = _latest_use(unit.path, until) if idle else None
    return Board(
        unit, stocks, alerts, supply, int(money["total"] or 0), int(money["n"] or 0), transit,
        money_held_vnd=money_held(unit), as_of=until, latest_use=latest,
    )  # fmt: skip


# The ledger's identity (checked by tests and `relief_check`) --------------------------------------


@dataclass(frozen=True)
class LedgerCheck:
    balances: int
    in_transit: int
    donated: int
    given_out: int
    adjusted: int
    rows_match_movements: bool
    purchased: int = 0

    @property
    def balanced(self) -> bool:
        return self.rows_match_movements and rules.ledger_balances(
            [self.balances], self.in_transit, self.donated, self.given_out, self.adjusted, self.purchased
        )


def ledger_check(item: Item | None = None) -> LedgerCheck:
    """Sum over all units against donations in minus goods given out (plus adjustments, in transit)."""
    stocks = Stock.objects.all()
    moves = Movement.objects.all()
    transit = Transfer.objects.filter(status=Transfer.Status.DISPATCHED)
    donations = Donation.objects.filter(kind=Donation.Kind.GOODS)
    # Goods bought in are counted from the spending records, not from the movements they booked: a
    # purchase movement without its spending (or of another quantity) then unbalances the check.
    bought = Spending.objects.filter(kind=Spending.Kind.PURCHASE)
    if item is not None:
        stocks, moves = stocks.filter(item=item), moves.filter(item=item)
        transit, donations = transit.filter(item=item), donations.filter(item=item)
        bought = bought.filter(item=item)

    def total(queryset: Any, name: str) -> int:
        return int(queryset.aggregate(t=Sum(name))["t"] or 0)

    per_row = {
        (row["unit"], row["item"]): int(row["t"] or 0)
        for row in moves.values("unit", "item").annotate(t=Sum("quantity"))
    }
    rows_match = all(per_row.get((row.unit_id, row.item_id), 0) == row.quantity for row in stocks) and all(
        stocks.filter(unit_id=u, item_id=i).exists() for (u, i) in per_row
    )
    return LedgerCheck(
        balances=total(stocks, "quantity"),
        in_transit=total(transit, "quantity"),
        donated=total(donations, "quantity"),
        given_out=-total(moves.filter(kind__in=rules.OUTGOING_KINDS), "quantity"),
        adjusted=total(moves.filter(kind=Movement.Kind.ADJUSTMENT), "quantity"),
        rows_match_movements=rows_match,
        purchased=total(bought, "quantity"),
    )


@dataclass(frozen=True)
class MoneyCheck:
    held: int
    donated: int
    spent: int
    funds_match: bool

    @property
    def balanced(self) -> bool:
        return self.funds_match and rules.money_balances([self.held], self.donated, self.spent)


def money_check() -> MoneyCheck:
    """The money ledger: what the funds hold against money donated less money spent, and each unit's
    fund against its own donations and spending."""
    donated = dict(
        Donation.objects.filter(kind=Donation.Kind.MONEY).order_by()
        .values("unit").annotate(t=Sum("amount_vnd")).values_list("unit", "t")
    )  # fmt: skip
    spent = dict(
        Spending.objects.order_by().values("unit").annotate(t=Sum("amount_vnd")).values_list("unit", "t")
    )
    funds = dict(Fund.objects.values_list("unit", "balance_vnd"))
    units = {*donated, *spent, *funds}
    match = all(funds.get(u, 0) == int(donated.get(u) or 0) - int(spent.get(u) or 0) for u in units)
    return MoneyCheck(
        held=sum(funds.values()),
        donated=sum(int(v or 0) for v in donated.values()),
        spent=sum(int(v or 0) for v in spent.values()),
        funds_match=match,
    )
