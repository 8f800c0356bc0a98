"""Pure zoning policy: tables are checked, compiled to JsonLogic and evaluated with their reasons."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaodai.core.rules import apply
from phaodai.zoning import rules

TABLES = {
    t["code"]: t
    for t in json.loads((Path(__file__).parents[1] / "data" / "criteria_tables.json").read_text())["tables"]
}


def shipped(code: str) -> rules.Table:
    spec = TABLES[code]
    severity = {lv["code"]: lv["severity"] for lv in spec["levels"]}
    return rules.build_table(
        code=code,
        levels=[rules.LevelSpec(lv["severity"], lv["code"], lv["name"]) for lv in spec["levels"]],
        rows=[(row["label"], severity[row["level"]], row["conditions"]) for row in spec["rows"]],
        modifiers=spec["modifiers"],
    )


NQ128 = shipped("NQ128-4800")
HIGH = {"first_dose_18plus_pct": 75.0, "full_dose_65plus_pct": 85.0}
LOW_FIRST = {"first_dose_18plus_pct": 60.0, "full_dose_65plus_pct": 85.0}
LOW_ELDERLY = {"first_dose_18plus_pct": 75.0, "full_dose_65plus_pct": 70.0}


# POLICY.md §3, the matrix of Decision 4800: (cases per 100k per week, coverage) -> level.
@pytest.mark.parametrize(
    ("cases", "high", "low"),
    [
        (0, "C1", "C1"),
        (5, "C1", "C2"),
        (19.9, "C1", "C2"),
        (20, "C2", "C3"),
        (49, "C2", "C3"),
        (50, "C3", "C4"),
        (149.9, "C3", "C4"),
        (150, "C4", "C4"),
        (900, "C4", "C4"),
    ],
)
def test_nq128_gives_the_policy_matrix_levels(cases: float, high: str, low: str) -> None:
    base = {"cases_per_100k_7d": cases, "treatment_capacity_met": True}
    assert rules.classify(NQ128, {**base, **HIGH}).level_code == high
    # Coverage is "low" when either clause fails: adults' first dose or the elderly's full course.
    assert rules.classify(NQ128, {**base, **LOW_FIRST}).level_code == low
    assert rules.classify(NQ128, {**base, **LOW_ELDERLY}).level_code == low


def test_a_result_carries_the_matched_row_and_the_values_it_read() -> None:
    result = rules.classify(NQ128, {"cases_per_100k_7d": 60, **LOW_FIRST, "treatment_capacity_met": True})
    assert result.matched_row == "C4-2"
    assert result.values == {"cases_per_100k_7d": 60, "first_dose_18plus_pct": 60.0}
    assert "cases_per_100k_7d >= 50" in result.rule


def test_no_match_gives_the_lowest_level_without_a_row() -> None:
    result = rules.classify(NQ128, {"cases_per_100k_7d": 0, **HIGH})
    assert (result.level_code, result.matched_row) == ("C1", None)


def test_treatment_capacity_not_met_keeps_the_level_from_going_down() -> None:
    values = {"cases_per_100k_7d": 10, **HIGH, "treatment_capacity_met": False}
    held = rules.classify(NQ128, values, previous_severity=3)
    assert (held.level_code, held.held_by) == ("C3", "no_downgrade_unless")
    freed = rules.classify(NQ128, {**values, "treatment_capacity_met": True}, previous_severity=3)
    assert freed.level_code == "C1"
    # Going up is never held back.
    assert rules.classify(NQ128, {**values, "cases_per_100k_7d": 200}, previous_severity=2).level_code == "C4"


def test_a_row_that_reads_a_missing_indicator_cannot_hold() -> None:
    result = rules.classify(NQ128, {"cases_per_100k_7d": 60})
    assert result.level_code == "C3"  # C4-2/3 need coverage, which is missing
    assert set(result.missing) == {"first_dose_18plus_pct", "full_dose_65plus_pct"}


LONG_BIEN = shipped("LB-2021-09")


@pytest.mark.parametrize(
    ("values", "level", "row"),
    [
        ({"lockdown_active": True}, "KV1", "KV1-1"),
        ({"community_cases_14d": 1, "unknown_source_cases_14d": 1}, "KV1", "KV1-2"),
        ({"community_cases_14d": 4, "community_cases_7d": 3, "unknown_source_cases_14d": 0}, "KV1", "KV1-3"),
        ({"community_cases_14d": 2, "community_cases_7d": 1, "unknown_source_cases_14d": 0}, "KV2", "KV2-1"),
        ({"shared_sanitation": True}, "KV2", "KV2-2"),
        ({"kind": "cho_dan_sinh"}, "KV2", "KV2-3"),
        ({"kind": "khu_cong_nghiep"}, "KV2", "KV2-4"),
        ({"kind": "to_dan_pho"}, "KV3", None),
    ],
)
def test_long_bien_table(values: dict[str, Any], level: str, row: str | None) -> None:
    quiet = {
        "lockdown_active": False,
        "community_cases_14d": 0,
        "community_cases_7d": 0,
        "unknown_source_cases_14d": 0,
        "shared_sanitation": False,
        "kind": "to_dan_pho",
    }
    result = rules.classify(LONG_BIEN, {**quiet, **values})
    assert (result.level_code, result.matched_row) == (level, row)


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ({"indicator": "moon_phase", "op": ">", "value": 1}, "unknown_indicator"),
        ({"indicator": "community_cases_7d", "op": "~", "value": 1}, "unknown_operator"),
        ({"indicator": "lockdown_active", "op": ">", "value": 1}, "unknown_operator"),
        ({"indicator": "community_cases_7d", "op": ">", "value": "many"}, "not_a_number"),
        ({"indicator": "community_cases_7d", "op": ">", "value": 1.5}, "not_a_count"),
        ({"indicator": "first_dose_18plus_pct", "op": ">", "value": 130}, "not_a_percentage"),
        ({"indicator": "lockdown_active", "op": "==", "value": "maybe"}, "not_a_flag"),
        ({"indicator": "cases_per_100k_7d", "op": ">", "value": float("nan")}, "not_a_number"),
    ],
)
def test_bad_rows_are_refused_with_the_problem(condition: dict[str, Any], problem: str) -> None:
    levels = [rules.LevelSpec(2, "A", "A"), rules.LevelSpec(1, "B", "B")]
    with pytest.raises(rules.CriteriaError) as refused:
        rules.build_table(code="T", levels=levels, rows=[("A-1", 2, [condition])])
    assert (refused.value.problem, refused.value.row) == (problem, "A-1")


def test_a_row_of_a_level_outside_the_table_is_refused() -> None:
    levels = [rules.LevelSpec(2, "A", "A"), rules.LevelSpec(1, "B", "B")]
    condition = {"indicator": "community_cases_7d", "op": ">", "value": 1}
    with pytest.raises(rules.CriteriaError) as refused:
        rules.build_table(code="T", levels=levels, rows=[("X-1", 5, [condition])])
    assert refused.value.problem == "unknown_level"


def test_compiled_rows_are_jsonlogic_the_engine_evaluates_the_same_way() -> None:
    compiled = rules.compile_table(NQ128)
    assert compiled["rows"][0]["logic"] == {"and": [{">=": [{"var": "cases_per_100k_7d"}, 150]}]}
    assert rules.table_from_compiled(json.loads(json.dumps(compiled))) == NQ128


values_strategy = st.fixed_dictionaries(
    {
        "cases_per_100k_7d": st.floats(min_value=0, max_value=2000, allow_nan=False),
        "first_dose_18plus_pct": st.floats(min_value=0, max_value=100),
        "full_dose_65plus_pct": st.floats(min_value=0, max_value=100),
        "treatment_capacity_met": st.booleans(),
    }
)


@given(values_strategy)
def test_the_first_matching_row_decides_as_published(values: dict[str, Any]) -> None:
    """Evaluating the published JsonLogic rows in order gives the same level as classify()."""
    compiled = rules.compile_table(NQ128)
    expected = next((row["level"] for row in compiled["rows"] if apply(row["logic"], values)), "C1")
    assert rules.classify(NQ128, values).level_code == expected


@given(values_strategy, st.floats(min_value=0, max_value=2000, allow_nan=False))
def test_more_cases_never_lower_the_level(values: dict[str, Any], extra: float) -> None:
    worse = {**values, "cases_per_100k_7d": values["cases_per_100k_7d"] + extra}
    assert rules.classify(NQ128, worse).severity >= rules.classify(NQ128, values).severity


def test_most_specific_assignment_wins_then_the_latest() -> None:
    city = rules.Candidate("city", 1, 10)
    ward_old = rules.Candidate("ward-old", 3, 5)
    ward_new = rules.Candidate("ward-new", 3, 8)
    assert rules.most_specific([city, ward_old, ward_new]) == ward_new
    assert rules.most_specific([]) is None


def test_target_paths_run_from_the_city_down_to_the_area() -> None:
    assert rules.target_paths("/01/004/00139/", "00139-TDP01") == [
        "/01/",
        "/01/004/",
        "/01/004/00139/",
        "/01/004/00139/00139-TDP01/",
    ]
    assert rules.depth_of("/01/004/00139/00139-TDP01/") == 4


@pytest.mark.parametrize(
    ("status", "conditions", "note", "ok"),
    [
        ("conditional", {"closes_at": "21:00", "takeaway_only": True}, "", True),
        ("conditional", {}, "", False),
        ("conditional", {}, "only with the ward's approval", True),
        ("allowed", {"closes_at": "25:00"}, "", False),
        ("allowed", {"capacity_pct": 150}, "", False),
        ("forbidden", {"colour": "red"}, "", False),
        ("sometimes", {}, "", False),
    ],
)
def test_regime_rule_conditions_are_checked(
    status: str, conditions: dict[str, Any], note: str, ok: bool
) -> None:
    assert (rules.check_rule_conditions(status, conditions, note) == []) is ok
