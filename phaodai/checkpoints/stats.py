"""Crossings per checkpoint and hour (Hà Nội time): totals, denials by failed rule, the peak hour.

Grouped queries over the (checkpoint, time) and (unit path, time) indexes: a checkpoint's day is two
queries, a district's day three, however many crossings there were.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractHour

from phaodai.checkpoints import rules
from phaodai.checkpoints.models import Checkpoint, Crossing, CrossingFailure
from phaodai.core.clock import HANOI, local_day_bounds

REASONS_SHOWN = 20
DENIED = Q(decision=Crossing.Decision.DENIED)


@dataclass(frozen=True)
class Reason:
    """A rule that denied crossings, and how many (a denial may fail several rules)."""

    rule_id: str
    description: str
    count: int


@dataclass(frozen=True)
class DayStats:
    day: date
    hours: list[rules.HourCount]
    reasons: list[Reason]

    @property
    def crossings(self) -> int:
        return sum(row.crossings for row in self.hours)

    @property
    def denied(self) -> int:
        return sum(row.denied for row in self.hours)

    @property
    def peak(self) -> rules.HourCount | None:
        return rules.peak(self.hours)


@dataclass(frozen=True)
class CheckpointDay:
    checkpoint: Checkpoint
    stats: DayStats


def _by_hour(rows: QuerySet[Any], *group: str) -> QuerySet[Any]:
    # order_by() drops the model's ordering, which would otherwise join the GROUP BY.
    return (
        rows.annotate(hour=ExtractHour("at", tzinfo=HANOI))
        .order_by()
        .values(*group, "hour")
        .annotate(crossings=Count("id"), denied=Count("id", filter=DENIED))
    )


def _reasons(failures: QuerySet[CrossingFailure]) -> list[Reason]:
    grouped = (
        failures.order_by()
        .values("rule_id")
        .annotate(count=Count("id"), description=Max("description"))
        .order_by("-count", "rule_id")[:REASONS_SHOWN]
    )
    return [Reason(row["rule_id"], row["description"], row["count"]) for row in grouped]


def checkpoint_day(checkpoint: Checkpoint, day: date) -> DayStats:
    """One checkpoint's local day, hour by hour, with its denials by reason (2 queries)."""
    start, end = local_day_bounds(day)
    crossings = Crossing.objects.filter(checkpoint=checkpoint, at__gte=start, at__lt=end)
    counts = {row["hour"]: (row["crossings"], row["denied"]) for row in _by_hour(crossings)}
    failures = CrossingFailure.objects.filter(checkpoint=checkpoint, at__gte=start, at__lt=end)
    return DayStats(day, rules.hours_of_day(counts), _reasons(failures))


def unit_day(
    checkpoints: list[Checkpoint], unit_path: str, day: date
) -> tuple[DayStats, list[CheckpointDay]]:
    """A unit's day: all its checkpoints together, and each of `checkpoints` (2 queries)."""
    start, end = local_day_bounds(day)
    crossings = Crossing.objects.filter(unit_path__startswith=unit_path, at__gte=start, at__lt=end)
    per_checkpoint: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    together: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in _by_hour(crossings, "checkpoint_id"):
        per_checkpoint[row["checkpoint_id"]][row["hour"]] = (row["crossings"], row["denied"])
        together[row["hour"]][0] += row["crossings"]
        together[row["hour"]][1] += row["denied"]
    failures = CrossingFailure.objects.filter(unit_path__startswith=unit_path, at__gte=start, at__lt=end)
    overall = DayStats(
        day, rules.hours_of_day({hour: (c, d) for hour, (c, d) in together.items()}), _reasons(failures)
    )
    rows = [
        CheckpointDay(
            checkpoint, DayStats(day, rules.hours_of_day(per_checkpoint.get(checkpoint.pk, {})), [])
        )
        for checkpoint in checkpoints
    ]
    return overall, rows
