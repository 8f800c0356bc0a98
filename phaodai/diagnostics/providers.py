"""What testing tells other apps: zoning's test indicators per area, the situation report's test figures.

Answered only where testing is kept here: an area's figures only when its ward has samples taken in the
last 7 days, a unit's report figures only when the unit has. Results arrive from laboratories for every
resident whatever ward they live in, so samples in a ward's last week show its testing flows through
phaodai; a ward without any keeps the values it enters by hand instead of being shown "0 tests".
Within an answered ward, an area with no sample gets tests_7d = 0 (true: nobody there was tested) and no
positivity (nothing to divide). Registered in apps.py.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from phaodai.core.jurisdiction import common_path
from phaodai.diagnostics.models import Outcome, Sample
from phaodai.sitreps import prefill
from phaodai.territory import selectors as territory
from phaodai.zoning import indicators

WINDOW = timedelta(days=7)
# A sample waiting longer than this is lost, not pending: it is listed on the turnaround page instead.
PENDING_HORIZON = timedelta(days=14)
ZONING_INDICATORS = frozenset({"tests_7d", "test_positivity_7d_pct"})
REPORT_FIELDS = ("tests_taken", "tests_positive", "results_pending")


def _ward_code(area_code: str) -> str:
    return area_code.split("-", 1)[0]  # an area's code is its ward's code and its own: 00139-TDP01


def zoning_values(areas: Sequence[Any], at: datetime) -> Mapping[int, Mapping[str, Any]]:
    """Samples taken in the 7 days before `at` per area of residence, and the share positive among the
    individual results (a pooled member waiting for its retest is not a result yet). Two queries."""
    if not areas:
        return {}
    since = at - WINDOW
    window = Sample.objects.filter(collected_at__gte=since, collected_at__lt=at)
    tested = set(tested_wards({_ward_code(area.code) for area in areas}, since, at))
    asked = [area.id for area in areas if _ward_code(area.code) in tested]
    if not asked:
        return {}
    rows = (
        window.filter(person__residence_area_id__in=asked)
        .order_by()
        .values("person__residence_area_id")
        .annotate(
            tests=Count("pk"),
            positive=Count("pk", filter=Q(outcome=Outcome.POSITIVE)),
            resulted=Count("pk", filter=Q(outcome__in=[Outcome.POSITIVE, Outcome.NEGATIVE])),
        )
    )
    counts = {row["person__residence_area_id"]: row for row in rows}
    values: dict[int, dict[str, Any]] = {}
    for area_id in asked:
        row = counts.get(area_id)
        area_values: dict[str, Any] = {"tests_7d": row["tests"] if row else 0}
        if row and row["resulted"]:
            area_values["test_positivity_7d_pct"] = round(row["positive"] * 100 / row["resulted"], 1)
        values[area_id] = area_values
    return values


def tested_wards(codes: Iterable[str], since: datetime, until: datetime) -> QuerySet[Any, str]:
    """The codes, among these wards', of those with a sample taken in [since, until): one probe of
    sample_scope_collected per ward, not a read of every sample the city took that week."""
    taken = Sample.objects.filter(path=OuterRef("path"), collected_at__gte=since, collected_at__lt=until)
    return (
        territory.wards_by_code(sorted(codes)).filter(Exists(taken)).order_by().values_list("code", flat=True)
    )


def report_values(units: Sequence[Any], start: datetime, end: datetime) -> dict[int, dict[str, Any]]:
    """Samples taken over [start, end), of which positive so far, and samples waiting for a result at
    `end` (taken in the 14 days before it). One query, rolled up by unit path."""
    if not units:
        return {}
    prefix = common_path([unit.path for unit in units])
    earliest = min(start, end - PENDING_HORIZON, end - WINDOW)
    taken = Q(collected_at__gte=start, collected_at__lt=end)
    waiting = Q(collected_at__gte=end - PENDING_HORIZON) & (
        Q(outcome=Outcome.PENDING) | Q(resulted_at__gte=end)
    )
    rows = (
        Sample.objects.filter(path__startswith=prefix, collected_at__gte=earliest, collected_at__lt=end)
        .order_by()
        .values("path")
        .annotate(
            taken=Count("pk", filter=taken),
            positive=Count("pk", filter=taken & Q(outcome=Outcome.POSITIVE)),
            pending=Count("pk", filter=waiting),
            recent=Count("pk", filter=Q(collected_at__gte=end - WINDOW)),
        )
    )
    by_path = list(rows)
    values: dict[int, dict[str, Any]] = {}
    for unit in units:
        mine = [row for row in by_path if row["path"].startswith(unit.path)]
        if not any(row["recent"] for row in mine):
            continue
        values[unit.pk] = {
            "tests_taken": sum(row["taken"] for row in mine),
            "tests_positive": sum(row["positive"] for row in mine),
            "results_pending": sum(row["pending"] for row in mine),
        }
    return values


def register() -> None:
    indicators.register_provider("diagnostics", ZONING_INDICATORS, zoning_values)
    prefill.register_provider("diagnostics", REPORT_FIELDS, report_values)
