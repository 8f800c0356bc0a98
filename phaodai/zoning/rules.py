"""Pure zoning policy: indicators, criteria tables compiled to JsonLogic, classification, regimes.

No Django here: frozen dataclasses in, decisions with their reasons out.
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from phaodai.core.rules import compile_rule

# Indicator codes and the kind of value each holds (S3; cases, tests and vaccination providers fill them).
COUNT, NUMBER, PERCENT, FLAG, CATEGORY = "count", "number", "percent", "flag", "category"
INDICATORS: dict[str, str] = {
    "community_cases_7d": COUNT,
    "community_cases_14d": COUNT,
    "unknown_source_cases_14d": COUNT,
    "cases_per_100k_7d": NUMBER,
    "days_since_last_community_case": COUNT,
    "lockdown_active": FLAG,
    "tests_7d": COUNT,
    "test_positivity_7d_pct": PERCENT,
    "first_dose_18plus_pct": PERCENT,
    "full_dose_65plus_pct": PERCENT,
    "treatment_capacity_met": FLAG,
    # Attributes of the area itself.
    "kind": CATEGORY,
    "population": COUNT,
    "shared_sanitation": FLAG,
}
ATTRIBUTES = frozenset({"kind", "population", "shared_sanitation"})
ENTERABLE = frozenset(INDICATORS) - ATTRIBUTES
OPERATORS = ("<", "<=", ">", ">=", "==", "!=")
FLAG_OPERATORS = ("==", "!=")
# Modifiers a table may carry; "no_downgrade_unless": the level cannot go down while the flag is false.
MODIFIER_KINDS = ("no_downgrade_unless",)
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class CriteriaError(ValueError):
    """A criteria table that cannot be compiled; `field` and `problem` say where and why."""

    def __init__(self, problem: str, *, row: str = "", field: str = "", **params: Any) -> None:
        self.problem = problem
        self.row = row
        self.field = field
        self.params = params
        super().__init__(f"{row} {field}: {problem} {params}".strip())


@dataclass(frozen=True)
class Condition:
    indicator: str
    op: str
    value: Any

    def as_logic(self) -> dict[str, Any]:
        return {self.op: [{"var": self.indicator}, self.value]}

    def describe(self) -> str:
        return f"{self.indicator} {self.op} {_show(self.value)}"


@dataclass(frozen=True)
class Row:
    label: str
    severity: int
    conditions: tuple[Condition, ...]

    @property
    def logic(self) -> dict[str, Any]:
        return {"and": [c.as_logic() for c in self.conditions]}

    def describe(self) -> str:
        return " AND ".join(c.describe() for c in self.conditions)


@dataclass(frozen=True)
class LevelSpec:
    severity: int
    code: str
    name: str


@dataclass(frozen=True)
class Modifier:
    kind: str
    indicator: str


@dataclass(frozen=True)
class Table:
    code: str
    levels: tuple[LevelSpec, ...]
    rows: tuple[Row, ...]
    modifiers: tuple[Modifier, ...] = ()

    @property
    def lowest(self) -> LevelSpec:
        return min(self.levels, key=lambda level: level.severity)

    def level(self, severity: int) -> LevelSpec:
        return next(level for level in self.levels if level.severity == severity)


@dataclass(frozen=True)
class Classification:
    """The level a table gives, the row that decided it and the values that row read."""

    severity: int
    level_code: str
    matched_row: str | None
    rule: str
    values: Mapping[str, Any]
    missing: tuple[str, ...] = ()
    held_by: str | None = None  # a modifier that kept the previous level

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "level": self.level_code,
            "matched_row": self.matched_row,
            "rule": self.rule,
            "values": dict(self.values),
            "missing": list(self.missing),
            "held_by": self.held_by,
        }


def clean_value(indicator: str, raw: Any) -> Any:
    """The typed value of an indicator (threshold or observation); ValueError names the problem."""
    kind = INDICATORS.get(indicator)
    if kind is None:
        raise CriteriaError("unknown_indicator", field="indicator", indicator=indicator)
    if kind == CATEGORY:
        text = str(raw).strip()
        if not text:
            raise CriteriaError("empty_value", field="value", indicator=indicator)
        return text
    if kind == FLAG:
        return _flag(indicator, raw)
    number = _number(indicator, raw)
    if kind == COUNT and (number != int(number) or number < 0):
        raise CriteriaError("not_a_count", field="value", indicator=indicator, value=raw)
    if kind == PERCENT and not 0 <= number <= 100:
        raise CriteriaError("not_a_percentage", field="value", indicator=indicator, value=raw)
    if number < 0:
        raise CriteriaError("negative", field="value", indicator=indicator, value=raw)
    return int(number) if kind == COUNT else number


def _flag(indicator: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "có", "co", "x"}:
        return True
    if text in {"0", "false", "no", "không", "khong", ""}:
        return False
    raise CriteriaError("not_a_flag", field="value", indicator=indicator, value=raw)


def _number(indicator: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise CriteriaError("not_a_number", field="value", indicator=indicator, value=raw)
    if isinstance(raw, int | float):
        try:
            number = float(raw)
        except OverflowError:
            raise CriteriaError("not_a_number", field="value", indicator=indicator, value="…") from None
    else:
        text = str(raw).strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise CriteriaError("not_a_number", field="value", indicator=indicator, value=raw) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CriteriaError("not_a_number", field="value", indicator=indicator, value=raw)
    return number


def make_condition(indicator: str, op: str, value: Any, *, row: str = "") -> Condition:
    """A checked condition: a known indicator, an operator it supports and a threshold of its kind."""
    indicator = str(indicator).strip()
    if indicator not in INDICATORS:
        raise CriteriaError("unknown_indicator", row=row, field="indicator", indicator=indicator)
    allowed = FLAG_OPERATORS if INDICATORS[indicator] in (FLAG, CATEGORY) else OPERATORS
    if op not in allowed:
        raise CriteriaError("unknown_operator", row=row, field="op", op=op, indicator=indicator)
    try:
        typed = clean_value(indicator, value)
    except CriteriaError as error:
        raise CriteriaError(error.problem, row=row, field="value", **error.params) from None
    return Condition(indicator, op, typed)


def build_table(
    *,
    code: str,
    levels: Iterable[LevelSpec],
    rows: Iterable[tuple[str, int, Iterable[Mapping[str, Any]]]],
    modifiers: Iterable[Mapping[str, Any]] = (),
) -> Table:
    """Check and assemble a table; rows are (label, severity, [{"indicator", "op", "value"}])."""
    level_list = tuple(sorted(levels, key=lambda level: -level.severity))
    if len(level_list) < 2:
        raise CriteriaError("too_few_levels")
    severities = [level.severity for level in level_list]
    if len(set(severities)) != len(severities):
        raise CriteriaError("duplicate_level")
    built: list[Row] = []
    labels: set[str] = set()
    for label, severity, conditions in rows:
        if severity not in severities:
            raise CriteriaError("unknown_level", row=label, field="level", severity=severity)
        if label in labels:
            raise CriteriaError("duplicate_row", row=label, field="label")
        labels.add(label)
        checked = tuple(
            make_condition(c.get("indicator", ""), c.get("op", ""), c.get("value"), row=label)
            for c in conditions
        )
        if not checked:
            raise CriteriaError("row_without_conditions", row=label)
        built.append(Row(label, severity, checked))
    # Evaluation order: most severe level first, then the author's order within a level.
    ordered = tuple(sorted(built, key=lambda row: -row.severity))
    return Table(code=code, levels=level_list, rows=ordered, modifiers=_modifiers(modifiers))


def _modifiers(raw: Iterable[Mapping[str, Any]]) -> tuple[Modifier, ...]:
    result = []
    for item in raw:
        kind, indicator = item.get("kind", ""), item.get("indicator", "")
        if kind not in MODIFIER_KINDS:
            raise CriteriaError("unknown_modifier", field="modifiers", kind=kind)
        if INDICATORS.get(indicator) != FLAG:
            raise CriteriaError("modifier_needs_flag", field="modifiers", indicator=indicator)
        result.append(Modifier(kind, indicator))
    return tuple(result)


def compile_table(table: Table) -> dict[str, Any]:
    """The publishable form: levels, each row as JsonLogic, and the modifiers."""
    return {
        "code": table.code,
        "levels": [{"severity": lv.severity, "code": lv.code, "name": lv.name} for lv in table.levels],
        "rows": [
            {
                "label": row.label,
                "severity": row.severity,
                "level": table.level(row.severity).code,
                "logic": {"and": [c.as_logic() for c in row.conditions]},
                "text": row.describe(),
            }
            for row in table.rows
        ],
        "modifiers": [{"kind": m.kind, "indicator": m.indicator} for m in table.modifiers],
        "default_level": table.lowest.code,
    }


def table_from_compiled(compiled: Mapping[str, Any]) -> Table:
    """Rebuild (and re-check) a table from its published form."""
    levels = [LevelSpec(lv["severity"], lv["code"], lv["name"]) for lv in compiled["levels"]]
    rows = [
        (row["label"], row["severity"], [_condition_of(logic) for logic in row["logic"]["and"]])
        for row in compiled["rows"]
    ]
    return build_table(
        code=compiled["code"], levels=levels, rows=rows, modifiers=compiled.get("modifiers", ())
    )


def _condition_of(logic: Mapping[str, Any]) -> dict[str, Any]:
    ((op, (var, value)),) = logic.items()
    return {"indicator": var["var"], "op": op, "value": value}


def classify(
    table: Table, indicators: Mapping[str, Any], *, previous_severity: int | None = None
) -> Classification:
    """Walk the rows from the most severe level down; the first row whose conditions all hold decides.

    A row that reads a missing indicator cannot hold; no match gives the lowest level.
    """
    missing: set[str] = set()
    result: Classification | None = None
    present = {name for name, value in indicators.items() if value is not None}
    for row in _compiled_rows(table):
        if not row.needs <= present:
            missing.update(row.needs - present)
            continue
        if row.holds(indicators):
            # Each condition reads one indicator: those are the values the decision rests on.
            values = {name: indicators[name] for name in row.reads}
            result = Classification(row.severity, row.level_code, row.label, row.text, values)
            break
    if result is None:
        lowest = table.lowest
        result = Classification(lowest.severity, lowest.code, None, "", {})
    if missing:
        result = _with_missing(result, missing)
    if table.modifiers:
        result = _apply_modifiers(table, result, indicators, previous_severity)
    return result


@dataclass(frozen=True)
class _CompiledRow:
    label: str
    severity: int
    level_code: str
    text: str
    reads: tuple[str, ...]
    holds: Callable[[Any], Any]
    needs: frozenset[str]


_COMPILED: dict[int, tuple[Table, list[_CompiledRow]]] = {}


def _compiled_rows(table: Table) -> list[_CompiledRow]:
    """Each row's JsonLogic compiled by the engine once per table (classification runs it per area)."""
    cached = _COMPILED.get(id(table))
    if cached is None or cached[0] is not table:
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        rows = [
            _CompiledRow(
                row.label,
                row.severity,
                table.level(row.severity).code,
                row.describe(),
                tuple(dict.fromkeys(c.indicator for c in row.conditions)),
                compile_rule(row.logic),
                frozenset(c.indicator for c in row.conditions),
            )
            for row in table.rows
        ]
        cached = (table, rows)
        _COMPILED[id(table)] = cached
    return cached[1]


def _with_missing(result: Classification, missing: set[str]) -> Classification:
    return Classification(
        result.severity,
        result.level_code,
        result.matched_row,
        result.rule,
        result.values,
        tuple(sorted(missing)),
    )


def _apply_modifiers(
    table: Table, result: Classification, indicators: Mapping[str, Any], previous: int | None
) -> Classification:
    for modifier in table.modifiers:
        flag = indicators.get(modifier.indicator)
        if previous is not None and previous > result.severity and flag is not True:
            # e.g. NQ128/4800: treatment capacity not met, the level cannot go down.
            level = table.level(previous)
            values = {**result.values, modifier.indicator: flag}
            return Classification(
                previous, level.code, result.matched_row, result.rule, values, result.missing, modifier.kind
            )
    return result


# Regime rule conditions: key -> kind of value (see data/catalogue.json).
CONDITION_KEYS: dict[str, str] = {
    "max_people": "count",
    "capacity_pct": "percent",
    "onsite_staff_pct": "percent",
    "opens_at": "time",
    "closes_at": "time",
    "takeaway_only": "flag",
    "requires_vaccination": "flag",
    "requires_negative_test_hours": "count",
    "distance_m": "number",
    "health_declaration": "flag",
    "essential_only": "flag",
    "permit_required": "flag",
}
STATUSES = ("allowed", "conditional", "forbidden")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def check_rule_conditions(status: str, conditions: Mapping[str, Any], note: str) -> list[str]:
    """Problems with one regime rule (empty when it is sound)."""
    problems = []
    if status not in STATUSES:
        problems.append(f"unknown status {status!r}")
    for key, value in conditions.items():
        kind = CONDITION_KEYS.get(key)
        if kind is None:
            problems.append(f"unknown condition {key!r}")
        elif kind == "time" and not (isinstance(value, str) and TIME.match(value)):
            problems.append(f"{key} must be HH:MM")
        elif kind == "flag" and value is not True:
            problems.append(f"{key} must be true")
        elif kind in ("count", "percent") and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            problems.append(f"{key} must be a positive whole number")
        elif kind == "percent" and value > 100:
            problems.append(f"{key} must be at most 100")
        elif kind == "number" and (
            isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
        ):
            problems.append(f"{key} must be a positive number")
    if status == "conditional" and not conditions and not note.strip():
        problems.append("a conditional rule needs a condition or a note")
    return problems


@dataclass(frozen=True)
class RuleSpec:
    activity: str
    status: str
    conditions: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""
    note_en: str = ""
    to_verify: bool = False


def resolve_rules(chain: Sequence[Mapping[str, RuleSpec]]) -> dict[str, RuleSpec]:
    """A regime's rules after inheritance: `chain` runs from the root regime to the regime itself."""
    resolved: dict[str, RuleSpec] = {}
    for rules in chain:
        resolved.update(rules)
    return resolved


@dataclass(frozen=True)
class Candidate:
    """An assignment that may apply: its depth (specificity) and start; `key` identifies it."""

    key: Any
    depth: int
    effective_from: Any


def most_specific(candidates: Iterable[Candidate]) -> Candidate | None:
    """The deepest assignment in force, the latest among equally deep ones (S5)."""
    best: Candidate | None = None
    for candidate in candidates:
        if best is None or (candidate.depth, candidate.effective_from) > (best.depth, best.effective_from):
            best = candidate
    return best


def target_paths(unit_path: str, area_code: str | None = None) -> list[str]:
    """Every assignment target covering a unit (or an area of it), from the city down."""
    parts = [part for part in unit_path.split("/") if part]
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    if area_code:
        paths.append(f"{unit_path}{area_code}/")
    return paths


def depth_of(target_path: str) -> int:
    return target_path.strip("/").count("/") + 1


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
