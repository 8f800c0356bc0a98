"""The public map: places coloured by the riskiest level in force at an instant.

With imported outlines (territory.boundaries) the map is server-rendered SVG, lon/lat projected onto the
view box; without them (the default: no freely licensed 2021 ward outlines exist), a schematic map of one
square tile per ward, grouped by district. Five queries whatever the number of wards.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from phaodai.core.maps import ink, projection, svg_path, url_maker, view_box
from phaodai.portal.placements import NOTHING_COLOUR, AreaPlace, Placed, Snapshot, areas_placed, worst_by_unit
from phaodai.territory import boundaries
from phaodai.territory import selectors as territory


@dataclass(frozen=True)
class Mark:
    """How a place is shown: colour, a short code in the tile, and words for title and aria-label."""

    colour: str
    short: str
    label: str
    rank: tuple[int, int]
    key: str

    @property
    def ink(self) -> str:
        return ink(self.colour)


def mark(placed: Placed | None) -> Mark:
    if placed is None:
        return Mark(NOTHING_COLOUR, "–", _("No regime in force"), (-1, 0), "none")
    # Without a level (a city-wide directive) the tile names the regime: "CT17" for CT17-HN.
    short = placed.level_code or placed.regime_code.split("-")[0][:5]
    return Mark(placed.colour, short, placed.label, placed.rank, placed.key)


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    href: str
    mark: Mark


@dataclass(frozen=True)
class Block:
    district: Any
    href: str
    tiles: list[Tile]

    @property
    def tiles_html(self) -> SafeString:
        """The block's tiles as list items (built here: 579 template loops cost more than the queries)."""
        return format_html_join(
            "",
            '<li><a class="wtile" href="{}" style="background:{};color:{}" title="{}: {}" aria-label="{}: {}"'
            ' data-ward="{}">{}</a></li>',
            (
                (
                    t.href,
                    t.mark.colour,
                    t.mark.ink,
                    t.name,
                    t.mark.label,
                    t.name,
                    t.mark.label,
                    t.code,
                    t.mark.short,
                )
                for t in self.tiles
            ),
        )


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    href: str
    d: str
    mark: Mark
    kind: str


@dataclass(frozen=True)
class LegendEntry:
    mark: Mark
    count: int


@dataclass
class CityMap:
    at: datetime
    blocks: list[Block]
    shapes: list[Shape]
    view_box: str
    legend: list[LegendEntry]
    sources: list[str]
    area_count: int


def build(at: datetime, query: str = "") -> CityMap:
    """The map at `at`; `query` ("at=…") is added to every link so the instant carries on."""
    city = territory.city()
    units = list(
        territory.within(city).only("code", "name", "full_name", "level", "path", "parent").order_by("path")
    )
    snapshot = Snapshot(city.path, at)
    areas = areas_placed(city, at, snapshot)
    worst = worst_by_unit(areas, units, snapshot)
    marks = {code: mark(placed) for code, placed in worst.items()}
    wards_of: dict[int | None, list[Any]] = {}
    for ward in (u for u in units if u.level == "ward"):
        wards_of.setdefault(ward.parent_id, []).append(ward)
    unit_url = url_maker("portal:unit", query)
    blocks = [
        Block(
            district,
            unit_url(district.code),
            [Tile(w.code, w.name, unit_url(w.code), marks[w.code]) for w in wards_of.get(district.pk, [])],
        )
        for district in units
        if district.level == "district"
    ]
    outlines = boundaries.outlines()
    shapes, view_box = _shapes(outlines, units, areas, marks, query)
    legend = _legend([tile.mark for block in blocks for tile in block.tiles])
    sources = sorted({o.source for o in outlines if o.source})
    return CityMap(at, blocks, shapes, view_box, legend, sources, len(areas))


def _legend(marks: list[Mark]) -> list[LegendEntry]:
    counts: dict[str, int] = {}
    first: dict[str, Mark] = {}
    for item in marks:
        counts[item.key] = counts.get(item.key, 0) + 1
        first.setdefault(item.key, item)
    ranked = sorted(first.values(), key=lambda m: (m.rank, m.key), reverse=True)
    return [LegendEntry(m, counts[m.key]) for m in ranked]


def _shapes(
    outlines: list[boundaries.Outline],
    units: list[Any],
    areas: list[AreaPlace],
    marks: dict[str, Mark],
    query: str,
) -> tuple[list[Shape], str]:
    if not outlines:
        return [], ""
    names = {u.code: u.full_name for u in units}
    area_by_code = {a.code: a for a in areas}
    project, height = projection(outlines)
    unit_url, area_url = url_maker("portal:unit", query), url_maker("portal:area", query)
    shapes = []
    for outline in outlines:
        if outline.level == "area":
            found = area_by_code.get(outline.code)
            if found is None:  # an inactive area
                continue
            name, place_mark = found.name, mark(found.placed)
            href = area_url(outline.code)
        else:
            name = names.get(outline.code, outline.code)
            place_mark = marks.get(outline.code) or mark(None)
            href = unit_url(outline.code)
        shapes.append(
            Shape(outline.code, name, href, svg_path(outline.polygons, project), place_mark, outline.level)
        )
    return shapes, view_box(height)
