"""What is in force for every area and unit below a unit at an instant, set-wise (the map, unit pages).

One query reads every assignment in force at the instant under the unit (and above it); one reads the
unit's areas; the most specific assignment per place is picked in Python with zoning.rules, as
zoning.selectors.placement_of_area does for one area.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from phaodai.territory import selectors as territory
from phaodai.zoning import rules
from phaodai.zoning import selectors as zoning

NO_LEVEL_COLOUR = "#607d8b"
NOTHING_COLOUR = "#e0e0e0"
FIELDS = (
    "target_path",
    "depth",
    "effective_from",
    "level__code",
    "level__name",
    "level__name_en",
    "level__colour",
    "level__severity",
    "regime__code",
    "regime__short_name",
    "regime__short_name_en",
)


@dataclass(frozen=True)
class Placed:
    """The level and regime in force for one place (a light Placement, read with values())."""

    level_code: str | None
    level_name: str
    level_name_en: str
    colour: str
    severity: int | None
    regime_code: str
    regime_name: str
    regime_name_en: str

    @property
    def rank(self) -> tuple[int, int]:
        """Orders places by risk: any level above none, then by severity."""
        return (1, self.severity or 0) if self.level_code else (0, 0)

    @property
    def key(self) -> str:
        """The level code, or the regime code when the assignment has no level (a city-wide directive)."""
        return self.level_code or self.regime_code

    @property
    def label(self) -> str:
        if self.level_code:
            return zoning.localized(self, "level_name") or self.level_code
        return zoning.localized(self, "regime_name") or self.regime_code


def _placed(row: dict[str, Any]) -> Placed:
    return Placed(
        level_code=row["level__code"],
        level_name=row["level__name"] or "",
        level_name_en=row["level__name_en"] or "",
        colour=row["level__colour"] or NO_LEVEL_COLOUR,
        severity=row["level__severity"],
        regime_code=row["regime__code"],
        regime_name=row["regime__short_name"],
        regime_name_en=row["regime__short_name_en"],
    )


class Snapshot:
    """Every assignment in force at `at` on or above the places under `unit_path`, by target path."""

    def __init__(self, unit_path: str, at: datetime) -> None:
        above = rules.target_paths(unit_path)
        rows = zoning.in_force_at(at).filter(Q(target_path__startswith=unit_path) | Q(target_path__in=above))
        self.by_target: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows.values(*FIELDS):
            self.by_target[row["target_path"]].append(row)

    def place(self, targets: Iterable[str]) -> Placed | None:
        """The most specific assignment among those for `targets` (the latest among equals)."""
        found = [row for target in targets for row in self.by_target.get(target, ())]
        best = rules.most_specific(
            rules.Candidate(i, row["depth"], row["effective_from"]) for i, row in enumerate(found)
        )
        return _placed(found[best.key]) if best else None

    def of_unit(self, unit: Any) -> Placed | None:
        return self.place(rules.target_paths(unit.path))

    def of_area(self, code: str, ward_path: str) -> Placed | None:
        return self.place(rules.target_paths(ward_path, code))


def worst(placements: Iterable[Placed | None]) -> Placed | None:
    """The riskiest of several placements (a level beats no level; higher severity beats lower)."""
    best: Placed | None = None
    for placed in placements:
        if placed is not None and (best is None or placed.rank > best.rank):
            best = placed
    return best


@dataclass(frozen=True)
class AreaPlace:
    code: str
    name: str
    ward_path: str
    placed: Placed | None


def areas_placed(unit: Any, at: datetime, snapshot: Snapshot | None = None) -> list[AreaPlace]:
    """Every active area under `unit` with what is in force there at `at` (two queries)."""
    snapshot = snapshot or Snapshot(unit.path, at)
    rows = territory.areas_within(unit).order_by("path", "local_code").values_list("code", "name", "path")
    return [AreaPlace(code, name, path, snapshot.of_area(code, path)) for code, name, path in rows]


def level_counts(areas: Iterable[AreaPlace]) -> dict[str, int]:
    """How many areas are at each level (keyed by level code, or regime code without a level)."""
    counts: dict[str, int] = defaultdict(int)
    for area in areas:
        counts[area.placed.key if area.placed else "none"] += 1
    return dict(sorted(counts.items()))


def worst_by_unit(
    areas: Iterable[AreaPlace], units: Iterable[Any], snapshot: Snapshot
) -> dict[str, Placed | None]:
    """For each unit (by code), the riskiest placement among its areas, or its own without areas."""
    under: dict[str, list[Placed | None]] = defaultdict(list)
    for area in areas:
        for prefix in rules.target_paths(area.ward_path):
            under[prefix].append(area.placed)
    return {
        unit.code: worst(under[unit.path]) if under.get(unit.path) else snapshot.of_unit(unit)
        for unit in units
    }
