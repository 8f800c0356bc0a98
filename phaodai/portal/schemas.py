"""The public API's shapes (OpenAPI at /api/v1/openapi.json). Instants are ISO 8601 with Hà Nội's offset."""

from typing import Any, Literal

from ninja import Schema
from pydantic import Field

Status = Literal["allowed", "conditional", "forbidden"]


class RegimeRef(Schema):
    code: str
    name: str
    short_name: str
    basis: str
    to_verify: bool


class DecisionRef(Schema):
    id: int
    number: str
    title: str
    issued_by: str
    issued_by_code: str
    signatory: str
    effective_at: str


class DecisionBrief(DecisionRef):
    issued_at: str
    supersedes_within: bool


class ActivityOut(Schema):
    code: str
    name: str
    group: str
    status: Status
    conditions: dict[str, Any] = Field(description="structured conditions: max_people, closes_at…")
    conditions_text: list[str] = Field(description="the conditions in words, in the request's language")
    note: str
    to_verify: bool = Field(description="the rule rests on a source still to be verified")
    basis: str = Field(description="legal basis of the regime the rule comes from")
    from_regime: str = Field(description="the regime the rule comes from (itself or one it extends)")


class RegimeAnswer(Schema):
    at: str
    level: str | None = Field(description="level code; null when the assignment has no level")
    level_name: str | None = Field(description="level name, or the regime's short name without a level")
    colour: str | None
    regime: RegimeRef | None
    since: str | None
    until: str | None
    decision: DecisionBrief | None
    reason: str
    activities: list[ActivityOut]
    message: str | None = Field(description="set when no regime is in force here at `at`")


class UnitRef(Schema):
    code: str
    name: str


class AreaRegimeOut(RegimeAnswer):
    area: str
    area_name: str
    unit_path: str = Field(description="materialised path of the area's ward, e.g. /01/004/00139/")
    ward: UnitRef


class UnitRegimeOut(RegimeAnswer):
    unit: str
    unit_name: str
    unit_level: str
    unit_path: str
    areas: dict[str, int] = Field(description="active areas per level code (regime code without a level)")


class PlaceOut(Schema):
    kind: Literal["unit", "area"]
    code: str
    name: str
    level: str
    within: str


class LevelOut(Schema):
    code: str
    name: str
    severity: int
    colour: str
    regime: RegimeRef


class ConditionOut(Schema):
    indicator: str
    op: str
    value: Any
    text: str


class RowOut(Schema):
    label: str
    level: str
    conditions: list[ConditionOut]
    text: str
    logic: dict[str, Any]


class TableBrief(Schema):
    code: str
    version: int
    name: str
    issued_by: str
    issued_by_code: str
    basis: str
    valid_from: str
    valid_until: str | None


class TableOut(TableBrief):
    levels: list[LevelOut]
    rows: list[RowOut] = Field(description="most severe level first; rows of a level mean any of them")
    modifiers: list[dict[str, Any]]
    modifiers_text: list[str]
    default_level: str
    indicators: list[str]
    compiled: dict[str, Any] = Field(description="the published JsonLogic form")


class EvaluationOut(Schema):
    table: str
    version: int
    level: str
    level_name: str
    severity: int
    matched_row: str | None
    rule: str
    values: dict[str, Any]
    missing: list[str]
    held_by: str | None


class AssignmentOut(Schema):
    kind: Literal["unit", "area"]
    code: str
    name: str
    level: str | None
    level_name: str | None
    regime: str
    effective_from: str
    effective_until: str | None
    reason: str


class DecisionOut(DecisionBrief):
    assignments: list[AssignmentOut]


class RegimeBrief(RegimeRef):
    short_name: str
    extends: str | None
    summary: str


class RegimeOut(RegimeBrief):
    rules: list[ActivityOut]
