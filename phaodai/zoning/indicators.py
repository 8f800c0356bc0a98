"""Indicator values of many areas at one instant, gathered set-wise from registered providers.

Other apps (cases, diagnostics, vaccination) register a provider for the indicators they can compute;
a provider answers for a whole set of areas with a few grouped queries, never one query per area.
Values a ward entered or imported fill whatever no provider computes.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from phaodai.zoning.models import IndicatorValue
from phaodai.zoning.rules import COUNT, FLAG, INDICATORS


@dataclass(frozen=True)
class AreaFacts:
    """What providers get to know about an area."""

    id: int
    code: str
    kind: str
    population: int
    shared_sanitation: bool


# area id -> indicator code -> value
Values = dict[int, dict[str, Any]]
Provider = Callable[[Sequence[AreaFacts], datetime], Mapping[int, Mapping[str, Any]]]


@dataclass(frozen=True)
class Registration:
    name: str
    indicators: frozenset[str]
    provide: Provider


_PROVIDERS: dict[str, Registration] = {}


def register_provider(name: str, indicators: frozenset[str], provide: Provider) -> None:
    """Register (or replace) a provider; its values win over entered ones for `indicators`."""
    _PROVIDERS[name] = Registration(name, indicators, provide)


def unregister_provider(name: str) -> None:
    _PROVIDERS.pop(name, None)


def providers() -> list[Registration]:
    return list(_PROVIDERS.values())


def gather(areas: Sequence[AreaFacts], at: datetime) -> Values:
    """Every indicator of every area at `at`: attributes, then entered values, then providers."""
    values: Values = {
        a.id: {"kind": a.kind, "population": a.population, "shared_sanitation": a.shared_sanitation}
        for a in areas
    }
    for area_id, entered in entered_values([a.id for a in areas], at).items():
        values[area_id].update(entered)
    for registration in _PROVIDERS.values():
        declared = registration.indicators
        for area_id, provided in registration.provide(areas, at).items():
            target = values.get(area_id)
            if target is not None:
                if provided.keys() <= declared:  # the usual case: nothing to filter out
                    target.update(provided)
                else:
                    target.update({k: v for k, v in provided.items() if k in declared})
    for area in areas:
        _derive(values[area.id])
    return values


def entered_values(area_ids: Sequence[int], at: datetime) -> Values:
    """The latest entered value of each indicator of each area observed at or before `at`."""
    result: Values = {}
    if not area_ids:
        return result
    if connection.vendor == "postgresql":
        rows = _latest_on_postgresql(area_ids, at)
    else:
        rows = _latest_portably(area_ids, at)
    for area_id, indicator, value in rows:
        result.setdefault(area_id, {})[indicator] = _typed(indicator, value)
    return result


def _latest_on_postgresql(area_ids: Sequence[int], at: datetime) -> list[tuple[int, str, float]]:
    # One pass with DISTINCT ON; the ids go as one array parameter (a 14,000-element IN list costs
    # more to bind and plan than the query itself, measured in bench/zoning_classify.py).
    table = IndicatorValue._meta.db_table
    sql = (
        f"SELECT DISTINCT ON (area_id, indicator) area_id, indicator, value FROM {table} "  # noqa: S608
        "WHERE area_id IN (SELECT unnest(%s::bigint[])) AND as_of <= %s "
        "ORDER BY area_id, indicator, as_of DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(area_ids), at])
        return list(cursor.fetchall())


def _latest_portably(area_ids: Sequence[int], at: datetime) -> list[tuple[int, str, float]]:
    rows = (
        IndicatorValue.objects.filter(area_id__in=area_ids, as_of__lte=at)
        .order_by("area_id", "indicator", "-as_of")
        .values_list("area_id", "indicator", "value")
    )
    seen: set[tuple[int, str]] = set()
    latest = []
    for area_id, indicator, value in rows.iterator(chunk_size=5000):
        if (area_id, indicator) not in seen:
            seen.add((area_id, indicator))
            latest.append((area_id, indicator, value))
    return latest


def _typed(indicator: str, value: float) -> Any:
    kind = INDICATORS.get(indicator)
    if kind == FLAG:
        return value >= 0.5
    if kind == COUNT:
        return int(value)
    return value


def _derive(values: dict[str, Any]) -> None:
    """Indicators computable from others, when nothing provided them directly."""
    if values.get("cases_per_100k_7d") is None:
        cases, population = values.get("community_cases_7d"), values.get("population")
        if cases is not None and population:
            values["cases_per_100k_7d"] = round(cases * 100_000 / population, 1)
