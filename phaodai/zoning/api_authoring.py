"""The authoring API: criteria tables (list, read, draft, publish) and indicator values, for officials."""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import HANOI
from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict
from phaodai.territory import selectors as territory
from phaodai.zoning import rules, selectors
from phaodai.zoning.authoring import (
    IndicatorEntry,
    LevelInput,
    RowInput,
    enter_indicators,
    publish_table,
    save_draft_table,
)
from phaodai.zoning.errors import IndicatorInvalid, criteria_message
from phaodai.zoning.forms_authoring import level_initial, rows_of
from phaodai.zoning.models import CriteriaTable
from phaodai.zoning.selectors import authoring_units

router = Router(tags=["zoning"])
MAX_ENTRIES = 20_000


class ConditionIO(Strict):
    indicator: str = Field(max_length=40)
    op: str = Field(max_length=2)
    value: bool | int | float | str


class LevelIO(Strict):
    severity: int
    code: str = Field(max_length=20)
    name: str = Field(max_length=100)
    name_en: str = Field("", max_length=100)
    colour: str = Field(max_length=7, description="#rrggbb")
    regime: str = Field(max_length=20, description="Code of the default measure regime, e.g. CT15")


class RowIO(Strict):
    label: str = Field(max_length=40)
    level: str = Field(max_length=20, description="Code of one of the table's levels")
    conditions: list[ConditionIO] = Field(max_length=20)


class ModifierIO(Strict):
    kind: str = Field(max_length=40, description="no_downgrade_unless")
    indicator: str = Field(max_length=40, description="A yes/no indicator, e.g. treatment_capacity_met")


class TableIn(Strict):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    basis: str = Field(max_length=300)
    valid_from: datetime = Field(description="ISO 8601; without an offset, Hà Nội time")
    valid_until: datetime | None = None
    issued_by: str | None = Field(None, description="Unit code; defaults to the author's only unit")
    levels: list[LevelIO] = Field(max_length=20)
    rows: list[RowIO] = Field(max_length=200)
    modifiers: list[ModifierIO] = Field(default_factory=list, max_length=5)


class TableBrief(Schema):
    id: int
    code: str
    version: int
    name: str
    issued_by: str
    status: str
    valid_from: datetime
    valid_until: datetime | None
    published_at: datetime | None


class TableOut(TableBrief):
    name_en: str
    basis: str
    levels: list[LevelIO]
    rows: list[RowIO]
    modifiers: list[ModifierIO]
    compiled: dict[str, Any]


class IndicatorIO(Strict):
    area: str = Field(max_length=40, description="Area code, e.g. 00139-TDP01")
    indicator: str = Field(max_length=40)
    value: bool | int | float | str


class IndicatorsIn(Strict):
    as_of: datetime = Field(
        description="When the values were observed; ISO 8601, without an offset Hà Nội time"
    )
    values: list[IndicatorIO] = Field(min_length=1, max_length=MAX_ENTRIES)


class IndicatorsOut(Schema):
    as_of: datetime
    saved: int
    values: list[IndicatorIO]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=HANOI)


def _brief(table: CriteriaTable) -> dict[str, Any]:
    return {
        "id": table.pk,
        "code": table.code,
        "version": table.version,
        "name": table.name,
        "issued_by": table.issued_by.code,
        "status": table.status,
        "valid_from": table.valid_from,
        "valid_until": table.valid_until,
        "published_at": table.published_at,
    }


def _out(table: CriteriaTable) -> dict[str, Any]:
    # The same level facts the authoring form starts from.
    levels = level_initial(selectors.levels_of(table))
    rows = [{"label": r.label, "level": r.level, "conditions": r.conditions} for r in rows_of(table)]
    return {
        **_brief(table),
        "name_en": table.name_en,
        "basis": table.basis,
        "levels": levels,
        "rows": rows,
        "modifiers": table.modifiers,
        "compiled": table.compiled,
    }


def _table(request: HttpRequest, table_id: int) -> CriteriaTable:
    require_perm(request.user, Perm.AUTHOR_CRITERIA)
    return selectors.table_for(request.user, table_id)


def _save(request: HttpRequest, payload: TableIn, table: CriteriaTable | None = None) -> CriteriaTable:
    if table is not None:
        issuer = table.issued_by
        if payload.issued_by not in (None, issuer.code):
            raise InvalidInput(_("The issuing unit of a table cannot be changed."), field="issued_by")
    else:
        issuer = _issuer(request, payload.issued_by)
    valid_from = _aware(payload.valid_from)
    assert valid_from is not None
    return save_draft_table(
        by=request.user,
        issuer=issuer,
        code=payload.code,
        name=payload.name,
        name_en=payload.name_en,
        basis=payload.basis,
        valid_from=valid_from,
        valid_until=_aware(payload.valid_until),
        levels=[
            LevelInput(lv.severity, lv.code, lv.name, lv.name_en, lv.colour, lv.regime)
            for lv in payload.levels
        ],
        rows=[
            RowInput(row.label, row.level, [c.model_dump() for c in row.conditions]) for row in payload.rows
        ],
        modifiers=[m.model_dump() for m in payload.modifiers],
        table=table,
    )


def _issuer(request: HttpRequest, code: str | None) -> Any:
    require_perm(request.user, Perm.AUTHOR_CRITERIA)
    units = authoring_units(request.user)
    if code is None:
        if len(units) != 1:
            raise InvalidInput(_("Name the issuing unit (issued_by)."), field="issued_by")
        return units[0]
    unit = territory.unit_by_code(code)
    if unit is None:
        raise Http404
    return unit  # the service answers 404 (logged) for a unit outside the author's


@router.get("/tables", response=list[TableBrief], summary="Criteria tables the user may author")
def list_criteria_tables(request: HttpRequest) -> list[dict[str, Any]]:
    require_perm(request.user, Perm.AUTHOR_CRITERIA)
    return [_brief(t) for t in selectors.tables_visible_to(request.user).order_by("code", "-version")]


@router.post("/tables", response={201: TableOut}, summary="Save a new draft (version) of a criteria table")
def create_criteria_table(request: HttpRequest, payload: TableIn) -> tuple[int, dict[str, Any]]:
    return 201, _out(_save(request, payload))


@router.get("/tables/{table_id}", response=TableOut, summary="A criteria table with its levels and rows")
def get_criteria_table(request: HttpRequest, table_id: int) -> dict[str, Any]:
    return _out(_table(request, table_id))


@router.put("/tables/{table_id}", response=TableOut, summary="Replace a draft's content (409 once published)")
def update_criteria_table(request: HttpRequest, table_id: int, payload: TableIn) -> dict[str, Any]:
    return _out(_save(request, payload, _table(request, table_id)))


@router.post("/tables/{table_id}/publish", response=TableOut, summary="Publish a draft criteria table")
def publish_criteria_table(request: HttpRequest, table_id: int) -> dict[str, Any]:
    return _out(publish_table(table=_table(request, table_id), by=request.user))


@router.post(
    "/indicators",
    response={201: IndicatorsOut},
    summary="Enter indicator values of areas observed at one time (all or nothing)",
)
def enter_indicator_values(request: HttpRequest, payload: IndicatorsIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.ENTER_INDICATORS)
    areas = _areas({item.area for item in payload.values})
    entries = []
    for index, item in enumerate(payload.values):
        if item.indicator not in rules.ENTERABLE:
            raise IndicatorInvalid(
                _("“%(indicator)s” is not an indicator that can be entered.") % {"indicator": item.indicator},
                field=f"values.{index}.indicator",
            )
        try:
            value = rules.clean_value(item.indicator, item.value)
        except rules.CriteriaError as error:
            raise IndicatorInvalid(criteria_message(error), field=f"values.{index}.value") from None
        entries.append(IndicatorEntry(areas[item.area], item.indicator, value))
    as_of = _aware(payload.as_of)
    assert as_of is not None
    saved = enter_indicators(by=request.user, entries=entries, as_of=as_of)
    values = [
        {"area": v.area.code, "indicator": v.indicator, "value": _typed(v.indicator, v.value)} for v in saved
    ]
    return 201, {"as_of": as_of, "saved": len(saved), "values": values}


def _areas(codes: set[str]) -> dict[str, Any]:
    """The areas named, read ward by ward (a few queries, whatever the number of values)."""
    found: dict[str, Any] = {}
    for ward_code in sorted({code.split("-", 1)[0] for code in codes}):
        ward = territory.unit_by_code(ward_code)
        if ward is not None and ward.level == "ward":
            found.update((area.code, area) for area in territory.areas_of(ward) if area.code in codes)
    missing = sorted(codes - set(found))
    if missing:
        raise Http404(missing[0])
    return found


def _typed(indicator: str, value: float) -> bool | int | float:
    kind = rules.INDICATORS[indicator]
    if kind == rules.FLAG:
        return value >= 0.5
    if kind == rules.COUNT:
        return int(value)
    return value
