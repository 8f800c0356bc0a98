"""compile_rule: a rule validated once and compiled to closures gives exactly what apply gives."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phaodai.core.rules import OPERATORS, RuleError, apply, compile_rule, validate
from phaodai.core.rules.operators import ARITIES
from phaodai.core.tests.test_rules_engine import SPEC_EXAMPLES, data_objects, paths, rules, scalars


def outcome(compute: Any) -> tuple[str, str]:
    """What a computation gives, as comparable text: its value's repr, or its error's type and message."""
    try:
        return "value", repr(compute())
    except Exception as error:  # any difference counts, not only in RuleError
        return type(error).__name__, str(error)


@pytest.mark.parametrize(("rule", "data", "expected"), SPEC_EXAMPLES)
def test_compiled_rules_give_the_results_the_jsonlogic_spec_shows(rule, data, expected):
    assert compile_rule(rule)(data) == expected


def test_a_criteria_row_compiles_to_a_function_of_the_indicators():
    # given a criteria row as the zoning tables publish it
    row = {"and": [{">=": [{"var": "community_cases_14d"}, 1]}, {"==": [{"var": "lockdown_active"}, True]}]}
    holds = compile_rule(row)
    # then it decides each area as apply does, a missing indicator never passing
    assert holds({"community_cases_14d": 3, "lockdown_active": True}) is True
    assert holds({"community_cases_14d": 0, "lockdown_active": True}) is False
    assert holds({"community_cases_14d": 3, "lockdown_active": 1}) is False  # 1 is not true
    assert holds({"community_cases_14d": "2", "lockdown_active": True}) is True  # numeric text
    assert holds({"lockdown_active": True}) is False
    assert holds(MappingProxyType({"community_cases_14d": 1.5, "lockdown_active": True})) is True
    assert holds(None) is False


@pytest.mark.parametrize(
    "rule",
    [
        {"frobnicate": []},
        {"if": [True, "ok", {"frobnicate": []}]},  # apply would never reach it; compile_rule checks it all
        {"var": {"cat": ["a", "b"]}},
        {"<": [1]},
        {"a": 1, "b": 2},
        [1, {1, 2}],
    ],
)
def test_compile_rule_refuses_malformed_rules_as_validate_does(rule):
    with pytest.raises(RuleError) as refused:
        validate(rule)
    with pytest.raises(RuleError) as compiling:
        compile_rule(rule)
    assert str(compiling.value) == str(refused.value)


@pytest.mark.parametrize(
    ("rule", "data"),
    [
        ({"+": ["abc"]}, None),
        ({"/": [{"var": "a"}, 0]}, {"a": 1}),
        ({"<": [{"var": "a"}, 1]}, {"a": "9" * 5000}),  # too many digits to read as a number
        ({"==": [1, {"var": "a"}]}, {"a": Decimal("sNaN")}),
        ({"and": [{"var": "a"}, True]}, {"a": Decimal("sNaN")}),
        ({"!": {"var": "a." + "9" * 5000}}, {"a": [1]}),  # an index too long to convert
        ({"missing_some": [1, "a"]}, {}),
        ({"missing": [[["a"]]]}, {}),  # validate accepts it; the key turns out to be a list
        ({"before": [{"var": "absent"}, "2021-01-01"]}, {}),
        ({"plusTime": [{"var": "d"}, 1, "week"]}, {"d": "2021-01-01"}),
        ({"dccDateOfBirth": [{"var": "d"}]}, {"d": "2021-13"}),
        ({"dccDateOfBirth": [{"var": "d"}]}, {}),
    ],
)
def test_compiled_rules_raise_the_errors_apply_raises(rule, data):
    assert outcome(lambda: compile_rule(rule)(data)) == outcome(lambda: apply(rule, data))
    assert outcome(lambda: apply(rule, data))[0] == "RuleError"


def test_a_var_alone_raises_what_apply_raises_even_outside_any_operator():
    rule, data = {"var": "a." + "9" * 5000}, {"a": [1]}
    assert outcome(lambda: compile_rule(rule)(data)) == outcome(lambda: apply(rule, data))
    assert compile_rule({"var": "a.99999999999999999999"})(data) is None


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_every_operator_compiles(op):
    least, _ = ARITIES[op]
    rule = {op: [1] * least}
    assert outcome(lambda: compile_rule(rule)(None)) == outcome(lambda: apply(rule))


@pytest.mark.parametrize(
    ("rule", "data"),
    [
        ({"dccDateOfBirth": [{"var": "dob"}]}, {"dob": "2004-02"}),
        ({">": [{"var": "a"}, 2, 1]}, {"a": 3}),
        ({">=": [3, {"var": "a"}, 1]}, {"a": 3}),
        ({">": [{"var": "a"}, 2, {"var": "b"}]}, {"a": 3, "b": None}),
        ({"plusTime": [{"var": "d"}, 1, "month"]}, {"d": "2021-01-31T23:00:00+7"}),
        # plusTime by zero, read straight (a date, a date-time with a fraction, a datetime, garbage)
        ({"plusTime": [{"var": "d"}, 0, "day"]}, {"d": "2021-06"}),
        ({"plusTime": [{"var": "d"}, 0, "hour"]}, {"d": "2021-09-09T06:30:00.123456+07:00"}),
        ({"plusTime": [{"var": "d"}, 0, "hour"]}, {"d": datetime(2021, 9, 9, 6, 30, 0, 123456)}),
        ({"plusTime": [{"var": "d"}, 0, "hour"]}, {"d": "9/9/2021"}),
        ({"plusTime": [{"var": "d"}, 0, "hour"]}, {"d": 12}),
        ({"plusTime": [{"var": "d"}, 0.0, "hour"]}, {"d": "2021-09-09T06:30:00Z"}),
        ({"plusTime": [{"var": "d"}, 0, "week"]}, {"d": "2021-09-09T06:30:00Z"}),
        # two-operand date chains: the first operand's error before the second is read
        ({"before": [{"var": "a"}, {"var": "b.c"}]}, {"a": "2021-09-09", "b": {"c": "2021-09-10"}}),
        ({"not-after": [{"var": "a"}, {"var": "b"}]}, {"a": "nope", "b": {"+": []}}),
        ({"after": [{"var": "a"}, {"plusTime": [{"var": "b"}, 0, "day"]}]}, {"a": date(2021, 9, 9), "b": 1}),
        # two-step paths on dicts and on what is not a dict
        ({"var": "a.b"}, {"a": {"b": 0}}),
        ({"var": "a.b"}, {"a": ["x"]}),
        ({"var": "a.b"}, {"a": MappingProxyType({"b": 2})}),
        ({"var": "a.b"}, MappingProxyType({"a": {"b": 3}})),
        ({"var": "a.0"}, {"a": ["x"]}),
        # in: a number among booleans, floats and Decimals; text among numbers
        ({"in": [1, {"var": "xs"}]}, {"xs": [True, "1"]}),
        ({"in": [2, {"var": "xs"}]}, {"xs": [True, 2.0]}),
        ({"in": [2, {"var": "xs"}]}, {"xs": [Decimal("2")]}),
        ({"in": ["2", {"var": "xs"}]}, {"xs": [2, "2"]}),
        ({"in": ["2", {"var": "xs"}]}, {"xs": [2, 2.0]}),
        ({"in": [True, {"var": "xs"}]}, {"xs": [1]}),
    ],
)
def test_compiled_certlogic_forms_give_what_apply_gives(rule, data):
    assert outcome(lambda: compile_rule(rule)(data)) == outcome(lambda: apply(rule, data))


def test_each_call_returns_a_new_list():
    listing = compile_rule([1, [2, 3]])
    first = listing(None)
    first.append(4)
    first[1].append(5)
    assert listing(None) == [1, [2, 3]]


def test_the_rule_is_read_once():
    rule = {"==": [{"var": "a"}, 1]}
    compiled = compile_rule(rule)
    rule["=="] = [{"var": "a"}, 2]
    assert compiled({"a": 1}) is True


# --- properties ---------------------------------------------------------------------------------

COMPARISONS = ["==", "===", "!=", "!==", "<", "<=", ">", ">="]

# Values that take the slow paths: Decimals (signalling NaN too), dates, date-times, huge numerals.
odd_scalars = (
    st.decimals(allow_nan=True, places=2)
    | st.decimals(allow_nan=True)
    | st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1))
    | st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))
    | st.sampled_from(["9" * 5000, " 7 ", "1e400", "-0", "nan", "2021-06-01T01:00:00Z", "-1.5"])
)
values = scalars | odd_scalars
rich_data = st.recursive(
    values,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "d", "0"]), inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "d"]), inner, max_size=2).map(MappingProxyType)
    ),
    max_leaves=6,
)
rich_objects = st.fixed_dictionaries(
    {}, optional={"a": rich_data, "b": rich_data, "c": rich_data, "list": st.lists(rich_data, max_size=3)}
)
any_data = (
    data_objects
    | rich_objects
    | rich_objects.map(MappingProxyType)
    | st.none()
    | st.lists(rich_data, max_size=3)
    | rich_data
)

var_nodes = (
    st.builds(lambda p: {"var": p}, paths)
    | st.builds(lambda p: {"var": [p]}, paths)
    | st.builds(lambda p, d: {"var": [p, d]}, paths, scalars)
    | st.builds(lambda i: {"var": i}, st.integers(0, 2))
)


def well_formed(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Operators with arities they accept, and comparisons of a var with a literal (compiled specially)."""

    def with_arity(op: str) -> st.SearchStrategy[Any]:
        least, most = ARITIES[op]
        return st.lists(inner, min_size=least, max_size=min(most, least + 3)).map(lambda args: {op: args})

    return (
        st.sampled_from(sorted(OPERATORS - {"var"})).flatmap(with_arity)
        | st.builds(
            lambda op, var, literal, flip: {op: [literal, var] if flip else [var, literal]},
            st.sampled_from(COMPARISONS),
            var_nodes,
            values.filter(lambda v: not isinstance(v, (Decimal, date))) | st.sampled_from([0, 1, 2.5, "b"]),
            st.booleans(),
        )
        | st.builds(lambda op, a: {op: a}, st.sampled_from(["!", "!!", "-", "+", "missing"]), inner)
        | st.lists(inner, max_size=3)
    )


well_formed_rules = st.recursive(scalars | var_nodes, well_formed, max_leaves=10)


def check_compiled_against_apply(rule: Any, data: Any) -> None:
    try:
        compiled = compile_rule(rule)
    except RuleError as error:
        # compile_rule refuses exactly what validate refuses, with the same words
        with pytest.raises(RuleError) as refused:
            validate(rule)
        assert str(refused.value) == str(error)
        return
    validate(rule)
    assert outcome(lambda: compiled(data)) == outcome(lambda: apply(rule, data))


@settings(max_examples=400, deadline=None)
@given(rules, data_objects | any_data)
def test_compiled_arbitrary_rules_agree_with_apply_and_validate(rule, data):
    check_compiled_against_apply(rule, data)


@settings(max_examples=800, deadline=None)
@given(well_formed_rules, any_data)
def test_compiled_well_formed_rules_give_what_apply_gives_or_raise_what_it_raises(rule, data):
    check_compiled_against_apply(rule, data)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(COMPARISONS), st.sampled_from(["a", "b.d", "list.0"]), values, values, st.booleans())
def test_a_var_compared_with_a_literal_is_compared_as_apply_compares(op, path, value, literal, flip):
    rule = {op: [literal, {"var": path}] if flip else [{"var": path}, literal]}
    data = {"a": value, "b": {"d": value}, "list": [value]}
    check_compiled_against_apply(rule, data)
    check_compiled_against_apply({"and": [rule, {"!": [rule]}]}, data)
    check_compiled_against_apply({"or": [{"!!": [rule]}, rule, rule]}, data)


@pytest.mark.parametrize(
    ("needle", "haystack", "expected"),
    [
        (1, [True, "1"], False),  # === never equals a boolean nor text to a number
        (2, [True, 2.0], True),  # but any number of the same value
        (2, [Decimal("2")], True),
        (2, [3, [2], {"a": 2}], False),
        ("2", [2, 2.0], False),
        ("2", [2, "2"], True),
        (True, [1, True], True),
        (None, [0, "", None], True),
    ],
)
def test_in_a_list_is_strict_equality_with_any_item(needle, haystack, expected):
    assert compile_rule({"in": [needle, {"var": "xs"}]})({"xs": haystack}) is expected
    assert apply({"in": [needle, {"var": "xs"}]}, {"xs": haystack}) is expected
