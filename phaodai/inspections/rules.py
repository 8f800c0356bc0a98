"""Pure policy for inspections: fine bands, measures, closures, results and accountability. No Django.

Fine bands follow Decree 117/2020/NĐ-CP (administrative sanctions in health): the amounts in its
Chapter II are for an individual; an organisation is fined twice as much (the multiplier is data).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WARNING, FINE, SUSPENSION, CLOSURE = "warning", "fine", "suspension", "closure"
MEASURES = (WARNING, FINE, SUSPENSION, CLOSURE)
# A violation gets exactly one main penalty (cảnh cáo or phạt tiền); suspension and closure add to it.
MAIN_PENALTIES = frozenset({WARNING, FINE})
# A plan is suspended and premises closed only where there is a business to stop.
BUSINESS_ONLY = frozenset({SUSPENSION, CLOSURE})
PERSON, ORGANISATION = "person", "organisation"
OFFENDERS = (PERSON, ORGANISATION)
PASS, FAIL = "pass", "fail"

# Project-defined: a suspended or closed target is re-inspected within this many days.
REINSPECT_WITHIN = timedelta(days=7)
# S31: heads are held accountable when their unit or establishment violates again in the period.
REPEAT_THRESHOLD = 2


@dataclass(frozen=True)
class Band:
    """A fine band in VND, bounds included."""

    low: int
    high: int

    def contains(self, amount: int) -> bool:
        return self.low <= amount <= self.high


@dataclass(frozen=True)
class KindSpec:
    """What the law (and the city's practice) allows for one kind of violation."""

    code: str
    low: int
    high: int
    measures: frozenset[str]
    suspends_plan: bool = False
    organisation_multiplier: int = 2

    def band(self, offender: str) -> Band:
        factor = self.organisation_multiplier if offender == ORGANISATION else 1
        return Band(self.low * factor, self.high * factor)


def measures_problem(
    kind: KindSpec, measures: Iterable[str], fine_amount: int, *, on_business: bool = True
) -> str | None:
    """Why these measures cannot be imposed for this kind, or None.

    "unknown:<m>" a measure that does not exist; "not_allowed:<m>" one the kind does not allow;
    "business_only:<m>" a suspension or closure of something that is not a business; "main_penalty"
    not exactly one of warning and fine; "fine_missing" a fine of 0; "fine_with_warning" an amount
    with a warning.
    """
    chosen = set(measures)
    for measure in sorted(chosen):
        if measure not in MEASURES:
            return f"unknown:{measure}"
        if measure not in kind.measures:
            return f"not_allowed:{measure}"
        if measure in BUSINESS_ONLY and not on_business:
            return f"business_only:{measure}"
    if len(chosen & MAIN_PENALTIES) != 1:
        return "main_penalty"
    if FINE in chosen and fine_amount <= 0:
        return "fine_missing"
    if WARNING in chosen and fine_amount != 0:
        return "fine_with_warning"
    return None


def fine_within_band(kind: KindSpec, offender: str, amount: int) -> bool:
    """Whether a fine lies in the kind's band for this offender (a warning carries no fine)."""
    return kind.band(offender).contains(amount)


def effective_measures(
    kind: KindSpec, measures: Iterable[str], *, on_business: bool = True
) -> tuple[str, ...]:
    """The measures imposed, in canonical order; a kind that suspends plans adds suspension on a business."""
    chosen = set(measures)
    if kind.suspends_plan and on_business:
        chosen.add(SUSPENSION)
    return tuple(m for m in MEASURES if m in chosen)


def suspends_plan(measures: Iterable[str]) -> bool:
    """A suspension or a closure stops the business's COVID-safety plan."""
    chosen = set(measures)
    return SUSPENSION in chosen or CLOSURE in chosen


def closes_business(measures: Iterable[str]) -> bool:
    return CLOSURE in set(measures)


def reinspect_by(decided_at: datetime, measures: Iterable[str]) -> datetime | None:
    """When a suspended or closed target must have been re-inspected; None when nothing is stopped."""
    return decided_at + REINSPECT_WITHIN if suspends_plan(measures) else None


def missing_items(checklist: Sequence[str], recorded: Iterable[str]) -> list[str]:
    """Checklist item codes with no finding yet, in checklist order."""
    seen = set(recorded)
    return [code for code in checklist if code not in seen]


def inspection_result(findings_ok: Iterable[bool], violations: int) -> str:
    """Pass only when every finding is fine and no violation was recorded."""
    return PASS if violations == 0 and all(findings_ok) else FAIL


def within_area(path: str, area_paths: Iterable[str]) -> bool:
    """Whether a target's unit path lies in a team's area of work (any of its units)."""
    return any(path.startswith(prefix) for prefix in area_paths)


def lifts_closure(is_follow_up: bool, result: str) -> bool:
    """A closed business reopens only after a re-inspection passes (S31)."""
    return is_follow_up and result == PASS


def is_overdue(due: datetime | None, followed_up_at: datetime | None, at: datetime) -> bool:
    """A re-inspection is overdue when its deadline passed and none was finished by `at`."""
    if due is None or due >= at:
        return False
    return followed_up_at is None or followed_up_at > at


# Accountability (S31) ------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionRow:
    id: int
    finished_at: datetime | None
    status: str
    result: str


@dataclass(frozen=True)
class ViolationRow:
    id: int
    kind: str
    fine: int
    measures: tuple[str, ...]
    decided_at: datetime
    target_key: str  # "business:12" or "unit:00139:Chợ Long Biên": one establishment or place
    target_label: str
    unit: str  # the code of the target's unit (usually a ward): its heads answer for violations there
    responsible_person: str
    reinspect_by: datetime | None
    followed_up_at: datetime | None  # the first follow-up inspection finished, if any


@dataclass(frozen=True)
class ClosureRow:
    id: int
    closed_at: datetime
    lifted_at: datetime | None


@dataclass(frozen=True)
class KindTotal:
    count: int
    fines: int


@dataclass(frozen=True)
class RepeatOffender:
    """An establishment or place with repeated violations, and who answered for it."""

    target_key: str
    label: str
    unit: str
    violations: int
    responsible_persons: tuple[str, ...]


@dataclass(frozen=True)
class Accountability:
    inspections_done: int
    passed: int
    failed: int
    violations: int
    by_kind: Mapping[str, KindTotal]
    fines_total: int
    closures: int  # closures ordered in the period
    still_closed: int  # of all closures, those open at the period's end
    overdue: tuple[int, ...]  # violation ids whose re-inspection is overdue at the period's end
    repeat_offenders: tuple[RepeatOffender, ...]
    repeat_units: Mapping[str, int] = field(default_factory=dict)


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def accountability(
    inspections: Iterable[InspectionRow],
    violations: Iterable[ViolationRow],
    closures: Iterable[ClosureRow],
    start: datetime,
    end: datetime,
) -> Accountability:
    """The figures of a unit over [start, end), from the rows of the targets within it."""
    done = [i for i in inspections if i.status == "done" and _in(i.finished_at, start, end)]
    all_violations = list(violations)
    in_period = [v for v in all_violations if _in(v.decided_at, start, end)]
    counts: Counter[str] = Counter()
    fines: Counter[str] = Counter()
    for v in in_period:
        counts[v.kind] += 1
        fines[v.kind] += v.fine
    by_kind = {kind: KindTotal(counts[kind], fines[kind]) for kind in sorted(counts)}
    all_closures = list(closures)
    return Accountability(
        inspections_done=len(done),
        passed=sum(1 for i in done if i.result == PASS),
        failed=sum(1 for i in done if i.result == FAIL),
        violations=len(in_period),
        by_kind=by_kind,
        fines_total=sum(fines.values()),
        closures=sum(1 for c in all_closures if _in(c.closed_at, start, end)),
        still_closed=sum(
            1 for c in all_closures if c.closed_at < end and (c.lifted_at is None or c.lifted_at >= end)
        ),
        overdue=tuple(
            sorted(v.id for v in all_violations if is_overdue(v.reinspect_by, v.followed_up_at, end))
        ),
        repeat_offenders=repeat_offenders(in_period),
        repeat_units=repeat_units(in_period),
    )


def repeat_offenders(violations: Sequence[ViolationRow]) -> tuple[RepeatOffender, ...]:
    """Targets with at least REPEAT_THRESHOLD violations, most first, with their responsible persons."""
    groups: defaultdict[str, list[ViolationRow]] = defaultdict(list)
    for v in violations:
        groups[v.target_key].append(v)
    found = []
    for key, rows in groups.items():
        if len(rows) < REPEAT_THRESHOLD:
            continue
        persons = tuple(sorted({r.responsible_person for r in rows if r.responsible_person}))
        latest = max(rows, key=lambda r: r.decided_at)
        found.append(RepeatOffender(key, latest.target_label, latest.unit, len(rows), persons))
    return tuple(sorted(found, key=lambda r: (-r.violations, r.label)))


def repeat_units(violations: Sequence[ViolationRow]) -> dict[str, int]:
    """Units (wards) with at least REPEAT_THRESHOLD violations: their heads are held accountable (S31)."""
    counts = Counter(v.unit for v in violations)
    return {unit: n for unit, n in sorted(counts.items()) if n >= REPEAT_THRESHOLD}
