"""Pure policy for businesses: tax codes, which unit approves a plan, and "may we operate now?". No Django."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def tax_code_problem(raw: str) -> str | None:
    """Why a Vietnamese tax code (mã số thuế) is not valid, or None.

    10 digits: 2 province digits, 7 serial digits (not all zero), 1 check digit over the first nine;
    a branch adds 3 digits (001–999), written "0101234567-001" or without the dash.
    """
    digits = raw.strip().replace(" ", "")
    if digits.count("-") == 1 and digits.find("-") == 10:  # a branch, however long (length is next)
        digits = digits.replace("-", "")
    if not (digits.isascii() and digits.isdigit()):
        return "not_digits"
    if len(digits) not in (10, 13):
        return "length"
    if digits[2:9] == "0000000" or (len(digits) == 13 and digits[10:] == "000"):
        return "component"
    total = sum(weight * int(digit) for weight, digit in zip(MST_WEIGHTS, digits, strict=False))
    if str(10 - total % 11) != digits[9]:
        return "checksum"
    return None


def normal_tax_code(raw: str) -> str:
    """The stored form: 10 digits, or 10 digits, a dash and the branch's 3."""
    digits = raw.strip().replace(" ", "").replace("-", "")
    return digits if len(digits) == 10 else f"{digits[:10]}-{digits[10:]}"


# Who approves a COVID-safety plan (S30: districts approve, wards may approve small shops).
WARD_APPROVES_UP_TO = 10  # people on site


def approving_level(*, kind: str, people_on_site: int, delegation: Mapping[str, int] | None = None) -> str:
    """ "ward" for a small shop or restaurant within the delegation's head-count, else "district"."""
    limits = delegation or {"shop": WARD_APPROVES_UP_TO, "restaurant": WARD_APPROVES_UP_TO}
    limit = limits.get(kind)
    return "ward" if limit is not None and people_on_site <= limit else "district"


@dataclass(frozen=True)
class RegimeRule:
    """The rule of the regime in force for the business's sector (from zoning)."""

    regime: str
    status: str  # allowed | conditional | forbidden
    conditions: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


# Plan statuses that stop a business whatever its sector requires.
STOPPED_PLAN = ("suspended", "revoked")


@dataclass(frozen=True)
class PlanFacts:
    status: str
    valid_from: datetime | None
    valid_until: datetime | None


@dataclass(frozen=True)
class Verdict:
    """May the business operate at the moment asked, and why (reason codes with their values)."""

    may_operate: bool
    reasons: tuple[tuple[str, Mapping[str, Any]], ...]
    conditions: Mapping[str, Any] = field(default_factory=dict)


def may_operate(
    *,
    at: datetime,
    local_time: time,
    rule: RegimeRule | None,
    plan_required: bool,
    plan: PlanFacts | None,
    closures: Sequence[tuple[datetime, str]] = (),
) -> Verdict:
    """The regime must allow the sector now (opening hours included) AND, where required, an approved
    plan must be in force AND no closure order stands. Every reason is kept, so the answer says all that
    stands in the way."""
    reasons: list[tuple[str, Mapping[str, Any]]] = [
        ("closed", {"since": since, "why": why}) for since, why in closures
    ]
    allowed = not closures
    if rule is None:
        return Verdict(False, (*reasons, ("no_regime", {})))
    if rule.status == "forbidden":
        allowed = False
        reasons.append(("forbidden", {"regime": rule.regime}))
    else:
        reasons.append((rule.status, {"regime": rule.regime}))
        opens, closes = rule.conditions.get("opens_at"), rule.conditions.get("closes_at")
        if opens and local_time < time.fromisoformat(opens):
            allowed = False
            reasons.append(("before_opening", {"opens_at": opens}))
        if closes and local_time >= time.fromisoformat(closes):
            allowed = False
            reasons.append(("after_closing", {"closes_at": closes}))
    if plan is not None and plan.status in STOPPED_PLAN and not plan_required:
        # A plan suspended or revoked after a violation stops the business even where none is required.
        allowed = False
        reasons.append(("plan_stopped", {"status": plan.status}))
    if plan_required:
        if plan is None or plan.status != "approved":
            allowed = False
            reasons.append(("no_approved_plan", {"status": plan.status if plan else None}))
        elif (plan.valid_from and at < plan.valid_from) or (plan.valid_until and at >= plan.valid_until):
            allowed = False
            reasons.append(("plan_not_in_force", {}))
        else:
            reasons.append(("plan_approved", {}))
    return Verdict(allowed, tuple(reasons), dict(rule.conditions))


# How long the approving unit has to decide a submitted plan before the desk shows it as overdue.
DECISION_DAYS = 3


def decision_due(submitted_at: datetime) -> datetime:
    """When a plan submitted at `submitted_at` should have been decided."""
    return submitted_at + timedelta(days=DECISION_DAYS)
