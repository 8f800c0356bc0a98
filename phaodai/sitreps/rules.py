"""Pure policy of situation reports: slot timing, value checks and roll-ups. No Django here.

A slot is a daily time at which a unit reports (16:30, or 06:00/12:00/18:00). On a given day it opens
`open_hours_before` its deadline, is on time until the deadline plus the grace period, still takes
late reports and corrections until `lock_after_hours` past the deadline, and is closed after that.
"""

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from phaodai.core.rules import RuleError, apply, variables

COUNT_LIMIT = 100_000_000  # more people than Việt Nam has: surely a typing slip
AMOUNT_LIMIT = 10**14  # VND; a hundred trillion
TEXT_LIMIT = 4000
# A district's collected text holds every ward's (Hà Nội's largest districts have about 30 units).
COLLECTED_TEXT_LIMIT = 40 * TEXT_LIMIT
NUMERIC_KINDS = frozenset({"count", "amount"})
ROLLUPS = frozenset({"sum", "max", "latest", "collect"})


@dataclass(frozen=True)
class SlotTiming:
    """One slot on one day, as instants (UTC)."""

    slot_at: datetime
    deadline_at: datetime
    opens_at: datetime
    on_time_until: datetime
    locks_at: datetime

    def state(self, moment: datetime) -> str:
        """ "upcoming" before it opens, "open" until the deadline (and grace), "late", then "closed"."""
        if moment < self.opens_at:
            return "upcoming"
        if moment <= self.on_time_until:
            return "open"
        if moment <= self.locks_at:
            return "late"
        return "closed"

    def is_on_time(self, submitted_at: datetime) -> bool:
        return submitted_at <= self.on_time_until


def slot_timing(
    day: date,
    at: time,
    deadline: time,
    *,
    zone: tzinfo,
    grace_minutes: int,
    lock_after_hours: int,
    open_hours_before: int,
) -> SlotTiming:
    """The instants of a slot on `day`, its local times read in `zone` (Hà Nội)."""
    deadline_at = datetime.combine(day, deadline, tzinfo=zone).astimezone(UTC)
    return SlotTiming(
        slot_at=datetime.combine(day, at, tzinfo=zone).astimezone(UTC),
        deadline_at=deadline_at,
        opens_at=deadline_at - timedelta(hours=open_hours_before),
        on_time_until=deadline_at + timedelta(minutes=grace_minutes),
        locks_at=deadline_at + timedelta(hours=lock_after_hours),
    )


@dataclass(frozen=True)
class FieldSpec:
    code: str
    kind: str  # count | amount | text
    rollup: str  # sum | max | latest | collect
    required: bool = True


@dataclass(frozen=True)
class CheckSpec:
    code: str
    logic: Any
    field_code: str


@dataclass(frozen=True)
class Problem:
    """Why a value was refused: the field, a stable reason code, and what the message needs."""

    field: str
    # unknown | required | not_whole | negative | too_large | not_text | control | too_long | check:<code>
    reason: str
    params: Mapping[str, Any] = default(default_factory=dict)


def _whole_number(value: Any) -> int | None:
    """An int from an int, a whole float or Decimal, or a numeric string ("1 200" and "1.200" allowed)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return int(value) if value == value and value % 1 == 0 else None  # value == value: not NaN
    if isinstance(value, str):
        # Vietnamese writes thousands with "." or spaces; a decimal comma would be a fraction of a person.
        digits = value.strip().replace(" ", "").replace("\u00a0", "").replace(".", "")
        sign, body = ("-", digits[1:]) if digits.startswith("-") else ("", digits)
        if body.isascii() and body.isdigit() and len(body) <= 18:
            return int(sign + body)
    return None


def _clean_one(spec: FieldSpec, raw: Any, text_limit: int) -> tuple[Any, Problem | None]:
    if spec.kind == "text":
        if not isinstance(raw, str):
            return None, Problem(spec.code, "not_text")
        text = unicodedata.normalize("NFC", raw.strip())
        # NUL and lone surrogates cannot be stored (PostgreSQL refuses them); other controls are noise.
        if any(_control(char) for char in text):
            return None, Problem(spec.code, "control")
        if len(text) > text_limit:
            return None, Problem(spec.code, "too_long", {"limit": text_limit})
        return text, None
    number = _whole_number(raw)
    if number is None:
        return None, Problem(spec.code, "not_whole")
    if number < 0:
        return None, Problem(spec.code, "negative")
    limit = COUNT_LIMIT if spec.kind == "count" else AMOUNT_LIMIT
    if number > limit:
        return None, Problem(spec.code, "too_large", {"limit": limit})
    return number, None


def _control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cs")


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean_values(
    fields: Sequence[FieldSpec],
    checks: Sequence[CheckSpec],
    raw: Mapping[str, Any],
    *,
    rolled_up: bool = False,
) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values of a report and every problem with them (not just the first).

    A report rolled up from the units below may carry their texts collected, hence a longer limit.
    """
    text_limit = COLLECTED_TEXT_LIMIT if rolled_up else TEXT_LIMIT
    known = {spec.code: spec for spec in fields}
    problems = [Problem(str(code), "unknown") for code in raw if code not in known]
    values: dict[str, Any] = {}
    for spec in fields:
        given = raw.get(spec.code)
        if _blank(given):
            if spec.required:
                problems.append(Problem(spec.code, "required"))
            continue
        value, problem = _clean_one(spec, given, text_limit)
        if problem is not None:
            problems.append(problem)
        else:
            values[spec.code] = value
    if not problems:
        problems.extend(failed_checks(checks, values))
    return values, problems


def failed_checks(checks: Sequence[CheckSpec], values: Mapping[str, Any]) -> list[Problem]:
    """Checks that read only present values and do not hold (a check on a blank field is skipped)."""
    failed = []
    for check in checks:
        if any(name not in values for name in variables(check.logic)):
            continue
        try:
            holds = bool(apply(check.logic, dict(values)))
        except RuleError:
            holds = False
        if not holds:
            failed.append(Problem(check.field_code, f"check:{check.code}"))
    return failed


@dataclass(frozen=True)
class UnitReport:
    """One unit's values, as a roll-up reads them."""

    unit_name: str
    submitted_at: datetime
    values: Mapping[str, Any]


def roll_up(fields: Sequence[FieldSpec], reports: Sequence[UnitReport]) -> dict[str, Any]:
    """Combine units' values field by field: sum, max, latest (by submission time) or text collected."""
    total: dict[str, Any] = {}
    newest_first = sorted(reports, key=lambda report: report.submitted_at, reverse=True)
    for spec in fields:
        present = [report for report in reports if spec.code in report.values]
        if not present:
            continue
        if spec.rollup == "sum":
            total[spec.code] = sum(report.values[spec.code] for report in present)
        elif spec.rollup == "max":
            total[spec.code] = max(report.values[spec.code] for report in present)
        elif spec.rollup == "latest":
            newest = next(report for report in newest_first if spec.code in report.values)
            total[spec.code] = newest.values[spec.code]
        else:
            said = [report for report in present if report.values[spec.code]]
            lines = [f"{report.unit_name}: {report.values[spec.code]}" for report in said]
            if lines:
                total[spec.code] = "\n".join(lines)
    return total


def corrections(prefilled: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields the reporter changed from what the system prefilled: code -> (prefilled, reported)."""
    return {code: (known, values.get(code)) for code, known in prefilled.items() if values.get(code) != known}


def on_time_rate(on_time: int, expected: int) -> float | None:
    return None if expected == 0 else round(100 * on_time / expected, 1)
