"""Welfare policy in pure Python (S33, POLICY.md §7): who qualifies, how much, which period, the workflow.

A programme's criteria are named JsonLogic rules over the facts of an application:

    {"person": {"age": 43, "birth_year": 1978, "registered_in_ward": true},
     "household": {"poor": false, "near_poor": false, "members": 4},
     "job": {"informal": true, "labour_contract": false, "lost_work_on": "2021-06-01",
             "social_insurance": false, "other_support": false, "occupation": "street_vendor"},
     "isolation": {"subject": "F0", "starts_on": "2021-08-14", "days": 21, "order": 7}}

They are checked in order and the first that fails is named in the refusal. Amounts are whole VND.
Dates are ISO text, compared with the engine's date operators (`not-before`, `before`, …). Errors are
structured (PolicyError: a code, the field, the numbers): the services write the translated messages.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from phaodai.core.rules import RuleError, compile_rule, evaluate, truthy, validate, variables
from phaodai.core.text import mask_name

FIXED, PER_DAY, CAPPED, TIERED = "fixed", "per_day", "capped", "tiered"
ONCE, MONTHLY, EPISODE = "once", "monthly", "episode"
AMOUNT_KINDS = (FIXED, PER_DAY, CAPPED, TIERED)
PERIOD_KINDS = (ONCE, MONTHLY, EPISODE)
MAX_AMOUNT = 1_000_000_000  # VND: no single support payment comes near a billion
# NQ 68's income-support programmes: a live one (filed and on its way, approved or paid; not a refused,
# returned or withdrawn one) is "another social-protection payment" for QĐ 3642 (job.other_support).
# Not the food allowance or the children's support (per isolation).
INCOME_SUPPORT = ("NQ68-SUSPENDED", "NQ68-STOPPED", "NQ68-LAID-OFF", "NQ68-HH-BUSINESS")
# The fact a programme's criteria read to exclude other support (QĐ 3642's no_other_support): set from
# the record, never as declared, and read again at each later step (the other may be filed meanwhile).
OTHER_SUPPORT = "job.other_support"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

# The workflow of an application (S33): ward review, public posting, district appraisal, approval,
# payment, reconciliation. Terminal refusals: rejected (ward), returned (district), withdrawn, and revoked:
# an approved line the district takes out of its decision by an amending one before it is paid.
FILED, REVIEWED, POSTED, SUBMITTED = "filed", "reviewed", "posted", "submitted"
APPRAISED, APPROVED, PAID, RECONCILED = "appraised", "approved", "paid", "reconciled"
REJECTED, RETURNED, WITHDRAWN, REVOKED = "rejected", "returned", "withdrawn", "revoked"
CLOSED = (REJECTED, RETURNED, WITHDRAWN, REVOKED)
MOVES: dict[str, frozenset[str]] = {
    FILED: frozenset({REVIEWED, REJECTED, WITHDRAWN}),
    REVIEWED: frozenset({POSTED, REJECTED, WITHDRAWN}),
    POSTED: frozenset({SUBMITTED, REJECTED}),
    SUBMITTED: frozenset({APPRAISED, RETURNED}),
    APPRAISED: frozenset({APPROVED}),
    APPROVED: frozenset({PAID, REVOKED}),
    PAID: frozenset({RECONCILED}),
}


def may_move(current: str, target: str) -> bool:
    return target in MOVES.get(current, frozenset())


class PolicyError(Exception):
    """Bad programme data or input to the policy: a `code` naming the case, the `field` that is wrong and
    the numbers (`params`) a message needs. No prose here: the services write the translated message."""

    def __init__(self, code: str, field: str = "", **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.field = field
        self.params = params


@dataclass(frozen=True)
class Criterion:
    key: str
    label_en: str
    label_vi: str
    rule: Any


@dataclass(frozen=True)
class Refusal:
    """The first criterion an application fails, and the facts it read."""

    key: str
    label_en: str
    label_vi: str
    read: Mapping[str, Any]


def criteria_of(raw: Sequence[Mapping[str, Any]]) -> list[Criterion]:
    """Parse and validate a programme's criteria (PolicyError on a malformed one)."""
    found: list[Criterion] = []
    for index, item in enumerate(raw):
        try:
            key, rule = str(item["key"]), item["rule"]
            validate(rule)
        except (KeyError, TypeError, RuleError) as error:
            raise PolicyError("bad_criterion", "criteria", index=index, detail=str(error)) from None
        found.append(Criterion(key, str(item.get("label_en", key)), str(item.get("label_vi", key)), rule))
    return found


def first_failing(criteria: Sequence[Criterion], facts: Mapping[str, Any]) -> Refusal | None:
    """The first criterion `facts` do not meet (an error evaluating it counts as not met), or None."""
    for criterion in criteria:
        try:
            result = evaluate(criterion.rule, facts)
            ok, read = truthy(result.result), dict(result.values)
        except RuleError:
            ok, read = False, {}
        if not ok:
            return Refusal(criterion.key, criterion.label_en, criterion.label_vi, read)
    return None


def excludes_other_support(criteria: Sequence[Criterion]) -> bool:
    """Whether a programme's criteria read the person's other support (the programme's data says so)."""
    return any(OTHER_SUPPORT in variables(criterion.rule) for criterion in criteria)


def refused_for_other_support(criteria: Sequence[Criterion], facts: Mapping[str, Any]) -> Refusal | None:
    """The criterion the facts fail once other support is on record, or None if no criterion refuses it."""
    job = facts.get("job")
    seen = {**facts, "job": {**(job if isinstance(job, Mapping) else {}), "other_support": True}}
    refusal = first_failing(criteria, seen)
    return refusal if refusal is not None and OTHER_SUPPORT in refusal.read else None


def check_compiles(rule: Any) -> None:
    try:
        compile_rule(rule)
    except RuleError as error:
        raise PolicyError("bad_criterion", "criteria", detail=str(error)) from None


@dataclass(frozen=True)
class Tier:
    starts_at: int  # the lowest value of the fact for this amount
    amount: int


@dataclass(frozen=True)
class AmountPolicy:
    kind: str
    amount: int  # the fixed amount, the rate per day, or the cap (tiered: the highest tier)
    amount_min: int = 0  # capped: the lowest amount the programme pays (tiered: the lowest tier)
    day_caps: Mapping[str, int] | None = None  # per_day: the most days by isolation subject ("default")
    tier_fact: str = ""  # tiered: the fact choosing the tier, e.g. "job.suspended_days"
    tiers: Sequence[Tier] = field(default_factory=tuple)  # tiered: by starts_at, lowest first


def tiers_of(raw: Any) -> tuple[str, tuple[Tier, ...]]:
    """Parse a tiered amount's data {"fact": "job.x", "levels": [{"from": 15, "amount": 1855000}, …]}."""
    try:
        fact = str(raw["fact"])
        levels = tuple(
            sorted((Tier(int(level["from"]), int(level["amount"])) for level in raw["levels"]), key=_tier_key)
        )
    except (KeyError, TypeError, ValueError):
        raise PolicyError("bad_tiers", "tiers") from None
    if "." not in fact or not levels or any(t.amount <= 0 or t.amount > MAX_AMOUNT for t in levels):
        raise PolicyError("bad_tiers", "tiers")
    return fact, levels


def _tier_key(tier: Tier) -> int:
    return tier.starts_at


def fact_value(facts: Mapping[str, Any], path: str) -> Any:
    """The value at "section.key" of the facts, or None."""
    section, _dot, key = path.partition(".")
    values = facts.get(section)
    return values.get(key) if isinstance(values, Mapping) else None


def days_cap(policy: AmountPolicy, subject: str) -> int:
    caps = policy.day_caps or {}
    return int(caps.get(subject, caps.get("default", 0)))


def amount_due(
    policy: AmountPolicy,
    *,
    days: int | None,
    subject: str = "",
    asked: int | None = None,
    recorded_days: int | None = None,
    tier_value: Any = None,
) -> int:
    """The amount of one application; PolicyError (field "amount" or "days") when outside the programme's.

    Per day: `days` at most the days on record (`recorded_days`, when known) and the subject's cap.
    Tiered: the amount of the highest tier `tier_value` reaches; any other amount asked is refused.
    """
    if policy.kind == FIXED:
        if asked is not None and asked != policy.amount:
            raise PolicyError("amount_fixed", "amount", amount=policy.amount)
        return policy.amount
    if policy.kind == PER_DAY:
        cap = days_cap(policy, subject)
        if days is None or days <= 0:
            raise PolicyError("days_required", "days")
        if cap and days > cap:
            raise PolicyError("days_over_cap", "days", cap=cap, subject=subject)
        if recorded_days is not None and days > recorded_days:
            raise PolicyError("days_over_record", "days", recorded=recorded_days)
        due = policy.amount * days
        if asked is not None and asked != due:
            raise PolicyError("amount_per_day", "amount", days=days, rate=policy.amount, due=due)
        return due
    if policy.kind == CAPPED:
        if asked is None:
            return policy.amount
        if not policy.amount_min <= asked <= policy.amount:
            raise PolicyError("amount_range", "amount", low=policy.amount_min, high=policy.amount)
        return asked
    if policy.kind == TIERED:
        value = _whole(tier_value)
        reached = [tier for tier in policy.tiers if value is not None and value >= tier.starts_at]
        if not reached:
            lowest = policy.tiers[0].starts_at if policy.tiers else 0
            raise PolicyError("tier_unmet", "facts", fact=policy.tier_fact, lowest=lowest)
        due = reached[-1].amount
        if asked is not None and asked != due:
            raise PolicyError("amount_tier", "amount", amount=due, value=value, fact=policy.tier_fact)
        return due
    raise PolicyError("unknown_amount_kind", "amount_kind", kind=policy.kind)


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def period_key(kind: str, *, filed_on: date, episode: str | None = None) -> str:
    """What "the same period" means: once ever, a calendar month, or one isolation order (its key)."""
    if kind == ONCE:
        return "once"
    if kind == MONTHLY:
        return f"{filed_on:%Y-%m}"
    if kind == EPISODE:
        if not episode:
            raise PolicyError("episode_required", "isolation_order")
        return episode
    raise PolicyError("unknown_period_kind", "period_kind", kind=kind)


def episode_key(order_id: int) -> str:
    """The period of an allowance paid per isolation: the isolation order itself."""
    return f"iso-{order_id}"


def read_date(value: Any) -> date | None:
    """A date fact typed as ISO (2021-07-24) or dd/mm/yyyy (24/07/2021); None for anything else."""
    if not isinstance(value, str):
        return None
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
        if 1900 <= day.year <= 2100:
            return day
    return None


def is_date_fact(key: str) -> bool:
    """Declared facts named "…_on" are dates (job.lost_work_on)."""
    return key.endswith("_on")


def missing_documents(required: Sequence[str], given: Sequence[str]) -> list[str]:
    have = set(given)
    return [kind for kind in required if kind not in have]


def masked(full_name: str, birth_year: int | None) -> str:
    """Public form of a beneficiary: family name, initials and year of birth ("Nguyễn V. A., 1978")."""
    name = mask_name(" ".join(full_name.split()))
    return f"{name}, {birth_year}" if name and birth_year else name


def line_numbers(application_ids: Sequence[int], start: int = 1) -> dict[int, int]:
    """The lines of a numbered decision: applications in the order given, from `start`."""
    return {pk: start + index for index, pk in enumerate(application_ids)}
