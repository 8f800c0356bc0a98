"""The relief rules, pure: quantities, the never-negative withdrawal, the workflows' transitions, low
stock, days of supply and the two ledgers' identities. No Django here; the services turn a refusal
into a translated error."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

# Transfers: proposed -> approved -> dispatched -> received; proposed -> rejected | cancelled;
# approved -> cancelled (nothing has left the sender yet).
TRANSFER_NEXT: Final[Mapping[str, tuple[str, ...]]] = {
    "proposed": ("approved", "rejected", "cancelled"),
    "approved": ("dispatched", "cancelled"),
    "dispatched": ("received",),
}
# Food aid: new -> assigned -> delivered -> closed; a request may also be closed unanswered (a
# duplicate, moved away) with a note.
FOOD_NEXT: Final[Mapping[str, tuple[str, ...]]] = {
    "new": ("assigned", "closed"),
    "assigned": ("assigned", "delivered", "closed"),
    "delivered": ("closed",),
}
OUTGOING_KINDS: Final = frozenset({"distribution_out", "food_aid_out"})
# Whole numbers typed with thousand separators in groups of three: 5.000.000, 5,000,000, 5 000 000.
GROUPED: Final = re.compile(r"[0-9]{1,3}(?:([., ])[0-9]{3})(?:\1[0-9]{3})*")
GROUP_SEPARATOR: Final = re.compile(r"[., ]")
# Typed numbers are read only when short and made of ASCII digits: "²" or "٣" pass str.isdigit() but
# are not numbers anyone types, and a 5,000-digit string is refused before int() is asked to read it.
MAX_DIGITS: Final = 16
MAX_TYPED: Final = MAX_DIGITS + MAX_DIGITS // 3  # with a separator every three digits
MAX_VERSION: Final = 2**31 - 1
MAX_QUANTITY: Final = 10**12
MAX_VND: Final = 10**15
ESCALATE_AFTER_HOURS: Final = 24
USE_WINDOW_DAYS: Final = 7


def can_move(table: Mapping[str, tuple[str, ...]], current: str, to: str) -> bool:
    return to in table.get(current, ())


def positive_whole(value: object, limit: int = MAX_QUANTITY) -> int | None:
    """The value as a whole number in 1..limit, or None (zero, negative, fractional, not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_TYPED or not text.isascii():
            return None
        if not (text.isdecimal() or GROUPED.fullmatch(text)):
            return None  # "1,5" or "1.5" is a fraction, not a thousand separator
        digits = GROUP_SEPARATOR.sub("", text)
        if len(digits) > MAX_DIGITS:
            return None
        value = int(digits)
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if not isinstance(value, int) or not 0 < value <= limit:
        return None
    return value


def version_number(value: object) -> int | None:
    """A record's version as sent back by a form or a client (a whole number ≥ 1), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (0 < len(text) <= len(str(MAX_VERSION)) and text.isascii() and text.isdecimal()):
            return None
        value = int(text)
    if not isinstance(value, int) or not 0 < value <= MAX_VERSION:
        return None
    return value


def signed_whole(value: object, limit: int = MAX_QUANTITY) -> int | None:
    """A non-zero whole number within ±limit (an adjustment), or None."""
    if isinstance(value, str):
        text = value.strip()
        negative = text.startswith("-")
        magnitude = positive_whole(text[1:] if negative else text.lstrip("+"), limit)
        return None if magnitude is None else (-magnitude if negative else magnitude)
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        magnitude = positive_whole(-value, limit)
        return None if magnitude is None else -magnitude
    return positive_whole(value, limit)


@dataclass(frozen=True)
class Withdrawal:
    allowed: bool
    held: int
    wanted: int

    @property
    def short_by(self) -> int:
        return max(self.wanted - self.held, 0)


def withdraw(held: int, wanted: int) -> Withdrawal:
    """Whether `wanted` may leave a stock of `held`: never below zero."""
    return Withdrawal(allowed=0 < wanted <= held, held=held, wanted=wanted)


def is_low(quantity: int, threshold: int) -> bool:
    """At or below a set threshold (a threshold of 0 means no alert)."""
    return threshold > 0 and quantity <= threshold


def days_of_supply(stock: int, used_in_window: int, window_days: int = USE_WINDOW_DAYS) -> float | None:
    """Stock ÷ average daily use over the window; None when nothing was used (no estimate)."""
    if used_in_window <= 0 or window_days <= 0:
        return None
    return round(stock / (used_in_window / window_days), 1)


def ledger_balances(
    balances: Iterable[int], in_transit: int, donated: int, given_out: int, adjusted: int, purchased: int = 0
) -> bool:
    """The ledger's identity: what is held plus what is on the road = donated + bought − given out
    + adjusted."""
    return sum(balances) + in_transit == donated + purchased - given_out + adjusted


def money_balances(funds: Iterable[int], donated_vnd: int, spent_vnd: int) -> bool:
    """The money ledger's identity: what the funds hold = money donated − money spent."""
    return sum(funds) == donated_vnd - spent_vnd


def parcel(people: int, item_need_per_person: Mapping[str, int], days: int = 7) -> dict[str, int]:
    """A suggested parcel for a household: each item's daily need per person × people × days."""
    return {code: need * people * days for code, need in item_need_per_person.items() if need > 0}
