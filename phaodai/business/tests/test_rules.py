"""Pure policy: tax codes, who approves a plan, and "may we operate now?"."""

from datetime import datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaodai.business import rules
from phaodai.business.rules import MST_WEIGHTS, PlanFacts, RegimeRule, approving_level, may_operate
from phaodai.core.clock import hanoi

# Tax codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["0100112437", "0100109106", "0314409058", "0314409058-002", "0314409058002"]
)
def test_real_tax_codes_are_valid(code: str) -> None:
    assert rules.tax_code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("0100112438", "checksum"),  # last digit mistyped
        ("0100112473", "checksum"),  # two digits swapped
        ("010011243", "length"),
        ("01001124370", "length"),
        ("0314409058-02", "length"),
        ("0100000000", "component"),  # all-zero serial
        ("0314409058-000", "component"),  # branch 000
        ("01001A2437", "not_digits"),
        ("0100112437-A01", "not_digits"),
        ("０１００１１２４３７", "not_digits"),  # full-width digits
        ("٠١٠٠١١٢٤٣٧", "not_digits"),  # Arabic-Indic digits
        ("", "not_digits"),
        ("01-00112437", "not_digits"),  # a dash where no branch begins
    ],
)
def test_invalid_tax_codes_say_why(code: str, problem: str) -> None:
    assert rules.tax_code_problem(code) == problem


def test_tax_codes_are_stored_in_one_form() -> None:
    assert rules.normal_tax_code(" 0314409058002 ") == "0314409058-002"
    assert rules.normal_tax_code("0314409058 - 002") == "0314409058-002"
    assert rules.normal_tax_code("0100112437") == "0100112437"


def _check_digit(nine: str) -> int:
    return 10 - sum(w * int(d) for w, d in zip(MST_WEIGHTS, nine, strict=True)) % 11


@given(st.text("0123456789", min_size=9, max_size=9))
def test_exactly_the_computed_check_digit_is_accepted(nine: str) -> None:
    check = _check_digit(nine)
    for digit in range(10):
        problem = rules.tax_code_problem(f"{nine}{digit}")
        if nine[2:] == "0000000":
            assert problem == "component"
        else:
            assert (problem is None) == (digit == check)


# Delegation (S30) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "people", "level"),
    [
        ("shop", 1, "ward"),
        ("shop", 10, "ward"),
        ("shop", 11, "district"),
        ("restaurant", 8, "ward"),
        ("factory", 5, "district"),
        ("construction", 300, "district"),
    ],
)
def test_wards_approve_small_shops_districts_the_rest(kind: str, people: int, level: str) -> None:
    assert approving_level(kind=kind, people_on_site=people) == level


def test_the_delegation_can_be_configured() -> None:
    assert approving_level(kind="factory", people_on_site=20, delegation={"factory": 50}) == "ward"


# May we operate now? --------------------------------------------------------------------------------

TAKEAWAY_UNTIL_21 = RegimeRule(
    "CT15+", "conditional", {"takeaway_only": True, "closes_at": "21:00", "health_declaration": True}
)
FORBIDDEN = RegimeRule("CT17-HN", "forbidden")
ALLOWED = RegimeRule("CT19", "allowed")
NOON = hanoi(2021, 9, 10, 12, 0)
APPROVED = PlanFacts("approved", hanoi(2021, 9, 1), hanoi(2021, 10, 1))


def verdict(rule: RegimeRule | None, *, at: datetime = NOON, plan_required: bool = False, plan=None):
    local = at.time() if at.tzinfo is None else at.astimezone(NOON.tzinfo).time()
    return may_operate(at=at, local_time=local, rule=rule, plan_required=plan_required, plan=plan)


def codes(result: rules.Verdict) -> list[str]:
    return [code for code, _values in result.reasons]


def test_takeaway_is_open_at_20_59_and_closed_at_21_00() -> None:
    before = verdict(TAKEAWAY_UNTIL_21, at=hanoi(2021, 9, 10, 20, 59))
    at_nine = verdict(TAKEAWAY_UNTIL_21, at=hanoi(2021, 9, 10, 21, 0))
    assert before.may_operate is True
    assert before.conditions["takeaway_only"] is True
    assert at_nine.may_operate is False
    assert ("after_closing", {"closes_at": "21:00"}) in at_nine.reasons


def test_opening_hours_close_the_morning_too() -> None:
    rule = RegimeRule("X", "conditional", {"opens_at": "06:00"})
    assert verdict(rule, at=hanoi(2021, 9, 10, 5, 59)).may_operate is False
    assert verdict(rule, at=hanoi(2021, 9, 10, 6, 0)).may_operate is True


def test_a_forbidden_sector_may_not_operate_whatever_the_plan() -> None:
    result = verdict(FORBIDDEN, plan_required=True, plan=APPROVED)
    assert result.may_operate is False
    assert codes(result) == ["forbidden", "plan_approved"]
    assert result.reasons[0][1] == {"regime": "CT17-HN"}


def test_no_regime_means_no() -> None:
    result = verdict(None)
    assert (result.may_operate, codes(result)) == (False, ["no_regime"])


@pytest.mark.parametrize(
    ("plan", "expected", "reason"),
    [
        (None, False, "no_approved_plan"),
        (PlanFacts("submitted", None, None), False, "no_approved_plan"),
        (PlanFacts("suspended", hanoi(2021, 9, 1), None), False, "no_approved_plan"),
        (PlanFacts("approved", hanoi(2021, 9, 11), None), False, "plan_not_in_force"),  # not yet valid
        (PlanFacts("approved", hanoi(2021, 8, 1), hanoi(2021, 9, 10, 12, 0)), False, "plan_not_in_force"),
        (APPROVED, True, "plan_approved"),
        (PlanFacts("approved", hanoi(2021, 9, 1), None), True, "plan_approved"),
    ],
)
def test_where_a_plan_is_required_it_must_be_approved_and_in_force(plan, expected, reason) -> None:
    result = verdict(ALLOWED, plan_required=True, plan=plan)
    assert result.may_operate is expected
    assert codes(result) == ["allowed", reason]


def test_without_a_plan_requirement_the_regime_alone_decides() -> None:
    assert verdict(ALLOWED, plan=None).may_operate is True
    assert codes(verdict(ALLOWED, plan=None)) == ["allowed"]


def test_every_obstacle_is_named_at_once() -> None:
    result = verdict(TAKEAWAY_UNTIL_21, at=hanoi(2021, 9, 10, 22, 0), plan_required=True, plan=None)
    assert codes(result) == ["conditional", "after_closing", "no_approved_plan"]


def test_local_time_is_what_the_caller_passes() -> None:
    # The rule compares wall-clock times; the selector passes Hà Nội time.
    result = may_operate(
        at=NOON, local_time=time(21, 30), rule=TAKEAWAY_UNTIL_21, plan_required=False, plan=None
    )
    assert result.may_operate is False
