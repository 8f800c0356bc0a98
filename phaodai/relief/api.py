"""The relief API (mounted at /api/v1/relief): items, the stocks board, donations, distributions and
adjustments, thresholds, transfers between wards, and the food-aid worklist and its steps.

Through the same services and selectors as the pages. Writes that create take an `Idempotency-Key`
header (201, or 200 with the first record on a retry). Errors are {"code", "message", "field"}: 401
without credentials, 403 without `relief.manage`, 404 outside the user's units, 409 for a lost race
or more than is held, 422 for bad input. Residents ask for food on the public page, not here.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from phaodai.core.idempotency import header_key
from phaodai.core.schemas import Strict
from phaodai.relief import foodaid, money, selectors, services
from phaodai.territory import selectors as territory

router = Router(tags=["relief"])
KEY_LIMIT = 60  # the stored key also carries the user's id


class ItemOut(Schema):
    code: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str


class StockOut(Schema):
    unit: str
    item: str
    quantity: int
    low_threshold: int
    low: bool


class SupplyOut(Schema):
    unit_path: str
    unit_name: str
    item: str
    stock: int
    used_7d: int
    days_of_supply: float | None


class BoardOut(Schema):
    unit: str
    unit_name: str
    money_vnd: int
    money_held_vnd: int = Field(description="The đồng held now: money donated less money spent")
    supply_as_of: datetime = Field(description="The days of supply count the 7 days up to this moment")
    stocks: list[StockOut]
    alerts: list[StockOut]
    supply: list[SupplyOut]


class DonationIn(Strict):
    unit: str = Field(max_length=5, description="GSO code of the ward, district or city (01)")
    kind: str = Field(max_length=8, description="money or goods")
    amount_vnd: int | None = Field(None, description="Money: whole đồng, more than zero")
    item: str = Field("", max_length=30, description="Goods: the item's code")
    quantity: int | None = Field(None, description="Goods: how many of the item's unit, more than zero")
    anonymous: bool = False
    donor_name: str = Field("", max_length=1000)
    donor_phone: str = Field("", max_length=30)
    received_at: datetime | None = None
    note: str = Field("", max_length=2000)


class SpendingIn(Strict):
    unit: str = Field(max_length=5, description="GSO code of the ward, district or city whose fund pays")
    kind: str = Field(max_length=10, description="purchase (goods bought for the stock) or cash")
    amount_vnd: int = Field(description="Whole đồng, more than zero and at most what the fund holds")
    payee: str = Field(max_length=1000, description="The supplier paid, or who received the cash")
    reason: str = Field(max_length=2000)
    item: str = Field("", max_length=30, description="Purchase: the item bought (booked into the stock)")
    quantity: int | None = Field(None, description="Purchase: how many of the item's unit")


class SpendingOut(Schema):
    id: int
    unit: str
    kind: str
    amount_vnd: int
    balance_after_vnd: int
    payee: str
    reason: str
    item: str
    quantity: int | None
    spent_at: datetime


class DonationOut(Schema):
    id: int
    unit: str
    kind: str
    amount_vnd: int | None
    item: str
    quantity: int | None
    anonymous: bool
    donor_name: str
    received_at: datetime


class MovementIn(Strict):
    unit: str = Field(max_length=5)
    item: str = Field(max_length=30)
    quantity: int = Field(description="Distributions: more than zero; adjustments: signed, not zero")
    reason: str = Field(max_length=2000)


class MovementOut(Schema):
    id: int
    unit: str
    item: str
    kind: str
    quantity: int
    balance_after: int
    at: datetime
    reason: str


class ThresholdIn(Strict):
    unit: str = Field(max_length=5)
    item: str = Field(max_length=30)
    threshold: int = Field(ge=0)


class TransferIn(Strict):
    from_unit: str = Field(max_length=5)
    to_unit: str = Field(max_length=5)
    item: str = Field(max_length=30)
    quantity: int
    proposer: str = Field(max_length=20, description="district, fatherland_front or city")
    reason: str = Field("", max_length=2000)


class StepIn(Strict):
    step: str = Field(max_length=10, description="approve, reject, dispatch, receive or cancel")
    version: int | None = Field(None, description="The version you saw (compare-and-set)")
    note: str = Field("", max_length=2000)


class TransferOut(Schema):
    id: int
    from_unit: str
    to_unit: str
    item: str
    quantity: int
    proposer: str
    status: str
    version: int
    reason: str


class FoodOut(Schema):
    id: int
    ward: str
    name: str
    phone: str
    address: str
    nationality: str
    people: int
    needs: str
    status: str
    version: int
    team: str
    requested_at: datetime
    escalated: bool


class AssignIn(Strict):
    team: str = Field(max_length=1000)
    version: int | None = None


class DeliverIn(Strict):
    goods: dict[str, int] = Field(description="Item code -> quantity given")
    version: int | None = None
    note: str = Field("", max_length=2000)


class CloseIn(Strict):
    note: str = Field("", max_length=2000)
    version: int | None = None


def stock_out(row: Any) -> dict[str, Any]:
    from phaodai.relief import rules

    return {
        "unit": row.unit.code, "item": row.item.code, "quantity": row.quantity,
        "low_threshold": row.low_threshold, "low": rules.is_low(row.quantity, row.low_threshold),
    }  # fmt: skip


def donation_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk, "unit": row.unit.code, "kind": row.kind, "amount_vnd": row.amount_vnd,
        "item": row.item.code if row.item_id else "", "quantity": row.quantity, "anonymous": row.anonymous,
        "donor_name": row.donor_name, "received_at": row.received_at,
    }  # fmt: skip


def spending_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk, "unit": row.unit.code, "kind": row.kind, "amount_vnd": row.amount_vnd,
        "balance_after_vnd": row.balance_after_vnd, "payee": row.payee, "reason": row.reason,
        "item": row.item.code if row.item_id else "", "quantity": row.quantity, "spent_at": row.spent_at,
    }  # fmt: skip


def movement_out(row: Any, unit: Any) -> dict[str, Any]:
    return {
        "id": row.pk, "unit": unit.code, "item": row.item.code, "kind": row.kind, "quantity": row.quantity,
        "balance_after": row.balance_after, "at": row.at, "reason": row.reason,
    }  # fmt: skip


def transfer_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk, "from_unit": row.from_unit.code, "to_unit": row.to_unit.code, "item": row.item.code,
        "quantity": row.quantity, "proposer": row.proposer, "status": row.status, "version": row.version,
        "reason": row.reason,
    }  # fmt: skip


def food_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk, "ward": row.unit.code, "name": row.name, "phone": row.phone, "address": row.address,
        "nationality": row.nationality, "people": row.people, "needs": row.needs, "status": row.status,
        "version": row.version, "team": row.team, "requested_at": row.requested_at,
        "escalated": row.escalated_at is not None,
    }  # fmt: skip


def _unit(code: str) -> Any:
    return services.require_unit(territory.unit_by_code(code.strip()))


@router.get("/items", url_name="relief_items", response=list[ItemOut], summary="The relief items")
def list_items(request: HttpRequest) -> list[Any]:
    selectors.require_manager(request.user)
    return list(selectors.items())


@router.get(
    "/board",
    url_name="relief_board",
    response=BoardOut,
    summary="Stocks, low-stock alerts and days of supply of a unit (?unit=; your widest by default), "
    "counted over the 7 days to now or to the end of a past ?day= (dd/mm/yyyy or YYYY-MM-DD)",
)
def get_board(request: HttpRequest, unit: str = "", day: str = "") -> dict[str, Any]:
    found = selectors.board(request.user, unit_code=unit[:5], day=selectors.board_day(day))
    return {
        "unit": found.unit.code, "unit_name": found.unit.full_name, "money_vnd": found.money_vnd,
        "money_held_vnd": found.money_held_vnd, "supply_as_of": found.as_of,
        "stocks": [stock_out(s) for s in found.stocks], "alerts": [stock_out(s) for s in found.alerts],
        "supply": [
            {"unit_path": s.unit_path, "unit_name": s.unit_name, "item": s.item.code, "stock": s.stock,
             "used_7d": s.used_7d, "days_of_supply": s.days}
            for s in found.supply
        ],
    }  # fmt: skip


@router.get("/donations", url_name="relief_donations", response=list[DonationOut], summary="Donations")
def list_donations(request: HttpRequest, unit: str = "") -> list[dict[str, Any]]:
    found = selectors.unit_in_reach(request.user, unit[:5])
    return [donation_out(row) for row in selectors.donations_of(request.user, found)]


@router.get("/spending", url_name="relief_spending", response=list[SpendingOut], summary="Money spent")
def list_spending(request: HttpRequest, unit: str = "") -> list[dict[str, Any]]:
    found = selectors.unit_in_reach(request.user, unit[:5])
    return [spending_out(row) for row in selectors.spendings_of(request.user, found)]


@router.post(
    "/spending",
    url_name="relief_spend",
    response={200: SpendingOut, 201: SpendingOut},
    summary="Spend money of a unit's fund: goods bought for its stock, or cash handed out; more than the "
    "fund holds is 409 (a retry with the same Idempotency-Key pays once)",
)
def spend(request: HttpRequest, payload: SpendingIn) -> tuple[int, dict[str, Any]]:
    row, created = money.spend(
        by=request.user, unit=_unit(payload.unit), kind=payload.kind, amount_vnd=payload.amount_vnd,
        payee=payload.payee, reason=payload.reason, item=payload.item or None, quantity=payload.quantity,
        idempotency_key=header_key(request, limit=KEY_LIMIT),
    )  # fmt: skip
    return (201 if created else 200), spending_out(row)


@router.post(
    "/donations",
    url_name="relief_donation_record",
    response={200: DonationOut, 201: DonationOut},
    summary="Record a donation of money or goods (a retry with the same Idempotency-Key books once)",
)
def record_donation(request: HttpRequest, payload: DonationIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request, limit=KEY_LIMIT)
    row, created = services.record_donation(
        by=request.user, unit=_unit(payload.unit), kind=payload.kind, amount_vnd=payload.amount_vnd,
        item=payload.item or None, quantity=payload.quantity, donor_name=payload.donor_name,
        donor_phone=payload.donor_phone, anonymous=payload.anonymous, received_at=payload.received_at,
        note=payload.note, idempotency_key=key,
    )  # fmt: skip
    return (201 if created else 200), donation_out(row)


@router.post(
    "/distributions",
    url_name="relief_distribute",
    response={200: MovementOut, 201: MovementOut},
    summary="Hand goods out of a unit's stock (409 with what is held when more is asked; a retry with "
    "the same Idempotency-Key books once)",
)
def distribute(request: HttpRequest, payload: MovementIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request, limit=KEY_LIMIT)
    unit = _unit(payload.unit)
    row, created = services.distribute(
        by=request.user, unit=unit, item=payload.item, quantity=payload.quantity, reason=payload.reason,
        idempotency_key=key,
    )  # fmt: skip
    return (201 if created else 200), movement_out(row, unit)


@router.post(
    "/adjustments",
    url_name="relief_adjust",
    response={200: MovementOut, 201: MovementOut},
    summary="Correct a unit's stock after a count (signed, with a reason; never below zero; a retry with "
    "the same Idempotency-Key books once)",
)
def adjust(request: HttpRequest, payload: MovementIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request, limit=KEY_LIMIT)
    unit = _unit(payload.unit)
    row, created = services.adjust(
        by=request.user, unit=unit, item=payload.item, quantity=payload.quantity, reason=payload.reason,
        idempotency_key=key,
    )  # fmt: skip
    return (201 if created else 200), movement_out(row, unit)


@router.post(
    "/thresholds", url_name="relief_threshold", response=StockOut, summary="Set a low-stock alert level"
)
def set_threshold(request: HttpRequest, payload: ThresholdIn) -> dict[str, Any]:
    row = services.set_threshold(
        by=request.user, unit=_unit(payload.unit), item=payload.item, threshold=payload.threshold
    )
    return stock_out(row)


@router.get("/transfers", url_name="relief_transfers", response=list[TransferOut], summary="Transfers")
def list_transfers(request: HttpRequest, unit: str = "") -> list[dict[str, Any]]:
    found = selectors.unit_in_reach(request.user, unit[:5])
    return [transfer_out(row) for row in selectors.transfers_of(request.user, found)]


@router.post(
    "/transfers",
    url_name="relief_transfer_propose",
    response={200: TransferOut, 201: TransferOut},
    summary="Propose a transfer between two wards (the district or the Fatherland Front)",
)
def propose_transfer(request: HttpRequest, payload: TransferIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request, limit=KEY_LIMIT)
    row, created = services.propose_transfer(
        by=request.user, from_unit=territory.unit_by_code(payload.from_unit.strip()),
        to_unit=territory.unit_by_code(payload.to_unit.strip()), item=payload.item,
        quantity=payload.quantity, proposer=payload.proposer, reason=payload.reason, idempotency_key=key,
    )  # fmt: skip
    return (201 if created else 200), transfer_out(row)


@router.get("/transfers/{pk}", url_name="relief_transfer", response=TransferOut, summary="One transfer")
def get_transfer(request: HttpRequest, pk: int) -> dict[str, Any]:
    return transfer_out(selectors.transfer_for(request.user, pk))


@router.post(
    "/transfers/{pk}/move",
    url_name="relief_transfer_move",
    response=TransferOut,
    summary="Approve, reject, dispatch, receive or cancel (409 for the loser of a race)",
)
def move_transfer(request: HttpRequest, pk: int, payload: StepIn) -> dict[str, Any]:
    row = selectors.transfer_for(request.user, pk)
    moved = services.move_transfer(
        by=request.user, transfer=row, step=payload.step, version=payload.version, note=payload.note
    )
    return transfer_out(moved)


@router.get(
    "/food-requests",
    url_name="relief_food_worklist",
    response=list[FoodOut],
    summary="Open food-aid requests of your units (over 24 hours first)",
)
def food_worklist(request: HttpRequest, unit: str = "") -> list[dict[str, Any]]:
    found = selectors.unit_in_reach(request.user, unit[:5])
    return [food_out(item.row) for item in foodaid.worklist(request.user, unit_path=found.path)]


@router.get("/food-requests/{pk}", url_name="relief_food", response=FoodOut, summary="One request")
def get_food(request: HttpRequest, pk: int) -> dict[str, Any]:
    return food_out(foodaid.request_for(request.user, pk))


@router.post("/food-requests/{pk}/assign", url_name="relief_food_assign", response=FoodOut)
def assign_food(request: HttpRequest, pk: int, payload: AssignIn) -> dict[str, Any]:
    row = foodaid.request_for(request.user, pk)
    return food_out(
        foodaid.assign_team(by=request.user, request=row, team=payload.team, version=payload.version)
    )


@router.post(
    "/food-requests/{pk}/deliver",
    url_name="relief_food_deliver",
    response=FoodOut,
    summary="Delivered: the goods given are booked out of the ward's stock",
)
def deliver_food(request: HttpRequest, pk: int, payload: DeliverIn) -> dict[str, Any]:
    row = foodaid.request_for(request.user, pk)
    done = foodaid.deliver(
        by=request.user, request=row, goods=payload.goods, version=payload.version, note=payload.note
    )
    return food_out(done)


@router.post("/food-requests/{pk}/close", url_name="relief_food_close", response=FoodOut)
def close_food(request: HttpRequest, pk: int, payload: CloseIn) -> dict[str, Any]:
    row = foodaid.request_for(request.user, pk)
    return food_out(foodaid.close(by=request.user, request=row, note=payload.note, version=payload.version))
