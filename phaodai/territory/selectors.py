"""Reads of the territory. Unit and area names are public; changes are scoped (see services)."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm
from phaodai.core.jurisdiction import covers, get_in_scope_or_404
from phaodai.core.text import search_key
from phaodai.territory.models import Area, Boundary, Household, Unit
from phaodai.territory.units import CITY_CODE

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class WardCount(TypedDict):
    ward_count: int


class AreaTotals(TypedDict):
    area_count: int
    population: int | None


def unit_by_code(code: str) -> Unit | None:
    # GSO codes are 2–5 ASCII digits; anything else (a NUL from a tampered form) names no unit.
    if not (code.isascii() and code.isdigit() and len(code) <= 5):
        return None
    return Unit.objects.select_related("parent").filter(code=code).first()


def unit_by_path(path: str) -> Unit | None:
    """The unit a materialised path ends in ("/01/004/" -> Long Biên)."""
    return unit_by_code(path.strip("/").split("/")[-1])


def widest_unit(paths: Sequence[str]) -> Unit | None:
    """The highest of the units at `paths` (the city before a district before a ward)."""
    return unit_by_path(min(paths, key=lambda path: (path.count("/"), path))) if paths else None


def wards_by_code(codes: Sequence[str]) -> QuerySet[Unit]:
    return Unit.objects.filter(level="ward", code__in=codes)


def children_of(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(parent=unit).order_by("code")


def within(unit: Unit) -> QuerySet[Unit]:
    """The unit and every unit below it (path prefix; the same on SQLite and PostgreSQL)."""
    return Unit.objects.filter(path__startswith=unit.path)


def areas_of(ward: Unit) -> QuerySet[Area]:
    return Area.objects.filter(ward=ward, active=True).order_by("local_code")


def areas_within(unit: Unit) -> QuerySet[Area]:
    return Area.objects.filter(path__startswith=unit.path, active=True)


def area_by_code(code: str) -> Area | None:
    return Area.objects.select_related("ward").filter(code=code, active=True).first()


def area_centres(area_ids: Sequence[int]) -> dict[int, tuple[float, float]]:
    """(latitude, longitude) of the middle of each area's outline box, for areas that have an outline."""
    rows = Boundary.objects.filter(area_id__in=list(area_ids)).values_list(
        "area_id", "min_lat", "max_lat", "min_lon", "max_lon"
    )
    return {area: ((south + north) / 2, (west + east) / 2) for area, south, north, west, east in rows}


def households_of(area: Area) -> QuerySet[Household]:
    return Household.objects.filter(area=area).order_by("code")


def city() -> Unit:
    return Unit.objects.get(code=CITY_CODE)


def ancestors_of(unit: Unit) -> list[Unit]:
    """The units above `unit`, city first, in one query (read off the materialised path)."""
    codes = [code for code in unit.path.strip("/").split("/") if code != unit.code]
    return list(Unit.objects.filter(code__in=codes).order_by("path"))


def districts_with_ward_counts(city_unit: Unit) -> "QuerySet[WithAnnotations[Unit, WardCount]]":
    """The city's districts, each annotated with `ward_count`."""
    return children_of(city_unit).annotate(ward_count=Count("children"))


def wards_with_area_totals(district: Unit) -> "QuerySet[WithAnnotations[Unit, AreaTotals]]":
    """A district's wards, each annotated with `area_count` and `population` over its active areas."""
    active = Q(areas__active=True)
    return children_of(district).annotate(
        area_count=Count("areas", filter=active), population=Sum("areas__population", filter=active)
    )


def search_units(query: str, *, limit: int = 50) -> list[Unit]:
    """Units whose name matches `query` without diacritics ("bo de" finds "Phường Bồ Đề")."""
    key = search_key(query)
    if not key:
        return []
    return list(
        Unit.objects.select_related("parent")
        .filter(Q(name_key__contains=key) | Q(code=query.strip()))
        .order_by("level", "name_key")[:limit]
    )


def search_areas(query: str, *, limit: int = 50) -> list[Area]:
    """Active areas whose name contains the query, diacritics ignored (public: names are not personal)."""
    key = search_key(query)
    if not key:
        return []
    found = Area.objects.filter(active=True, name_key__contains=key).select_related("ward", "ward__parent")
    return list(found.order_by("name_key", "code")[:limit])


def active_area_count() -> int:
    return Area.objects.filter(active=True).count()


def public_area_directory() -> list[dict[str, Any]]:
    """Every active area's public facts (code, name, path, ward) in one query, for in-memory look-ups."""
    fields = ("code", "name", "path", "ward__code", "ward__full_name")
    return list(Area.objects.filter(active=True).values(*fields))


def area_facts(areas: QuerySet[Area]) -> list[dict[str, Any]]:
    """The plain facts classification reads of each area, in one query."""
    fields = ("id", "code", "path", "kind", "population", "shared_sanitation", "ward_id")
    return list(areas.values(*fields))


def area_totals(ward: Unit) -> dict[str, Any]:
    return areas_of(ward).aggregate(population=Sum("population"), households=Sum("households"))


def can_change_areas(user: Any, ward: Unit) -> bool:
    """Whether the user may add, edit and import the areas of `ward`."""
    return ward.level == Unit.Level.WARD and has_perm(user, Perm.CHANGE_AREA, within=ward.path)


def _refuse_in_scope_without_perm(user: Any, path: str) -> None:
    # Inside the user's jurisdiction the object is no secret: say "not permitted" rather than 404.
    if covers(user, path):
        require_perm(user, Perm.CHANGE_AREA, within=path)


def ward_for_change(user: Any, code: str) -> Unit:
    """A ward whose areas the user may change: 404 outside their jurisdiction, NotPermitted inside it
    for a role without the permission."""
    ward = Unit.objects.filter(code=code, level=Unit.Level.WARD).only("path").first()
    if ward is None:
        raise Http404
    _refuse_in_scope_without_perm(user, ward.path)
    return get_in_scope_or_404(
        Unit.objects.select_related("parent"), user, perm=Perm.CHANGE_AREA, code=code, level=Unit.Level.WARD
    )


def area_for_change(user: Any, code: str) -> Area:
    """An area the user may change (active or not), with the same 404/NotPermitted rule as wards."""
    area = Area.objects.filter(code=code).only("path").first()
    if area is None:
        raise Http404
    _refuse_in_scope_without_perm(user, area.path)
    return get_in_scope_or_404(Area.objects.select_related("ward"), user, perm=Perm.CHANGE_AREA, code=code)
