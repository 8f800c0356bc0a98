"""The community API (mounted at /api/v1/community): campaigns and coverage, commitments, party members'
households and assignments, community COVID teams (members, duty, visits), special housing.

Through the same services and selectors as the pages. Errors are {"code", "message", "field"}: 401
without credentials, 403 for a role without the permission, 404 outside the user's units or for a
household not assigned to a member, 409 for a lost race, 422 for bad input. Writes answer 201 when they
made something and 200 with the first result on a retry.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts import selectors as accounts
from phaodai.community import checklists, selectors, services
from phaodai.core.clock import local_date, now
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.idempotency import header_key
from phaodai.core.schemas import Strict

router = Router(tags=["community"])
KEY_LIMIT = 80


# Schemas ------------------------------------------------------------------------------------------


class CampaignIn(Strict):
    unit: str = Field(max_length=5, description="GSO code of the unit running it (ward, district, city)")
    code: str = Field(max_length=32)
    name_vi: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    starts_on: date


class CampaignOut(Schema):
    code: str
    name_vi: str
    name_en: str
    unit: str
    starts_on: date


class CoverageRowOut(Schema):
    code: str
    name: str
    signed: int
    households: int
    percent: int


class CoverageOut(Schema):
    campaign: str
    unit: str
    signed: int
    households: int
    percent: int
    rows: list[CoverageRowOut]


class CommitmentIn(Strict):
    area: str = Field(max_length=40, description="Code of the household's residential area")
    household: str = Field(max_length=48, description="The household's code")
    signer: str = Field("", max_length=36, description="Id of the person who signed (a member)")
    signer_name: str = Field("", max_length=150, description="Their name, when not registered")
    signed_on: date | None = None


class CommitmentOut(Schema):
    id: int
    campaign: str
    household: str
    signer_name: str
    signed_on: date


class HouseholdOut(Schema):
    id: int
    code: str
    address: str
    area: str
    signed_on: date | None
    last_visit: datetime | None


class AssignIn(Strict):
    member: str = Field(max_length=150, description="The member's user name")
    area: str = Field(max_length=40)
    households: list[str] = Field(default_factory=list, max_length=500, description="Codes; empty: all")


class AssignOut(Schema):
    changed: int


class TeamIn(Strict):
    area: str = Field(max_length=40)
    name: str = Field("", max_length=150)


class MemberOut(Schema):
    id: int
    full_name: str
    phone: str
    role: str
    user: str


class DutyOut(Schema):
    id: int
    member: int
    day: date


class TeamOut(Schema):
    id: int
    name: str
    area: str
    members: list[MemberOut] = []
    duties: list[DutyOut] = []


class MemberIn(Strict):
    full_name: str = Field(max_length=150)
    phone: str = Field(max_length=20)
    role: str = Field(max_length=8, description="leader, deputy or member")
    username: str = Field("", max_length=150, description="A linked login (optional)")


class DutyIn(Strict):
    member: str = Field(max_length=20, description="The member's id, or their phone")
    day: date


class VisitIn(Strict):
    area: str = Field(max_length=40)
    household: str = Field(max_length=48, description="The household's code")
    kind: str = Field(max_length=16, description="reminder_5k, isolation_check, delivery, commitment, other")
    note: str = Field("", max_length=500)
    visited_at: datetime | None = None
    team: int | None = None


class VisitOut(Schema):
    id: int
    household: str
    kind: str
    note: str
    visited_at: datetime
    team: int | None


class HousingIn(Strict):
    area: str = Field(max_length=40)
    kind: str = Field(max_length=20, description="boarding_house, old_apartments or shared_sanitation")
    name: str = Field(max_length=150)
    address: str = Field(max_length=255)
    residents: int = 0
    plan: str = Field("", max_length=5000)
    responsible_name: str = Field("", max_length=150)
    responsible_phone: str = Field("", max_length=20)
    plan_starts_on: date | None = None
    plan_ends_on: date | None = None


class PlanIn(Strict):
    version: int | None = Field(None, description="The version you saw (compare-and-set)")
    plan: str = Field("", max_length=5000)
    responsible_name: str = Field("", max_length=150)
    responsible_phone: str = Field("", max_length=20)
    plan_starts_on: date | None = None
    plan_ends_on: date | None = None


class TickIn(Strict):
    key: str = Field(max_length=32)
    done: bool = True


class CheckOut(Schema):
    key: str
    label: str
    done: bool


class HousingOut(Schema):
    id: int
    area: str
    kind: str
    name: str
    address: str
    residents: int
    plan: str
    responsible_name: str
    responsible_phone: str
    plan_starts_on: date | None
    plan_ends_on: date | None
    version: int
    missing: list[str] = Field(description="Missing plan parts and checklist keys")
    checklist: list[CheckOut] = []


# Helpers ------------------------------------------------------------------------------------------


def campaign_out(row: Any) -> dict[str, Any]:
    return {
        "code": row.code,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "unit": row.unit.code,
        "starts_on": row.starts_on,
    }


def commitment_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "campaign": row.campaign.code,
        "household": row.household.code,
        "signer_name": row.signer_name,
        "signed_on": row.signed_on,
    }


def team_out(team: Any, full: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"id": team.pk, "name": team.name, "area": team.area.code}
    if full:
        body["members"] = [
            {
                "id": m.pk,
                "full_name": m.full_name,
                "phone": m.phone,
                "role": m.role,
                "user": m.user.username if m.user is not None else "",
            }
            for m in selectors.team_members(team)
        ]
        body["duties"] = [
            {"id": d.pk, "member": d.member_id, "day": d.day}
            for _day, duties in selectors.roster(team, local_date(now()))
            for d in duties
        ]
    return body


def visit_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "household": row.household.code,
        "kind": row.kind,
        "note": row.note,
        "visited_at": row.visited_at,
        "team": row.team_id,
    }


def housing_out(row: Any, full: bool = False, gaps: Any = None) -> dict[str, Any]:
    ticks = selectors.ticks_of(row) if full else None
    gaps = gaps or selectors.housing_gaps(row, ticks.keys() if ticks is not None else None)
    body = {
        "id": row.pk,
        "area": row.area.code,
        "kind": row.kind,
        "name": row.name,
        "address": row.address,
        "residents": row.residents,
        "plan": row.plan,
        "responsible_name": row.responsible_name,
        "responsible_phone": row.responsible_phone,
        "plan_starts_on": row.plan_starts_on,
        "plan_ends_on": row.plan_ends_on,
        "version": row.version,
        "missing": [*gaps.plan_parts, *gaps.items],
        "checklist": [],
    }
    if ticks is not None:
        body["checklist"] = [
            {"key": key, "label": str(label), "done": key in ticks}
            for key, label in checklists.items_of(row.kind)
        ]
    return body


def _household(user: Any, area_code: str, code: str) -> Any:
    """A household by its area and code: the ward's (MANAGE_COMMUNITY), else one assigned to the member."""
    if selectors.is_manager(user):
        area = selectors.area_in_reach(user, area_code)
        return selectors.household_in_area(area, code)
    if not selectors.is_member(user) and not selectors.is_team_user(user):
        raise NotPermitted()
    if not selectors.is_member(user):
        raise OutOfScope()
    return selectors.my_household_by_code(user, code)


# Campaigns and commitments ------------------------------------------------------------------------


@router.get("/campaigns", url_name="community_campaigns", response=list[CampaignOut], summary="Campaigns")
def list_campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    selectors.require_manager(request.user)
    return [campaign_out(c) for c in selectors.campaigns_visible_to(request.user)[:100]]


@router.post(
    "/campaigns",
    url_name="community_campaign_open",
    response={200: CampaignOut, 201: CampaignOut},
    summary="Open a commitment campaign over a unit's households",
)
def open_campaign(request: HttpRequest, payload: CampaignIn) -> tuple[int, dict[str, Any]]:
    unit = selectors.unit_in_reach(request.user, payload.unit)
    row, created = services.create_campaign(
        by=request.user,
        unit=unit,
        code=payload.code,
        name_vi=payload.name_vi,
        name_en=payload.name_en,
        starts_on=payload.starts_on,
    )
    return (201 if created else 200), campaign_out(row)


@router.get(
    "/campaigns/{code}/coverage",
    url_name="community_coverage",
    response=CoverageOut,
    summary="Signed over households per area (a ward) or per ward (?unit=<district or city>)",
)
def coverage(request: HttpRequest, code: str, unit: str = "") -> dict[str, Any]:
    campaign = selectors.campaign_for(request.user, code)
    chosen = selectors.unit_in_reach(request.user, unit[:5]) if unit else selectors.default_unit(request.user)
    rows, total = selectors.coverage_board(campaign, chosen)
    return {
        "campaign": campaign.code,
        "unit": chosen.code,
        "signed": total.signed,
        "households": total.households,
        "percent": total.percent,
        "rows": [
            {
                "code": r.code,
                "name": r.name,
                "signed": r.coverage.signed,
                "households": r.coverage.households,
                "percent": r.coverage.percent,
            }
            for r in rows
        ],
    }


@router.post(
    "/campaigns/{code}/commitments",
    url_name="community_sign",
    response={200: CommitmentOut, 201: CommitmentOut},
    summary="Record a household's signed commitment (200 with the first on a second signing)",
)
def sign(request: HttpRequest, code: str, payload: CommitmentIn) -> tuple[int, dict[str, Any]]:
    user = request.user
    household = _household(user, payload.area, payload.household)
    campaign = (
        selectors.campaign_for(user, code)
        if selectors.is_manager(user)
        else selectors.current_campaign(household.path)
    )
    if campaign is None or campaign.code != code:
        raise OutOfScope()
    signer = None
    if payload.signer:
        signer = next(
            (p for p in selectors.household_members(user, household) if str(p.pk) == payload.signer), None
        )
        if signer is None:
            raise InvalidInput(_("The person who signed must be a member of this household."), field="signer")
    row, created = services.sign_commitment(
        by=user,
        campaign=campaign,
        household=household,
        signer=signer,
        signer_name=payload.signer_name,
        signed_on=payload.signed_on,
    )
    return (201 if created else 200), commitment_out(row)


# Party members ------------------------------------------------------------------------------------


@router.get(
    "/households/mine",
    url_name="community_my_households",
    response=list[HouseholdOut],
    summary="The households assigned to me, with the commitment and the last visit",
)
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    if not selectors.is_member(request.user):
        raise NotPermitted()
    return [
        {
            "id": r.household.pk,
            "code": r.household.code,
            "address": r.household.address,
            "area": r.household.area.code,
            "signed_on": r.commitment.signed_on if r.commitment else None,
            "last_visit": r.last_visit,
        }
        for r in selectors.my_households(request.user)
    ]


@router.post(
    "/assignments",
    url_name="community_assign",
    response=AssignOut,
    summary="Give an area's households (or the listed ones) to a party member",
)
def assign(request: HttpRequest, payload: AssignIn) -> dict[str, Any]:
    user = request.user
    area = selectors.area_in_reach(user, payload.area)
    member = accounts.user_by_username(payload.member.strip())
    if member is None:
        raise InvalidInput(_("There is no active login with this user name."), field="member")
    if payload.households:
        households = [selectors.household_in_area(area, code) for code in payload.households]
    else:
        households = [row.household for row in selectors.households_of_area(None, area)]
    return {"changed": services.assign_households(by=user, member=member, households=households)}


class UnassignIn(Strict):
    area: str = Field(max_length=40)
    household: str = Field(max_length=48, description="The household's code")


class UnassignOut(Schema):
    household: str
    removed: bool


@router.post(
    "/assignments/remove",
    url_name="community_unassign",
    response=UnassignOut,
    summary="Take a household back from its party member (removed false when nobody had it)",
)
def unassign(request: HttpRequest, payload: UnassignIn) -> dict[str, Any]:
    user = request.user
    area = selectors.area_in_reach(user, payload.area)
    household = selectors.household_in_area(area, payload.household)
    removed = services.unassign_household(by=user, household=household)
    return {"household": household.code, "removed": removed}


# Teams --------------------------------------------------------------------------------------------


@router.get("/teams", url_name="community_teams", response=list[TeamOut], summary="Teams I may read")
def list_teams(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        team_out(t)
        for t in selectors.teams_visible_to(request.user).order_by("unit_path", "area__code")[:300]
    ]


@router.post(
    "/teams",
    url_name="community_team_create",
    response={200: TeamOut, 201: TeamOut},
    summary="Set up the community COVID team of a residential area",
)
def create_team(request: HttpRequest, payload: TeamIn) -> tuple[int, dict[str, Any]]:
    area = selectors.area_in_reach(request.user, payload.area)
    team, created = services.create_team(by=request.user, area=area, name=payload.name)
    return (201 if created else 200), team_out(team, full=True)


@router.get("/teams/{pk}", url_name="community_team", response=TeamOut, summary="A team, members, roster")
def get_team(request: HttpRequest, pk: int) -> dict[str, Any]:
    return team_out(selectors.team_for(request.user, pk), full=True)


@router.post(
    "/teams/{pk}/members",
    url_name="community_team_member",
    response={200: MemberOut, 201: MemberOut},
    summary="Add a member to a team",
)
def add_member(request: HttpRequest, pk: int, payload: MemberIn) -> tuple[int, dict[str, Any]]:
    team = selectors.team_for(request.user, pk)
    linked = None
    if payload.username.strip():
        linked = accounts.user_by_username(payload.username.strip())
        if linked is None:
            raise InvalidInput(_("There is no active login with this user name."), field="username")
    member, created = services.add_team_member(
        by=request.user,
        team=team,
        full_name=payload.full_name,
        phone=payload.phone,
        role=payload.role,
        user=linked,
    )
    body = {
        "id": member.pk,
        "full_name": member.full_name,
        "phone": member.phone,
        "role": member.role,
        "user": linked.username if linked else "",
    }
    return (201 if created else 200), body


@router.post(
    "/teams/{pk}/duties",
    url_name="community_team_duty",
    response={200: DutyOut, 201: DutyOut},
    summary="Put a member on duty for a day (409 when they are on another team's duty that day)",
)
def add_duty(request: HttpRequest, pk: int, payload: DutyIn) -> tuple[int, dict[str, Any]]:
    team = selectors.team_for(request.user, pk)
    member = selectors.member_of_team(team, payload.member)
    duty, created = services.put_on_duty(by=request.user, member=member, day=payload.day)
    return (201 if created else 200), {"id": duty.pk, "member": duty.member_id, "day": duty.day}


@router.post(
    "/visits",
    url_name="community_visit",
    response={200: VisitOut, 201: VisitOut},
    summary="Log a visit or reminder (retry with the same Idempotency-Key: 200 with the first)",
)
def visit(request: HttpRequest, payload: VisitIn) -> tuple[int, dict[str, Any]]:
    user = request.user
    key = header_key(request, limit=KEY_LIMIT)
    team = selectors.team_for(user, payload.team) if payload.team is not None else None
    if team is not None and not selectors.is_manager(user):
        household = selectors.household_in_area(team.area, payload.household)
    else:
        household = _household(user, payload.area, payload.household)
    row, created = services.log_visit(
        by=user,
        household=household,
        kind=payload.kind,
        note=payload.note,
        visited_at=payload.visited_at,
        team=team,
        idempotency_key=key,
    )
    return (201 if created else 200), visit_out(row)


# Special housing ----------------------------------------------------------------------------------


@router.get(
    "/housing",
    url_name="community_housing_list",
    response=list[HousingOut],
    summary="Special housing of my wards (or ?ward=) with what each still lacks",
)
def list_housing(request: HttpRequest, ward: str = "") -> list[dict[str, Any]]:
    chosen = selectors.unit_in_reach(request.user, ward[:5]) if ward else None
    return [housing_out(r.housing, gaps=r.gaps) for r in selectors.housing_board(request.user, chosen)]


@router.post(
    "/housing",
    url_name="community_housing_register",
    response={200: HousingOut, 201: HousingOut},
    summary="Flag a boarding house, old apartment block or dense area with shared sanitation",
)
def register_housing(request: HttpRequest, payload: HousingIn) -> tuple[int, dict[str, Any]]:
    area = selectors.area_in_reach(request.user, payload.area)
    data = payload.dict()
    data.pop("area")
    row, created = services.register_housing(by=request.user, area=area, **data)
    return (201 if created else 200), housing_out(row, full=True)


@router.get("/housing/{pk}", url_name="community_housing", response=HousingOut, summary="A special housing")
def get_housing(request: HttpRequest, pk: int) -> dict[str, Any]:
    return housing_out(selectors.housing_for(request.user, pk), full=True)


@router.post(
    "/housing/{pk}/plan",
    url_name="community_housing_plan",
    response=HousingOut,
    summary="Change the plan (409 when someone changed it since `version`)",
)
def change_plan(request: HttpRequest, pk: int, payload: PlanIn) -> dict[str, Any]:
    row = selectors.housing_for(request.user, pk)
    return housing_out(services.update_plan(by=request.user, housing=row, **payload.dict()), full=True)


@router.post(
    "/housing/{pk}/checklist",
    url_name="community_housing_tick",
    response=HousingOut,
    summary="Tick (or untick) a checklist item",
)
def tick(request: HttpRequest, pk: int, payload: TickIn) -> dict[str, Any]:
    row = selectors.housing_for(request.user, pk)
    services.tick(by=request.user, housing=row, key=payload.key, done=payload.done)
    return housing_out(row, full=True)
