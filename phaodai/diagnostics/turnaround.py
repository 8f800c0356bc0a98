"""Turnaround of results (S18: results within 24 hours), per laboratory and per district.

Over samples taken in a period: the share whose result came within 24 h of collection, among those
resulted or already waiting longer than 24 h (a sample still waiting past 24 h is late, not left out);
the median hours from collection to result; and the samples still waiting past 24 h, listed apart
(selectors.waiting_since). Grouped in the database: two queries per grouping, whatever the volume.
The median comes from an hourly histogram, each result read as the middle of its hour (good to ±30 min).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, FloatField, Func, Q, QuerySet
from django.db.models.functions import Floor, Substr

from phaodai.core.clock import Clock, at_local, now
from phaodai.diagnostics.models import Lab, Outcome, Sample
from phaodai.diagnostics.selectors import samples_visible_to
from phaodai.territory import selectors as territory

DEADLINE_HOURS = 24
DISTRICT_PATH_LENGTH = len("/01/004/")  # city and district codes have fixed widths (GSO)
MAX_PERIOD_DAYS = 92


class HoursBetween(Func):
    """Hours from the first to the second instant, as a float, on SQLite and PostgreSQL."""

    output_field = FloatField()
    arity = 2

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Whole seconds, exactly (julianday's doubles would put 3 h at 2.9999 h); "%%%%s" ends as "%s".
        return self.as_sql(
            compiler,
            connection,
            template="((CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)) / 3600.0)",
            arg_joiner=") AS INTEGER) - CAST(strftime('%%s', ",  # joined after the template's % step
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
            arg_joiner=" - ",
            **extra,
        )


def _hours(*, start: str, end: str) -> HoursBetween:
    # julianday(end) - julianday(start): the SQLite template above reads its two arguments in this order.
    return HoursBetween(F(end), F(start))


# Pure arithmetic ---------------------------------------------------------------------------------------


def median_from_histogram(counts: Mapping[int, int]) -> float | None:
    """The median of values counted per whole hour, each read as the middle of its hour (None if empty)."""
    total = sum(counts.values())
    if total == 0:
        return None
    middle = ((total - 1) // 2, total // 2)  # 0-based ranks: one value for an odd count, two for even
    found: list[float] = []
    seen = 0
    for hour in sorted(counts):
        n = counts[hour]
        found.extend(hour + 0.5 for rank in middle if seen <= rank < seen + n)
        seen += n
    return round(sum(found) / len(found), 1)


def share_pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


# Reads -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turnaround:
    """One laboratory's or district's figures over the period."""

    key: Any
    label: str
    counted: int  # resulted, or waiting past the deadline
    within: int  # resulted within 24 h
    waiting_late: int  # still waiting past 24 h
    median_hours: float | None

    @property
    def within_pct(self) -> float | None:
        return share_pct(self.within, self.counted)


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[00:00 of the first day, 00:00 after the last day) in Hà Nội time."""
    return at_local(first, time()), at_local(last + timedelta(days=1), time())


def _counted(user: Any, start: datetime, end: datetime, moment: datetime) -> QuerySet[Sample]:
    deadline_passed = Q(collected_at__lt=moment - timedelta(hours=DEADLINE_HOURS))
    return (
        samples_visible_to(user)
        .filter(collected_at__gte=start, collected_at__lt=end)
        .filter(~Q(outcome=Outcome.PENDING) | deadline_passed)
    )


def _grouped(rows: QuerySet[Sample], key: Any) -> tuple[dict[Any, dict[str, int]], dict[Any, dict[int, int]]]:
    resulted = ~Q(outcome=Outcome.PENDING)
    totals = (
        rows.annotate(key=key, hours=_hours(start="collected_at", end="resulted_at"))
        .order_by()
        .values("key")
        .annotate(
            counted=Count("pk"),
            within=Count("pk", filter=resulted & Q(hours__lte=DEADLINE_HOURS)),
            waiting_late=Count("pk", filter=Q(outcome=Outcome.PENDING)),
        )
    )
    histogram_rows = (
        rows.filter(resulted)
        .annotate(key=key, hour=Floor(_hours(start="collected_at", end="resulted_at")))
        .order_by()
        .values("key", "hour")
        .annotate(n=Count("pk"))
    )
    histograms: dict[Any, dict[int, int]] = {}
    for row in histogram_rows:
        histograms.setdefault(row["key"], {})[int(row["hour"])] = row["n"]
    return {row["key"]: row for row in totals}, histograms


def _rows(
    totals: dict[Any, dict[str, int]], histograms: dict[Any, dict[int, int]], labels: dict[Any, str]
) -> list[Turnaround]:
    found = [
        Turnaround(
            key=key,
            label=labels.get(key, str(key or "—")),
            counted=row["counted"],
            within=row["within"],
            waiting_late=row["waiting_late"],
            median_hours=median_from_histogram(histograms.get(key, {})),
        )
        for key, row in totals.items()
    ]
    return sorted(found, key=lambda row: row.label)


def by_lab(user: Any, first: date, last: date, *, clock: Clock = now) -> list[Turnaround]:
    """Turnaround per laboratory of the samples of the user's area taken from `first` to `last`."""
    start, end = period_bounds(first, last)
    totals, histograms = _grouped(_counted(user, start, end, clock()), F("lab_id"))
    names = dict(Lab.objects.filter(pk__in=[key for key in totals if key]).values_list("pk", "name"))
    return _rows(totals, histograms, {key: name for key, name in names.items()})


def by_district(user: Any, first: date, last: date, *, clock: Clock = now) -> list[Turnaround]:
    """Turnaround per district of residence of the samples of the user's area taken from `first` to `last`."""
    start, end = period_bounds(first, last)
    totals, histograms = _grouped(
        _counted(user, start, end, clock()), Substr("path", 1, DISTRICT_PATH_LENGTH)
    )
    labels = {
        unit.path: unit.full_name for unit in territory.within(territory.city()).filter(path__in=list(totals))
    }
    return _rows(totals, histograms, labels)
