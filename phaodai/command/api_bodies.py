"""The committees, duty, hotlines and commendations API (under /api/v1/command), through the same services.

Errors are {"code", "message", "field"?}: 403 for a role without MANAGE_COMMAND, 404 outside the
user's units, 409 for a second standing body of a kind or an overlapping shift, 422 for bad input.
Times must carry their UTC offset (e.g. 2021-09-06T07:00:00+07:00).
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts import selectors as accounts
from phaodai.command import selectors, services
from phaodai.command.models import Commendation, Committee, DutyShift, Hotline, Member
from phaodai.core.clock import now, plausible
from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict

router = Router()
TEXT_MAX = 2000


# Shapes ------------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    full_name: str
    title: str
    position: str
    phone: str
    user: str | None
    order: int


class CommitteeOut(Schema):
    id: int
    unit: str
    kind: str
    name: str
    decision_number: str
    decision_date: date | None
    established_on: date
    dissolved_on: date | None
    complete: bool
    problem: str | None
    members: list[MemberOut]


class CommitteeIn(Strict):
    kind: str = Field(description="steering or command_center")
    established_on: date
    decision_number: str = Field("", max_length=40)
    decision_date: date | None = None
    decision: int | None = Field(None, description="id of a registered decision (optional)")
    name: str = Field("", max_length=300, description="Default: the usual name")


class MemberIn(Strict):
    full_name: str = Field(max_length=120)
    title: str = Field(max_length=200)
    position: str = Field(description="head, chief, deputy, standing or member")
    phone: str = Field("", max_length=20)
    user: str = Field("", max_length=150, description="user name of a linked phaodai user (optional)")
    order: int | None = Field(None, ge=0, le=10000)


class ShiftOut(Schema):
    id: int
    full_name: str
    phone: str
    starts_at: datetime
    ends_at: datetime
    member: int | None


class DutyOut(Schema):
    unit: str
    at: datetime
    on_duty: list[ShiftOut]


class ShiftIn(Strict):
    full_name: str = Field("", max_length=120)
    phone: str = Field("", max_length=20)
    member: int | None = None
    starts_at: datetime
    ends_at: datetime


class HotlineOut(Schema):
    id: int
    unit: str
    label: str
    label_en: str
    number: str
    display: str
    always_open: bool
    hours: str
    published: bool
    order: int


class HotlineIn(Strict):
    label: str = Field(max_length=150)
    label_en: str = Field("", max_length=150)
    number: str = Field(max_length=20)
    always_open: bool = True
    hours: str = Field("", max_length=100)
    published: bool = True
    order: int | None = Field(None, ge=0, le=10000)


class CommendationOut(Schema):
    id: int
    unit: str
    recipient_kind: str
    recipient: str
    reason: str
    decision_number: str
    decision_date: date
    award: str
    published: bool


class CommendationIn(Strict):
    unit: str = Field(max_length=5)
    recipient_kind: str = Field(description="collective, individual or model")
    recipient: str = Field(max_length=300)
    reason: str = Field(max_length=TEXT_MAX)
    decision_number: str = Field(max_length=40)
    decision_date: date
    award: str = Field("", max_length=200)
    published: bool = False


class PublishIn(Strict):
    published: bool


def member_json(m: Member) -> dict[str, Any]:
    return {
        "id": m.pk,
        "full_name": m.full_name,
        "title": m.title,
        "position": m.position,
        "phone": m.phone,
        "user": m.user.username if m.user else None,
        "order": m.order,
    }


def body_json(body: selectors.Body) -> dict[str, Any]:
    c: Committee = body.committee
    return {
        "id": c.pk,
        "unit": c.unit.code,
        "kind": c.kind,
        "name": c.name,
        "decision_number": c.decision_number,
        "decision_date": c.decision_date,
        "established_on": c.established_on,
        "dissolved_on": c.dissolved_on,
        "complete": body.completeness.complete,
        "problem": body.completeness.problem,
        "members": [member_json(m) for m in body.members],
    }


def shift_json(s: DutyShift) -> dict[str, Any]:
    return {
        "id": s.pk,
        "full_name": s.full_name,
        "phone": s.phone,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "member": s.member_id,
    }


def hotline_json(h: Hotline) -> dict[str, Any]:
    return {
        "id": h.pk,
        "unit": h.unit.code,
        "label": h.label,
        "label_en": h.label_en,
        "number": h.number,
        "display": h.number_display,
        "always_open": h.always_open,
        "hours": h.hours,
        "published": h.published,
        "order": h.order,
    }


def commendation_json(c: Commendation) -> dict[str, Any]:
    return {
        "id": c.pk,
        "unit": c.unit.code,
        "recipient_kind": c.recipient_kind,
        "recipient": c.recipient,
        "reason": c.reason,
        "decision_number": c.decision_number,
        "decision_date": c.decision_date,
        "award": c.award,
        "published": c.published,
    }


def _aware(moment: datetime, field: str) -> datetime:
    if timezone.is_naive(moment):
        raise InvalidInput(
            _("Give the time with its UTC offset, e.g. 2021-09-06T07:00:00+07:00."), field=field
        )
    # Years 1 and 9999 with an offset overflow when converted; the clock's range is the plausible one.
    if not 1900 <= moment.year <= 2200 or not plausible(moment):
        raise InvalidInput(_("The time is not plausible."), field=field)
    return moment


def _linked_user(username: str) -> Any:
    if not username.strip():
        return None
    user = accounts.user_by_username(username.strip())
    if user is None:
        raise InvalidInput(_("No active user has this user name."), field="user")
    return user


def _member_changes(payload: MemberIn) -> services.MemberChanges:
    return services.MemberChanges(
        full_name=payload.full_name,
        title=payload.title,
        position=payload.position,
        phone=payload.phone,
        user=_linked_user(payload.user),
        order=payload.order,
    )


def _hotline_changes(payload: HotlineIn) -> services.HotlineChanges:
    return services.HotlineChanges(**payload.dict())


# Committees --------------------------------------------------------------------------------------


@router.get(
    "/units/{code}/committees",
    url_name="command_committees",
    response=list[CommitteeOut],
    summary="A unit's steering committee and command center with their members",
)
def list_committees(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    unit = selectors.unit_for_reading(request.user, code)
    return [body_json(body) for body in selectors.bodies_of(unit)]


@router.post(
    "/units/{code}/committees",
    url_name="command_committees",
    response={201: CommitteeOut},
    summary="Record a body; 409 committee_exists when one of that kind stands",
)
def create_committee(request: HttpRequest, code: str, payload: CommitteeIn) -> tuple[int, dict[str, Any]]:
    unit = selectors.unit_for_managing(request.user, code)
    documents = {d.pk: d for d in selectors.documents_for(unit, request.user)}
    if payload.decision is not None and payload.decision not in documents:
        raise InvalidInput(_("No registered decision of this unit or above has this id."), field="decision")
    created = services.create_committee(
        by=request.user,
        unit=unit,
        kind=payload.kind,
        established_on=payload.established_on,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        decision=documents.get(payload.decision) if payload.decision is not None else None,
        name=payload.name,
    )
    return 201, body_json(selectors.committee_for_reading(request.user, created.pk))


@router.post(
    "/committees/{pk}/members",
    url_name="command_committee_members",
    response={201: MemberOut},
    summary="Seat a member (a missing or second head/chief is reported by the committee's `problem`)",
)
def add_member(request: HttpRequest, pk: int, payload: MemberIn) -> tuple[int, dict[str, Any]]:
    committee = selectors.committee_for_managing(request.user, pk)
    member = services.add_member(by=request.user, committee=committee, changes=_member_changes(payload))
    return 201, member_json(member)


# Duty --------------------------------------------------------------------------------------------


@router.get(
    "/units/{code}/duty",
    url_name="command_duty",
    response=DutyOut,
    summary="Who is on duty for the unit now (or at `at`)",
)
def duty_now(request: HttpRequest, code: str, at: datetime | None = None) -> dict[str, Any]:
    unit = selectors.unit_for_reading(request.user, code)
    moment = _aware(at, "at") if at is not None else now()
    return {
        "unit": unit.code,
        "at": moment,
        "on_duty": [shift_json(s) for s in selectors.on_duty(unit, moment)],
    }


@router.post(
    "/units/{code}/duty",
    url_name="command_duty",
    response={201: ShiftOut},
    summary="Add a duty shift; 409 duty_clash names the overlapping shift of the same person",
)
def add_shift(request: HttpRequest, code: str, payload: ShiftIn) -> tuple[int, dict[str, Any]]:
    unit = selectors.unit_for_managing(request.user, code)
    member = None
    if payload.member is not None:
        member = next((m for m in selectors.members_of(unit) if m.pk == payload.member), None)
        if member is None:
            raise InvalidInput(_("Choose an active member of this unit's bodies."), field="member")
    shift = services.add_duty_shift(
        by=request.user,
        unit=unit,
        member=member,
        full_name=payload.full_name,
        phone=payload.phone,
        starts_at=_aware(payload.starts_at, "starts_at"),
        ends_at=_aware(payload.ends_at, "ends_at"),
    )
    return 201, shift_json(shift)


# Hotlines ----------------------------------------------------------------------------------------


@router.get(
    "/units/{code}/hotlines",
    url_name="command_hotlines",
    response=list[HotlineOut],
    summary="All of a unit's hotlines, published or not",
)
def list_hotlines(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    unit = selectors.unit_for_reading(request.user, code)
    return [hotline_json(h) for h in selectors.hotlines_of(unit)]


@router.post(
    "/units/{code}/hotlines", url_name="command_hotlines", response={201: HotlineOut}, summary="Add a hotline"
)
def add_hotline(request: HttpRequest, code: str, payload: HotlineIn) -> tuple[int, dict[str, Any]]:
    unit = selectors.unit_for_managing(request.user, code)
    hotline = services.add_hotline(by=request.user, unit=unit, changes=_hotline_changes(payload))
    return 201, hotline_json(hotline)


@router.put("/hotlines/{pk}", url_name="command_hotline", response=HotlineOut, summary="Replace a hotline")
def edit_hotline(request: HttpRequest, pk: int, payload: HotlineIn) -> dict[str, Any]:
    hotline = selectors.hotline_for_managing(request.user, pk)
    return hotline_json(
        services.edit_hotline(by=request.user, hotline=hotline, changes=_hotline_changes(payload))
    )


@router.delete("/hotlines/{pk}", url_name="command_hotline", response={204: None}, summary="Remove a hotline")
def delete_hotline(request: HttpRequest, pk: int) -> tuple[int, None]:
    hotline = selectors.hotline_for_managing(request.user, pk)
    services.delete_hotline(by=request.user, hotline=hotline)
    return 204, None


# Commendations -----------------------------------------------------------------------------------


@router.get(
    "/commendations",
    url_name="command_commendations",
    response=list[CommendationOut],
    summary="The register of a unit and the units below it (default: your widest unit)",
)
def list_commendations(request: HttpRequest, unit: str = "", year: int | None = None) -> list[dict[str, Any]]:
    if year is not None and not 1900 <= year <= 2200:
        raise InvalidInput(_("The year is not plausible."), field="year")
    found = (
        selectors.unit_for_reading(request.user, unit) if unit else selectors.default_unit_for(request.user)
    )
    return [commendation_json(c) for c in selectors.commendations_within(found, year=year)]


@router.post(
    "/commendations",
    url_name="command_commendations",
    response={201: CommendationOut},
    summary="Register a commendation",
)
def record_commendation(request: HttpRequest, payload: CommendationIn) -> tuple[int, dict[str, Any]]:
    data = payload.dict()
    unit = selectors.unit_for_managing(request.user, data.pop("unit"))
    return 201, commendation_json(services.record_commendation(by=request.user, unit=unit, **data))


@router.post(
    "/commendations/{pk}/publish",
    url_name="command_commendation_publish",
    response=CommendationOut,
    summary="Publish a commendation on the public pages (published: true) or take it off (false)",
)
def publish_commendation(request: HttpRequest, pk: int, payload: PublishIn) -> dict[str, Any]:
    found = selectors.commendation_for_managing(request.user, pk)
    changed = services.set_commendation_published(
        by=request.user, commendation=found, published=payload.published
    )
    return commendation_json(changed)
