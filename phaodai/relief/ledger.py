"""The stock ledger's one write path: lock the unit-item balance rows, then book movements on them.

Money goes the same way: `locked_fund` locks a unit's fund row (a writer that also books goods, a
purchase, locks the fund first, then the stock).

Every writer (donation, distribution, adjustment, transfer, food aid) calls `locked_stocks` inside
its transaction and `book` for each movement: the balance row is locked (`select_for_update`) in
a fixed order (unit, item) so two writers never deadlock, the new balance is checked against zero
while the lock is held, and the movement is written with the balance after it. On SQLite, writers
are serialised by the database itself.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext

from phaodai.core.text import vnd
from phaodai.relief import rules
from phaodai.relief.errors import NotEnoughStock
from phaodai.relief.models import Fund, Item, Movement, Stock

Key = tuple[int, int]  # (unit id, item id)


def _ensure(unit: Any, item: Item) -> None:
    if Stock.objects.filter(unit=unit, item=item).exists():
        return
    try:
        with transaction.atomic():  # a savepoint: a concurrent creator wins, we lock theirs
            Stock.objects.create(unit=unit, unit_path=unit.path, item=item)
    except IntegrityError:
        pass


def locked_stocks(pairs: Iterable[tuple[Any, Item]]) -> dict[Key, Stock]:
    """The balance rows of these (unit, item) pairs, created when missing, locked in (unit, item) order."""
    wanted = {(unit.pk, item.pk): (unit, item) for unit, item in pairs}
    rows: dict[Key, Stock] = {}
    for key in sorted(wanted):
        unit, item = wanted[key]
        _ensure(unit, item)
        rows[key] = Stock.objects.select_for_update().select_related("item").get(unit=unit, item=item)
    return rows


def short_message(stock: Stock, wanted: int) -> str:
    item = stock.item
    return gettext("Only %(held)s %(unit)s of %(item)s held; %(wanted)s asked for.") % {
        "held": vnd(stock.quantity),
        "unit": item.measure,
        "item": item.name,
        "wanted": vnd(wanted),
    }


def require_held(unit: Any, item: Item, wanted: int, field: str = "quantity") -> None:
    """Refuse, with what is held, a plan to take more than the unit holds now (a transfer's proposal or
    approval). Not locked: the goods only leave at dispatch, which `book` checks under the lock."""
    stock = Stock.objects.filter(unit=unit, item=item).select_related("item").first()
    held = stock.quantity if stock is not None else 0
    if not rules.withdraw(held, wanted).allowed:
        shown = stock or Stock(unit=unit, unit_path=unit.path, item=item, quantity=0)
        raise NotEnoughStock(short_message(shown, wanted), field=field, held=held)


def book(
    stock: Stock,
    *,
    kind: str,
    quantity: int,
    by: Any,
    at: datetime,
    reason: str = "",
    field: str = "quantity",
    **cause: Any,
) -> Movement:
    """Book one signed movement on a locked balance row; going below zero is refused with what is held."""
    if quantity < 0:
        check = rules.withdraw(stock.quantity, -quantity)
        if not check.allowed:
            raise NotEnoughStock(short_message(stock, -quantity), field=field, held=stock.quantity)
    Stock.objects.filter(pk=stock.pk).update(quantity=F("quantity") + quantity, updated_at=at)
    stock.quantity += quantity
    return Movement.objects.create(
        unit_id=stock.unit_id, unit_path=stock.unit_path, item=stock.item, kind=kind, quantity=quantity,
        balance_after=stock.quantity, at=at, by=by, reason=reason, **cause,
    )  # fmt: skip


def locked_fund(unit: Any) -> Fund:
    """The unit's money row, created when missing, locked (money writers take it before any stock)."""
    if not Fund.objects.filter(unit=unit).exists():
        try:
            with transaction.atomic():  # a savepoint: a concurrent creator wins, we lock theirs
                Fund.objects.create(unit=unit, unit_path=unit.path)
        except IntegrityError:
            pass
    return Fund.objects.select_for_update().get(unit=unit)


def move_money(fund: Fund, amount_vnd: int, at: datetime) -> int:
    """Add (or, negative, take) đồng on a locked fund row; returns the balance after. The caller has
    checked a withdrawal against the balance (the check constraint backs it)."""
    Fund.objects.filter(pk=fund.pk).update(balance_vnd=F("balance_vnd") + amount_vnd, updated_at=at)
    fund.balance_vnd += amount_vnd
    return fund.balance_vnd
