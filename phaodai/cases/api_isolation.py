"""The cases API (isolation), mounted at /api/v1/isolation: orders, their transitions, daily checks, the
worklist and those lost to follow-up.

Through the same services as the pages. Errors are {"code", "message"}: 403 for a role that does not
order isolation (`facility_needs_admitter` for a facility order by a role that does not admit), 404
outside the user's jurisdiction, 409 for a state that refuses (`isolation_order_open` with
`existing_order`, `facility_full` with `alternatives`, `isolation_order_changed`,
`isolation_order_closed`, `follow_up_recorded` with `existing_follow_up`), 422 for bad input. A CCCD
travels in a body, never in a URL, and never comes back: a person is their id and a masked name.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import model_validator

from phaodai.accounts.roles import Perm
from phaodai.cases import isolation
from phaodai.cases import isolation_selectors as selectors
from phaodai.cases.isolation_errors import UnknownPerson
from phaodai.cases.models import FollowUp, IsolationOrder
from phaodai.cases.selectors import case_for
from phaodai.core.clock import FIRST_YEAR, HANOI, LAST_YEAR, local_date, now
from phaodai.core.errors import InvalidInput
from phaodai.core.jurisdiction import covers, log_out_of_scope
from phaodai.core.schemas import Strict
from phaodai.core.text import mask_name
from phaodai.territory import selectors as territory

router = Router(tags=["isolation"])
Subject = Literal["F0", "F1", "F2", "other"]
SettingName = Literal["home", "facility", "hospital"]
StatusName = Literal["active", "monitoring", "released", "cancelled"]
RoomKind = Literal["male", "female", "family"]
Result = Literal["well", "symptoms", "unreachable"]
SymptomName = Literal[
    "fever", "cough", "sore_throat", "breathless", "taste_smell", "fatigue", "aches", "diarrhoea", "other"
]


class PersonRef(Schema):
    id: str
    name: str = Field(description="Family name and initials")


class AreaRef(Schema):
    code: str
    name: str
    ward: str


class OrderOut(Schema):
    id: int
    person: PersonRef
    subject: str
    setting: str
    status: str
    case: int | None = Field(description="The F0's own case, or the case a contact was traced from")
    starts_at: datetime
    isolation_ends_at: datetime = Field(description="Planned, from the rule in force on the first day")
    monitoring_ends_at: datetime
    tests_due: list[date]
    released_at: datetime | None
    release_decision: str
    facility_admission: int | None = Field(description="The quarantine admission carrying out the order")
    area: AreaRef = Field(description="Where the person is followed")
    rule: str
    version: int = Field(description="Send it back with a change (compare-and-set)")


class OrdersPageOut(Schema):
    items: list[OrderOut]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last")


class OrderIn(Strict):
    cccd: str | None = Field(None, max_length=20, description="The person's citizen ID")
    person_id: UUID | None = Field(None, description="Or the person's id (from a case or tracing answer)")
    case_id: int | None = Field(None, ge=1, description="Or, for an F0, their case")
    subject: Subject
    setting: SettingName
    starts_at: datetime | None = Field(None, description="Default now; without an offset, Hà Nội time")
    facility_id: int | None = Field(None, ge=1, description="For setting facility: the quarantine facility")
    room_kind: RoomKind | None = Field(None, description="Default: the rooms of the person's sex")
    area: str | None = Field(
        None, max_length=40, description="Where followed; default where the person lives"
    )

    @model_validator(mode="after")
    def _someone(self) -> "OrderIn":
        if not (self.cccd or self.person_id or self.case_id):
            raise ValueError("Give the person's cccd, person_id or (for an F0) case_id.")
        return self


class MonitoringIn(Strict):
    at: datetime | None = Field(None, description="Default now")
    version: int | None = Field(None, ge=1)


class ReleaseIn(Strict):
    decision: str = Field(max_length=isolation.DECISION_MAX, description="The release decision's number")
    released_at: datetime | None = Field(None, description="Default now; without an offset, Hà Nội time")
    reason: str = Field(
        "", max_length=isolation.REASON_MAX, description="Required before the isolation's end"
    )
    version: int | None = Field(None, ge=1)


class CancelIn(Strict):
    reason: str = Field(max_length=isolation.REASON_MAX)
    version: int | None = Field(None, ge=1)


class FollowUpIn(Strict):
    day: date
    result: Result
    symptoms: list[SymptomName] = Field(default_factory=list)
    temperature: Decimal | None = Field(None, ge=isolation.LOWEST, le=isolation.HIGHEST, description="°C")
    note: str = Field("", max_length=isolation.NOTE_MAX)


class FollowUpOut(Schema):
    id: int
    day: date
    result: str
    symptoms: list[str]
    temperature: Decimal | None
    note: str
    checked_at: datetime
    checked_by: str


class WorkItemOut(Schema):
    order: int
    person: PersonRef
    phone: str
    subject: str
    setting: str
    phase: str = Field(description="isolation (at home) or monitoring")
    day_number: int = Field(description="The order's day, 1 the first")
    test_due: bool
    checked: str | None = Field(description="The day's check result, once recorded")
    lost: str | None = Field(description="not_checked or unreachable when lost to follow-up")
    next_step: str = Field(
        description="monitoring or release when due; left_facility when the facility discharged the person "
        "before the isolation's end (release, or keep following at home); else empty"
    )
    left_facility_at: datetime | None = Field(
        None, description="When the facility discharged the person, for a facility order still open"
    )


class AreaWorkOut(Schema):
    area: AreaRef
    items: list[WorkItemOut]


class AreaCountOut(Schema):
    code: str
    name: str
    ward: str
    people: int


class WorklistOut(Schema):
    day: date
    too_many: bool = Field(description="True when the list is too long without an area: pick one")
    area_counts: list[AreaCountOut]
    areas: list[AreaWorkOut]


class CountsOut(Schema):
    day: date
    counts: dict[str, int] = Field(description="People isolated at the end of the day: home, facility…")


# Shapes ----------------------------------------------------------------------------------------------


def _person(person: Any) -> dict[str, str]:
    return {"id": str(person.pk), "name": mask_name(person.full_name)}


def _area(area: Any) -> dict[str, str]:
    return {"code": area.code, "name": area.name, "ward": area.ward.full_name}


def _order(order: IsolationOrder) -> dict[str, Any]:
    return {
        **{
            name: getattr(order, name)
            for name in (
                "id",
                "subject",
                "setting",
                "status",
                "starts_at",
                "isolation_ends_at",
                "monitoring_ends_at",
                "released_at",
                "release_decision",
                "version",
            )
        },
        "person": _person(order.person),
        "case": order.case_id,
        "tests_due": list(selectors.tests_due(order)),
        "facility_admission": int(order.facility_ref)
        if order.facility_ref.isascii() and order.facility_ref.isdigit()
        else None,
        "area": _area(order.area),
        "rule": order.rule.code,
    }


def _follow_up(check: FollowUp) -> dict[str, Any]:
    return {
        **{name: getattr(check, name) for name in ("id", "day", "result", "symptoms", "temperature", "note")},
        "checked_at": check.checked_at,
        "checked_by": check.checked_by.username,
    }


def _work_item(item: selectors.WorkItem) -> dict[str, Any]:
    order = item.order
    return {
        "order": order.pk,
        "person": _person(order.person),
        "phone": order.person.phone,
        "subject": order.subject,
        "setting": order.setting,
        "phase": item.phase,
        "day_number": item.day_number,
        "test_due": item.test_due,
        "checked": item.check.result if item.check else None,
        "lost": item.lost,
        "next_step": item.next_step,
        "left_facility_at": item.left_facility_at,
    }


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=HANOI)


def _isolator(request: HttpRequest) -> Any:
    selectors.require_isolator(request.user)
    return request.user


# Orders ----------------------------------------------------------------------------------------------


@router.get(
    "/orders", url_name="isolation_orders", response=OrdersPageOut, summary="Orders we see, latest first"
)
def list_orders(
    request: HttpRequest, status: StatusName | None = None, after: int | None = None, limit: int = 50
) -> dict[str, Any]:
    page = selectors.orders_page(_isolator(request), status or "", after, limit)
    return {"items": [_order(order) for order in page.items], "next_after": page.next_after}


def _target(user: Any, payload: OrderIn) -> tuple[Any, Any]:
    if payload.case_id:
        case = case_for(user, payload.case_id)
        return case.person, case
    if payload.person_id:
        return selectors.person_to_isolate(user, payload.person_id), None
    person = selectors.person_by_cccd(user, payload.cccd or "")
    if person is None:
        raise UnknownPerson(field="cccd")
    return person, None


def _followed_area(code: str | None) -> Any:
    if not code:
        return None
    area = territory.area_by_code(code.strip())
    if area is None:
        raise InvalidInput(field="area")
    return area


@router.post(
    "/orders",
    url_name="isolation_orders",
    response={200: OrderOut, 201: OrderOut},
    summary="Order isolation (201; a retry with the same Idempotency-Key, or the same facts, 200)",
)
def create_order(request: HttpRequest, payload: OrderIn) -> tuple[int, dict[str, Any]]:
    user = _isolator(request)
    person, case = _target(user, payload)
    order, created = isolation.order_isolation(
        by=user,
        person=person,
        subject=payload.subject,
        setting=payload.setting,
        starts_at=_aware(payload.starts_at),
        case=case,
        facility=selectors.facility_to_admit(user, payload.facility_id) if payload.facility_id else None,
        area=_followed_area(payload.area),
        room_kind=payload.room_kind,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    return (201 if created else 200), _order(selectors.order_for(user, order.pk))


@router.get(
    "/orders/{pk}", url_name="isolation_order", response=OrderOut, summary="An order with its schedule"
)
def get_order(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _order(selectors.order_for(_isolator(request), pk))


@router.post(
    "/orders/{pk}/monitoring",
    url_name="isolation_order_monitoring",
    response=OrderOut,
    summary="The isolation is over: monitor at home (a facility stay is discharged)",
)
def start_monitoring(request: HttpRequest, pk: int, payload: MonitoringIn) -> dict[str, Any]:
    user = _isolator(request)
    order = selectors.order_for(user, pk)
    isolation.move_to_monitoring(by=user, order=order, at=_aware(payload.at), version=payload.version)
    return _order(selectors.order_for(user, pk))


@router.post(
    "/orders/{pk}/release",
    url_name="isolation_order_release",
    response=OrderOut,
    summary="Release with a decision; before the isolation's planned end only with a reason",
)
def release_order(request: HttpRequest, pk: int, payload: ReleaseIn) -> dict[str, Any]:
    user = _isolator(request)
    order = selectors.order_for(user, pk)
    isolation.release(
        by=user,
        order=order,
        decision=payload.decision,
        released_at=_aware(payload.released_at),
        reason=payload.reason,
        version=payload.version,
    )
    return _order(selectors.order_for(user, pk))


@router.post(
    "/orders/{pk}/cancel",
    url_name="isolation_order_cancel",
    response=OrderOut,
    summary="Cancel an order given by mistake",
)
def cancel_order(request: HttpRequest, pk: int, payload: CancelIn) -> dict[str, Any]:
    user = _isolator(request)
    order = selectors.order_for(user, pk)
    isolation.cancel(by=user, order=order, reason=payload.reason, version=payload.version)
    return _order(selectors.order_for(user, pk))


# Checks ----------------------------------------------------------------------------------------------


@router.get(
    "/orders/{pk}/follow-ups",
    url_name="isolation_follow_ups",
    response=list[FollowUpOut],
    summary="The daily checks",
)
def list_follow_ups(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    order = selectors.order_for(_isolator(request), pk)
    return [_follow_up(check) for check in selectors.follow_ups_of(order)]


@router.post(
    "/orders/{pk}/follow-ups",
    url_name="isolation_follow_ups",
    response={200: FollowUpOut, 201: FollowUpOut},
    summary="Record a day's check (201; the same check again 200; a different one 409 follow_up_recorded)",
)
def record_follow_up(request: HttpRequest, pk: int, payload: FollowUpIn) -> tuple[int, dict[str, Any]]:
    user = _isolator(request)
    order = selectors.order_for(user, pk)
    check, created = isolation.record_follow_up(by=user, order=order, **payload.dict())
    return (201 if created else 200), _follow_up(check)


def _day(day: date | None) -> date:
    """The day asked about (default today); a year outside those phaodai reasons about is refused."""
    if day is None:
        return local_date(now())
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            _("Give a day between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            field="day",
        )
    return day


def _scoped_area(user: Any, code: str) -> Any:
    if not code:
        return None
    area = territory.area_by_code(code.strip()[:40])
    if area is None:
        raise Http404
    if not covers(user, area.path, Perm.ORDER_ISOLATION):
        log_out_of_scope(user, "territory.area", area.code, area.path)
        raise Http404
    return area


@router.get(
    "/worklist",
    url_name="isolation_worklist",
    response=WorklistOut,
    summary="The people to check on a day (default today), by residential area",
)
def worklist(request: HttpRequest, day: date | None = None, area: str = "") -> dict[str, Any]:
    user = _isolator(request)
    day = _day(day)
    chosen = _scoped_area(user, area)
    counts = selectors.worklist_areas(user, day)
    too_many = chosen is None and sum(row.people for row in counts) > selectors.WORKLIST_MAX
    groups = [] if too_many else selectors.worklist(user, day, chosen)
    return {
        "day": day,
        "too_many": too_many,
        "area_counts": [vars(row) for row in counts],
        "areas": [{"area": _area(g.area), "items": [_work_item(i) for i in g.items]} for g in groups],
    }


@router.get(
    "/lost",
    url_name="isolation_lost",
    response=list[WorkItemOut],
    summary="Open orders whose person was not checked for 2 days running, or was unreachable twice",
)
def lost(request: HttpRequest, day: date | None = None) -> list[dict[str, Any]]:
    user = _isolator(request)
    return [_work_item(item) for item in selectors.lost_to_follow_up(user, _day(day))]


@router.get(
    "/counts",
    url_name="isolation_counts",
    response=CountsOut,
    summary="People isolated at the end of a day in our wards, by kind (home, facility, hospital…)",
)
def counts(request: HttpRequest, day: date | None = None) -> dict[str, Any]:
    user = _isolator(request)
    day = _day(day)
    return {"day": day, "counts": selectors.isolation_counts_for(user, day)}
