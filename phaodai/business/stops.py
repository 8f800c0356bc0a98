"""Orders that shut a business whatever its regime and plan say (a closure after a violation).

Inspections own closures and depend on this app, so they register a source here instead of this app
importing them (the same registry pattern as the report pre-fill). A source answers for one business
at one instant, so "may we operate?" stays true for any moment asked, past ones included.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Stop:
    """An order in force at the instant asked: since when, and the words that explain it."""

    since: datetime
    reason: str


StopSource = Callable[[Any, datetime], Stop | None]

_sources: dict[str, StopSource] = {}


def register_stop_source(name: str, source: StopSource) -> None:
    _sources[name] = source


def unregister_stop_source(name: str) -> None:
    _sources.pop(name, None)


def stops_of(business: Any, at: datetime) -> list[Stop]:
    """Every order keeping the business shut at `at`, earliest first."""
    found = [stop for source in _sources.values() if (stop := source(business, at)) is not None]
    return sorted(found, key=lambda stop: stop.since)
