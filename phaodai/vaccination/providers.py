"""What vaccination tells other apps: zoning's coverage indicators per area, the situation report's doses.

Coverage is answered only for the areas of wards that keep their doses here (at least one dose of a
resident of the ward recorded by then, read off the same grouped query): a ward still typing its
coverage in keeps its entered figure rather than reading 0%. An area without adults (or without people
of 65+) gets no value for that indicator. Registered in apps.py.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count

from phaodai.core.clock import local_date
from phaodai.core.jurisdiction import common_path
from phaodai.sitreps import prefill
from phaodai.vaccination import coverage
from phaodai.vaccination.models import Dose
from phaodai.zoning import indicators

ZONING_INDICATORS = frozenset({"first_dose_18plus_pct", "full_dose_65plus_pct"})
REPORT_FIELDS = ("vaccinations",)


def _ward_code(area_code: str) -> str:
    return area_code.split("-", 1)[0]  # an area's code is its ward's code and its own: 00139-TDP01


def zoning_values(areas: Sequence[Any], at: datetime) -> Mapping[int, Mapping[str, Any]]:
    """% of adults with a first dose and % of 65+ fully vaccinated per area, as of `at`'s day."""
    found = coverage.by_area([area.id for area in areas], local_date(at))
    recording = {
        _ward_code(area.code) for area in areas if area.id in found and found[area.id].adults.first_dose > 0
    }
    values: dict[int, dict[str, Any]] = {}
    for area in areas:
        if _ward_code(area.code) not in recording:
            continue
        place = found.get(area.id, coverage.Coverage())
        area_values: dict[str, Any] = {}
        if place.first_dose_18plus_pct is not None:
            area_values["first_dose_18plus_pct"] = place.first_dose_18plus_pct
        if place.full_dose_65plus_pct is not None:
            area_values["full_dose_65plus_pct"] = place.full_dose_65plus_pct
        if area_values:
            values[area.id] = area_values
    return values


def report_values(units: Sequence[Any], start: datetime, end: datetime) -> dict[int, dict[str, Any]]:
    """Doses given on the report's days, per unit (a dose record carries a day, not a time): for the
    daily 16:30 report, the doses of that day. Units where no dose was ever recorded are left to the
    reporter."""
    if not units:
        return {}
    first, last = local_date(start), local_date(end - timedelta(microseconds=1))
    prefix = common_path([unit.path for unit in units])
    counts = dict(
        Dose.objects.filter(path__startswith=prefix, given_on__gte=first, given_on__lte=last)
        .values_list("path")
        .annotate(n=Count("id"))
        .values_list("path", "n")
        .order_by()
    )
    values: dict[int, dict[str, Any]] = {}
    for unit in units:
        # One probe per unit asked (a report asks for one): has anyone here kept doses in phaodai?
        if not any(path.startswith(unit.path) for path in counts) and not _records(unit.path):
            continue
        values[unit.pk] = {"vaccinations": sum(n for path, n in counts.items() if path.startswith(unit.path))}
    return values


def _records(path: str) -> bool:
    return Dose.objects.filter(path__startswith=path).exists()


def register() -> None:
    indicators.register_provider("vaccination", ZONING_INDICATORS, zoning_values)
    prefill.register_provider("vaccination", REPORT_FIELDS, report_values)
