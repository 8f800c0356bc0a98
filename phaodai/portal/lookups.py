"""The public answer to "what may I do here at this time?", shared by the pages and the API."""

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from django.http import Http404

from phaodai.portal import words
from phaodai.portal.rulebook import Rulebook, rulebook
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning


@dataclass(frozen=True)
class ActivityAnswer:
    """What the regime in force says about one activity, and on what legal basis."""

    code: str
    name: str
    group: str
    status: str
    conditions: dict[str, Any]
    phrases: list[str]
    note: str
    to_verify: bool
    basis: str
    from_regime: str
    inherited: bool

    @property
    def symbol(self) -> str:
        return words.status_symbol(self.status)

    @property
    def status_words(self) -> str:
        return words.status_words(self.status)


@dataclass(frozen=True)
class Answer:
    """The placement in force for a place at `at` (None: nothing in force) and every activity's rule."""

    at: datetime
    placement: zoning.Placement | None
    activities: list[ActivityAnswer]
    book: Rulebook | None = None

    @property
    def level_name(self) -> str | None:
        if self.placement is None:
            return None
        if self.placement.level is not None:
            return zoning.localized(self.placement.level, "name")
        return zoning.localized(self.placement.regime, "short_name")

    @property
    def regime_name(self) -> str | None:
        return zoning.localized(self.placement.regime, "name") if self.placement else None

    def groups(self) -> list[tuple[str, list[ActivityAnswer]]]:
        return grouped(self.activities)

    def activity(self, code: str) -> ActivityAnswer | None:
        return next((a for a in self.activities if a.code == code), None)


def grouped(activities: list[ActivityAnswer]) -> list[tuple[str, list[ActivityAnswer]]]:
    """Activities grouped as the catalogue orders them (food, shops, services…)."""
    return [
        (words.group_name(group), list(items)) for group, items in groupby(activities, key=lambda a: a.group)
    ]


def activities_of(book: Rulebook) -> list[ActivityAnswer]:
    """Every activity's rule under the book's regime, in the active language (kept with the book)."""
    return book.in_language("answers", lambda: _activities(book))


def _activities(book: Rulebook) -> list[ActivityAnswer]:
    result = []
    for view in book.rules:
        rule, source = view.rule, book.regime_named(view.regime_code)
        conditions = dict(rule.conditions or {})
        result.append(
            ActivityAnswer(
                code=view.activity.code,
                name=zoning.localized(view.activity, "name"),
                group=view.activity.group,
                status=rule.status,
                conditions=conditions,
                phrases=words.describe_rule_conditions(conditions),
                note=zoning.localized(rule, "note"),
                to_verify=bool(rule.to_verify or source.to_verify),
                basis=zoning.localized(source, "basis"),
                from_regime=view.regime_code,
                inherited=view.regime_code != book.regime.code,
            )
        )
    return result


def answer(placement: zoning.Placement | None, at: datetime) -> Answer:
    if placement is None:
        return Answer(at=at, placement=None, activities=[])
    book = rulebook(placement.regime)
    return Answer(at=at, placement=placement, activities=activities_of(book), book=book)


def area_or_404(code: str) -> Any:
    area = territory.area_by_code(code)
    if area is None:
        raise Http404
    return area


def unit_or_404(code: str) -> Any:
    unit = territory.unit_by_code(code)
    if unit is None:
        raise Http404
    return unit


def area_answer(area: Any, at: datetime) -> Answer:
    return answer(zoning.placement_of_area(area, at), at)


def unit_answer(unit: Any, at: datetime) -> Answer:
    return answer(zoning.placement_of_unit(unit, at), at)


def regime_or_404(code: str) -> Any:
    regime = zoning.regime_by_code(code)
    if regime is None:
        raise Http404
    return regime


def regime_rules(regime: Any) -> list[ActivityAnswer]:
    """Every rule of a regime after inheritance (not tied to a place)."""
    return activities_of(rulebook(regime))
