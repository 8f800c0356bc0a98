"""The date and path comparisons pass rules are made of, compiled, give exactly what apply gives.

A rule compares dates as {op: [{"plusTime": [x, 0, unit]}, {"plusTime": [y, 0, unit]}]}; the
compiler reads that form in one closure (phaodai.core.rules.closures._instant_pair), so every value
either operand may hold is checked here against apply: results, and errors with their messages.
"""

from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaodai.core.rules import apply, compile_rule

OPS = ("before", "not-before", "after", "not-after")
VALUES: list[Any] = [
    "2021-09-09T06:30:00Z",
    "2021-09-09T06:30:00.123456+07:00",
    "2021-09-09",
    "2021-06",
    "2021",
    "9/9/2021",
    "",
    12,
    1.5,
    None,
    True,
    [],
    {},
    date(2021, 9, 9),
    datetime(2021, 9, 9, 6, 30, tzinfo=UTC),
    datetime(2021, 9, 9, 6, 30),
]


def outcome(compute: Any) -> tuple[str, str]:
    try:
        return "value", repr(compute())
    except Exception as error:  # any difference counts, not only in RuleError
        return type(error).__name__, str(error)


def rule(op: str, unit: str = "hour") -> dict[str, Any]:
    return {
        op: [
            {"plusTime": [{"var": "external.validationClock"}, 0, unit]},
            {"plusTime": [{"var": "payload.vf"}, 0, "day"]},
        ]
    }


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("first", VALUES)
@pytest.mark.parametrize("second", VALUES)
def test_two_read_dates_compare_as_apply_compares(op: str, first: Any, second: Any) -> None:
    data = {"external": {"validationClock": first}, "payload": {"vf": second}}
    assert outcome(lambda: compile_rule(rule(op))(data)) == outcome(lambda: apply(rule(op), data))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("data", [{}, {"external": None}, {"payload": ["x"]}, None, []])
def test_missing_or_odd_data_gives_what_apply_gives(op: str, data: Any) -> None:
    assert outcome(lambda: compile_rule(rule(op))(data)) == outcome(lambda: apply(rule(op), data))


@given(
    st.sampled_from(OPS),
    st.sampled_from(["year", "month", "day", "hour"]),
    st.one_of(st.text(max_size=30), st.datetimes(timezones=st.just(UTC)), st.integers()),
    st.one_of(st.text(max_size=30), st.datetimes(timezones=st.just(UTC)), st.integers()),
)
def test_any_dates_compare_as_apply_compares(op: str, unit: str, first: Any, second: Any) -> None:
    data = {"external": {"validationClock": first}, "payload": {"vf": second}}
    assert outcome(lambda: compile_rule(rule(op, unit))(data)) == outcome(lambda: apply(rule(op, unit), data))


COMPARISONS = ("==", "===", "!=", "!==", "<", "<=", ">", ">=")
READ: list[Any] = [2, 1, 0, 2.0, 2.5, True, False, None, "2", "b", "", [2], {}, date(2021, 9, 9)]
LITERALS: list[Any] = [2, 0, 1.5, True, None, "2", "b"]


@pytest.mark.parametrize("op", COMPARISONS)
@pytest.mark.parametrize("value", READ)
@pytest.mark.parametrize("literal", LITERALS)
def test_a_path_compared_with_a_literal_is_compared_as_apply_compares(
    op: str, value: Any, literal: Any
) -> None:
    """Rules read payload.vd or external.x against a literal: compiled as a var against a constant."""
    for logic in ({op: [{"var": "payload.vd"}, literal]}, {op: [literal, {"var": "payload.vd"}]}):
        for data in ({"payload": {"vd": value}}, {"payload": [value]}, {}, None):
            assert outcome(partial(compile_rule(logic), data)) == outcome(partial(apply, logic, data))
