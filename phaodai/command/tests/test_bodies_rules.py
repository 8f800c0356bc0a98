"""The pure rules of committees, duty and hotline numbers (no database)."""

from datetime import date, datetime, timedelta

import pytest

from phaodai.command import rules
from phaodai.command.rules import BodyFacts, Shift, completeness, readiness
from phaodai.core.clock import hanoi

S8_DEADLINE = date(2021, 9, 7)


def test_a_steering_committee_needs_exactly_one_head():
    assert completeness("steering", ["head", "deputy", "member"]).complete
    missing = completeness("steering", ["deputy", "member"])
    assert (missing.complete, missing.problem, missing.leaders) == (False, rules.MISSING_LEADER, 0)
    several = completeness("steering", ["head", "head"])
    assert (several.complete, several.problem) == (False, rules.SEVERAL_LEADERS)


def test_a_command_center_needs_exactly_one_chief_and_a_head_does_not_count():
    assert completeness("command_center", ["chief", "deputy"]).complete
    assert completeness("command_center", ["head", "deputy"]).problem == rules.MISSING_LEADER


def test_a_head_sits_on_a_steering_committee_and_a_chief_on_a_command_center():
    assert rules.position_allowed("steering", "head") and not rules.position_allowed("steering", "chief")
    assert rules.position_allowed("command_center", "chief") and not rules.position_allowed(
        "command_center", "head"
    )
    assert rules.position_allowed("command_center", "deputy")


def body(kind: str, day: date, *, complete: bool = True, dissolved: date | None = None) -> BodyFacts:
    return BodyFacts(kind, day, dissolved, complete)


def test_a_unit_is_ready_when_both_bodies_were_established_on_or_before_the_day():
    both = [body("steering", date(2021, 9, 5)), body("command_center", date(2021, 9, 7))]
    found = readiness(both, S8_DEADLINE)
    assert (found.ready, found.missing) == (True, ())
    assert (found.steering_on, found.command_center_on) == (date(2021, 9, 5), date(2021, 9, 7))


def test_a_body_established_the_day_after_the_deadline_is_missing_then_but_counts_later():
    late = [body("steering", date(2021, 9, 8)), body("command_center", date(2021, 9, 6))]
    assert readiness(late, S8_DEADLINE).missing == ("steering",)
    assert readiness(late, date(2021, 9, 8)).ready


def test_a_body_without_its_leader_does_not_count_as_established():
    headless = [body("steering", date(2021, 9, 5), complete=False), body("command_center", date(2021, 9, 5))]
    found = readiness(headless, S8_DEADLINE)
    assert (found.ready, found.missing, found.steering_complete) == (False, ("steering",), False)
    assert found.steering_on == date(2021, 9, 5)  # still shown with its date


def test_a_body_dissolved_before_the_day_no_longer_counts_but_its_successor_does():
    bodies = [
        body("steering", date(2021, 1, 1), dissolved=date(2021, 9, 1)),
        body("steering", date(2021, 9, 6)),
        body("command_center", date(2021, 9, 6)),
    ]
    assert readiness(bodies, date(2021, 9, 3)).missing == ("steering", "command_center")
    assert readiness(bodies, S8_DEADLINE).steering_on == date(2021, 9, 6)
    assert readiness([], S8_DEADLINE).missing == ("steering", "command_center")


def shift(ref: int, key: str, start: datetime, hours: int) -> Shift:
    return Shift(ref, key, start, start + timedelta(hours=hours))


def test_a_person_cannot_be_on_two_overlapping_shifts_but_back_to_back_is_fine():
    day = shift(1, "nguyen van an", hanoi(2021, 9, 6, 7), 12)
    night = shift(2, "nguyen van an", hanoi(2021, 9, 6, 19), 12)
    overlapping = shift(0, "nguyen van an", hanoi(2021, 9, 6, 18), 4)
    assert rules.clash(overlapping, [night, day]) == day
    assert rules.clash(shift(0, "nguyen van an", hanoi(2021, 9, 7, 7), 12), [day, night]) is None
    assert rules.clash(shift(0, "tran thi binh", hanoi(2021, 9, 6, 18), 4), [day, night]) is None


def test_on_duty_lists_the_shifts_running_at_the_instant():
    day = shift(1, "a", hanoi(2021, 9, 6, 7), 12)
    night = shift(2, "b", hanoi(2021, 9, 6, 19), 12)
    assert rules.on_duty([night, day], hanoi(2021, 9, 6, 19)) == [night]
    assert rules.on_duty([night, day], hanoi(2021, 9, 6, 18, 59)) == [day]
    assert rules.on_duty([night, day], hanoi(2021, 9, 7, 7)) == []


@pytest.mark.parametrize(
    ("typed", "digits", "kind"),
    [
        ("024 3825 2222", "02438252222", rules.LANDLINE),
        ("(024) 38.25.22.22", "02438252222", rules.LANDLINE),
        ("+84 24 3825 2222", "02438252222", rules.LANDLINE),
        ("1022", "1022", rules.SHORT),
        ("115", "115", rules.SHORT),
        ("1900 9095", "19009095", rules.SERVICE),
        ("0912-345-678", "0912345678", rules.MOBILE),
    ],
)
def test_hotline_numbers_are_read_in_the_usual_ways(typed, digits, kind):
    assert rules.read_number(typed) == rules.Number(digits, kind, None)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("024 3825 222", rules.BAD_LENGTH),
        ("1900 909", rules.BAD_LENGTH),
        ("hotline", rules.NOT_DIGITS),
        ("０２４３８２５２２２２", rules.NOT_DIGITS),  # full-width digits are not ASCII
        ("84 912 345 678", rules.BAD_PREFIX),
    ],
)
def test_bad_hotline_numbers_say_what_is_wrong(typed, problem):
    assert rules.read_number(typed).problem == problem


def test_numbers_are_shown_grouped_as_people_write_them():
    assert rules.display_number("02439990139") == "024 3999 0139"
    assert rules.display_number("0912345678") == "0912 345 678"
    assert rules.display_number("19009095") == "1900 9095"
    assert rules.display_number("1022") == "1022"
