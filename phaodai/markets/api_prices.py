"""The markets API: street-vending reports and their handling, prices of a market-day, shortages, the board.

Officers record vending reports (201, or 200 with the same report on a retry with the same
`Idempotency-Key`) and move them on with the version they saw (409 for the loser of a race). Prices
of a market-day go in as a list of goods; the answer says what was new, corrected or already so, with
the alerts. Residents report vending on the public page, not here.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.core.idempotency import header_key
from phaodai.core.schemas import Strict
from phaodai.markets import prices, reports
from phaodai.markets.reports import VendingInput
from phaodai.territory import selectors as territory

router = Router(tags=["markets"])
KEY_LIMIT = 60  # the stored key also carries the user's id


# Schemas ------------------------------------------------------------------------------------------


class VendingIn(Strict):
    ward: str = Field(max_length=5, description="GSO code of the ward where it was seen")
    kind: str = Field(max_length=20, description="temporary_market or street_vending")
    place: str = Field(max_length=1000, description="Street, lane, landmark")
    seen_at: datetime = Field(description="When it was seen, with its UTC offset")
    description: str = Field("", max_length=2000)
    area: str = Field("", max_length=40, description="Code of a residential area of the ward (optional)")


class MoveIn(Strict):
    status: str = Field(max_length=10, description="handling, cleared or unfounded")
    version: int | None = Field(None, description="The version you saw (compare-and-set)")
    note: str = Field("", max_length=2000, description="Required to close: what was done or found")


class VendingOut(Schema):
    id: int
    ward: str
    area: str
    kind: str
    place: str
    description: str
    seen_at: datetime
    status: str = Field(description="reported, handling, cleared or unfounded")
    version: int
    handling_note: str
    handled_at: datetime | None
    from_resident: bool
    age_hours: int | None = Field(None, description="In the list of open reports: hours since seen")


class PriceIn(Strict):
    good: str = Field(max_length=20)
    price: Any = Field(description="Whole đồng per the good's unit")


class PricesIn(Strict):
    market: str = Field(max_length=16, description="The market's code")
    day: date
    prices: list[PriceIn] = Field(max_length=50)


class CellOut(Schema):
    market: str
    good: str
    unit: str
    price: int
    recent_level: int | None
    basis: str = Field(description="market, ward or empty (too few recent reports)")
    jump_percent: int | None
    alert: bool


class PricesOut(Schema):
    market: str
    day: date
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    prices: list[CellOut]


class ShortageIn(Strict):
    market: str = Field(max_length=16)
    good: str = Field(max_length=20)
    note: str = Field("", max_length=1000)


class ShortageOut(Schema):
    id: int
    market: str
    good: str
    note: str
    reported_on: date
    resolved_on: date | None


class MarketRef(Schema):
    code: str
    name: str
    ward: str


class BoardOut(Schema):
    unit: str
    unit_name: str
    day: date
    prices: list[CellOut]
    alerts: list[CellOut]
    shortages: list[ShortageOut]
    not_reported: list[MarketRef]


# Helpers ------------------------------------------------------------------------------------------


def vending_out(row: Any, age_hours: int | None = None) -> dict[str, Any]:
    return {
        "id": row.pk,
        "ward": row.unit.code,
        "area": row.area.code if row.area_id else "",
        "kind": row.kind,
        "place": row.place,
        "description": row.description,
        "seen_at": row.seen_at,
        "status": row.status,
        "version": row.version,
        "handling_note": row.handling_note,
        "handled_at": row.handled_at,
        "from_resident": row.reported_by_id is None,
        "age_hours": age_hours,
    }


def cell_out(cell: prices.PriceCell) -> dict[str, Any]:
    return {
        "market": cell.market.code,
        "good": cell.good.code,
        "unit": cell.good.unit,
        "price": cell.price,
        "recent_level": cell.level,
        "basis": cell.basis,
        "jump_percent": cell.jump_percent,
        "alert": cell.alert,
    }


def shortage_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "market": row.market.code,
        "good": row.good,
        "note": row.note,
        "reported_on": row.reported_on,
        "resolved_on": row.resolved_on,
    }


# Vending reports ----------------------------------------------------------------------------------


@router.get(
    "/vending",
    url_name="markets_vending_open",
    response=list[VendingOut],
    summary="Open vending reports of your units (or of ?unit=<ward or district>), oldest first",
)
def open_vending(request: HttpRequest, unit: str = "") -> list[dict[str, Any]]:
    rows = reports.open_reports(request.user, unit_code=unit[:5])
    return [vending_out(item.report, item.age_hours) for item in rows]


@router.post(
    "/vending",
    url_name="markets_vending_record",
    response={200: VendingOut, 201: VendingOut},
    summary="Record a temporary market or street-vending spot seen in your ward",
)
def record_vending(request: HttpRequest, payload: VendingIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request, limit=KEY_LIMIT)
    data = VendingInput(
        kind=payload.kind, place=payload.place, seen_at=payload.seen_at, description=payload.description,
        area=payload.area,
    )  # fmt: skip
    ward = territory.unit_by_code(payload.ward.strip())
    row, created = reports.record_vending(by=request.user, ward=ward, data=data, idempotency_key=key)
    return (201 if created else 200), vending_out(row)


@router.get("/vending/{pk}", url_name="markets_vending", response=VendingOut, summary="One vending report")
def get_vending(request: HttpRequest, pk: int) -> dict[str, Any]:
    return vending_out(reports.report_for(request.user, pk))


@router.post(
    "/vending/{pk}/move",
    url_name="markets_vending_move",
    response=VendingOut,
    summary="Move a report on: handling, cleared or unfounded (409 for the loser of a race)",
)
def move_vending(request: HttpRequest, pk: int, payload: MoveIn) -> dict[str, Any]:
    row = reports.report_for(request.user, pk)
    moved = reports.move_report(
        by=request.user, report=row, to=payload.status, version=payload.version, note=payload.note
    )
    return vending_out(moved)


# Prices, shortages, the board ---------------------------------------------------------------------


@router.post(
    "/prices",
    url_name="markets_prices_report",
    response={200: PricesOut, 201: PricesOut},
    summary="Report a market's prices of a day (201 when a price is new; re-sending corrects)",
)
def report_prices(request: HttpRequest, payload: PricesIn) -> tuple[int, dict[str, Any]]:
    market = prices.price_market_for(request.user, payload.market)
    given: dict[str, Any] = {}
    for item in payload.prices:
        if item.good in given:
            raise prices.PricesInvalid({f"prices.{item.good}": _("This good is listed twice.")})
        given[item.good] = item.price
    outcome = prices.report_prices(by=request.user, market=market, day=payload.day, prices=given)
    body = {
        "market": market.code,
        "day": payload.day,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "prices": [cell_out(cell) for cell in outcome.cells],
    }
    return (201 if outcome.created else 200), body


@router.get(
    "/board",
    url_name="markets_board",
    response=BoardOut,
    summary="A ward's or district's day: prices with alerts, open shortages, markets not reported",
)
def get_board(request: HttpRequest, unit: str = "", day: date | None = None) -> dict[str, Any]:
    found = prices.board(request.user, unit_code=unit[:5], day=day)
    cells = list(found.cells.values())
    return {
        "unit": found.unit.code,
        "unit_name": found.unit.full_name,
        "day": found.day,
        "prices": [cell_out(cell) for cell in cells],
        "alerts": [cell_out(cell) for cell in found.alerts],
        "shortages": [shortage_out(row) for row in found.shortages],
        "not_reported": [{"code": m.code, "name": m.name, "ward": m.unit.code} for m in found.missing],
    }


@router.post(
    "/shortages",
    url_name="markets_shortage_report",
    response={200: ShortageOut, 201: ShortageOut},
    summary="Report a good short at a market (200 with the open one when already reported)",
)
def report_shortage(request: HttpRequest, payload: ShortageIn) -> tuple[int, dict[str, Any]]:
    market = prices.price_market_for(request.user, payload.market)
    row, created = prices.report_shortage(
        by=request.user, market=market, good=payload.good, note=payload.note
    )
    return (201 if created else 200), shortage_out(row)


@router.post(
    "/shortages/{pk}/resolve",
    url_name="markets_shortage_resolve",
    response=ShortageOut,
    summary="Resolve a shortage (once; 409 when already resolved)",
)
def resolve_shortage(request: HttpRequest, pk: int) -> dict[str, Any]:
    row = prices.shortage_for(request.user, pk)
    return shortage_out(prices.resolve_shortage(by=request.user, shortage=row))
