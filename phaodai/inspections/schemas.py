"""The inspections API's input and output schemas; inputs refuse unknown fields and unstorable text."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StrictBool

from phaodai.core.schemas import Strict

TEXT_MAX = 20_000
TargetKindName = Literal["business", "market", "checkpoint", "vaccination_site", "residential_area"]
StatusName = Literal["planned", "in_progress", "done", "cancelled"]
UnitCode = Annotated[str, Field(max_length=5, description="A unit's GSO code, e.g. 004 or 00139")]
Measure = Annotated[str, Field(max_length=20)]
MAX_ID = 2**63 - 1  # a larger id names no row (and overflows the database's integer)
# Large enough for any real fine; a larger number is a typing mistake, not a fine outside the band.
FINE_LIMIT = 10**12


# Input -------------------------------------------------------------------------------------------


class MemberIn(Strict):
    name: str = Field(max_length=120)
    title: str = Field("", max_length=200, description="Position and agency")
    role: Literal["leader", "deputy", "member"] = "member"
    username: str | None = Field(
        None, max_length=150, description="The member's account, when they sign in to record inspections"
    )


class TeamIn(Strict):
    name: str = Field(max_length=200)
    level: Literal["city", "district", "interdisciplinary"]
    decision_number: str = Field(max_length=60, description="e.g. 1103-QĐ/TU")
    decision_date: date
    home_unit: UnitCode = Field(description="The unit that set the team up: the city, or a district")
    area_units: list[UnitCode] = Field(max_length=100, description="The units of its area of work")
    members: list[MemberIn] = Field(default_factory=list, max_length=100)
    active_from: datetime = Field(description="Without an offset, Hà Nội time")
    active_until: datetime | None = None


class PlanIn(Strict):
    target_kind: TargetKindName
    business: int | None = Field(None, ge=1, le=MAX_ID, description="For a business: its id")
    unit: UnitCode | None = Field(None, description="For any other target: its ward's code")
    area: str | None = Field(None, max_length=40, description="A residential area's code, e.g. 00139-TDP01")
    label: str = Field("", max_length=300, description="The place inspected, e.g. Chợ Bồ Đề")
    surprise: bool = Field(False, description="A surprise inspection is not announced")
    scheduled_at: datetime | None = Field(None, description="Default now; without an offset, Hà Nội time")


class ReinspectionIn(Strict):
    team: int | None = Field(None, ge=1, le=MAX_ID, description="Default: the team of the failed inspection")
    surprise: bool = False
    scheduled_at: datetime | None = Field(None, description="Default now; without an offset, Hà Nội time")


class VersionIn(Strict):
    version: int = Field(ge=1, le=MAX_ID, description="The inspection's version you read (compare-and-set)")


class CancelIn(VersionIn):
    reason: str = Field(max_length=2000)


class FinishIn(VersionIn):
    summary: str = Field("", max_length=TEXT_MAX)


class FindingIn(Strict):
    item_code: str = Field(max_length=40, description="A code of the inspection's checklist")
    ok: StrictBool
    note: str = Field("", max_length=4000)


class FindingsIn(Strict):
    findings: list[FindingIn] = Field(min_length=1, max_length=50)


class FindingPhotoIn(Strict):
    item_code: str = Field(max_length=40)
    ok: bool
    note: str = Field("", max_length=4000)


class ViolationIn(Strict):
    kind: str = Field(max_length=40, description="A violation kind's code (see /violation-kinds)")
    offender: Literal["person", "organisation"]
    offender_name: str = Field(max_length=300)
    fine_amount: int = Field(0, ge=0, le=FINE_LIMIT, description="VND; 0 with a warning")
    measures: list[Measure] = Field(max_length=4, description="Of warning, fine, suspension, closure")
    decision_number: str = Field(max_length=60, description="The sanction decision, e.g. 25/QĐ-XPHC")
    responsible_person: str = Field("", max_length=120, description="The head who answers for it")


class InspectionQuery(Schema):
    status: StatusName | None = None
    kind: TargetKindName | None = Field(None, description="The kind of target")
    surprise: bool | None = None
    team: int | None = Field(None, ge=1, le=MAX_ID)
    business: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(100, ge=1, le=500)


class AccountabilityQuery(Schema):
    unit: UnitCode
    from_: str = Field("", alias="from", max_length=20, description="First day, YYYY-MM-DD or dd/mm/yyyy")
    to: str = Field("", max_length=20, description="Last day (included); default today")


# Output ------------------------------------------------------------------------------------------


class UnitRef(Schema):
    code: str
    name: str


class TeamRef(Schema):
    id: int
    name: str


class MemberOut(Schema):
    name: str
    title: str
    role: str
    username: str | None


class TeamOut(Schema):
    id: int
    name: str
    level: str
    decision_number: str
    decision_date: date
    home_unit: UnitRef
    area: list[UnitRef]
    active_from: datetime
    active_until: datetime | None


class TeamDetailOut(TeamOut):
    members: list[MemberOut]


class ChecklistItemOut(Schema):
    code: str
    text: str
    text_en: str


class ChecklistOut(Schema):
    code: str
    version: int
    title: str
    title_en: str
    items: list[ChecklistItemOut]


class FindingOut(Schema):
    item_code: str
    ok: bool
    note: str
    has_photo: bool
    recorded_by: str


class ViolationOut(Schema):
    id: int
    inspection: int
    kind: str
    kind_description: str
    kind_description_en: str
    legal_basis: str
    offender: str
    offender_name: str
    fine_amount: int
    measures: list[str]
    decision_number: str
    responsible_person: str
    decided_at: datetime
    decided_by: str
    plan_suspended: bool
    reinspect_by: datetime | None


class InspectionOut(Schema):
    id: int
    team: TeamRef
    target_kind: str
    business: int | None
    unit: UnitRef
    area: str | None = Field(description="The residential area's code, if any")
    target_label: str
    surprise: bool
    follow_up_of: int | None
    scheduled_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    status: str
    result: str = Field(description="pass or fail once done, else empty")
    summary: str
    version: int


class InspectionDetailOut(InspectionOut):
    checklist: ChecklistOut
    findings: list[FindingOut]
    violations: list[ViolationOut]
    business_closed: bool | None = Field(description="For a business: whether a closure keeps it shut")


class BandOut(Schema):
    low: int
    high: int


class ViolationKindOut(Schema):
    code: str
    description: str
    description_en: str
    legal_basis: str
    person_band: BandOut = Field(description="VND, for an individual")
    organisation_band: BandOut = Field(description="VND, for an organisation")
    measures: list[str]
    suspends_plan: bool
    to_verify: bool = Field(description="The band or basis still awaits checking against the decree")
    note: str


class KindTotalOut(Schema):
    kind: str
    description: str
    count: int
    fines: int


class RepeatOffenderOut(Schema):
    target: str = Field(description="business:<id>, or the place's unit, area and label")
    label: str
    unit: str
    violations: int
    responsible_persons: list[str]


class RepeatUnitOut(Schema):
    unit: str
    violations: int


class AccountabilityOut(Schema):
    unit: UnitRef
    from_: date = Field(alias="from")
    to: date
    inspections_done: int
    passed: int
    failed: int
    violations: int
    by_kind: list[KindTotalOut]
    fines_total: int
    closures: int = Field(description="Closures ordered in the period")
    still_closed: int = Field(description="Closures still in force at the period's end")
    overdue: list[int] = Field(description="Violations whose re-inspection is overdue at the period's end")
    repeat_offenders: list[RepeatOffenderOut]
    repeat_units: list[RepeatUnitOut] = Field(description="Units whose heads answer for repeated violations")


class OverdueOut(Schema):
    violation: int
    inspection: int
    team: TeamRef
    target_label: str
    kind: str
    decision_number: str
    decided_at: datetime
    reinspect_by: datetime
