"""What every map of units draws with: ink on a colour, a lon/lat projection onto an SVG view box, SVG
paths of (Multi)Polygon outlines, and fast links for hundreds of places.

Server-rendered and dependency-free (no map library, no tiles, nothing from a CDN): the public map
(portal) and the coverage map (vaccination) both colour outlines stored by territory.boundaries, or fall
back to a schematic tile per ward when none are stored.
"""

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from urllib.parse import quote

from django.urls import reverse

WIDTH = 1000.0

Project = Callable[[float, float], tuple[float, float]]


class Outlined(Protocol):
    """An outline as stored: MultiPolygon coordinates in lon/lat and their bounding box."""

    @property
    def polygons(self) -> Any: ...

    @property
    def bbox(self) -> tuple[float, float, float, float]: ...


def ink(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (#rrggbb)."""
    try:
        red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except ValueError:
        return "#000"
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000" if luminance > 0.55 else "#fff"


def url_maker(name: str, query: str = "") -> Callable[[str], str]:
    """A fast `reverse(name, args=[code])` (+ `?query`) for hundreds of links."""
    template = reverse(name, args=["CODE"]) + (f"?{query}" if query else "")
    return lambda code: template.replace("CODE", quote(code, safe=""), 1)


def projection(outlines: Sequence[Outlined]) -> tuple[Project, float]:
    """Equirectangular, scaled by the cosine of the middle latitude, north up, WIDTH wide; and the
    height of the view box."""
    min_lon = min(o.bbox[0] for o in outlines)
    min_lat = min(o.bbox[1] for o in outlines)
    max_lon = max(o.bbox[2] for o in outlines)
    max_lat = max(o.bbox[3] for o in outlines)
    squeeze = math.cos(math.radians((min_lat + max_lat) / 2))
    span = max((max_lon - min_lon) * squeeze, 1e-9)
    scale = WIDTH / span
    height = max((max_lat - min_lat) * scale, 1.0)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - min_lon) * squeeze * scale, (max_lat - lat) * scale

    return project, height


def view_box(height: float) -> str:
    return f"0 0 {WIDTH:.0f} {height:.0f}"


def svg_path(polygons: Any, project: Project) -> str:
    """The `d` of an SVG path drawing every ring of every polygon (holes by the even-odd rule)."""
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = [project(lon, lat) for lon, lat in ring]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)
