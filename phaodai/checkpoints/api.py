"""The checkpoints API: the registry (scoped reads), a device's crossing sync, and crossings by hour.

Through the same selectors and services as the pages. Errors are {"code", "message"}: 401 without
credentials, 403 for a role that neither manages checkpoints nor verifies passes, 404 outside the
user's reach, 422 for bad input. The sync answers 200 with one result per entry: "created",
"duplicate" (the device had sent it already) or "rejected" with a code and a message; sending the
same batch again is harmless. POST /{pk}/verify decides one scan on the server (verification.py).
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from phaodai.checkpoints import selectors, services, stats, verification
from phaodai.checkpoints.crossings import MAX_SYNC_ENTRIES
from phaodai.checkpoints.models import Checkpoint
from phaodai.core.clock import local_date, now
from phaodai.core.errors import NotPermitted
from phaodai.core.schemas import Strict

router = Router(tags=["checkpoints"])


class UnitRef(Schema):
    code: str
    name: str


class CheckpointOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str = Field(description="city_gateway, province_border, district, ward or residential")
    road: str
    location: str
    latitude: float | None
    longitude: float | None
    focal_unit: UnitRef = Field(description="The one unit that sets up and manages the checkpoint")
    other_side: UnitRef | None = Field(description="On a boundary: the unit across it")
    neighbouring_province: str
    active_from: datetime
    active_until: datetime | None
    procedure: str
    status: str = Field(description="active, suspended or closed")
    in_operation: bool
    version: int


class FailedRuleIn(Strict):
    id: str = Field(max_length=200)
    description: str = Field("", max_length=2000)


class CrossingIn(Strict):
    local_id: str = Field(max_length=200, description="The device's own id of the record (unique per device)")
    checkpoint: int
    at: datetime = Field(description="When the device checked, with its UTC offset")
    direction: str = Field(max_length=20, description="in or out")
    decision: str = Field(max_length=20, description="allowed or denied")
    pass_id: str = Field("", max_length=200)
    pass_type: str = Field("", max_length=40, description="permit, declaration, vehicle, transit, shipper…")
    plate: str = Field("", max_length=40, description="A vehicle's plate, e.g. 29C-123.45")
    failed_rules: list[FailedRuleIn] = Field(default_factory=list, max_length=100)
    bundle_version: int | None = Field(None, description="The rule bundle the device decided with")


class SyncIn(Strict):
    device_id: str = Field(max_length=200)
    entries: list[CrossingIn] = Field(max_length=MAX_SYNC_ENTRIES)


class SyncResultOut(Schema):
    local_id: str
    status: str = Field(description="created, duplicate or rejected")
    crossing_id: int | None
    code: str
    message: str


class SyncOut(Schema):
    created: int
    duplicate: int
    rejected: int
    results: list[SyncResultOut]


class HourOut(Schema):
    hour: int = Field(description="Hà Nội hour of day, 0-23")
    crossings: int
    allowed: int
    denied: int


class ReasonOut(Schema):
    rule_id: str
    description: str
    count: int


class CheckpointRef(Schema):
    id: int
    code: str
    name: str


class StatsOut(Schema):
    checkpoint: CheckpointRef
    day: date
    crossings: int
    denied: int
    peak_hour: int | None
    peak_crossings: int
    hours: list[HourOut]
    reasons: list[ReasonOut] = Field(description="Denials by failed rule, most frequent first")


class CheckpointDayOut(Schema):
    checkpoint: CheckpointRef
    crossings: int
    denied: int
    peak_hour: int | None


class DistrictStatsOut(Schema):
    district: UnitRef
    day: date
    crossings: int
    denied: int
    peak_hour: int | None
    hours: list[HourOut]
    reasons: list[ReasonOut]
    checkpoints: list[CheckpointDayOut]


def _unit(unit: Any) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.full_name} if unit is not None else None


def _checkpoint(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        **{
            name: getattr(checkpoint, name)
            for name in (
                "id",
                "code",
                "name",
                "name_en",
                "kind",
                "road",
                "location",
                "neighbouring_province",
                "active_from",
                "active_until",
                "procedure",
                "status",
                "version",
            )
        },
        "latitude": float(checkpoint.latitude) if checkpoint.latitude is not None else None,
        "longitude": float(checkpoint.longitude) if checkpoint.longitude is not None else None,
        "focal_unit": _unit(checkpoint.unit),
        "other_side": _unit(checkpoint.other_side),
        "in_operation": checkpoint.in_operation(now()),
    }


def _ref(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"id": checkpoint.pk, "code": checkpoint.code, "name": checkpoint.name}


def _hours(day_stats: stats.DayStats) -> list[dict[str, int]]:
    return [
        {"hour": h.hour, "crossings": h.crossings, "allowed": h.allowed, "denied": h.denied}
        for h in day_stats.hours
    ]


def _reasons(day_stats: stats.DayStats) -> list[dict[str, Any]]:
    return [{"rule_id": r.rule_id, "description": r.description, "count": r.count} for r in day_stats.reasons]


def _reader(request: HttpRequest) -> Any:
    if not selectors.is_reader(request.user):
        raise NotPermitted()
    return request.user


@router.get("", url_name="checkpoints_list", response=list[CheckpointOut], summary="Checkpoints we read")
def list_checkpoints(
    request: HttpRequest, q: str = "", kind: str = "", district: str = ""
) -> list[dict[str, Any]]:
    user = _reader(request)
    rows = selectors.search_checkpoints(user, query=q[:100], kind=kind[:20], district=district[:5])
    return [_checkpoint(row) for row in rows]


@router.get(
    "/stats",
    url_name="checkpoints_district_stats",
    response=DistrictStatsOut,
    summary="A district's crossings of a day: by hour, by failed rule, and per checkpoint",
)
def district_stats(request: HttpRequest, district: str = "", day: date | None = None) -> dict[str, Any]:
    user = _reader(request)
    unit = selectors.district_for(user, district[:5])
    chosen = day or local_date(now())
    overall, rows = stats.unit_day(selectors.search_checkpoints(user, district=unit.code), unit.path, chosen)
    peak = overall.peak
    return {
        "district": _unit(unit),
        "day": chosen,
        "crossings": overall.crossings,
        "denied": overall.denied,
        "peak_hour": peak.hour if peak else None,
        "hours": _hours(overall),
        "reasons": _reasons(overall),
        "checkpoints": [
            {
                "checkpoint": _ref(row.checkpoint),
                "crossings": row.stats.crossings,
                "denied": row.stats.denied,
                "peak_hour": row.stats.peak.hour if row.stats.peak else None,
            }
            for row in rows
        ],
    }


@router.post(
    "/crossings/sync",
    url_name="checkpoints_sync",
    response=SyncOut,
    summary="Append a device's offline crossing log (idempotent per device and record id)",
)
def sync(request: HttpRequest, payload: SyncIn) -> dict[str, Any]:
    entries = [
        services.CrossingEntry(
            checkpoint_id=entry.checkpoint,
            at=entry.at,
            direction=entry.direction,
            decision=entry.decision,
            local_id=entry.local_id,
            pass_id=entry.pass_id,
            pass_type=entry.pass_type,
            plate=entry.plate,
            failed_rules=[{"id": rule.id, "description": rule.description} for rule in entry.failed_rules],
            bundle_version=entry.bundle_version,
        )
        for entry in payload.entries
    ]
    results = services.sync_crossings(by=request.user, device_id=payload.device_id, entries=entries)
    counts = {
        status: sum(r.status == status for r in results) for status in ("created", "duplicate", "rejected")
    }
    return {**counts, "results": [r.__dict__ for r in results]}


@router.get("/{pk}", url_name="checkpoints_detail", response=CheckpointOut, summary="A checkpoint")
def get_checkpoint(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _checkpoint(selectors.checkpoint_for(_reader(request), pk))


@router.get(
    "/{pk}/stats",
    url_name="checkpoints_stats",
    response=StatsOut,
    summary="A checkpoint's crossings of a day by hour, its peak hour and its denials by failed rule",
)
def checkpoint_stats(request: HttpRequest, pk: int, day: date | None = None) -> dict[str, Any]:
    checkpoint = selectors.checkpoint_for(_reader(request), pk)
    chosen = day or local_date(now())
    day_stats = stats.checkpoint_day(checkpoint, chosen)
    peak = day_stats.peak
    return {
        "checkpoint": _ref(checkpoint),
        "day": chosen,
        "crossings": day_stats.crossings,
        "denied": day_stats.denied,
        "peak_hour": peak.hour if peak else None,
        "peak_crossings": peak.crossings if peak else 0,
        "hours": _hours(day_stats),
        "reasons": _reasons(day_stats),
    }


class VerifyIn(Strict):
    # Longer than any pass on purpose: an oversized code is answered "denied, too_long", not 422.
    code: str = Field(max_length=65536, description="The scanned pass, PD1:…")
    declaration: str | None = Field(
        None, max_length=65536, description="The holder's health declaration, PD1:…"
    )
    direction: str = Field(max_length=20, description="in or out")
    device_id: str = Field(max_length=200)
    local_id: str = Field(max_length=200, description="The device's own id of the record (unique per device)")


class ReasonItem(Schema):
    rule: str = Field(description="The rule's Identifier, or the code's refusal (e.g. expired)")
    description: str


class CodeError(Schema):
    code: str
    message: str


class HolderOut(Schema):
    name: str | None
    birth_year: int | None
    cccd_masked: str | None


class VerifyOut(Schema):
    decision: str = Field(description="allowed or denied")
    error: CodeError | None = Field(description="Why the code itself was refused, before any rule")
    reasons: list[ReasonItem] = Field(description="Failed rules, in the request's language")
    notes: list[ReasonItem] = Field(description="Rules that only carry a message, e.g. transit: no stop")
    holder: HolderOut | None = Field(description="For the ID check; null when the code is not authentic")
    plate: str | None
    pass_type: str | None
    pass_id: str | None
    bundle_version: int | None
    declaration_error: CodeError | None = Field(description="Why the declaration shown was not taken")
    crossing_id: int | None = Field(description="The logged crossing; null when nothing could be logged")
    duplicate: bool = Field(description="A retry: the decision logged the first time")


@router.post(
    "/{pk}/verify",
    url_name="checkpoints_verify",
    response=VerifyOut,
    summary="Verify a scanned pass (and health declaration) here, decide with the bundle's rules, log it",
)
def verify(request: HttpRequest, pk: int, payload: VerifyIn) -> dict[str, Any]:
    scan = verification.Scan(
        code=payload.code,
        declaration=payload.declaration,
        direction=payload.direction,
        device_id=payload.device_id,
        local_id=payload.local_id,
    )
    return verification.verify_scan(by=request.user, checkpoint_pk=pk, scan=scan)
