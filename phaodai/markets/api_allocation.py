"""The markets API: the allocation part (joined in api.py).

Running a scheme's allocation, and reading its latest run. Only for those who manage markets over
the scheme's ward: 403 for another role, 404 outside the user's units, 409 for a withdrawn scheme,
422 for a scheme whose pattern does not make sense. A run is deterministic: sending it again places
the same passes again (and keeps the printed ones), under a new run number.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.markets import selectors
from phaodai.markets.allocation import latest_run, run_allocation
from phaodai.markets.models import AllocationRun, Scheme

router = Router(tags=["markets"])


class ShortfallOut(Schema):
    market: str = Field(description='The market code the households should have gone to; "" for the ward')
    day: str = Field(description="YYYY-MM-DD")
    short: int = Field(description="Household-days without a pass for want of room")


class LeftOutOut(Schema):
    household: str = Field(description="The household's code")
    reason: str = Field(description="no_representative")


class RunOut(Schema):
    scheme: int
    scheme_status: str
    number: int
    run_at: datetime
    households: int = Field(description="Households given passes (those with a representative)")
    passes: int = Field(description="Passes placed by this run")
    kept: int = Field(description="Passes already printed, left where they were")
    short: int = Field(description="Household-days that did not fit, in all")
    shortfall: list[ShortfallOut]
    left_out_count: int
    left_out: list[LeftOutOut] = Field(description="The first households left out (the count is whole)")


def _scheme(request: HttpRequest, pk: int) -> Scheme:
    if not selectors.is_manager(request.user):
        raise NotPermitted()
    return selectors.scheme_for(request.user, pk)


def run_out(scheme: Scheme, run: AllocationRun) -> dict[str, Any]:
    return {
        "scheme": scheme.pk,
        "scheme_status": scheme.status,
        "number": run.number,
        "run_at": run.created_at,
        "households": run.households,
        "passes": run.passes,
        "kept": run.kept,
        "short": sum(item["short"] for item in run.shortfall),
        "shortfall": run.shortfall,
        "left_out_count": run.left_out_count,
        "left_out": run.left_out,
    }


@router.post(
    "/schemes/{pk}/allocate",
    url_name="markets_scheme_allocate",
    response=RunOut,
    summary="Allocate the scheme: passes for its ward's households, keeping those already printed",
)
def allocate(request: HttpRequest, pk: int) -> dict[str, Any]:
    scheme = _scheme(request, pk)
    run = run_allocation(by=request.user, scheme=scheme)
    return run_out(scheme, run)


@router.get(
    "/schemes/{pk}/runs/latest",
    url_name="markets_scheme_latest_run",
    response=RunOut,
    summary="The scheme's latest allocation run (404 before the first)",
)
def latest(request: HttpRequest, pk: int) -> dict[str, Any]:
    scheme = _scheme(request, pk)
    run = latest_run(scheme)
    if run is None:
        raise OutOfScope()
    return run_out(scheme, run)
