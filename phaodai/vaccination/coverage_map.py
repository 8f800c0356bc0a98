"""The coverage map (issue #6 point 7): each ward of a city or district, or each area of a ward,
coloured by the share of its adults (18+) fully vaccinated, with a legend and the same figures as a
table for screen readers and printing.

Server-rendered like the public map (phaodai.core.maps): the stored outlines (territory.boundaries) as
SVG when there are any, and always a schematic tile per place grouped by district, which needs no
outline (no freely licensed 2021 ward outlines exist). Two queries on top of the coverage figures
(the units, the outlines), whatever the number of wards.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.maps import ink, projection, svg_path, view_box
from phaodai.territory import boundaries
from phaodai.territory import selectors as territory
from phaodai.vaccination.coverage import Coverage, UnitCoverage

# % of adults fully vaccinated, from the top class down: ColorBrewer's YlGn in five classes (sequential,
# readable by colour-blind readers and in greyscale). 70 % is the share of adults NQ128 reads as the
# high mark; 85 % and over was Hà Nội's aim for the end of 2021.
SCALE = (
    (85.0, "#006837", gettext_lazy("from 85 %")),
    (70.0, "#31a354", gettext_lazy("70 to 85 %")),
    (50.0, "#78c679", gettext_lazy("50 to 70 %")),
    (30.0, "#c2e699", gettext_lazy("30 to 50 %")),
    (0.0, "#ffffcc", gettext_lazy("under 30 %")),
)
NO_ADULTS = "#e0e0e0"


@dataclass(frozen=True)
class Step:
    """One class of the scale: its key (the lower bound, or "none"), colour and words."""

    key: str
    colour: str
    label: str

    @property
    def ink(self) -> str:
        return ink(self.colour)


def step_of(pct: float | None) -> Step:
    if pct is None:
        return Step("none", NO_ADULTS, _("no adult recorded"))
    for lower, colour, label in SCALE:
        if pct >= lower:
            return Step(f"{lower:.0f}", colour, str(label))
    return Step("0", SCALE[-1][1], str(SCALE[-1][2]))  # unreachable: percentages are not negative


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    group: str  # the district's name (a ward's areas: the ward's)
    href: str  # "" for an area: it has no page of its own
    coverage: Coverage

    @property
    def pct(self) -> float | None:
        return self.coverage.full_dose_18plus_pct

    @property
    def step(self) -> Step:
        return step_of(self.pct)

    @property
    def short(self) -> str:
        return "–" if self.pct is None else f"{self.pct:.0f}"

    @property
    def label(self) -> str:
        adults = self.coverage.adults
        if self.pct is None:
            return _("%(place)s: no adult recorded") % {"place": self.name}
        return _("%(place)s: %(pct)s %% of adults fully vaccinated (%(full)s of %(adults)s)") % {
            "place": self.name,
            "pct": f"{self.pct:.1f}",
            "full": adults.full,
            "adults": adults.persons,
        }


@dataclass(frozen=True)
class Block:
    """The tiles of one district (or of one ward's areas)."""

    title: str
    href: str
    places: list[Place]

    @property
    def tiles_html(self) -> SafeString:
        # Built here rather than looped in the template: 579 tiles cost more to render than to count.
        return format_html_join(
            "",
            '<li><{} class="cmap-tile" {}style="background:{};color:{}" title="{}" aria-label="{}" '
            'data-place="{}" data-step="{}">{}</{}></li>',
            (
                (
                    "a" if p.href else "span",
                    format_html('href="{}" ', p.href) if p.href else "",
                    p.step.colour,
                    p.step.ink,
                    p.label,
                    p.label,
                    p.code,
                    p.step.key,
                    p.short,
                    "a" if p.href else "span",
                )
                for p in self.places
            ),
        )


@dataclass(frozen=True)
class Shape:
    d: str
    place: Place | None  # None: a district's border drawn over its wards


@dataclass(frozen=True)
class LegendEntry:
    step: Step
    count: int


@dataclass
class CoverageMap:
    level: str  # what the places are: "ward" or "area"
    blocks: list[Block]
    shapes: list[Shape]
    view_box: str
    legend: list[LegendEntry]
    sources: list[str]

    @property
    def places(self) -> list[Place]:
        return [place for block in self.blocks for place in block.places]

    @property
    def table_rows_html(self) -> SafeString:
        def pct(value: float | None) -> str:
            return "—" if value is None else f"{value:.1f} %"

        return format_html_join(
            "",
            '<tr data-place="{}"><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td>'
            '<td class="num">{}</td><td class="num">{}</td></tr>',
            (
                (
                    p.code,
                    p.name,
                    p.group,
                    p.coverage.adults.persons,
                    pct(p.coverage.first_dose_18plus_pct),
                    pct(p.pct),
                    pct(p.coverage.full_dose_65plus_pct),
                )
                for p in self.places
            ),
        )


def _legend(places: list[Place]) -> list[LegendEntry]:
    counts: dict[str, int] = {}
    for place in places:
        counts[place.step.key] = counts.get(place.step.key, 0) + 1
    steps = [step_of(lower) for lower, _colour, _label in SCALE] + [step_of(None)]
    return [LegendEntry(step, counts.get(step.key, 0)) for step in steps]


def build(figures: UnitCoverage) -> CoverageMap:
    """The map of a unit's coverage: its wards (a city's, by district; a district's), or a ward's areas."""
    unit, on = figures.unit, f"{figures.on:%d/%m/%Y}"
    if unit.level == "ward":
        places = [Place(row.code, row.name, unit.full_name, "", row.coverage) for row in figures.rows]
        blocks = [Block(unit.full_name, "", places)]
        level = "area"
    else:
        base = reverse("vaccination:home")
        units = list(
            territory.within(unit)
            .filter(level__in=("district", "ward"))
            .only("code", "name", "full_name", "level", "path", "parent")
            .order_by("path")
        )
        districts = {u.pk: u for u in units if u.level == "district"} or {unit.pk: unit}
        wards_of: dict[int | None, list[Place]] = {pk: [] for pk in districts}
        for ward in (u for u in units if u.level == "ward"):
            href = f"{base}?unit={ward.code}&on={on}"
            group = districts[ward.parent_id].full_name if ward.parent_id in districts else ""
            coverage = figures.wards.get(ward.path, Coverage())
            wards_of.setdefault(ward.parent_id, []).append(
                Place(ward.code, ward.full_name, group, href, coverage)
            )
        blocks = [
            Block(district.name, f"{base}?unit={district.code}&on={on}", wards_of.get(pk, []))
            for pk, district in districts.items()
        ]
        level = "ward"
    outlines = [o for o in boundaries.outlines(within=unit.path) if o.level in (level, "district")]
    shapes, box = _shapes(outlines, {p.code: p for b in blocks for p in b.places}, level)
    all_places = [p for b in blocks for p in b.places]
    return CoverageMap(
        level, blocks, shapes, box, _legend(all_places), sorted({o.source for o in outlines if o.source})
    )


def _shapes(outlines: list[Any], places: dict[str, Place], level: str) -> tuple[list[Shape], str]:
    mapped = [o for o in outlines if o.level == level and o.code in places]
    if not mapped:
        return [], ""
    project, height = projection(mapped)
    shapes = [Shape(svg_path(o.polygons, project), places[o.code]) for o in mapped]
    if level == "ward":  # district borders over the wards, where stored
        shapes += [Shape(svg_path(o.polygons, project), None) for o in outlines if o.level == "district"]
    return shapes, view_box(height)
