"""Relief money spent: goods bought for a unit's stock, or cash handed out, out of the unit's fund.

A unit's fund (`Fund`) receives its money donations (`services.record_donation`) and pays its
spending; it never goes below zero: spending more than it holds is refused with what it holds
(`NotEnoughMoney`, 409), checked while the fund row is locked, so two officers spending at once cannot
overdraw it. A purchase also books the goods bought into the unit's stock (a `purchase_in` movement,
fund locked first, then the stock). One transaction per spending, audited; a retry with the same
idempotency key answers with the first spending and pays nothing again.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from phaodai.core import audit
from phaodai.core.clock import Clock, now
from phaodai.core.text import vnd
from phaodai.relief import rules
from phaodai.relief.errors import NotEnoughMoney, ReliefInvalid
from phaodai.relief.ledger import book, locked_fund, locked_stocks, move_money
from phaodai.relief.models import Fund, Movement, Spending
from phaodai.relief.services import (
    earlier_by_key,
    item_of,
    quantity_of,
    require_relief,
    stock_unit,
    stored_key,
    text,
)


def spending_state(spending: Spending) -> dict[str, Any]:
    return {
        "unit": spending.unit_path, "kind": spending.kind, "amount": spending.amount_vnd,
        "balance_after": spending.balance_after_vnd, "payee": spending.payee, "reason": spending.reason,
        "item": spending.item_id, "quantity": spending.quantity, "at": spending.spent_at,
    }  # fmt: skip


def spend(
    *,
    by: Any,
    unit: Any,
    kind: str,
    amount_vnd: Any,
    payee: Any,
    reason: Any,
    item: Any = None,
    quantity: Any = None,
    idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[Spending, bool]:
    """Pay `amount_vnd` out of the unit's fund: to a supplier for goods booked into its stock
    (kind "purchase", with the item and quantity bought), or as cash handed out (kind "cash")."""
    unit = stock_unit(unit)
    require_relief(by, unit)
    key = stored_key(by, idempotency_key, "spend")
    earlier = earlier_by_key(Spending, key)
    if earlier is not None:
        return earlier, False
    if kind not in Spending.Kind.values:
        raise ReliefInvalid(gettext("Choose goods bought or cash handed out."), field="kind")
    amount = rules.positive_whole(amount_vnd, rules.MAX_VND)
    if amount is None:
        raise ReliefInvalid(gettext("Enter an amount in đồng greater than zero."), field="amount_vnd")
    who = text(payee, "payee", 200, required=True)
    why = text(reason, "reason", 500, required=True)
    stuff = count = None
    if kind == Spending.Kind.PURCHASE:
        stuff, count = item_of(item), quantity_of(quantity)
    try:
        with transaction.atomic():
            fund = locked_fund(unit)
            earlier = earlier_by_key(Spending, key)  # a concurrent retry waited on the lock: answer the first
            if earlier is not None:
                return earlier, False
            _require_money(fund, amount)
            at = clock()
            spending = Spending.objects.create(
                unit=unit, unit_path=unit.path, kind=kind, amount_vnd=amount,
                balance_after_vnd=move_money(fund, -amount, at), payee=who, reason=why, item=stuff,
                quantity=count, spent_at=at, by=by, idempotency_key=key,
            )  # fmt: skip
            if stuff is not None and count is not None:
                stock = locked_stocks([(unit, stuff)])[(unit.pk, stuff.pk)]
                book(stock, kind=Movement.Kind.PURCHASE_IN, quantity=count, by=by, at=at, reason=who,
                     spending=spending)  # fmt: skip
            audit.record(
                actor=by, action="relief.money_spent", object_type="relief.spending", object_id=spending.pk,
                unit_path=unit.path, after=spending_state(spending), clock=clock,
            )  # fmt: skip
    except IntegrityError:
        earlier = earlier_by_key(Spending, key)
        if earlier is None:
            raise
        return earlier, False
    return spending, True


def _require_money(fund: Fund, wanted: int) -> None:
    if not rules.withdraw(fund.balance_vnd, wanted).allowed:
        message = gettext("Only %(held)s đ held in the fund; %(wanted)s đ asked for.") % {
            "held": vnd(fund.balance_vnd),
            "wanted": vnd(wanted),
        }
        raise NotEnoughMoney(message, field="amount_vnd", held=fund.balance_vnd)
