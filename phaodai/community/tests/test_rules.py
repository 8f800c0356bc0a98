"""The pure rules: coverage, a special housing's gaps, team roles (phones are read by core.identity)."""

from datetime import date

from phaodai.community import rules


def test_coverage_rounds_down_and_counts_what_is_missing() -> None:
    assert rules.Coverage(0, 0).percent == 0
    assert rules.Coverage(199, 200).percent == 99
    assert rules.Coverage(3, 4).missing == 1
    assert rules.total([rules.Coverage(1, 2), rules.Coverage(3, 4)]) == rules.Coverage(4, 6)


def test_gaps_name_the_missing_plan_parts_and_unticked_items_in_order() -> None:
    facts = rules.PlanFacts("Kế hoạch", "Chủ trọ", "", date(2021, 9, 1), None)
    gaps = rules.gaps(facts, ("a", "b", "c"), {"b"})
    assert gaps.plan_parts == ("responsible", "dates")
    assert gaps.items == ("a", "c")
    assert not gaps.complete
    full = rules.PlanFacts("Kế hoạch", "Chủ trọ", "0912345678", date(2021, 9, 1), date(2021, 9, 30))
    assert rules.gaps(full, ("a",), {"a"}).complete


def test_plan_dates_and_roles() -> None:
    assert rules.dates_in_order(date(2021, 9, 1), date(2021, 9, 1))
    assert not rules.dates_in_order(date(2021, 9, 2), date(2021, 9, 1))
    assert rules.dates_in_order(None, date(2021, 9, 1))
    assert sorted(["member", "leader", "deputy"], key=rules.role_rank) == ["leader", "deputy", "member"]
