"""Outlines of units and areas from GeoJSON, for the public map; a file with any bad feature saves nothing.

A FeatureCollection's features name their unit (GSO code, e.g. "00139") or area ("00139-TDP01") in a
property (`code`, `unit_code` or `area_code` unless told otherwise) and carry a Polygon or MultiPolygon in
lon/lat (WGS 84, as GeoJSON says). Outlines are stored as MultiPolygon coordinates with their bounding box.
"""

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.errors import InvalidInput
from phaodai.territory.models import Area, Boundary, Unit

CODE_PROPERTIES = ("code", "unit_code", "area_code")
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
DECIMALS = 6  # about 0.1 m: more is noise
ERRORS_KEPT = 200

Polygons = list[list[list[list[float]]]]


@dataclass(frozen=True)
class FeatureError:
    """What is wrong with one feature: its position (1-based), the part of it and why."""

    feature: int
    field: str
    reason: str

    def __str__(self) -> str:
        return _("feature %(n)s, %(field)s: %(reason)s") % {
            "n": self.feature,
            "field": self.field,
            "reason": self.reason,
        }


class BoundaryImportError(InvalidInput):
    code = "invalid_boundaries"
    message = gettext_lazy("The GeoJSON cannot be imported; nothing was saved.")

    def __init__(self, errors: Sequence[FeatureError] = (), message: Any = None) -> None:
        self.errors = list(errors)
        super().__init__(message, field="file")


@dataclass
class ImportResult:
    created: int = 0
    replaced: int = 0
    codes: list[str] = field(default_factory=list)


class _Invalid(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(reason)


# Reading the file ------------------------------------------------------------------------------


def parse(raw: str | bytes) -> Any:
    """The JSON document, or a BoundaryImportError saying where the syntax breaks."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except UnicodeDecodeError:
        raise BoundaryImportError(message=_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as error:
        message = _("The file is not valid JSON (line %(line)s, column %(column)s: %(problem)s).") % {
            "line": error.lineno,
            "column": error.colno,
            "problem": error.msg,
        }
        raise BoundaryImportError(message=message) from None


def _features(document: Any) -> list[Any]:
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
        raise BoundaryImportError(message=_("The file must be a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryImportError(message=_("The FeatureCollection has no features."))
    return features


# Geometry ------------------------------------------------------------------------------------


def _position(raw: Any, where: str) -> list[float]:
    if not isinstance(raw, list | tuple) or len(raw) < 2:
        raise _Invalid(where, _("a position must be [longitude, latitude]"))
    lon, lat = raw[0], raw[1]
    for value in (lon, lat):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _Invalid(where, _("coordinates must be numbers"))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _Invalid(where, _("longitude must lie in −180…180 and latitude in −90…90 (WGS 84)"))
    return [round(float(lon), DECIMALS), round(float(lat), DECIMALS)]


def _ring(raw: Any, where: str) -> list[list[float]]:
    if not isinstance(raw, list) or len(raw) < 4:
        raise _Invalid(where, _("a ring needs at least 4 positions"))
    ring = [_position(point, f"{where}[{i}]") for i, point in enumerate(raw)]
    if ring[0] != ring[-1]:
        raise _Invalid(where, _("a ring must end where it starts"))
    return ring


def _polygon(raw: Any, where: str) -> list[list[list[float]]]:
    if not isinstance(raw, list) or not raw:
        raise _Invalid(where, _("a polygon needs at least one ring"))
    return [_ring(ring, f"{where}[{i}]") for i, ring in enumerate(raw)]


def clean_geometry(geometry: Any) -> Polygons:
    """A Polygon or MultiPolygon as MultiPolygon coordinates; _Invalid says what is wrong and where."""
    if not isinstance(geometry, Mapping):
        raise _Invalid("geometry", _("the feature has no geometry"))
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        reason = _("geometry type “%(kind)s” is not supported: only Polygon and MultiPolygon") % {
            "kind": kind
        }
        raise _Invalid("geometry.type", reason)
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return [_polygon(coordinates, "geometry.coordinates")]
    if not isinstance(coordinates, list) or not coordinates:
        raise _Invalid("geometry.coordinates", _("a MultiPolygon needs at least one polygon"))
    return [_polygon(polygon, f"geometry.coordinates[{i}]") for i, polygon in enumerate(coordinates)]


def bounding_box(polygons: Polygons) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the outer rings."""
    points = [point for polygon in polygons for point in polygon[0]]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


# Codes -----------------------------------------------------------------------------------------


def _code_of(properties: Any, code_property: str | None) -> tuple[str, bool]:
    """The code and whether it was written as a number (which loses the leading zeros)."""
    if not isinstance(properties, Mapping):
        raise _Invalid("properties", _("the feature has no properties"))
    names = (code_property,) if code_property else CODE_PROPERTIES
    for name in names:
        value = properties.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip(), False
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return str(value), True
    wanted = ", ".join(f"“{name}”" for name in names)
    raise _Invalid("properties", _("no unit or area code in the property %(names)s") % {"names": wanted})


def _candidates(code: str, numeric: bool) -> list[str]:
    # A code written as a number lost its leading zeros: 139 is "00139"; 4 is "004" or "00004".
    return list(dict.fromkeys([code, code.zfill(2), code.zfill(3), code.zfill(5)])) if numeric else [code]


def _resolve(items: Iterable["_Checked"]) -> tuple[dict[str, Unit], dict[str, Area]]:
    wanted = {candidate for item in items for candidate in _candidates(item.code, item.numeric)}
    units = {u.code: u for u in Unit.objects.filter(code__in=wanted).only("pk", "code", "path")}
    areas = {a.code: a for a in Area.objects.filter(code__in=wanted).only("pk", "code", "path")}
    return units, areas


# The import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    position: int
    code: str
    numeric: bool
    polygons: Polygons


def _check(features: list[Any], code_property: str | None) -> tuple[list[_Checked], list[FeatureError]]:
    checked: list[_Checked] = []
    errors: list[FeatureError] = []
    for position, feature in enumerate(features, start=1):
        try:
            if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
                raise _Invalid("type", _("not a GeoJSON Feature"))
            code, numeric = _code_of(feature.get("properties"), code_property)
            checked.append(_Checked(position, code, numeric, clean_geometry(feature.get("geometry"))))
        except _Invalid as problem:
            errors.append(FeatureError(position, problem.field, problem.reason))
    return checked, errors


def _targets(checked: list[_Checked], errors: list[FeatureError]) -> list[tuple[_Checked, Unit | Area]]:
    units, areas = _resolve(checked)
    seen: dict[str, int] = {}
    targets: list[tuple[_Checked, Unit | Area]] = []
    for item in checked:
        found: list[Unit | Area] = [
            place
            for code in _candidates(item.code, item.numeric)
            for place in (units.get(code), areas.get(code))
            if place is not None
        ]
        if not found:
            reason = _("no unit or area has the code “%(code)s”") % {"code": item.code}
            errors.append(FeatureError(item.position, "properties", reason))
        elif len(found) > 1:
            reason = _("the code “%(code)s” is ambiguous; write it with its leading zeros") % {
                "code": item.code
            }
            errors.append(FeatureError(item.position, "properties", reason))
        elif found[0].code in seen:
            reason = _("“%(code)s” already has an outline in feature %(n)s") % {
                "code": found[0].code,
                "n": seen[found[0].code],
            }
            errors.append(FeatureError(item.position, "properties", reason))
        else:
            seen[found[0].code] = item.position
            targets.append((item, found[0]))
    return targets


def import_boundaries(
    raw: str | bytes | Mapping[str, Any], *, source: str = "", code_property: str | None = None
) -> ImportResult:
    """Store (or replace) the outline of every feature's unit or area; any bad feature saves nothing."""
    document = raw if isinstance(raw, Mapping) else parse(raw)
    checked, errors = _check(_features(document), code_property)
    targets = _targets(checked, errors)
    if errors:
        errors.sort(key=lambda error: error.feature)
        raise BoundaryImportError(errors[:ERRORS_KEPT])
    result = ImportResult()
    with transaction.atomic():
        unit_pks = [place.pk for _item, place in targets if isinstance(place, Unit)]
        area_pks = [place.pk for _item, place in targets if isinstance(place, Area)]
        replaced, _by_model = Boundary.objects.filter(unit__in=unit_pks).delete()
        replaced_areas, _by_model = Boundary.objects.filter(area__in=area_pks).delete()
        rows = []
        for item, place in targets:
            min_lon, min_lat, max_lon, max_lat = bounding_box(item.polygons)
            rows.append(
                Boundary(
                    unit=place if isinstance(place, Unit) else None,
                    area=place if isinstance(place, Area) else None,
                    path=place.path,
                    polygons=item.polygons,
                    min_lon=min_lon,
                    min_lat=min_lat,
                    max_lon=max_lon,
                    max_lat=max_lat,
                    source=source[:200],
                )
            )
            result.codes.append(place.code)
        Boundary.objects.bulk_create(rows, batch_size=200)
    result.replaced = replaced + replaced_areas
    result.created = len(rows) - result.replaced
    return result


# Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outline:
    """A stored outline: whose it is (`code`, `level`: city, district, ward or area) and its shape."""

    code: str
    level: str
    path: str
    polygons: Polygons
    bbox: tuple[float, float, float, float]
    source: str


def outlines(within: str = "/") -> list[Outline]:
    """Every outline under a unit path (all of them by default), broadest units first, in one query."""
    fields = ("unit__code", "unit__level", "area__code", "path", "polygons", "source")
    corners = ("min_lon", "min_lat", "max_lon", "max_lat")
    result = [
        Outline(
            code=row["unit__code"] or row["area__code"],
            level=row["unit__level"] or "area",
            path=row["path"],
            polygons=row["polygons"],
            bbox=(row["min_lon"], row["min_lat"], row["max_lon"], row["max_lat"]),
            source=row["source"],
        )
        for row in Boundary.objects.filter(path__startswith=within).values(*fields, *corners)
    ]
    order = {"city": 0, "district": 1, "ward": 2, "area": 3}
    return sorted(result, key=lambda outline: (order.get(outline.level, 4), outline.path, outline.code))


def has_outlines() -> bool:
    return Boundary.objects.exists()
