"""Published criteria tables for the public: rows in words and JsonLogic, and a dry run of the table."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.errors import InvalidInput
from phaodai.portal import words
from phaodai.zoning import rules
from phaodai.zoning import selectors as zoning

PROBLEMS: dict[str, Any] = {
    "not_a_count": gettext_lazy("not a whole number ≥ 0"),
    "not_a_percentage": gettext_lazy("not a percentage between 0 and 100"),
    "negative": gettext_lazy("negative"),
    "not_a_flag": gettext_lazy("not yes or no"),
    "not_a_number": gettext_lazy("not a number"),
    "empty_value": gettext_lazy("empty"),
}


class UnknownIndicators(InvalidInput):
    code = "unknown_indicator"
    message = gettext_lazy("Unknown indicators.")


class BadIndicatorValues(InvalidInput):
    code = "invalid_indicator_value"
    message = gettext_lazy("Some indicator values are not valid.")


@dataclass(frozen=True)
class ConditionView:
    indicator: str
    op: str
    value: Any
    words: str


@dataclass(frozen=True)
class RowView:
    label: str
    level: str
    conditions: list[ConditionView]
    text: str
    logic: dict[str, Any]


@dataclass(frozen=True)
class LevelView:
    level: Any
    rows: list[RowView]

    @property
    def name(self) -> str:
        return zoning.localized(self.level, "name")

    @property
    def regime_name(self) -> str:
        return zoning.localized(self.level.regime, "short_name")


@dataclass(frozen=True)
class TableView:
    table: Any
    levels: list[LevelView]
    modifiers: list[str]
    indicators: list[str]  # every indicator the rows and modifiers read, in first-use order
    default_level: str

    @property
    def name(self) -> str:
        return zoning.localized(self.table, "name")


def table_or_404(code: str, version: int | None = None) -> Any:
    table = zoning.published_table(code, version)
    if table is None:
        raise Http404
    return table


def describe(table: Any) -> TableView:
    """The table's levels (most severe first), each with its rows ("any of") of conditions ("all of")."""
    compiled = table.compiled or {}
    logic = {row["label"]: row for row in compiled.get("rows", [])}
    pure = zoning.rule_table(table)
    rows: dict[int, list[RowView]] = {}
    used: dict[str, None] = {}
    for row in pure.rows:
        conditions = [
            ConditionView(c.indicator, c.op, c.value, words.describe_condition(c.indicator, c.op, c.value))
            for c in row.conditions
        ]
        used.update(dict.fromkeys(c.indicator for c in row.conditions))
        published = logic.get(row.label, {})
        level_code = pure.level(row.severity).code
        rows.setdefault(row.severity, []).append(
            RowView(
                row.label,
                level_code,
                conditions,
                published.get("text", row.describe()),
                published.get("logic", {}),
            )
        )
    used.update(dict.fromkeys(m.indicator for m in pure.modifiers))
    levels = [LevelView(level, rows.get(level.severity, [])) for level in zoning.levels_of(table)]
    modifiers = [words.describe_modifier(m.kind, m.indicator) for m in pure.modifiers]
    return TableView(table, levels, modifiers, list(used), pure.lowest.code)


@dataclass(frozen=True)
class Evaluation:
    classification: rules.Classification
    level: Any

    @property
    def level_name(self) -> str:
        return zoning.localized(self.level, "name") if self.level else self.classification.level_code


def clean_indicators(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed indicator values (None or "" mean "not known"); unknown names or bad values are refused."""
    unknown = sorted(name for name in raw if name not in rules.INDICATORS)
    if unknown:
        message = _("Unknown indicators: %(names)s. Known indicators: %(known)s.") % {
            "names": ", ".join(unknown),
            "known": ", ".join(rules.INDICATORS),
        }
        raise UnknownIndicators(message, field="indicators")
    cleaned: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            cleaned[name] = rules.clean_value(name, value)
        except rules.CriteriaError as error:
            problems.append(f"{name} ({PROBLEMS.get(error.problem, error.problem)})")
    if problems:
        message = _("Values that are not valid: %(problems)s.") % {"problems": "; ".join(problems)}
        raise BadIndicatorValues(message, field="indicators")
    return cleaned


def evaluate(table: Any, raw: Mapping[str, Any], previous_level: str | None = None) -> Evaluation:
    """Run the table on the given values, as a ward's classification would (nothing is stored)."""
    values = clean_indicators(raw)
    levels = {level.code: level for level in zoning.levels_of(table)}
    previous = None
    if previous_level:
        if previous_level not in levels:
            message = _("“%(level)s” is not a level of this table.") % {"level": previous_level}
            raise InvalidInput(message, field="previous_level")
        previous = levels[previous_level].severity
    result = rules.classify(zoning.rule_table(table), values, previous_severity=previous)
    return Evaluation(result, levels.get(result.level_code))
