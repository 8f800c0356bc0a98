"""The public API (no sign-in): what is in force where, criteria tables and their dry run, decisions.

`at` (optional, default now) is ISO 8601: an aware date and time is that instant; a naive one is Hà Nội
time; a date alone means 12:00 Hà Nội time that day. Anything else answers 422 `invalid_input`.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from pydantic import Field

from phaodai.business import selectors as business
from phaodai.command import selectors as command
from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict
from phaodai.portal import criteria, lookups, placements
from phaodai.portal.answer_cache import DIRECTORY
from phaodai.portal.moments import local_iso, parse_at
from phaodai.portal.schemas import (
    AreaRegimeOut,
    DecisionBrief,
    DecisionOut,
    EvaluationOut,
    PlaceOut,
    RegimeBrief,
    RegimeOut,
    TableBrief,
    TableOut,
    UnitRegimeOut,
)
from phaodai.portal.serialize import (
    activity_json,
    answer_json,
    decision_brief,
    decision_json,
    regime_brief,
    table_brief,
    table_json,
)
from phaodai.zoning import selectors as zoning

router = Router(tags=["public"], auth=None)

AT_DESCRIPTION = (
    "ISO 8601 instant (default now). With an offset it is that instant; without one, Hà Nội time; "
    "a date alone (2021-09-10) means 12:00 Hà Nội time that day."
)
DECISIONS_MAX = 100


@router.get(
    "/areas/{area_code}/regime",
    response=AreaRegimeOut,
    summary="What is in force in a residential area at an instant",
    description=(
        "The most specific assignment in force (the area's own, else its ward's, district's or the city's): "
        "level, regime, since when, the decision, and every activity with its status, conditions and legal "
        "basis. Nothing in force answers 200 with `regime: null` and a `message`. " + AT_DESCRIPTION
    ),
)
def public_area_regime(request: HttpRequest, area_code: str, at: str | None = None) -> HttpResponse:
    moment = parse_at(at)

    def body_of(assignment_pk: int) -> dict[str, Any]:
        return answer_json(lookups.answer(zoning.placement_by_assignment(assignment_pk), moment))

    fast = DIRECTORY.answer(area_code, moment, local_iso(moment), body_of)
    if fast is not None:
        return HttpResponse(fast, content_type="application/json")
    area = lookups.area_or_404(area_code)
    body = answer_json(lookups.area_answer(area, moment))
    head = {
        "area": area.code,
        "area_name": area.name,
        "unit_path": area.path,
        "ward": {"code": area.ward.code, "name": area.ward.full_name},
    }
    return fast_json({**head, **body})


@router.get(
    "/units/{unit_code}/regime",
    response=UnitRegimeOut,
    summary="What is in force for a ward, district or the city at an instant",
    description=(
        "The unit's own placement (or the one it inherits), as for an area, plus `areas`: how many of its "
        "active areas are at each level then (keyed by level code; by regime code where the assignment has "
        "no level; `none` where nothing is in force). " + AT_DESCRIPTION
    ),
)
def public_unit_regime(request: HttpRequest, unit_code: str, at: str | None = None) -> HttpResponse:
    moment = parse_at(at)
    unit = lookups.unit_or_404(unit_code)
    body = answer_json(lookups.unit_answer(unit, moment))
    areas = placements.areas_placed(unit, moment)
    head = {"unit": unit.code, "unit_name": unit.full_name, "unit_level": unit.level, "unit_path": unit.path}
    return fast_json({**head, **body, "areas": placements.level_counts(areas)})


def fast_json(body: dict[str, Any]) -> HttpResponse:
    # The hot look-ups skip re-validating their output through the schema (it documents the shape;
    # the contract tests check it): about a millisecond less per request under load.
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


@router.get("/places", response=list[PlaceOut], summary="Find units and areas by name, diacritics ignored")
def public_search_places(request: HttpRequest, q: str = "") -> list[dict[str, Any]]:
    units, areas = zoning.search_places(q)
    found = [
        {"kind": "unit", "code": u.code, "name": u.full_name, "level": u.level, "within": _within(u)}
        for u in units
    ]
    found += [
        {"kind": "area", "code": a.code, "name": a.name, "level": "area", "within": a.ward.full_name}
        for a in areas
    ]
    return found


def _within(unit: Any) -> str:
    return unit.parent.full_name if unit.parent else ""


@router.get("/criteria/", response=list[TableBrief], summary="Published criteria tables (every version)")
def public_criteria(request: HttpRequest) -> list[dict[str, Any]]:
    return [table_brief(table) for table in zoning.published_tables().order_by("code", "-version")]


@router.get(
    "/criteria/{table_code}",
    response=TableOut,
    summary="A published criteria table: levels, regimes, rows in words and JsonLogic (latest version)",
)
def public_criteria_table(
    request: HttpRequest, table_code: str, version: int | None = None
) -> dict[str, Any]:
    return table_json(criteria.describe(criteria.table_or_404(table_code, version)))


class EvaluateIn(Strict):
    indicators: dict[str, Any] = Field(description="indicator code → value; null means not known")
    previous_level: str | None = Field(default=None, description="the area's current level, for modifiers")


@router.post(
    "/criteria/{table_code}/evaluate",
    response=EvaluationOut,
    summary="Dry run: the level the latest published version gives for these indicator values",
    description="Nothing is stored. Unknown indicators or bad values answer 422 naming them.",
)
def public_evaluate_criteria(request: HttpRequest, table_code: str, payload: EvaluateIn) -> dict[str, Any]:
    table = criteria.table_or_404(table_code)
    result = criteria.evaluate(table, payload.indicators, payload.previous_level)
    found = result.classification
    return {
        "table": table.code,
        "version": table.version,
        "level": found.level_code,
        "level_name": result.level_name,
        "severity": found.severity,
        "matched_row": found.matched_row,
        "rule": found.rule,
        "values": dict(found.values),
        "missing": list(found.missing),
        "held_by": found.held_by,
    }


class DecisionPage(Schema):
    limit: int = Field(default=50, ge=1, le=DECISIONS_MAX)
    before: int | None = Field(default=None, description="the id of the last decision of the previous page")


@router.get(
    "/decisions/",
    response=list[DecisionBrief],
    summary="Decisions, latest effect first (keyset: pass the last id as `before`)",
)
def public_decisions(request: HttpRequest, page: Query[DecisionPage]) -> list[dict[str, Any]]:
    decisions = zoning.decisions().order_by("-effective_at", "-pk")
    if page.before is not None:
        last = zoning.decision_by_pk(page.before)
        if last is None:
            raise Http404
        decisions = decisions.filter(effective_at__lte=last.effective_at).exclude(
            effective_at=last.effective_at, pk__gte=last.pk
        )
    return [decision_brief(d) for d in decisions[: page.limit]]


@router.get("/decisions/{decision_id}", response=DecisionOut, summary="A decision and what it assigned")
def public_decision(request: HttpRequest, decision_id: int) -> dict[str, Any]:
    decision = zoning.decision_by_pk(decision_id)
    if decision is None:
        raise Http404
    return decision_json(decision, zoning.assignments_of(decision))


@router.get("/regimes/", response=list[RegimeBrief], summary="Every measure regime")
def public_regimes(request: HttpRequest) -> list[dict[str, Any]]:
    return [regime_brief(regime) for regime in zoning.regimes()]


@router.get(
    "/regimes/{code}", response=RegimeOut, summary="A measure regime with all its rules after inheritance"
)
def public_regime(request: HttpRequest, code: str) -> dict[str, Any]:
    regime = lookups.regime_or_404(code)
    return {**regime_brief(regime), "rules": [activity_json(a) for a in lookups.regime_rules(regime)]}


# Hotlines and commendations (S12, S14) -------------------------------------------------------------


class PublicHotlineOut(Schema):
    unit: str
    unit_name: str
    label: str
    label_en: str
    number: str = Field(description="digits only, e.g. 02439990001")
    display: str = Field(description="as people write it, e.g. 024 3999 0001")
    always_open: bool
    hours: str


class PublicCommendationOut(Schema):
    id: int
    unit: str
    unit_name: str
    recipient_kind: str
    recipient: str
    reason: str
    award: str
    decision_number: str
    decision_date: str = Field(description="YYYY-MM-DD")


@router.get(
    "/hotlines",
    response=list[PublicHotlineOut],
    summary="Published hotlines of a unit and of every unit above it, the nearest first",
)
def public_hotlines(request: HttpRequest, unit: str) -> list[dict[str, Any]]:
    place = lookups.unit_or_404(unit)
    return [
        {
            "unit": h.unit.code,
            "unit_name": h.unit.full_name,
            "label": h.label,
            "label_en": h.label_en,
            "number": h.number,
            "display": h.number_display,
            "always_open": h.always_open,
            "hours": h.hours,
        }
        for h in command.published_hotlines_for(place)
    ]


@router.get(
    "/commendations",
    response=list[PublicCommendationOut],
    summary="Published commendations, latest decision first (filter by district code and year)",
)
def public_commendations(
    request: HttpRequest, district: str = "", year: int | None = None
) -> list[dict[str, Any]]:
    chosen = lookups.unit_or_404(district) if district else None
    if year is not None and not 1900 <= year <= 2200:
        raise InvalidInput(gettext("The year is not plausible."), field="year")
    return [
        {
            "id": c.pk,
            "unit": c.unit.code,
            "unit_name": c.unit.full_name,
            "recipient_kind": c.recipient_kind,
            "recipient": c.recipient,
            "reason": c.reason,
            "award": c.award,
            "decision_number": c.decision_number,
            "decision_date": c.decision_date.isoformat(),
        }
        for c in command.published_commendations(district=chosen, year=year)
    ]


# May this business operate now? (S28, S29) -----------------------------------------------------------


class SectorConditionOut(Schema):
    sector: str
    version: int
    title: str
    criteria: str
    plan_required: bool
    basis: str
    valid_from: str
    valid_until: str | None


class PublicBusinessOut(Schema):
    name: str
    ward: str
    may_operate: bool
    reasons: list[str]
    sector: str
    regime_conditions: list[str] = Field(description="The conditions of the measures in force, in words")
    sector_conditions: SectorConditionOut | None = Field(description="The sector's published conditions")


@router.get(
    "/businesses",
    response=list[PublicBusinessOut],
    summary="May this business operate now? By tax code or by name (at least 3 letters)",
    description="Only the business's name and ward, yes or no, the reasons and the conditions in force: "
    "no address, workforce, representative or responsible person. " + AT_DESCRIPTION,
)
def public_businesses(request: HttpRequest, q: str = "", at: str | None = None) -> list[dict[str, Any]]:
    moment = parse_at(at)
    return [
        {
            "name": a.name,
            "ward": a.ward,
            "may_operate": a.may_operate,
            "reasons": list(a.reasons),
            "sector": a.sector,
            "regime_conditions": list(a.regime_conditions),
            "sector_conditions": _sector_condition(a.condition),
        }
        for a in business.public_answer(q.strip()[:100], moment)
    ]


def _sector_condition(condition: Any) -> dict[str, Any] | None:
    if condition is None:
        return None
    return {
        "sector": condition.sector,
        "version": condition.version,
        "title": zoning.localized(condition, "title"),
        "criteria": zoning.localized(condition, "criteria"),
        "plan_required": condition.plan_required,
        "basis": condition.basis,
        "valid_from": local_iso(condition.valid_from),
        "valid_until": local_iso(condition.valid_until) if condition.valid_until else None,
    }
