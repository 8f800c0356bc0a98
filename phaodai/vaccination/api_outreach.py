"""The vaccination API for home visits, mobile teams, sites, invitations, bookings and check-in (S19).

Mounted with the main vaccination router at /api/v1/vaccination. 409 `team_full` / `hour_full` when the
last place went to someone else, `visit_changed` / `booking_changed` for a stale state; 422 for bad input.
"""

from datetime import date, datetime, time
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import HANOI, local_date, now
from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict
from phaodai.core.text import mask_name
from phaodai.territory import selectors as territory
from phaodai.vaccination import home, selectors, sites
from phaodai.vaccination.models import Booking, HomeVisit, MobileTeam, Site

router = Router(tags=["vaccination"])
Reason = Literal["immobile", "severely_ill", "very_old", "ward"]
Group = Literal["elderly_65", "chronic_illness", "disability_immobile", "adults"]
SITE_DETAILS = (
    "name",
    "address",
    "hourly_capacity",
    "opens_at",
    "closes_at",
    "incident_contact",
    "incident_phone",
    "nearest_hospital",
    "severe_reaction_plan",
)


class HomeVisitOut(Schema):
    id: int
    person: str
    name: str
    reason: str
    note: str
    status: str
    team: int | None
    visit_on: date | None
    dose: int | None
    cancel_reason: str
    version: int


class HomeVisitIn(Strict):
    reason: Reason | None = Field(
        None, description="Default: from the registry's flags; `ward` needs planning"
    )
    note: str = Field("", max_length=500)


class ScheduleIn(Strict):
    team: int | None = Field(None, description="Default: the first team working there with a free visit")
    day: date
    version: int | None = Field(None, ge=1, description="Compare-and-set; default the version read")


class VisitDoseIn(Strict):
    product: str = Field(max_length=32)
    dose_number: int = Field(ge=1, le=10)
    lot: str = Field(max_length=40)
    vaccinator: str = Field(max_length=150)
    given_on: date | None = None


class TeamIn(Strict):
    unit: str = Field(max_length=5)
    name: str = Field(max_length=150)
    daily_capacity: int = Field(ge=1, le=500)


class TeamOut(Schema):
    id: int
    name: str
    unit: str
    daily_capacity: int
    active: bool
    version: int


class SiteIn(Strict):
    unit: str = Field(max_length=5)
    name: str = Field(max_length=200)
    address: str = Field(max_length=300)
    hourly_capacity: int = Field(ge=1, le=1000)
    opens_at: time
    closes_at: time
    incident_contact: str = Field(max_length=150)
    incident_phone: str = Field(max_length=15)
    nearest_hospital: str = Field(max_length=200)
    severe_reaction_plan: str = Field(max_length=5000)


class HourOut(Schema):
    starts_at: datetime
    capacity: int
    booked: int


class SiteOut(Schema):
    id: int
    name: str
    address: str
    unit: str
    hourly_capacity: int
    opens_at: time
    closes_at: time
    incident_plan: dict[str, str] = Field(
        description="Who to call, nearest hospital, response to a severe reaction"
    )
    hours: list[HourOut] = Field(description="The booked hours of the day asked (default today)")
    version: int


class SitePatch(Strict):
    name: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=300)
    hourly_capacity: int | None = Field(None, ge=1, le=1000, description="Never below a booked hour's people")
    opens_at: time | None = None
    closes_at: time | None = None
    incident_contact: str | None = Field(None, max_length=150)
    incident_phone: str | None = Field(None, max_length=15)
    nearest_hospital: str | None = Field(None, max_length=200)
    severe_reaction_plan: str | None = Field(None, max_length=5000)
    version: int | None = Field(None, ge=1, description="Compare-and-set; default the version read")


class InviteIn(Strict):
    group: Group
    day: date
    limit: int = Field(200, ge=1, le=sites.MAX_INVITATIONS)


class BookingIn(Strict):
    person: str | None = Field(None, max_length=40, description="The person's id, or")
    cccd: str | None = Field(None, max_length=20, description="their citizen ID (in the body, never a URL)")
    starts_at: datetime = Field(description="A whole hour; without an offset, Hà Nội time")


class BookingOut(Schema):
    id: int
    site: int
    person: str
    status: str
    priority_group: str
    starts_at: datetime | None
    checked_in_at: datetime | None
    cancel_reason: str


def visit_out(visit: HomeVisit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "person": str(visit.person_id),
        "name": mask_name(visit.person.full_name),
        **{
            f: getattr(visit, f) for f in ("reason", "note", "status", "visit_on", "cancel_reason", "version")
        },
        "team": visit.team_id,
        "dose": visit.dose_id,
    }


def team_out(team: MobileTeam) -> dict[str, Any]:
    return {
        **{f: getattr(team, f) for f in ("name", "daily_capacity", "active", "version")},
        "id": team.pk,
        "unit": team.unit.code,
    }


def site_out(site: Site, day: date, user: Any) -> dict[str, Any]:
    return {
        **{
            f: getattr(site, f)
            for f in ("id", "name", "address", "hourly_capacity", "opens_at", "closes_at", "version")
        },
        "unit": site.unit.code,
        "incident_plan": {
            "contact": site.incident_contact,
            "phone": site.incident_phone,
            "nearest_hospital": site.nearest_hospital,
            "severe_reaction": site.severe_reaction_plan,
        },
        "hours": [
            {"starts_at": h.starts_at, "capacity": h.capacity, "booked": h.booked}
            for h in selectors.site_hours(site, day, user)
        ],
    }


def booking_out(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "site": booking.site_id,
        "person": str(booking.person_id),
        "status": booking.status,
        "priority_group": booking.priority_group,
        "starts_at": booking.hour.starts_at if booking.hour else None,
        "checked_in_at": booking.checked_in_at,
        "cancel_reason": booking.cancel_reason,
    }


def merged(current: Any, patch: Strict, fields: tuple[str, ...]) -> dict[str, Any]:
    """The record's values, with those the patch gives."""
    given = patch.dict(exclude_none=True)
    return {name: given.get(name, getattr(current, name)) for name in fields}


def _aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=HANOI)


def _unit(code: str) -> Any:
    found = territory.unit_by_code(code)
    if found is None:
        raise InvalidInput(_("No unit has this code."), field="unit")
    return found


@router.post(
    "/people/{person_id}/home-visit",
    url_name="vaccination_home_visit_request",
    response={200: HomeVisitOut, 201: HomeVisitOut},
    summary="Ask for a home visit (201; the person's open request again: 200)",
)
def request_home_visit(
    request: HttpRequest, person_id: str, payload: HomeVisitIn
) -> tuple[int, dict[str, Any]]:
    person = selectors.person_for(request.user, person_id)
    visit, created = home.request_home_visit(
        by=request.user, person=person, reason=payload.reason, note=payload.note
    )
    return (201 if created else 200), visit_out(visit)


@router.get(
    "/home-visits",
    url_name="vaccination_home_visits",
    response=list[HomeVisitOut],
    summary="A ward's open home-visit requests",
)
def list_home_visits(request: HttpRequest, ward: str) -> list[dict[str, Any]]:
    return [visit_out(v) for v in selectors.home_visits_of(selectors.ward_for(request.user, ward[:5]))]


@router.post(
    "/home-visits/{pk}/schedule",
    url_name="vaccination_home_visit_schedule",
    response=HomeVisitOut,
    summary="Give a visit a team and a day within the team's capacity (409 team_full)",
)
def schedule_home_visit(request: HttpRequest, pk: int, payload: ScheduleIn) -> dict[str, Any]:
    visit = selectors.home_visit_for(request.user, pk)
    team = selectors.team_for(request.user, payload.team) if payload.team is not None else None
    scheduled = home.schedule_home_visit(
        by=request.user, visit=visit, team=team, day=payload.day, version=payload.version
    )
    return visit_out(scheduled)


@router.post(
    "/home-visits/{pk}/dose",
    url_name="vaccination_home_visit_dose",
    response=HomeVisitOut,
    summary="Record the dose given at home (the same rules as any dose)",
)
def record_visit_dose(request: HttpRequest, pk: int, payload: VisitDoseIn) -> dict[str, Any]:
    visit = selectors.home_visit_for(request.user, pk)
    done = home.record_visit_dose(
        by=request.user,
        visit=visit,
        product=selectors.product_by_code(payload.product),
        dose_number=payload.dose_number,
        lot=payload.lot,
        vaccinator=payload.vaccinator,
        given_on=payload.given_on,
    )
    return visit_out(done)


@router.post(
    "/teams", url_name="vaccination_teams", response={201: TeamOut}, summary="Register a mobile team"
)
def register_team(request: HttpRequest, payload: TeamIn) -> tuple[int, dict[str, Any]]:
    team = home.register_team(
        by=request.user, unit=_unit(payload.unit), name=payload.name, daily_capacity=payload.daily_capacity
    )
    return 201, team_out(team)


@router.get("/teams", url_name="vaccination_teams", response=list[TeamOut], summary="Mobile teams we plan")
def list_teams(request: HttpRequest) -> list[dict[str, Any]]:
    require_perm(request.user, Perm.PLAN_VACCINATION)
    return [team_out(t) for t in selectors.teams_for(request.user)]


@router.post("/sites", url_name="vaccination_sites", response={201: SiteOut}, summary="Register a site")
def register_site(request: HttpRequest, payload: SiteIn) -> tuple[int, dict[str, Any]]:
    site = sites.register_site(by=request.user, unit=_unit(payload.unit), **payload.dict(exclude={"unit"}))
    return 201, site_out(site, local_date(now()), request.user)


@router.get(
    "/sites/{pk}", url_name="vaccination_site", response=SiteOut, summary="A site, its plan and hours"
)
def get_site(request: HttpRequest, pk: int, day: date | None = None) -> dict[str, Any]:
    return site_out(
        selectors.site_for(request.user, pk),
        selectors.require_plausible_day(day or local_date(now())),
        request.user,
    )


@router.patch(
    "/sites/{pk}",
    url_name="vaccination_site",
    response=SiteOut,
    summary="Change a site's details, hourly capacity, opening hours or incident plan",
)
def update_site(request: HttpRequest, pk: int, payload: SitePatch) -> dict[str, Any]:
    site = selectors.site_to_plan(request.user, pk)
    changed = sites.update_site(
        by=request.user, site=site, version=payload.version, **merged(site, payload, SITE_DETAILS)
    )
    return site_out(changed, local_date(now()), request.user)


@router.post(
    "/sites/{pk}/invitations",
    url_name="vaccination_site_invitations",
    response=dict[str, int],
    summary="Invite a priority group, oldest first; answers how many were invited",
)
def invite(request: HttpRequest, pk: int, payload: InviteIn) -> dict[str, int]:
    site = selectors.site_for(request.user, pk)
    count = sites.invite_priority_group(
        by=request.user, site=site, group=payload.group, day=payload.day, limit=payload.limit
    )
    return {"invited": count}


@router.post(
    "/sites/{pk}/bookings",
    url_name="vaccination_site_bookings",
    response={200: BookingOut, 201: BookingOut},
    summary="Book a person's hour (201; the same hour again 200; a full hour 409 hour_full)",
)
def book(request: HttpRequest, pk: int, payload: BookingIn) -> tuple[int, dict[str, Any]]:
    site = selectors.site_for(request.user, pk)
    if (payload.person is None) == (payload.cccd is None):
        raise InvalidInput(_("Give the person's id or their CCCD."), field="person")
    if payload.cccd is not None:
        person = selectors.person_by_cccd(request.user, payload.cccd)
        if person is None:
            raise InvalidInput(_("No person with this CCCD is registered where you work."), field="cccd")
    else:
        person = selectors.person_for(request.user, payload.person)
    booking, created = sites.book_hour(
        by=request.user, site=site, person=person, starts_at=_aware(payload.starts_at)
    )
    return (201 if created else 200), booking_out(booking)


@router.post(
    "/bookings/{pk}/check-in",
    url_name="vaccination_check_in",
    response=BookingOut,
    summary="The person arrived (a second check-in: 409 booking_changed)",
)
def check_in(request: HttpRequest, pk: int) -> dict[str, Any] | HttpResponse:
    booking = selectors.booking_for(request.user, pk)
    return booking_out(sites.check_in(by=request.user, booking=booking))
