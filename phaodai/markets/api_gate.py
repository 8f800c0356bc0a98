"""The markets API: the gate part (joined in api.py).

- POST /{code}/gate: decide one scan at the market's gate on the server and log it (gate.check_at_gate);
  a retry with the same entry_key answers the logged decision (`duplicate`), writes nothing.
- POST /{code}/gate/sync: a device's offline entries, kept as decided; answers per entry and the
  single-use passes found used twice (`flagged`).
- GET /{code}/inside: how many are inside now.
- POST /exposures: the households inside with an F0 (tracing.households_exposed); with a case and
  `add_as_contacts`, their representatives become the case's contacts (setting "market").
Errors are {"code", "message", "field"}: 401, 403 without the permission, 404 outside the user's
units (logged), 409 without a published "markets" bundle or for a reused entry key, 422 bad input.
"""

from datetime import date, datetime, time
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.cases import selectors as cases
from phaodai.core.clock import to_local
from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict
from phaodai.markets import gate, tracing

router = Router(tags=["markets"])


class GateIn(Strict):
    code: str = Field(max_length=9000, description="The scanned PD1: code, as read")
    scanned_at: datetime | None = Field(None, description="When the device scanned it, with its offset")
    device: str = Field("", max_length=64)
    entry_key: str | None = Field(
        None, max_length=100, description="The device's id of the scan (retry-safe)"
    )
    direction: str = Field("in", max_length=3, description="in, or out for an exit scan")


class ReasonOut(Schema):
    code: str = Field(description="A rule's Identifier, the codec's refusal, or already_used / market_closed")
    vi: str
    en: str


class HolderOut(Schema):
    name: str | None
    birth_year: int | None
    cccd_masked: str | None


class GateOut(Schema):
    decision: str = Field(description="allowed or denied")
    reasons: list[ReasonOut]
    holder: HolderOut | None = Field(description="For the ID check; null when the code is not authentic")
    pass_id: str = Field(description="Empty when the code's signature did not hold")
    hours: list[str] | None = Field(description='The slot as printed, ["HH:MM", "HH:MM"] Hà Nội time')
    first_used_at: datetime | None = Field(description="A reused single-use pass: when it was first used")
    first_used_market: str | None
    inside_now: int
    entry_id: int
    entry_key: str
    duplicate: bool


def gate_answer(result: gate.GateResult) -> dict[str, Any]:
    return {
        "decision": result.decision,
        "reasons": [reason.as_json() for reason in result.reasons],
        "holder": result.holder,
        "pass_id": result.entry.pass_id,
        "hours": list(result.hours) if result.hours else None,
        "first_used_at": result.first_used_at,
        "first_used_market": result.first_used_market,
        "inside_now": result.inside_now,
        "entry_id": result.entry.pk,
        "entry_key": result.entry.entry_key,
        "duplicate": result.duplicate,
    }


@router.post(
    "/{code}/gate",
    url_name="markets_gate_check",
    response=GateOut,
    summary="Check a market pass at this market's gate, decide, log the entry",
)
def check(request: HttpRequest, code: str, payload: GateIn) -> dict[str, Any]:
    market = gate.market_at_gate(request.user, code)
    result = gate.check_at_gate(
        by=request.user,
        market=market,
        code=payload.code,
        scanned_at=payload.scanned_at,
        device=payload.device,
        entry_key=payload.entry_key,
        direction=payload.direction,
    )
    return gate_answer(result)


class OfflineIn(Strict):
    entry_key: str = Field(max_length=200)
    scanned_at: datetime
    allowed: bool
    pass_id: str = Field("", max_length=100)
    reason: str = Field("", max_length=100)
    direction: str = Field("in", max_length=10)


class SyncIn(Strict):
    device: str = Field("", max_length=64)
    entries: list[OfflineIn] = Field(max_length=gate.MAX_SYNC)


class ResultOut(Schema):
    entry_key: str
    status: str = Field(description="created, duplicate or rejected")
    problem: str = Field("", description="For a rejected entry: the field at fault")
    double_use: bool = False
    first_used_at: datetime | None = None
    first_used_market: str | None = None


class SyncOut(Schema):
    created: int
    duplicate: int
    rejected: int
    flagged: int = Field(description="Single-use passes found used twice (the later entry is flagged)")
    results: list[ResultOut]


@router.post(
    "/{code}/gate/sync",
    url_name="markets_gate_sync",
    response=SyncOut,
    summary="Send a gate device's offline entries (idempotent per entry key); flags double use",
)
def sync(request: HttpRequest, code: str, payload: SyncIn) -> dict[str, Any]:
    market = gate.market_at_gate(request.user, code)
    entries = [
        gate.OfflineEntry(
            entry_key=item.entry_key,
            scanned_at=item.scanned_at,
            allowed=item.allowed,
            pass_id=item.pass_id,
            reason=item.reason,
            direction=item.direction,
            device=payload.device,
        )
        for item in payload.entries
    ]
    outcome = gate.sync_entries(by=request.user, market=market, entries=entries)
    flags = {flag.entry_key: flag for flag in outcome.flagged}
    results: list[dict[str, Any]] = []
    for key in (*outcome.created, *outcome.duplicates):
        flag = flags.get(key)
        status = "created" if key in outcome.created else "duplicate"
        results.append({"entry_key": key, "status": status, **_flag_fields(flag)})
    results += [{"entry_key": key, "status": "rejected", "problem": why} for key, why in outcome.rejected]
    # A flag may land on an entry synced before (an earlier offline use arrived late).
    results += [
        {"entry_key": key, "status": "duplicate", **_flag_fields(flag)}
        for key, flag in flags.items()
        if key not in outcome.created and key not in outcome.duplicates
    ]
    return {
        "created": len(outcome.created),
        "duplicate": len(outcome.duplicates),
        "rejected": len(outcome.rejected),
        "flagged": len(outcome.flagged),
        "results": results,
    }


def _flag_fields(flag: gate.Flagged | None) -> dict[str, Any]:
    if flag is None:
        return {}
    return {
        "double_use": True,
        "first_used_at": flag.first_used_at,
        "first_used_market": flag.first_used_market,
    }


class InsideOut(Schema):
    market: str
    capacity: int
    inside_now: int


@router.get(
    "/{code}/inside", url_name="markets_inside", response=InsideOut, summary="How many are inside now"
)
def inside(request: HttpRequest, code: str) -> dict[str, Any]:
    market = gate.market_at_gate(request.user, code)
    return {"market": market.code, "capacity": market.capacity, "inside_now": gate.inside_now(market)}


class VisitIn(Strict):
    market: str = Field(max_length=16, description="The market's code")
    day: date = Field(description="The local (Hà Nội) day of the visit")
    start: time | None = Field(None, description="From (Hà Nội time); none: while the market was open")
    end: time | None = None


class ExposuresIn(Strict):
    case: int | None = Field(None, description="The F0's case: leaves out their household")
    visits: list[VisitIn] = Field(max_length=tracing.MAX_VISITS)
    add_as_contacts: bool = Field(False, description="Add the representatives as the case's contacts")


class ExposedOut(Schema):
    household: str
    address: str
    area: str
    area_name: str
    representative: str
    market: str
    day: date
    entered_at: datetime
    slot: list[datetime] | None


class ExposuresOut(Schema):
    households: list[ExposedOut]
    contacts_added: int | None = Field(description="With add_as_contacts: new contact links")
    contacts_known: int | None = Field(description="With add_as_contacts: links already recorded")


def read_visits(user: Any, visits: list[VisitIn]) -> list[tracing.Visit]:
    read = []
    for item in visits:
        market = tracing.market_for_tracing(user, item.market)
        hours = (
            None if item.start is None and item.end is None else [item.start or time(0), item.end or time(0)]
        )
        read.append(tracing.read_visit(market, item.day, hours))
    return read


@router.post(
    "/exposures",
    url_name="markets_exposures",
    response=ExposuresOut,
    summary="The households inside a market in the same hours as an F0 (exposure candidates)",
)
def exposures(request: HttpRequest, payload: ExposuresIn) -> dict[str, Any]:
    tracing.require_tracer(request.user)
    if payload.add_as_contacts and payload.case is None:
        raise InvalidInput(_("Choose the case whose contacts they are."), field="case")
    case = cases.case_for(request.user, payload.case) if payload.case is not None else None
    visits = read_visits(request.user, payload.visits)
    f0 = case.person if case is not None else None
    found = tracing.households_exposed(by=request.user, visits=visits, f0=f0)
    added = known = None
    if payload.add_as_contacts and case is not None and found:
        outcome = tracing.add_as_contacts(by=request.user, case=case, households=found)
        added, known = outcome.added, outcome.already_known
    return {
        "households": [
            {
                "household": h.household_code,
                "address": h.address,
                "area": h.area_code,
                "area_name": h.area_name,
                "representative": h.representative_name,
                "market": h.market_code,
                "day": h.day,
                "entered_at": to_local(h.entered_at),
                "slot": list(h.slot) if h.slot else None,
            }
            for h in found
        ],
        "contacts_added": added,
        "contacts_known": known,
    }
