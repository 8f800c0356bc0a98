"""Pure policy of situation reports: slot timing, value checks, roll-ups (no database)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaodai.core.clock import HANOI, hanoi
from phaodai.sitreps.rules import (
    AMOUNT_LIMIT,
    COUNT_LIMIT,
    TEXT_LIMIT,
    CheckSpec,
    FieldSpec,
    UnitReport,
    clean_values,
    corrections,
    failed_checks,
    on_time_rate,
    roll_up,
    slot_timing,
)

# Slot timing ---------------------------------------------------------------------------------------


def ward_slot(grace: int = 0):
    """The 16:30 slot of 08/9/2021, open 8 h before, locked 24 h after the deadline."""
    return slot_timing(
        date(2021, 9, 8), time(16, 30), time(16, 30),
        zone=HANOI, grace_minutes=grace, lock_after_hours=24, open_hours_before=8,
    )  # fmt: skip


def test_a_slot_is_reasoned_about_in_hanoi_time_and_stored_in_utc():
    timing = ward_slot()
    assert timing.slot_at == datetime(2021, 9, 8, 9, 30, tzinfo=UTC)
    assert timing.deadline_at == hanoi(2021, 9, 8, 16, 30)
    assert timing.opens_at == hanoi(2021, 9, 8, 8, 30)
    assert timing.locks_at == hanoi(2021, 9, 9, 16, 30)


def test_a_slot_opens_before_its_deadline_then_is_late_then_closes():
    timing = ward_slot()
    states = {
        hanoi(2021, 9, 8, 8, 29): "upcoming",
        hanoi(2021, 9, 8, 8, 30): "open",
        hanoi(2021, 9, 8, 16, 30): "open",
        hanoi(2021, 9, 8, 16, 30, 1): "late",
        hanoi(2021, 9, 9, 16, 30): "late",
        hanoi(2021, 9, 9, 16, 30, 1): "closed",
    }
    assert {moment: timing.state(moment) for moment in states} == states


def test_the_deadline_itself_is_on_time_and_a_second_after_is_late():
    timing = ward_slot()
    assert timing.is_on_time(hanoi(2021, 9, 8, 16, 30))
    assert not timing.is_on_time(hanoi(2021, 9, 8, 16, 30, 1))


def test_a_grace_period_keeps_reports_on_time_after_the_deadline():
    timing = ward_slot(grace=15)
    assert timing.on_time_until == hanoi(2021, 9, 8, 16, 45)
    assert timing.is_on_time(hanoi(2021, 9, 8, 16, 45))
    assert timing.state(hanoi(2021, 9, 8, 16, 44)) == "open"
    assert not timing.is_on_time(hanoi(2021, 9, 8, 16, 45, 1))
    assert timing.state(hanoi(2021, 9, 8, 16, 46)) == "late"
    # The lock counts from the deadline, not from the end of the grace.
    assert timing.locks_at == hanoi(2021, 9, 9, 16, 30)


def test_a_slot_with_a_deadline_after_its_time_opens_from_the_deadline():
    timing = slot_timing(
        date(2021, 9, 8), time(6, 0), time(7, 0),
        zone=HANOI, grace_minutes=0, lock_after_hours=12, open_hours_before=6,
    )  # fmt: skip
    assert timing.slot_at == hanoi(2021, 9, 8, 6) and timing.deadline_at == hanoi(2021, 9, 8, 7)
    assert timing.opens_at == hanoi(2021, 9, 8, 1)
    assert timing.locks_at == hanoi(2021, 9, 8, 19)


# Values -------------------------------------------------------------------------------------------

FIELDS = [
    FieldSpec("tests_taken", "count", "sum"),
    FieldSpec("tests_positive", "count", "sum"),
    FieldSpec("fines_amount", "amount", "sum"),
    FieldSpec("situation", "text", "collect", required=False),
]
POSITIVES = {"<=": [{"var": "tests_positive"}, {"var": "tests_taken"}]}
CHECKS = [CheckSpec("positives_within_samples", POSITIVES, "tests_positive")]
GOOD = {"tests_taken": 120, "tests_positive": 3, "fines_amount": 2_000_000, "situation": "Ổn định"}


def problems_of(raw):
    return {(p.field, p.reason) for p in clean_values(FIELDS, CHECKS, raw)[1]}


def test_a_complete_report_is_clean_and_typed():
    values, problems = clean_values(
        FIELDS, CHECKS, {**GOOD, "tests_taken": "1.200", "situation": "  Ổn định "}
    )
    assert problems == []
    assert values == {**GOOD, "tests_taken": 1200, "situation": "Ổn định"}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (True, "not_whole"),
        (False, "not_whole"),
        (1.5, "not_whole"),
        ("abc", "not_whole"),
        ("1,5", "not_whole"),
        ("", "required"),
        (None, "required"),
        ([1], "not_whole"),
        ({"n": 1}, "not_whole"),
        (-1, "negative"),
        ("-3", "negative"),
        (COUNT_LIMIT + 1, "too_large"),
        (10**30, "too_large"),
        ("9" * 40, "not_whole"),
        (float("nan"), "not_whole"),
    ],
)
def test_a_count_of_the_wrong_kind_is_refused_with_its_reason(raw, reason):
    assert problems_of({**GOOD, "tests_taken": raw}) == {("tests_taken", reason)}


@pytest.mark.parametrize(
    ("raw", "value"), [(2.0, 2), ("1 200", 1200), ("1.200", 1200), (0, 0), (COUNT_LIMIT, COUNT_LIMIT)]
)
def test_whole_numbers_are_accepted_in_the_ways_people_write_them(raw, value):
    values, problems = clean_values(FIELDS, [], {**GOOD, "tests_taken": raw})
    assert problems == [] and values["tests_taken"] == value


def test_amounts_have_their_own_limit():
    assert problems_of({**GOOD, "fines_amount": AMOUNT_LIMIT}) == set()
    assert problems_of({**GOOD, "fines_amount": AMOUNT_LIMIT + 1}) == {("fines_amount", "too_large")}


def test_an_unknown_field_is_named():
    assert problems_of({**GOOD, "new_f9": 1}) == {("new_f9", "unknown")}


def test_a_missing_required_value_is_named_and_a_blank_optional_text_is_fine():
    assert problems_of({k: v for k, v in GOOD.items() if k != "tests_taken"}) == {("tests_taken", "required")}
    values, problems = clean_values(FIELDS, CHECKS, {**GOOD, "situation": "   "})
    assert problems == [] and "situation" not in values
    assert clean_values(FIELDS, CHECKS, {k: v for k, v in GOOD.items() if k != "situation"})[1] == []


def test_text_must_be_text_and_not_too_long():
    assert problems_of({**GOOD, "situation": 5}) == {("situation", "not_text")}
    assert problems_of({**GOOD, "situation": "x" * (TEXT_LIMIT + 1)}) == {("situation", "too_long")}
    assert problems_of({**GOOD, "situation": "x" * TEXT_LIMIT}) == set()


def test_every_problem_is_reported_not_only_the_first():
    assert problems_of({"tests_taken": -1, "tests_positive": "abc", "extra": 1}) == {
        ("extra", "unknown"),
        ("tests_taken", "negative"),
        ("tests_positive", "not_whole"),
        ("fines_amount", "required"),
    }


def test_a_check_between_fields_is_named_beside_its_field():
    assert problems_of({**GOOD, "tests_positive": 121}) == {
        ("tests_positive", "check:positives_within_samples")
    }
    assert problems_of({**GOOD, "tests_positive": 120}) == set()


def test_checks_run_only_once_every_value_is_well_typed():
    # A check over a badly typed value would fail for the wrong reason; the type problem is enough.
    assert problems_of({**GOOD, "tests_taken": "abc", "tests_positive": 5}) == {("tests_taken", "not_whole")}


def test_a_check_reading_a_missing_value_is_skipped():
    checks = [CheckSpec("c", {"<=": [{"var": "a"}, {"var": "b"}]}, "a")]
    assert failed_checks(checks, {"a": 5}) == []
    assert [p.reason for p in failed_checks(checks, {"a": 5, "b": 1})] == ["check:c"]
    assert failed_checks(checks, {"a": 1, "b": 5}) == []


def test_text_with_control_characters_is_refused():
    # PostgreSQL cannot store a NUL in jsonb; other control characters are typing or paste accidents.
    assert problems_of({**GOOD, "situation": "Ổn\x00 định"}) == {("situation", "control")}
    assert problems_of({**GOOD, "situation": "Ổn\x1b định"}) == {("situation", "control")}
    assert problems_of({**GOOD, "situation": "Dòng 1\nDòng 2\tcột"}) == set()


# Roll-ups -----------------------------------------------------------------------------------------

ROLLUP_FIELDS = [
    FieldSpec("cases", "count", "sum"),
    FieldSpec("peak_beds", "count", "max"),
    FieldSpec("checkpoints", "count", "latest"),
    FieldSpec("situation", "text", "collect", required=False),
]


def unit_report(name, minute, **values):
    return UnitReport(name, hanoi(2021, 9, 8, 16, minute), values)


def test_a_roll_up_sums_takes_the_largest_the_latest_and_collects_text():
    reports = [
        unit_report("Bồ Đề", 10, cases=3, peak_beds=40, checkpoints=4, situation="Ổn định"),
        unit_report("Ngọc Lâm", 25, cases=5, peak_beds=12, checkpoints=2, situation=""),
        unit_report("Gia Thụy", 5, cases=0, peak_beds=55, checkpoints=7, situation="Cần thêm test nhanh"),
    ]
    assert roll_up(ROLLUP_FIELDS, reports) == {
        "cases": 8,
        "peak_beds": 55,
        "checkpoints": 2,  # Ngọc Lâm reported last
        "situation": "Bồ Đề: Ổn định\nGia Thụy: Cần thêm test nhanh",
    }


def test_a_roll_up_skips_what_nobody_reported():
    assert roll_up(ROLLUP_FIELDS, [unit_report("Bồ Đề", 1, cases=2)]) == {"cases": 2}
    assert roll_up(ROLLUP_FIELDS, []) == {}
    assert roll_up(ROLLUP_FIELDS, [unit_report("Bồ Đề", 1, situation="")]) == {}


@given(st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(0, COUNT_LIMIT)), max_size=30))
def test_the_roll_up_of_sums_is_the_sum_over_units(unit_values):
    fields = [FieldSpec(code, "count", "sum") for code in ("a", "b", "c")]
    base = datetime(2021, 9, 8, tzinfo=UTC)
    reports = [
        UnitReport(f"u{n}", base + timedelta(minutes=n), values) for n, values in enumerate(unit_values)
    ]
    total = roll_up(fields, reports)
    for code in ("a", "b", "c"):
        present = [values[code] for values in unit_values if code in values]
        assert total.get(code) == (sum(present) if present else None)


def test_corrections_keep_what_was_prefilled_and_what_was_reported():
    assert corrections({"cases": 3, "tests": 10}, {"cases": 4, "tests": 10}) == {"cases": (3, 4)}
    assert corrections({}, {"cases": 4}) == {}


def test_the_on_time_rate_is_a_percentage_and_undefined_without_expectations():
    assert on_time_rate(12, 14) == 85.7
    assert on_time_rate(0, 7) == 0.0
    assert on_time_rate(7, 7) == 100.0
    assert on_time_rate(0, 0) is None
