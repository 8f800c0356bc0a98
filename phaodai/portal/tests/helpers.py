"""Small typed look-ups for the portal tests (each one fails the test when the object is missing)."""

from datetime import datetime
from typing import Any, TypeVar

from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning

T = TypeVar("T")


def present(value: T | None) -> T:
    assert value is not None
    return value


def area(code: str) -> Any:
    return present(territory.area_by_code(code))


def unit(code: str) -> Any:
    return present(territory.unit_by_code(code))


def regime(code: str) -> Any:
    return present(zoning.regime_by_code(code))


def placement(place: Any, at: datetime) -> Any:
    return present(zoning.placement_of_area(place, at))


def level(table_code: str, level_code: str) -> Any:
    return zoning.levels_of(present(zoning.published_table(table_code))).get(code=level_code)
