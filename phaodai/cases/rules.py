"""Pure tracing and isolation policy: windows, F-level labels, isolation schedules, KPIs. No Django."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median


@dataclass(frozen=True)
class TracingSpec:
    days_before: int
    days_after: int
    isolation_lag_days: int
    depth: int
    horizon_days: int
    reinfection_days: int


@dataclass(frozen=True)
class Window:
    """The days in which an exposure to the case makes an F1, and (to `chain_end`) an F2 of an F1."""

    start: date
    end: date
    chain_end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def exposure_window(confirmed_on: date, spec: TracingSpec) -> Window:
    """From `days_before` before confirmation to `days_after` after it; contacts of contacts a little
    longer, since an F1 is isolated some days after their F0 is confirmed."""
    end = confirmed_on + timedelta(days=spec.days_after)
    return Window(
        start=confirmed_on - timedelta(days=spec.days_before),
        end=end,
        chain_end=end + timedelta(days=spec.isolation_lag_days),
    )


def horizon_start(as_of: date, horizon_days: int) -> date:
    """The first confirmation day of the cases still traced as of `as_of`: a person's latest case
    confirmed from then to `as_of` is their F0 row (the tracing horizon)."""
    return as_of - timedelta(days=horizon_days)


def f_label(level: int | None) -> str | None:
    """0 → "F0", 1 → "F1"…; None for someone who is not traced."""
    return None if level is None else f"F{level}"


def may_open_episode(last_ended: date | None, confirmed_on: date, spec: TracingSpec) -> bool:
    """A new episode (reinfection) only once the last one has ended, and long enough ago."""
    return last_ended is not None and (confirmed_on - last_ended).days >= spec.reinfection_days


@dataclass(frozen=True)
class IsolationSpec:
    isolation_days: int
    monitoring_days: int
    test_days: tuple[int, ...]


@dataclass(frozen=True)
class IsolationSchedule:
    isolation_ends_at: datetime
    monitoring_ends_at: datetime
    tests_due: tuple[date, ...]


def isolation_schedule(starts_at: datetime, local_start: date, spec: IsolationSpec) -> IsolationSchedule:
    """Isolation ends `isolation_days` after it starts, monitoring `monitoring_days` after that; tests on
    the listed days of isolation (day 1 is the first day)."""
    ends = starts_at + timedelta(days=spec.isolation_days)
    return IsolationSchedule(
        isolation_ends_at=ends,
        monitoring_ends_at=ends + timedelta(days=spec.monitoring_days),
        tests_due=tuple(
            local_start + timedelta(days=day - 1) for day in sorted(set(spec.test_days)) if day >= 1
        ),
    )


# KPIs -----------------------------------------------------------------------------------------------


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def share_within(delays_hours: Sequence[float | None], limit_hours: float) -> float | None:
    """The share of contacts isolated within `limit_hours` of their F0's confirmation; a contact not yet
    isolated (None) counts as late. None when there is nobody to count."""
    if not delays_hours:
        return None
    on_time = sum(1 for hours in delays_hours if hours is not None and hours <= limit_hours)
    return on_time / len(delays_hours)


def median_hours(delays_hours: Sequence[float | None]) -> float | None:
    """The median delay of those isolated; None when nobody is."""
    known = [hours for hours in delays_hours if hours is not None]
    return median(known) if known else None
