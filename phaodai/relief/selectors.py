"""Reads of relief, always scoped to the acting user's units for `relief.manage`.

The stocks board of a ward, a district or the city: each unit's balances with low-stock alerts, and
the days of supply (stock ÷ average daily use over the last 7 days; use = distributions and food aid)
of the unit shown, or of each district on the city's board. Lists are bounded.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext

from phaodai.accounts.roles import Perm
from phaodai.core.clock import Clock, now
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, get_in_scope_or_404, log_out_of_scope, paths_of, scope_q
from phaodai.relief import rules
from phaodai.relief.models import Donation, Item, Movement, Stock, Transfer
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


def _supply(prefix: str, names: dict[str, str], group: bool, clock: Clock) -> list[Supply]:
    catalogue = {item.pk: item for item in Item.objects.all()}
    since = clock() - timedelta(days=rules.USE_WINDOW_DAYS)
    stock_q = Stock.objects.filter(unit_path__startswith=prefix)
    used_q = Movement.objects.filter(
        unit_path__startswith=prefix, kind__in=rules.OUTGOING_KINDS, at__gte=since
    )
    stock_rows: Any
    used_rows: Any
    if group:
        key = Substr("unit_path", 1, DISTRICT_PATH_LENGTH)
        stock_rows = stock_q.annotate(g=key).values("g", "item").annotate(total=Sum("quantity"))
        used_rows = used_q.annotate(g=key).values("g", "item").annotate(total=Sum("quantity"))
    else:
        stock_rows = stock_q.values("item").annotate(total=Sum("quantity"))
        used_rows = used_q.values("item").annotate(total=Sum("quantity"))
    held: dict[tuple[str, int], int] = {}
    used: dict[tuple[str, int], int] = {}
    for row in stock_rows:
        held[(row.get("g", prefix), row["item"])] = int(row["total"] or 0)
    for row in used_rows:
        used[(row.get("g", prefix), row["item"])] = -int(row["total"] or 0)
    keys = sorted(
        {key for key in {*held, *used} if key[0] in names}, key=lambda k: (k[0], catalogue[k[1]].position)
    )
    return [
        Supply(path, names[path], catalogue[item], held.get((path, item), 0), used.get((path, item), 0))
        for path, item in keys
    ]


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


def board(user: Any, *, unit_code: str = "", clock: Clock = now) -> Board:
    """The stocks board of a unit in the user's reach (their widest by default)."""
    unit = unit_in_reach(user, unit_code)
    stocks = list(
        Stock.objects.filter(unit_path__startswith=unit.path)
        .select_related("unit", "item")
        .order_by("unit_path", "item__position")[:LIST_LIMIT]
    )
    alerts = low_stocks(unit)
    if unit.level == "city":
        districts = territory.children_of(unit)
        names = {d.path: d.full_name for d in districts}
        supply = _supply(unit.path, names, True, clock)
    else:
        supply = _supply(unit.path, {unit.path: unit.full_name}, False, clock)
    money = Donation.objects.filter(unit_path__startswith=unit.path, kind=Donation.Kind.MONEY).aggregate(
        total=Sum("amount_vnd"), n=Count("pk")
    )
    around = Q(from_path__startswith=unit.path) | Q(to_path__startswith=unit.path)
    transit = list(transfers_visible_to(user).filter(around, status=Transfer.Status.DISPATCHED)[:LIST_LIMIT])
    return Board(unit, stocks, alerts, supply, int(money["total"] or 0), int(money["n"] or 0), transit)


# The ledger's identity (checked by tests and `relief_check`) --------------------------------------


@dataclass(frozen=True)
class LedgerCheck:
    balances: int
    in_transit: int
    donated: int
    given_out: int
    adjusted: int
    rows_match_movements: bool

    @property
    def balanced(self) -> bool:
        return self.rows_match_movements and rules.ledger_balances(
            [self.balances], self.in_transit, self.donated, self.given_out, self.adjusted
        )


def ledger_check(item: Item | None = None) -> LedgerCheck:
    """Sum over all units against donations in minus goods given out (plus adjustments, in transit)."""
    stocks = Stock.objects.all()
    moves = Movement.objects.all()
    transit = Transfer.objects.filter(status=Transfer.Status.DISPATCHED)
    donations = Donation.objects.filter(kind=Donation.Kind.GOODS)
    if item is not None:
        stocks, moves = stocks.filter(item=item), moves.filter(item=item)
        transit, donations = transit.filter(item=item), donations.filter(item=item)

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
    )
