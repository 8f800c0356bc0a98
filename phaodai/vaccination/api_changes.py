"""The vaccination API that changes what is planned (S19): cancel a booking or a home visit, edit a
mobile team. A site's edit is PATCH /sites/{pk}, beside its GET in api_outreach (one path, one router).
Mounted with the main router at /api/v1/vaccination.

409 `booking_closed` / `visit_closed` for what is checked in or done, `visit_changed` / `team_changed` /
`site_changed` for a stale version; 422 `capacity_below_booked` / `booked_outside_hours` /
`team_has_visits` when a change would leave booked people without their place. A second cancellation
answers 200 with the cancelled record.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router

from phaodai.core.schemas import Strict
from phaodai.vaccination import home, selectors, sites
from phaodai.vaccination.api_outreach import (
    BookingOut,
    HomeVisitOut,
    TeamOut,
    booking_out,
    merged,
    team_out,
    visit_out,
)

router = Router(tags=["vaccination"])


class CancelIn(Strict):
    reason: str = Field(max_length=300, description="Why (kept with the record and in the audit log)")


class VisitCancelIn(CancelIn):
    version: int | None = Field(None, ge=1, description="Compare-and-set; default the version read")


class TeamPatch(Strict):
    name: str | None = Field(None, max_length=150)
    daily_capacity: int | None = Field(None, ge=1, le=500, description="Never below a planned day's visits")
    active: bool | None = Field(None, description="false retires the team (no visit left from today)")
    version: int | None = Field(None, ge=1, description="Compare-and-set; default the version read")


@router.post(
    "/bookings/{pk}/cancel",
    url_name="vaccination_booking_cancel",
    response=BookingOut,
    summary="Cancel a booked hour or an invitation, with the reason (its place is free again)",
)
def cancel_booking(request: HttpRequest, pk: int, payload: CancelIn) -> dict[str, Any]:
    booking = selectors.booking_for(request.user, pk)
    return booking_out(sites.cancel_booking(by=request.user, booking=booking, reason=payload.reason))


@router.post(
    "/home-visits/{pk}/cancel",
    url_name="vaccination_home_visit_cancel",
    response=HomeVisitOut,
    summary="Cancel a requested or scheduled home visit, with the reason (the team's place is free again)",
)
def cancel_home_visit(request: HttpRequest, pk: int, payload: VisitCancelIn) -> dict[str, Any]:
    visit = selectors.home_visit_for(request.user, pk)
    cancelled = home.cancel_home_visit(
        by=request.user, visit=visit, reason=payload.reason, version=payload.version
    )
    return visit_out(cancelled)


@router.patch(
    "/teams/{pk}",
    url_name="vaccination_team",
    response=TeamOut,
    summary="Rename a mobile team, change its visits a day, or retire it",
)
def update_team(request: HttpRequest, pk: int, payload: TeamPatch) -> dict[str, Any]:
    team = selectors.team_for(request.user, pk)
    changed = home.update_team(
        by=request.user,
        team=team,
        version=payload.version,
        **merged(team, payload, ("name", "daily_capacity", "active")),
    )
    return team_out(changed)
