"""The business API: the register, "may we operate?", and the COVID-safety plan workflow.

Through the same services as the pages. Errors are {"code", "message"}: 403 for a role without a
business capability (or a plan outside one's delegation: `outside_delegation`), 404 outside the
user's units or businesses, 409 when the plan moved on (`plan_changed`, `plan_not_open`) or the tax
code is taken, 422 for bad input (`invalid_tax_code`, `sector_forbidden`, `reason_required`…).
Every plan step takes the `version` read last: of two concurrent steps one wins, the other gets 409.
"""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.business import selectors, services
from phaodai.business.models import Business, SafetyPlan
from phaodai.core.clock import FIRST_YEAR, HANOI, LAST_YEAR, now, plausible
from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict
from phaodai.territory import selectors as territory

router = Router(tags=["business"])
TEXT_MAX = 20_000
PlanStatus = Literal["", "draft", "submitted", "returned", "approved", "rejected", "suspended", "revoked"]


class UnitRef(Schema):
    code: str
    name: str


class BusinessOut(Schema):
    id: int
    tax_code: str
    name: str
    kind: str
    sector: str
    address: str
    unit: UnitRef
    area: str | None = Field(description="The residential area's code, if known")
    workforce: int


class BusinessIn(Strict):
    tax_code: str = Field(max_length=20, description="10 digits, or 13 for a branch (0100112437-001)")
    name: str = Field(max_length=300)
    kind: Literal["factory", "industrial_park", "construction", "shop", "restaurant", "office", "other"]
    sector: str = Field(max_length=40, description="A zoning activity code, e.g. factory, takeaway_food")
    address: str = Field(max_length=300)
    unit: str = Field(max_length=5, description="The ward's code, e.g. 00139")
    area: str | None = Field(None, max_length=40, description="A residential area's code, e.g. 00139-TDP01")
    workforce: int = Field(0, ge=0, le=1_000_000)


class VerdictOut(Schema):
    business: int
    at: datetime
    may_operate: bool
    regime: str
    reasons: list[str] = Field(description="Every reason, as sentences")
    codes: list[str] = Field(description="The reasons' stable codes, in the same order")
    conditions: dict[str, Any] = Field(description="The regime's conditions for the sector")


class EventOut(Schema):
    at: datetime
    by: str
    from_status: str
    to_status: str
    note: str


class PlanOut(Schema):
    id: int
    business: int
    business_name: str
    status: str
    approving_unit: UnitRef
    mode: str
    people_on_site: int
    shifts: int
    measures: str
    responsible_person: str
    responsible_phone: str
    conditions: str
    reason: str
    submitted_at: datetime | None
    decided_at: datetime | None
    valid_from: datetime | None
    valid_until: datetime | None
    version: int


class DocumentOut(Schema):
    id: int
    name: str
    uploaded_at: datetime
    url: str = Field(description="Download (signed-in, same scope as the plan)")


class PlanDetailOut(PlanOut):
    events: list[EventOut]
    documents: list[DocumentOut]


class PlanFieldsIn(Strict):
    mode: Literal["3_tai_cho", "1_cung_duong", "normal", "takeaway"]
    people_on_site: int = Field(ge=1, le=100_000)
    shifts: int = Field(1, ge=1, le=100_000)
    measures: str = Field(max_length=TEXT_MAX)
    responsible_person: str = Field(max_length=120)
    responsible_phone: str = Field("", max_length=20)


class PlanUpdateIn(PlanFieldsIn):
    version: int = Field(ge=1)


class VersionIn(Strict):
    version: int = Field(ge=1, description="The plan's version you read (compare-and-set)")


class ApproveIn(VersionIn):
    conditions: str = Field("", max_length=TEXT_MAX)
    valid_from: datetime | None = Field(None, description="Default now; without an offset, Hà Nội time")
    valid_until: datetime | None = Field(None, description="Default: until further notice")


class ReasonIn(VersionIn):
    reason: str = Field(max_length=TEXT_MAX)


class NoteIn(VersionIn):
    note: str = Field("", max_length=TEXT_MAX)


def _unit(unit: Any) -> dict[str, str]:
    return {"code": unit.code, "name": unit.full_name}


def _business(business: Business) -> dict[str, Any]:
    return {
        "id": business.pk,
        "tax_code": business.tax_code,
        "name": business.name,
        "kind": business.kind,
        "sector": business.sector,
        "address": business.address,
        "unit": _unit(business.unit),
        "area": business.area.code if business.area else None,
        "workforce": business.workforce,
    }


def _plan(plan: SafetyPlan) -> dict[str, Any]:
    fields = ("status", "mode", "people_on_site", "shifts", "measures", "responsible_person")
    more = ("responsible_phone", "conditions", "reason", "submitted_at", "decided_at", "valid_from")
    return {
        "id": plan.pk,
        "business": plan.business_id,
        "business_name": plan.business.name,
        "approving_unit": _unit(plan.approving_unit),
        **{name: getattr(plan, name) for name in (*fields, *more, "valid_until", "version")},
    }


def _plan_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    plan = selectors.plan_for(request.user, pk)
    events = [
        {
            "at": e.at,
            "by": e.by.username,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "note": e.note,
        }
        for e in selectors.events_of(plan)
    ]
    documents = [
        {
            "id": d.pk,
            "name": d.name,
            "uploaded_at": d.uploaded_at,
            "url": reverse("business:plan_document", args=[d.pk]),
        }
        for d in selectors.attachments_of(plan)
    ]
    return {**_plan(plan), "events": events, "documents": documents}


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=HANOI)


# Businesses ------------------------------------------------------------------------------------------


@router.get(
    "/businesses",
    url_name="business_list",
    response=list[BusinessOut],
    summary="Businesses we may read, by name (diacritics optional) or tax code",
)
def list_businesses(request: HttpRequest, q: str = "") -> list[dict[str, Any]]:
    selectors.require_reader(request.user)
    return [_business(b) for b in selectors.search_businesses(request.user, q[:200])]


@router.post(
    "/businesses", url_name="business_list", response={201: BusinessOut}, summary="Register a business"
)
def create_business(request: HttpRequest, payload: BusinessIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.MANAGE_BUSINESSES)
    unit = territory.unit_by_code(payload.unit)
    if unit is None:
        raise InvalidInput(field="unit")
    area = None
    if payload.area:
        area = territory.area_by_code(payload.area)
        if area is None:
            raise InvalidInput(field="area")
    business = services.register_business(
        by=request.user,
        tax_code=payload.tax_code,
        name=payload.name,
        kind=payload.kind,
        sector=payload.sector,
        address=payload.address,
        unit=unit,
        area=area,
        workforce=payload.workforce,
    )
    return 201, _business(business)


@router.get("/businesses/{pk}", url_name="business_detail", response=BusinessOut, summary="A business")
def get_business(request: HttpRequest, pk: int) -> dict[str, Any]:
    selectors.require_reader(request.user)
    return _business(selectors.business_for(request.user, pk))


@router.get(
    "/businesses/{pk}/may-operate",
    url_name="business_may_operate",
    response=VerdictOut,
    summary="May the business operate at `at` (default now)?",
    description="The regime in force allows its sector then AND, where required, an approved plan is "
    "in force. `at` without an offset is Hà Nội time.",
)
def may_operate(request: HttpRequest, pk: int, at: datetime | None = None) -> dict[str, Any]:
    selectors.require_reader(request.user)
    business = selectors.business_for(request.user, pk)
    moment = _aware(at) or now()
    if not plausible(moment):
        raise InvalidInput(
            _("Ask about a moment between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            field="at",
        )
    answer = selectors.operating_answer(business, moment)
    return {
        "business": business.pk,
        "at": moment,
        "may_operate": answer.may_operate,
        "regime": answer.regime,
        "reasons": list(answer.reasons),
        "codes": [code for code, _values in answer.verdict.reasons],
        "conditions": dict(answer.verdict.conditions),
    }


# Plans -----------------------------------------------------------------------------------------------


@router.get("/plans", url_name="business_plans", response=list[PlanOut], summary="Plans we may read")
def list_plans(request: HttpRequest, status: PlanStatus = "") -> list[dict[str, Any]]:
    selectors.require_reader(request.user)
    return [_plan(p) for p in selectors.plans_filtered(request.user, status)[:500]]


@router.post(
    "/businesses/{pk}/plans",
    url_name="business_plan_create",
    response={201: PlanDetailOut},
    summary="Draft the business's plan (its representative, or an officer on its behalf)",
)
def create_plan(request: HttpRequest, pk: int, payload: PlanFieldsIn) -> tuple[int, dict[str, Any]]:
    selectors.require_reader(request.user)
    business = selectors.business_for(request.user, pk)
    plan = services.draft_plan(by=request.user, business=business, **payload.dict())
    return 201, _plan_detail(request, plan.pk)


@router.get("/plans/{pk}", url_name="business_plan", response=PlanDetailOut, summary="A plan with its steps")
def get_plan(request: HttpRequest, pk: int) -> dict[str, Any]:
    selectors.require_reader(request.user)
    return _plan_detail(request, pk)


@router.put("/plans/{pk}", url_name="business_plan", response=PlanDetailOut, summary="Change a draft")
def update_plan(request: HttpRequest, pk: int, payload: PlanUpdateIn) -> dict[str, Any]:
    selectors.require_reader(request.user)
    plan = selectors.plan_for(request.user, pk)
    fields = payload.dict(exclude={"version"})
    services.update_draft(by=request.user, plan=plan, version=payload.version, **fields)
    return _plan_detail(request, pk)


@router.post("/plans/{pk}/submit", url_name="business_plan_submit", response=PlanDetailOut, summary="Submit")
def submit_plan(request: HttpRequest, pk: int, payload: VersionIn) -> dict[str, Any]:
    selectors.require_reader(request.user)
    plan = selectors.plan_for(request.user, pk)
    services.submit_plan(by=request.user, plan=plan, version=payload.version)
    return _plan_detail(request, pk)


def _approver_plan(request: HttpRequest, pk: int) -> SafetyPlan:
    require_perm(request.user, Perm.APPROVE_PLANS)
    return selectors.plan_for(request.user, pk)


@router.post(
    "/plans/{pk}/approve",
    url_name="business_plan_approve",
    response=PlanDetailOut,
    summary="Approve with conditions and a validity period",
)
def approve_plan(request: HttpRequest, pk: int, payload: ApproveIn) -> dict[str, Any]:
    services.approve_plan(
        by=request.user,
        plan=_approver_plan(request, pk),
        conditions=payload.conditions,
        valid_from=_aware(payload.valid_from),
        valid_until=_aware(payload.valid_until),
        version=payload.version,
    )
    return _plan_detail(request, pk)


def _reasoned(request: HttpRequest, pk: int, payload: ReasonIn, step: Any) -> dict[str, Any]:
    step(by=request.user, plan=_approver_plan(request, pk), reason=payload.reason, version=payload.version)
    return _plan_detail(request, pk)


@router.post(
    "/plans/{pk}/return",
    url_name="business_plan_return",
    response=PlanDetailOut,
    summary="Return for changes",
)
def return_plan(request: HttpRequest, pk: int, payload: ReasonIn) -> dict[str, Any]:
    return _reasoned(request, pk, payload, services.return_plan)


@router.post("/plans/{pk}/reject", url_name="business_plan_reject", response=PlanDetailOut, summary="Reject")
def reject_plan(request: HttpRequest, pk: int, payload: ReasonIn) -> dict[str, Any]:
    return _reasoned(request, pk, payload, services.reject_plan)


@router.post(
    "/plans/{pk}/suspend", url_name="business_plan_suspend", response=PlanDetailOut, summary="Suspend"
)
def suspend_plan(request: HttpRequest, pk: int, payload: ReasonIn) -> dict[str, Any]:
    return _reasoned(request, pk, payload, services.suspend_plan)


@router.post("/plans/{pk}/revoke", url_name="business_plan_revoke", response=PlanDetailOut, summary="Revoke")
def revoke_plan(request: HttpRequest, pk: int, payload: ReasonIn) -> dict[str, Any]:
    return _reasoned(request, pk, payload, services.revoke_plan)


@router.post(
    "/plans/{pk}/reinstate", url_name="business_plan_reinstate", response=PlanDetailOut, summary="Reinstate"
)
def reinstate_plan(request: HttpRequest, pk: int, payload: NoteIn) -> dict[str, Any]:
    services.reinstate_plan(
        by=request.user, plan=_approver_plan(request, pk), note=payload.note, version=payload.version
    )
    return _plan_detail(request, pk)
