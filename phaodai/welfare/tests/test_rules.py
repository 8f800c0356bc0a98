"""Welfare policy without Django: criteria, amounts, periods, masking, the workflow's moves."""

import itertools
from datetime import date

import pytest

from phaodai.welfare import rules

CRITERIA = rules.criteria_of(
    [
        {
            "key": "no_contract",
            "label_en": "No labour contract",
            "rule": {"!": {"var": "job.labour_contract"}},
        },
        {
            "key": "since_may",
            "label_en": "Lost work since May",
            "rule": {">=": [{"var": "job.lost_work_on"}, "2021-05-01"]},
        },
    ]
)


def test_the_first_failing_criterion_is_named_with_what_it_read():
    assert (
        rules.first_failing(CRITERIA, {"job": {"labour_contract": False, "lost_work_on": "2021-06-01"}})
        is None
    )
    refusal = rules.first_failing(CRITERIA, {"job": {"labour_contract": False, "lost_work_on": "2021-04-30"}})
    assert refusal is not None and refusal.key == "since_may"
    assert refusal.read == {"job.lost_work_on": "2021-04-30"}
    missing = rules.first_failing(CRITERIA, {})
    assert missing is not None and missing.key == "since_may"  # a missing fact never passes


def test_a_malformed_criterion_is_refused():
    with pytest.raises(rules.PolicyError):
        rules.criteria_of([{"key": "x", "rule": {"nope": [1]}}])
    with pytest.raises(rules.PolicyError):
        rules.criteria_of([{"rule": True}])


def test_amounts():
    fixed = rules.AmountPolicy(rules.FIXED, 1_500_000)
    assert rules.amount_due(fixed, days=None) == 1_500_000
    with pytest.raises(rules.PolicyError):
        rules.amount_due(fixed, days=None, asked=1_600_000)
    per_day = rules.AmountPolicy(rules.PER_DAY, 80_000, day_caps={"F0": 45, "F1": 21})
    assert rules.amount_due(per_day, days=21, subject="F1") == 1_680_000
    assert rules.amount_due(per_day, days=45, subject="F0") == 3_600_000
    with pytest.raises(rules.PolicyError) as too_long:
        rules.amount_due(per_day, days=22, subject="F1")
    assert too_long.value.field == "days"
    capped = rules.AmountPolicy(rules.CAPPED, 3_710_000, amount_min=1_855_000)
    assert rules.amount_due(capped, days=None, asked=1_855_000) == 1_855_000
    for asked in (1_000_000, 3_710_001):
        with pytest.raises(rules.PolicyError):
            rules.amount_due(capped, days=None, asked=asked)


def test_periods():
    assert rules.period_key(rules.ONCE, filed_on=date(2021, 9, 6)) == "once"
    assert rules.period_key(rules.MONTHLY, filed_on=date(2021, 9, 6)) == "2021-09"
    assert (
        rules.period_key(rules.EPISODE, filed_on=date(2021, 9, 6), episode=rules.episode_key(17)) == "iso-17"
    )  # one allowance per isolation order, whatever start date is declared
    with pytest.raises(rules.PolicyError) as no_order:
        rules.period_key(rules.EPISODE, filed_on=date(2021, 9, 6))
    assert no_order.value.field == "isolation_order"


def test_masked_names():
    assert rules.masked("Nguyễn Văn An", 1978) == "Nguyễn V. A., 1978"
    assert rules.masked("Lê Thị Hồng Nhung", None) == "Lê T. H. N."
    assert rules.masked("An", 1990) == "A., 1990"
    assert rules.masked("", 1990) == ""


def test_the_workflow_moves_forward_only():
    path = ["filed", "reviewed", "posted", "submitted", "appraised", "approved", "paid", "reconciled"]
    assert all(rules.may_move(a, b) for a, b in itertools.pairwise(path))
    assert not rules.may_move("approved", "filed")
    assert not rules.may_move("paid", "paid")
    assert not rules.may_move("rejected", "reviewed")
    assert rules.missing_documents(["a", "b"], ["b"]) == ["a"]
    assert rules.line_numbers([7, 3, 9]) == {7: 1, 3: 2, 9: 3}


def test_policy_errors_are_structured_not_prose():
    """Finding 10: rules.py gives a code, the field and the numbers; the services write the message."""
    per_day = rules.AmountPolicy(rules.PER_DAY, 80_000, day_caps={"F1": 21})
    with pytest.raises(rules.PolicyError) as too_long:
        rules.amount_due(per_day, days=22, subject="F1")
    assert (too_long.value.code, too_long.value.field, too_long.value.params) == (
        "days_over_cap",
        "days",
        {"cap": 21, "subject": "F1"},
    )
    with pytest.raises(rules.PolicyError) as over_record:
        rules.amount_due(per_day, days=10, subject="F1", recorded_days=5)
    assert (over_record.value.code, over_record.value.params) == ("days_over_record", {"recorded": 5})
    fixed = rules.AmountPolicy(rules.FIXED, 1_500_000)
    with pytest.raises(rules.PolicyError) as exact:
        rules.amount_due(fixed, days=None, asked=1)
    assert (exact.value.code, exact.value.params) == ("amount_fixed", {"amount": 1_500_000})


def test_a_tiered_amount_is_chosen_by_the_fact():
    """Finding 3: NQ 68's suspended-contract support pays 1,855,000 (15 days to a month) or 3,710,000."""
    fact, tiers = rules.tiers_of(
        {
            "fact": "job.suspended_days",
            "levels": [{"from": 30, "amount": 3_710_000}, {"from": 15, "amount": 1_855_000}],
        }
    )
    policy = rules.AmountPolicy(rules.TIERED, 3_710_000, 1_855_000, tier_fact=fact, tiers=tiers)
    assert rules.amount_due(policy, days=None, tier_value=15) == 1_855_000
    assert rules.amount_due(policy, days=None, tier_value=29) == 1_855_000
    assert rules.amount_due(policy, days=None, tier_value=30) == 3_710_000
    assert rules.amount_due(policy, days=None, tier_value=30, asked=3_710_000) == 3_710_000
    for value, asked in ((20, 3_710_000), (20, 2_000_000), (40, 1_855_000)):
        with pytest.raises(rules.PolicyError) as refused:
            rules.amount_due(policy, days=None, tier_value=value, asked=asked)
        assert refused.value.field == "amount"
    for unmet in (14, None, "20"):
        with pytest.raises(rules.PolicyError):
            rules.amount_due(policy, days=None, tier_value=unmet)
    with pytest.raises(rules.PolicyError):
        rules.tiers_of({"fact": "job.x", "levels": []})


def test_date_facts_read_iso_and_vietnamese_dates():
    assert rules.read_date("2021-07-24") == date(2021, 7, 24)
    assert rules.read_date("24/07/2021") == date(2021, 7, 24)
    for nonsense in ("tháng 6", "31/02/2021", "2021-13-01", "", 20210724, None):
        assert rules.read_date(nonsense) is None
