"""Territory API: public reads of units and areas; scoped writes of areas through the services."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict

from phaodai.territory import selectors, services
from phaodai.territory.models import Area, Unit
from phaodai.territory.validation import require_ward

router = Router(tags=["territory"])


class UnitBrief(Schema):
    code: str
    name: str
    full_name: str
    level: str
    unit_type: str


class UnitOut(UnitBrief):
    name_en: str
    parent: str | None
    children: list[UnitBrief]


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    population: int
    households: int


class AreaIn(Schema):
    model_config = ConfigDict(extra="forbid")

    local_code: str
    name: str
    kind: str
    population: int = 0
    households: int = 0


class AreaPatch(Schema):
    """Fields to change; the codes never change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: str | None = None
    population: int | None = None
    households: int | None = None


def _unit_or_404(code: str) -> Unit:
    unit = selectors.unit_by_code(code)
    if unit is None:
        raise Http404
    return unit


@router.get("/units/{code}", response=UnitOut, auth=None, summary="An administrative unit and its children")
def get_unit(request: HttpRequest, code: str) -> dict[str, Any]:
    unit = _unit_or_404(code)
    return {
        "code": unit.code,
        "name": unit.name,
        "full_name": unit.full_name,
        "name_en": unit.name_en,
        "level": unit.level,
        "unit_type": unit.unit_type,
        "parent": unit.parent.code if unit.parent else None,
        "children": list(selectors.children_of(unit)),
    }


@router.get(
    "/units/{ward_code}/areas",
    response=list[AreaOut],
    auth=None,
    summary="The active residential areas of a ward (422 not_a_ward for a city or district)",
)
def list_areas(request: HttpRequest, ward_code: str) -> Any:
    unit = _unit_or_404(ward_code)
    require_ward(unit)
    return selectors.areas_of(unit)


@router.post("/units/{ward_code}/areas", response={201: AreaOut}, summary="Add a residential area to a ward")
def create_area(request: HttpRequest, ward_code: str, payload: AreaIn) -> tuple[int, Area]:
    ward = selectors.ward_for_change(request.user, ward_code)
    return 201, services.create_area(ward=ward, by=request.user, **payload.model_dump())


@router.patch("/areas/{code}", response=AreaOut, summary="Change a residential area's name, kind or counts")
def update_area(request: HttpRequest, code: str, payload: AreaPatch) -> Area:
    area = selectors.area_for_change(request.user, code)
    return services.update_area(area=area, by=request.user, **payload.model_dump(exclude_unset=True))
