"""Indicator values of many areas at one instant, gathered set-wise from registered providers.

Other apps (cases, diagnostics, vaccination) register a provider for the indicators they can compute;
a provider answers for a whole set of areas with a few grouped queries, never one query per area.
Values a ward entered or imported fill whatever no provider computes.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max

from phaodai.zoning.models import IndicatorValue


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
        for area_id, provided in registration.provide(areas, at).items():
            if area_id in values:
                values[area_id].update({k: v for k, v in provided.items() if k in registration.indicators})
    for area in areas:
        _derive(values[area.id])
    return values


def entered_values(area_ids: Sequence[int], at: datetime) -> Values:
    """The latest entered value of each indicator of each area observed at or before `at`."""
    result: Values = {}
    if not area_ids:
        return result
    observed = IndicatorValue.objects.filter(area_id__in=area_ids, as_of__lte=at)
    latest = observed.values("area_id", "indicator").annotate(last=Max("as_of"))
    wanted = {(row["area_id"], row["indicator"], row["last"]) for row in latest}
    if not wanted:
        return result
    last_instants = {row[2] for row in wanted}
    rows = observed.filter(as_of__in=last_instants).values_list("area_id", "indicator", "as_of", "value")
    for area_id, indicator, as_of, value in rows:
        if (area_id, indicator, as_of) in wanted:
            result.setdefault(area_id, {})[indicator] = _typed(indicator, value)
    return result


def _typed(indicator: str, value: float) -> Any:
    from phaodai.zoning.rules import COUNT, FLAG, INDICATORS

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
