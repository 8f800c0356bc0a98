"""What the cases app tells other apps: zoning's indicators per area, the situation report's figures per unit.

Both answer only for wards that chose to keep their cases here, from the day they chose on
(recording.py): a ward that still enters its figures by hand keeps them, rather than being shown as free
of cases. Nothing else makes a ward "recording" — not a lockdown declared here, not a case of its
resident found in another ward. A district (or the city) is prefilled only when every one of its wards
records: a sum over some of them would understate it. Registered in apps.py.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from phaodai.cases import kpis
from phaodai.cases.lockdown_selectors import in_force
from phaodai.cases.recording import recording_paths, recording_since
from phaodai.core.clock import local_date
from phaodai.core.jurisdiction import common_path
from phaodai.sitreps import prefill
from phaodai.territory import selectors as territory
from phaodai.zoning import indicators

ZONING_INDICATORS = frozenset(
    {
        "community_cases_7d",
        "community_cases_14d",
        "unknown_source_cases_14d",
        "days_since_last_community_case",
        "lockdown_active",
    }
)
REPORT_FIELDS = (
    "new_f0_community",
    "new_f0_quarantine",
    "f1_traced",
    "quarantine_concentrated",
    "quarantine_home",
)


def _ward_code(area_code: str) -> str:
    return area_code.split("-", 1)[0]  # an area's code is its ward's code and its own: 00139-TDP01


def zoning_values(areas: Sequence[Any], at: datetime) -> Mapping[int, Mapping[str, Any]]:
    """Community cases in 7 and 14 days, of unknown source in 14, days since the last, lockdown in force.

    A count over the last N days is answered only once the ward has kept its cases here for all of
    them: on its first day, "0 in 14 days" would say nothing of the 13 days before, which it typed in.
    """
    today = local_date(at)
    since = _since_by_ward(today)
    asked = {area.id: since[_ward_code(area.code)] for area in areas if _ward_code(area.code) in since}
    if not asked:
        return {}
    counts = kpis.community_cases_by_area(list(asked), at)
    locked = in_force(list(asked), at)
    values: dict[int, dict[str, Any]] = {}
    for area_id, started in asked.items():
        found = counts.get(area_id)
        area_values: dict[str, Any] = {"lockdown_active": area_id in locked}
        if started <= today - timedelta(days=7):
            area_values["community_cases_7d"] = found.last_7_days if found else 0
        if started <= today - timedelta(days=14):
            area_values["community_cases_14d"] = found.last_14_days if found else 0
            area_values["unknown_source_cases_14d"] = found.unknown_source_14_days if found else 0
        if found is not None and found.last_at is not None and local_date(found.last_at) >= started:
            area_values["days_since_last_community_case"] = (at - found.last_at).days
        values[area_id] = area_values
    return values


def _since_by_ward(day: Any) -> dict[str, Any]:
    return {path.strip("/").split("/")[-1]: since for path, since in recording_since(day).items()}


def report_values(units: Sequence[Any], start: datetime, end: datetime) -> dict[int, dict[str, Any]]:
    """New F0 in the community and in quarantine or lockdown, F1 traced, over [start, end); people in
    concentrated quarantine and isolating at home at the end of the slot's day."""
    # The whole period must be recorded: a ward that starts today leaves today's report to its reporter.
    recording = recording_paths(local_date(start))
    live = _recorded_units(units, recording)
    if not live:
        return {}
    prefix = common_path([unit.path for unit in live])
    cases = kpis.new_cases_by_path(prefix, start, end)
    traced = kpis.traced_f1_by_path(prefix, start, end)
    isolation = kpis.isolation_by_path(prefix, local_date(end - timedelta(microseconds=1)))
    values: dict[int, dict[str, Any]] = {}
    for unit in live:
        new = kpis.roll_up(cases, unit.path, kpis.NewCases(), kpis.NewCases.plus)
        isolated = kpis.roll_up(isolation, unit.path, kpis.InIsolation(), kpis.InIsolation.plus)
        values[unit.pk] = {
            "new_f0_community": new.community,
            "new_f0_quarantine": new.quarantine,
            "f1_traced": sum(n for path, n in traced.items() if path.startswith(unit.path)),
            "quarantine_concentrated": isolated.facility,
            "quarantine_home": isolated.home,
        }
    return values


def _recorded_units(units: Sequence[Any], recording: set[str]) -> list[Any]:
    """The units all of whose wards record (a ward: itself). Two queries when a district is asked."""
    some = [unit for unit in units if any(path.startswith(unit.path) for path in recording)]
    wider = [unit for unit in some if unit.path not in recording]
    if not wider:
        return some
    root = territory.unit_by_path(common_path([unit.path for unit in wider]))
    wards = set(territory.within(root).filter(level="ward").values_list("path", flat=True)) if root else set()
    return [
        unit
        for unit in some
        if unit.path in recording or all(ward in recording for ward in wards if ward.startswith(unit.path))
    ]


def register() -> None:
    indicators.register_provider("cases", ZONING_INDICATORS, zoning_values)
    prefill.register_provider("cases", REPORT_FIELDS, report_values)
