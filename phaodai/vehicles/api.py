"""The vehicles API (mounted at /api/v1/vehicles): green lane, transit trips, shippers, the vehicle check.

Through the same services and selectors as the pages. Errors are {"code", "message", "field"}: 401
without credentials, 403 for a role that neither manages checkpoints nor verifies passes, 404 outside
the user's units, 409 for a lost race or a clash, 422 for bad input. Registering answers 201, and 200
with the same registration on a retry (the same body again, or the same `Idempotency-Key`).
Times carry their UTC offset; a shipper's CCCD goes in and never comes out (only its last 3 digits).
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.checkpoints import selectors as checkpoints
from phaodai.core.clock import now
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.idempotency import header_key
from phaodai.core.jurisdiction import paths_of
from phaodai.core.schemas import Strict
from phaodai.territory import selectors as territory
from phaodai.vehicles import rules, selectors, services
from phaodai.vehicles.transit import TripState

router = Router(tags=["vehicles"])
COMMON_FIELDS = ("id", "reference", "valid_from", "valid_to", "status", "version")
GREEN_LANE_FIELDS = (*COMMON_FIELDS, "operator", "cargo", "route", "decision_note")
TRANSIT_FIELDS = (*COMMON_FIELDS, "from_province", "to_province", "expected_hours")
SHIPPER_FIELDS = (*COMMON_FIELDS, "full_name", "company", "zones")


# Schemas ------------------------------------------------------------------------------------------


class UnitRef(Schema):
    code: str
    name: str


class GreenLaneIn(Strict):
    plate: str = Field(max_length=40, description="A Vietnamese plate, e.g. 29C-123.45")
    operator: str = Field(max_length=500, description="The transport company")
    cargo: str = Field(max_length=500)
    route: str = Field(max_length=500)
    valid_from: datetime
    valid_to: datetime = Field(description="At most 90 days after valid_from")
    unit: str = Field("", max_length=5, description="Issuing unit code (default: your own)")


class DecisionIn(Strict):
    version: int | None = Field(None, description="The version you saw (compare-and-set)")
    note: str = Field("", max_length=1000)


class GreenLaneOut(Schema):
    id: int
    reference: str
    plate: str
    plate_key: str
    operator: str
    cargo: str
    route: str
    valid_from: datetime
    valid_to: datetime
    status: str = Field(description="submitted, approved, rejected or revoked")
    version: int
    unit: UnitRef
    code: str = Field(description="The signed PD1: vehicle pass, once approved")
    decision_note: str


class TransitIn(Strict):
    plate: str = Field(max_length=40)
    from_province: str = Field(max_length=200)
    to_province: str = Field(max_length=200)
    valid_from: datetime = Field(description="Expected entry from")
    valid_to: datetime = Field(description="Expected entry until (at most 7 days later)")
    entry_checkpoint: str = Field("", max_length=20, description="Code of the gateway where it should enter")
    expected_hours: int | None = Field(None, description="Hours allowed from entry to exit (default: set)")
    operator: str = Field("", max_length=500)
    cargo: str = Field("", max_length=500)
    unit: str = Field("", max_length=5)


class CrossingRef(Schema):
    at: datetime
    checkpoint_id: int
    checkpoint_code: str
    checkpoint_name: str


class TransitOut(Schema):
    id: int
    reference: str
    plate: str
    from_province: str
    to_province: str
    valid_from: datetime
    valid_to: datetime
    expected_hours: int
    entry_checkpoint: str
    status: str
    version: int
    unit: UnitRef
    code: str
    state: str = Field(description="expected (not entered), in_city, overdue or left")
    entry: CrossingRef | None
    exit: CrossingRef | None
    due_by: datetime | None
    duration_minutes: int | None


class ShipperIn(Strict):
    full_name: str = Field(max_length=500)
    company: str = Field(max_length=500)
    cccd: str = Field(max_length=40)
    plate: str = Field(max_length=40)
    hours_start: str = Field(max_length=5, description="HH:MM, e.g. 06:00")
    hours_end: str = Field(max_length=5, description="HH:MM, e.g. 18:00 (not allowed from then on)")
    zones: list[str] = Field(max_length=32, description="District or ward codes")
    valid_from: datetime
    valid_to: datetime
    unit: str = Field("", max_length=5)


class ShipperOut(Schema):
    id: int
    reference: str
    full_name: str
    company: str
    cccd_masked: str
    plate: str
    hours: list[str]
    zones: list[str]
    valid_from: datetime
    valid_to: datetime
    status: str
    version: int
    unit: UnitRef
    code: str


class ReasonOut(Schema):
    code: str
    message: str


class CheckOut(Schema):
    plate: str
    allowed: bool
    basis: str = Field(description="green_lane, transit, shipper, unknown or invalid_plate")
    conditions: list[str] = Field(description='e.g. ["no_stop"] for a transit vehicle')
    reasons: list[ReasonOut]


# Helpers ------------------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> Any:
    if not selectors.is_reader(request.user):
        raise NotPermitted()
    return request.user


def _unit(user: Any, code: str) -> Any:
    """The issuing unit: the code given, else the user's first unit where they manage checkpoints."""
    if code:
        found = territory.unit_by_code(code.strip())
        if found is None:
            raise InvalidInput(_("No unit has this code."), field="unit")
        return found
    paths = paths_of(user, Perm.MANAGE_CHECKPOINTS)
    if not paths:
        raise NotPermitted()
    return territory.unit_by_path(sorted(paths)[0])


def _unit_ref(unit: Any) -> dict[str, str]:
    return {"code": unit.code, "name": unit.full_name}


def green_lane_out(row: Any) -> dict[str, Any]:
    return {
        **{name: getattr(row, name) for name in GREEN_LANE_FIELDS},
        "plate": rules.shown_plate(row.plate),
        "plate_key": row.plate,
        "unit": _unit_ref(row.unit),
        "code": row.pass_code,
    }


def _crossing(crossing: Any) -> dict[str, Any] | None:
    if crossing is None:
        return None
    return {
        "at": crossing.at,
        "checkpoint_id": crossing.checkpoint_id,
        "checkpoint_code": crossing.checkpoint_code,
        "checkpoint_name": crossing.checkpoint_name,
    }


def transit_out(state: TripState) -> dict[str, Any]:
    trip, match = state.trip, state.match
    duration = match.duration
    return {
        **{name: getattr(trip, name) for name in TRANSIT_FIELDS},
        "plate": rules.shown_plate(trip.plate),
        "entry_checkpoint": trip.entry_checkpoint.code if trip.entry_checkpoint is not None else "",
        "unit": _unit_ref(trip.unit),
        "code": trip.pass_code,
        "state": match.state,
        "entry": _crossing(match.entry),
        "exit": _crossing(match.exit),
        "due_by": match.due_by,
        "duration_minutes": int(duration.total_seconds() // 60) if duration is not None else None,
    }


def shipper_out(row: Any) -> dict[str, Any]:
    return {
        **{name: getattr(row, name) for name in SHIPPER_FIELDS},
        "cccd_masked": "*********" + row.cccd_last3,
        "plate": rules.shown_plate(row.plate),
        "hours": [rules.hour_text(row.hours_start), rules.hour_text(row.hours_end)],
        "unit": _unit_ref(row.unit),
        "code": row.pass_code,
    }


def _before(before: int | None) -> int | None:
    return before if before and before > 0 else None


# Green lane ---------------------------------------------------------------------------------------


@router.get(
    "/green-lanes",
    url_name="vehicles_green_lanes",
    response=list[GreenLaneOut],
    summary="Green-lane registrations we read, newest first (keyset: ?before=<id>)",
)
def list_green_lanes(
    request: HttpRequest, q: str = "", status: str = "", before: int | None = None
) -> list[dict[str, Any]]:
    page = selectors.search_green_lanes(
        _reader(request), query=q[:100], status=status[:10], before=_before(before)
    )
    return [green_lane_out(row) for row in page.items]


@router.post(
    "/green-lanes",
    url_name="vehicles_green_lane_register",
    response={200: GreenLaneOut, 201: GreenLaneOut},
    summary="Submit a vehicle for the green lane",
)
def register_green_lane(request: HttpRequest, payload: GreenLaneIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request)
    data = payload.dict()
    unit = _unit(request.user, data.pop("unit"))
    row, created = services.register_green_lane(by=request.user, unit=unit, idempotency_key=key, **data)
    return (201 if created else 200), green_lane_out(row)


@router.get(
    "/green-lanes/{pk}",
    url_name="vehicles_green_lane",
    response=GreenLaneOut,
    summary="A green-lane registration with its signed code",
)
def get_green_lane(request: HttpRequest, pk: int) -> dict[str, Any]:
    return green_lane_out(selectors.green_lane_for(_reader(request), pk))


def _decide(request: HttpRequest, pk: int, action: Any, payload: DecisionIn, **extra: Any) -> dict[str, Any]:
    row = selectors.green_lane_for(_reader(request), pk)
    return green_lane_out(action(by=request.user, registration=row, version=payload.version, **extra))


@router.post(
    "/green-lanes/{pk}/approve",
    url_name="vehicles_green_lane_approve",
    response=GreenLaneOut,
    summary="Approve and sign the vehicle pass (once; 409 for the loser of a race)",
)
def approve_green_lane(request: HttpRequest, pk: int, payload: DecisionIn) -> dict[str, Any]:
    return _decide(request, pk, services.approve_green_lane, payload)


@router.post(
    "/green-lanes/{pk}/reject",
    url_name="vehicles_green_lane_reject",
    response=GreenLaneOut,
    summary="Reject a submitted registration",
)
def reject_green_lane(request: HttpRequest, pk: int, payload: DecisionIn) -> dict[str, Any]:
    return _decide(request, pk, services.reject_green_lane, payload, note=payload.note)


@router.post(
    "/green-lanes/{pk}/revoke",
    url_name="vehicles_green_lane_revoke",
    response=GreenLaneOut,
    summary="Revoke a registration: checks refuse the vehicle from now on",
)
def revoke_green_lane(request: HttpRequest, pk: int, payload: DecisionIn) -> dict[str, Any]:
    return _decide(request, pk, services.revoke_green_lane, payload, note=payload.note)


# Transit ------------------------------------------------------------------------------------------


@router.get(
    "/transits",
    url_name="vehicles_transits",
    response=list[TransitOut],
    summary="Transit trips with their entry, exit and state, newest first",
)
def list_transits(request: HttpRequest, q: str = "", before: int | None = None) -> list[dict[str, Any]]:
    states, _next = selectors.transit_page(_reader(request), now(), query=q[:40], before=_before(before))
    return [transit_out(state) for state in states]


@router.post(
    "/transits",
    url_name="vehicles_transit_register",
    response={200: TransitOut, 201: TransitOut},
    summary="Register a transit trip (issued at once with its PD1: transit pass)",
)
def register_transit(request: HttpRequest, payload: TransitIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request)
    data = payload.dict()
    unit = _unit(request.user, data.pop("unit"))
    entry = selectors.entry_gateway(data.pop("entry_checkpoint"))
    trip, created = services.register_transit(
        by=request.user, unit=unit, entry_checkpoint=entry, idempotency_key=key, **data
    )
    (state,) = selectors.transit_states([trip], now())
    return (201 if created else 200), transit_out(state)


@router.get(
    "/transits/overdue",
    url_name="vehicles_transits_overdue",
    response=list[TransitOut],
    summary="Trips that entered and were not seen leaving in time, longest overdue first",
)
def overdue_transits(request: HttpRequest) -> list[dict[str, Any]]:
    return [transit_out(state) for state in selectors.overdue_transits(_reader(request), now())]


@router.get("/transits/{pk}", url_name="vehicles_transit", response=TransitOut, summary="A transit trip")
def get_transit(request: HttpRequest, pk: int) -> dict[str, Any]:
    trip = selectors.transit_for(_reader(request), pk)
    (state,) = selectors.transit_states([trip], now())
    return transit_out(state)


@router.post(
    "/transits/{pk}/revoke",
    url_name="vehicles_transit_revoke",
    response=TransitOut,
    summary="Revoke a transit trip",
)
def revoke_transit(request: HttpRequest, pk: int, payload: DecisionIn) -> dict[str, Any]:
    trip = selectors.transit_for(_reader(request), pk)
    revoked = services.revoke_transit(by=request.user, trip=trip, version=payload.version, note=payload.note)
    (state,) = selectors.transit_states([revoked], now())
    return transit_out(state)


# Shippers -----------------------------------------------------------------------------------------


@router.get("/shippers", url_name="vehicles_shippers", response=list[ShipperOut], summary="Shippers we read")
def list_shippers(request: HttpRequest, q: str = "", before: int | None = None) -> list[dict[str, Any]]:
    page = selectors.search_shippers(_reader(request), query=q[:100], before=_before(before))
    return [shipper_out(row) for row in page.items]


@router.post(
    "/shippers",
    url_name="vehicles_shipper_register",
    response={200: ShipperOut, 201: ShipperOut},
    summary="Register a shipper with their hours and zones (issued with a PD1: shipper pass)",
)
def register_shipper(request: HttpRequest, payload: ShipperIn) -> tuple[int, dict[str, Any]]:
    data = payload.dict()
    unit = _unit(request.user, data.pop("unit"))
    row, created = services.register_shipper(by=request.user, unit=unit, **data)
    return (201 if created else 200), shipper_out(row)


@router.get("/shippers/{pk}", url_name="vehicles_shipper", response=ShipperOut, summary="A shipper")
def get_shipper(request: HttpRequest, pk: int) -> dict[str, Any]:
    return shipper_out(selectors.shipper_for(_reader(request), pk))


@router.post(
    "/shippers/{pk}/revoke",
    url_name="vehicles_shipper_revoke",
    response=ShipperOut,
    summary="Revoke a shipper's registration",
)
def revoke_shipper(request: HttpRequest, pk: int, payload: DecisionIn) -> dict[str, Any]:
    row = selectors.shipper_for(_reader(request), pk)
    return shipper_out(
        services.revoke_shipper(by=request.user, shipper=row, version=payload.version, note=payload.note)
    )


# The check ----------------------------------------------------------------------------------------


@router.get(
    "/check",
    url_name="vehicles_check",
    response=CheckOut,
    summary="May this vehicle pass this checkpoint now (or at `at`)? With the reasons",
)
def check(request: HttpRequest, plate: str, checkpoint: int, at: datetime | None = None) -> dict[str, Any]:
    user = request.user
    if not paths_of(user, Perm.VERIFY_PASSES):
        raise NotPermitted()
    place = checkpoints.checkpoint_for(user, checkpoint)
    moment = at or now()
    if at is not None and at.tzinfo is None:
        raise InvalidInput(_("Give the time with its UTC offset."), field="at")
    verdict = services.check_vehicle(plate[:40], place, moment)
    return {
        "plate": rules.shown_plate(rules.normal_plate(plate[:40])),
        "allowed": verdict.allowed,
        "basis": verdict.basis,
        "conditions": list(verdict.conditions),
        "reasons": services.reasons(verdict),
    }
