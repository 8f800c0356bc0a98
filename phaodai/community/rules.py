"""Pure policy of the community app: coverage, the gaps of a special housing's plan, duty clashes.

No Django here (import-linter checks it): the functions take plain values and are tested without a
database.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

TEAM_ROLES = ("leader", "deputy", "member")
# The plan of a special housing is complete with these parts; each missing one is shown on the list.
PLAN_PARTS = ("plan", "responsible", "dates")


@dataclass(frozen=True)
class Coverage:
    """Signed commitments over households: the percentage is rounded down (99.6 % is not 100 %)."""

    signed: int
    households: int

    @property
    def percent(self) -> int:
        if self.households <= 0:
            return 0
        return min(100, self.signed * 100 // self.households)

    @property
    def missing(self) -> int:
        return max(0, self.households - self.signed)


def total(rows: Iterable[Coverage]) -> Coverage:
    signed = households = 0
    for row in rows:
        signed += row.signed
        households += row.households
    return Coverage(signed, households)


@dataclass(frozen=True)
class PlanFacts:
    plan: str
    responsible_name: str
    responsible_phone: str
    starts_on: date | None
    ends_on: date | None


@dataclass(frozen=True)
class Gaps:
    """What a special housing still lacks: parts of its plan and checklist items not ticked."""

    plan_parts: tuple[str, ...]
    items: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.plan_parts and not self.items


def plan_gaps(facts: PlanFacts) -> tuple[str, ...]:
    missing: list[str] = []
    if not facts.plan.strip():
        missing.append("plan")
    if not facts.responsible_name.strip() or not facts.responsible_phone.strip():
        missing.append("responsible")
    if facts.starts_on is None or facts.ends_on is None:
        missing.append("dates")
    return tuple(missing)


def gaps(facts: PlanFacts, required: Sequence[str], ticked: Iterable[str]) -> Gaps:
    """The plan's missing parts, and the required checklist keys not ticked, in the checklist's order."""
    done = set(ticked)
    return Gaps(plan_gaps(facts), tuple(key for key in required if key not in done))


def dates_in_order(starts_on: date | None, ends_on: date | None) -> bool:
    return starts_on is None or ends_on is None or starts_on <= ends_on


def role_rank(role: str) -> int:
    """Leader first, then deputies, then members (unknown roles last)."""
    return TEAM_ROLES.index(role) if role in TEAM_ROLES else len(TEAM_ROLES)


def whole_number(text: str, max_digits: int) -> int | None:
    """A whole number written in ASCII decimal digits (at most `max_digits` of them), or None."""
    if not text or len(text) > max_digits or not (text.isascii() and text.isdecimal()):
        return None
    return int(text)
