"""Fine bands, measures, results and accountability: pure policy, no database."""

from datetime import datetime, timedelta

import pytest

from phaodai.core.clock import hanoi
from phaodai.inspections import rules

MASK = rules.KindSpec("no_mask_public", 1_000_000, 3_000_000, frozenset({"warning", "fine"}))
BUSINESS_MEASURES = rules.KindSpec(
    "business_measures_not_applied",
    5_000_000,
    10_000_000,
    frozenset({"warning", "fine", "suspension", "closure"}),
    suspends_plan=True,
)


@pytest.mark.parametrize(
    ("offender", "amount", "inside"),
    [
        ("person", 1_000_000, True),
        ("person", 3_000_000, True),
        ("person", 999_999, False),
        ("person", 3_000_001, False),
        ("organisation", 2_000_000, True),
        ("organisation", 6_000_000, True),
        ("organisation", 1_500_000, False),
    ],
)
def test_the_band_includes_its_bounds_and_doubles_for_an_organisation(
    offender: str, amount: int, inside: bool
) -> None:
    assert rules.fine_within_band(MASK, offender, amount) is inside


@pytest.mark.parametrize(
    ("measures", "amount", "problem"),
    [
        (["fine"], 2_000_000, None),
        (["warning"], 0, None),
        (["fine", "closure"], 2_000_000, "not_allowed:closure"),
        (["fine", "jail"], 2_000_000, "unknown:jail"),
        (["warning", "fine"], 2_000_000, "main_penalty"),
        ([], 0, "main_penalty"),
        (["fine"], 0, "fine_missing"),
        (["warning"], 1_000_000, "fine_with_warning"),
    ],
)
def test_a_violation_gets_exactly_one_main_penalty_among_the_measures_its_kind_allows(
    measures: list[str], amount: int, problem: str | None
) -> None:
    assert rules.measures_problem(MASK, measures, amount) == problem


def test_suspension_and_closure_need_a_business() -> None:
    assert rules.measures_problem(BUSINESS_MEASURES, ["fine", "closure"], 6_000_000, on_business=False) == (
        "business_only:closure"
    )
    assert rules.effective_measures(BUSINESS_MEASURES, ["fine"], on_business=False) == ("fine",)


def test_a_kind_that_suspends_plans_adds_suspension_and_closure_implies_it() -> None:
    assert rules.effective_measures(BUSINESS_MEASURES, ["fine"]) == ("fine", "suspension")
    assert rules.effective_measures(MASK, ["fine"]) == ("fine",)
    assert rules.suspends_plan(["fine", "closure"]) and rules.closes_business(["fine", "closure"])
    assert not rules.suspends_plan(["warning"]) and not rules.closes_business(["fine", "suspension"])


def test_a_stopped_target_is_reinspected_within_a_week() -> None:
    decided = hanoi(2021, 9, 11, 10)
    assert rules.reinspect_by(decided, ["fine", "suspension"]) == decided + timedelta(days=7)
    assert rules.reinspect_by(decided, ["fine"]) is None


def test_the_result_passes_only_with_every_item_fine_and_no_violation() -> None:
    assert rules.inspection_result([True, True], 0) == "pass"
    assert rules.inspection_result([True, False], 0) == "fail"
    assert rules.inspection_result([True, True], 1) == "fail"
    assert rules.missing_items(["a", "b", "c"], ["c", "a"]) == ["b"]


def test_only_a_passing_reinspection_lifts_a_closure() -> None:
    assert rules.lifts_closure(True, "pass")
    assert not rules.lifts_closure(True, "fail")
    assert not rules.lifts_closure(False, "pass")


def test_the_area_of_work_is_any_of_the_teams_units() -> None:
    assert rules.within_area("/01/004/00139/", ["/01/001/", "/01/004/"])
    assert not rules.within_area("/01/268/", ["/01/004/"])


def test_a_reinspection_is_overdue_after_its_deadline_until_one_is_finished() -> None:
    due = hanoi(2021, 9, 18, 10)
    assert not rules.is_overdue(due, None, due)
    assert rules.is_overdue(due, None, due + timedelta(minutes=1))
    assert not rules.is_overdue(due, due - timedelta(days=1), due + timedelta(days=1))
    assert rules.is_overdue(due, due + timedelta(days=3), due + timedelta(days=2))
    assert not rules.is_overdue(None, None, due)


def violation(
    id: int,
    kind: str,
    fine: int,
    decided_at: datetime,
    target: str,
    unit: str = "00139",
    person: str = "",
    due: datetime | None = None,
    followed: datetime | None = None,
) -> rules.ViolationRow:
    return rules.ViolationRow(
        id, kind, fine, ("fine",), decided_at, target, target, unit, person, due, followed
    )


def test_accountability_counts_the_period_by_hand() -> None:
    start, end = hanoi(2021, 9, 1), hanoi(2021, 10, 1)
    inside, before = hanoi(2021, 9, 11, 10), hanoi(2021, 8, 20)
    inspections = [
        rules.InspectionRow(1, hanoi(2021, 9, 11, 11), "done", "fail"),
        rules.InspectionRow(2, hanoi(2021, 9, 12), "done", "pass"),
        rules.InspectionRow(3, hanoi(2021, 8, 30), "done", "fail"),  # before the period
        rules.InspectionRow(4, None, "in_progress", ""),
        rules.InspectionRow(5, end, "done", "pass"),  # the end is excluded
    ]
    violations = [
        violation(10, "no_mask_public", 2_000_000, inside, "business:1", person="Trần Văn Tài"),
        violation(
            11, "business_measures_not_applied", 8_000_000, inside, "business:1", person="Trần Văn Tài"
        ),
        violation(12, "no_mask_public", 1_000_000, inside, "place:00133::cho", unit="00133"),
        # August: not counted, but its re-inspection is still overdue at the end.
        violation(13, "gathering_over_limit", 10_000_000, before, "business:1", due=hanoi(2021, 8, 27)),
        violation(
            14,
            "no_mask_public",
            1_000_000,
            inside,
            "business:2",
            due=hanoi(2021, 9, 18),
            followed=hanoi(2021, 9, 17),
        ),
    ]
    closures = [
        rules.ClosureRow(1, inside, hanoi(2021, 9, 20)),
        rules.ClosureRow(2, before, None),
    ]
    figures = rules.accountability(inspections, violations, closures, start, end)
    assert (figures.inspections_done, figures.passed, figures.failed) == (2, 1, 1)
    assert figures.violations == 4
    assert figures.by_kind == {
        "business_measures_not_applied": rules.KindTotal(1, 8_000_000),
        "no_mask_public": rules.KindTotal(3, 4_000_000),
    }
    assert figures.fines_total == 12_000_000
    assert (figures.closures, figures.still_closed) == (1, 1)
    assert figures.overdue == (13,)
    assert [(r.target_key, r.violations, r.responsible_persons) for r in figures.repeat_offenders] == [
        ("business:1", 2, ("Trần Văn Tài",))
    ]
    assert figures.repeat_units == {"00139": 3}
