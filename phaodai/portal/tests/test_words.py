"""Rule conditions and criteria conditions in words, in the page's language."""

from django.utils import translation

from phaodai.portal.words import describe_condition, describe_modifier, describe_rule_conditions


def test_rule_conditions_read_as_short_phrases():
    phrases = describe_rule_conditions(
        {
            "max_people": 20,
            "closes_at": "21:00",
            "takeaway_only": True,
            "requires_negative_test_hours": 72,
            "capacity_pct": 50,
        }
    )

    assert phrases == [
        "closes before 21:00",
        "≤ 20 people",
        "takeaway only",
        "a negative test within 72 hours is required",
        "≤ 50% of capacity",
    ]


def test_a_time_window_reads_as_one_phrase():
    assert describe_rule_conditions({"opens_at": "09:00", "closes_at": "20:00"}) == ["09:00–20:00 only"]
    assert describe_rule_conditions({"opens_at": "09:00"}) == ["not before 09:00"]


def test_an_unknown_condition_is_still_shown():
    assert describe_rule_conditions({"curfew": "22:00"}) == ["curfew: 22:00"]


def test_criteria_conditions_use_indicator_names_and_local_numbers():
    assert describe_condition("cases_per_100k_7d", ">=", 150.0).endswith("≥ 150")
    assert describe_condition("lockdown_active", "==", True) == "a lockdown is in force"
    assert describe_condition("lockdown_active", "==", False).startswith("not:")
    assert describe_condition("population", ">", 10000) == "population > 10,000"
    with translation.override("vi"):
        assert describe_condition("population", ">", 10000).endswith("> 10.000")
    assert "treatment capacity" in describe_modifier("no_downgrade_unless", "treatment_capacity_met")
