"""The pure relief rules: whole quantities, never below zero, transitions, low stock, days of supply."""

import pytest

from phaodai.relief import rules


@pytest.mark.parametrize(
    ("typed", "value"),
    [("5.000.000", 5_000_000), ("5,000,000", 5_000_000), ("12", 12), (7, 7), (3.0, 3), ("1,5", None),
     ("1.5", None), (1.5, None), (0, None), (-3, None), ("abc", None), (True, None), (None, None),
     # digits str.isdigit() takes but int() does not (superscript, circled), other scripts' digits, and
     # numbers too long to read: refused, never a crash
     ("²", None), ("①", None), ("٣", None), ("१२", None), ("1" * 5000, None), ("9" * 17, None),
     ("9" * 16, None), ("1.000.000.000.000.000.000", None), (" 0012 ", 12)],
)  # fmt: skip
def test_positive_whole(typed, value):
    assert rules.positive_whole(typed) == value


def test_a_long_or_odd_number_is_refused_and_a_large_one_within_the_limit_is_read():
    assert rules.positive_whole("1.000.000.000.000.000", rules.MAX_VND) == 10**15
    assert rules.positive_whole("1" * 16, 10**16) == int("1" * 16)
    assert rules.signed_whole("-²") is None and rules.signed_whole("-" + "9" * 5000) is None


@pytest.mark.parametrize(
    ("sent", "value"),
    [(3, 3), ("3", 3), (" 12 ", 12), ("²", None), ("٣", None), ("9" * 5000, None), (10**40, None), (0, None),
     (-1, None), ("", None), ("1.0", None), (True, None), (1.0, None), (None, None)],
)  # fmt: skip
def test_version_number(sent, value):
    assert rules.version_number(sent) == value


def test_signed_whole_for_adjustments():
    assert [rules.signed_whole(v) for v in ("-5", "+5", -7, 0, "-0")] == [-5, 5, -7, None, None]


def test_a_withdrawal_never_goes_below_zero():
    assert rules.withdraw(30, 30).allowed and not rules.withdraw(30, 31).allowed
    assert rules.withdraw(30, 31).short_by == 1 and not rules.withdraw(5, 0).allowed


def test_transitions():
    assert rules.can_move(rules.TRANSFER_NEXT, "proposed", "approved")
    assert not rules.can_move(rules.TRANSFER_NEXT, "proposed", "dispatched")
    assert not rules.can_move(rules.TRANSFER_NEXT, "dispatched", "cancelled")
    assert not rules.can_move(rules.TRANSFER_NEXT, "received", "received")
    assert rules.can_move(rules.FOOD_NEXT, "new", "closed")
    assert not rules.can_move(rules.FOOD_NEXT, "new", "delivered")


def test_low_stock_and_days_of_supply():
    assert rules.is_low(10, 10) and not rules.is_low(11, 10) and not rules.is_low(0, 0)
    assert rules.days_of_supply(30, 70) == 3.0
    assert rules.days_of_supply(30, 0) is None


def test_the_ledger_identity_and_a_parcel():
    assert rules.ledger_balances([800, 250], 0, 1050, 0, 0)
    assert rules.ledger_balances([800, 50], 200, 1050, 0, 0)
    assert not rules.ledger_balances([800], 0, 1050, 0, 0)
    assert rules.parcel(3, {"rice": 1, "masks": 0}) == {"rice": 21}
