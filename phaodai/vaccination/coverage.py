"""Vaccination coverage by unit, area and age band, as of a day: the figures Resolution 128 reads.

One set-wise query: adults (18+ on the day, by birth date) grouped by their residence (ward path or
area) and age band, left-joined to the per-person dose summary (models.Summary: the day of dose 1 and
the day the primary series was completed, kept by the dose services), read as of the day. A GROUP BY
of every dose per person in the query cost about twice as much (bench/vaccination_coverage.py). Persons
without a birth date (provisional contacts) are not counted: their age is unknown.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from phaodai.vaccination import rules
from phaodai.vaccination.models import Summary

BY_WARD, BY_AREA = "unit_path", "residence_area_id"
SQLITE_CHUNK = 900
WORK_MEM = "256MB"


@dataclass
class Counts:
    """Adults of one band (or all bands): how many, with at least one dose, fully vaccinated."""

    persons: int = 0
    first_dose: int = 0
    full: int = 0

    def add(self, other: "Counts") -> None:
        self.persons += other.persons
        self.first_dose += other.first_dose
        self.full += other.full

    def as_dict(self) -> dict[str, Any]:
        return {
            "persons": self.persons,
            "first_dose": self.first_dose,
            "fully_vaccinated": self.full,
            "first_dose_pct": rules.percent(self.first_dose, self.persons),
            "fully_vaccinated_pct": rules.percent(self.full, self.persons),
        }


@dataclass
class Coverage:
    """Coverage of one place: counts per age band; totals over 18+ derived."""

    bands: dict[str, Counts] = field(default_factory=lambda: {band: Counts() for band in rules.BANDS})

    def add(self, other: "Coverage") -> None:
        for band, counts in other.bands.items():
            self.bands[band].add(counts)

    @property
    def adults(self) -> Counts:
        total = Counts()
        for counts in self.bands.values():
            total.add(counts)
        return total

    @property
    def elderly(self) -> Counts:
        return self.bands[rules.BAND_65_PLUS]

    @property
    def first_dose_18plus_pct(self) -> float | None:
        adults = self.adults
        return rules.percent(adults.first_dose, adults.persons)

    @property
    def full_dose_18plus_pct(self) -> float | None:
        adults = self.adults
        return rules.percent(adults.full, adults.persons)

    @property
    def full_dose_65plus_pct(self) -> float | None:
        return rules.percent(self.elderly.full, self.elderly.persons)

    def as_dict(self) -> dict[str, Any]:
        adults = self.adults
        return {
            "adults_18plus": adults.persons,
            "first_dose_18plus": adults.first_dose,
            "first_dose_18plus_pct": self.first_dose_18plus_pct,
            "fully_vaccinated_18plus": adults.full,
            "fully_vaccinated_18plus_pct": self.full_dose_18plus_pct,
            "elderly_65plus": self.elderly.persons,
            "fully_vaccinated_65plus": self.elderly.full,
            "fully_vaccinated_65plus_pct": self.full_dose_65plus_pct,
            "bands": {band: counts.as_dict() for band, counts in self.bands.items()},
        }


def _tables() -> tuple[str, str]:
    # The registry's table by name through the app registry: no import of another app's models.
    return apps.get_model("people", "Person")._meta.db_table, Summary._meta.db_table


def _sql(group: str, where: str) -> str:
    persons, summaries = _tables()
    # The band is read off the birth date against three cut-off days computed in Python, so leap days
    # and the "on or before" boundary are the same on SQLite and PostgreSQL.
    return f"""
        SELECT p.{group},
               CASE WHEN p.birth_date <= %s THEN '{rules.BAND_65_PLUS}'
                    WHEN p.birth_date <= %s THEN '{rules.BAND_50_64}'
                    ELSE '{rules.BAND_18_49}' END AS band,
               COUNT(*),
               COALESCE(SUM(CASE WHEN s.first_dose_on <= %s THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN s.completed_on <= %s THEN 1 ELSE 0 END), 0)
        FROM {persons} p
        LEFT JOIN {summaries} s ON s.person_id = p.id
        WHERE p.birth_date <= %s{where}
        GROUP BY p.{group}, band
    """  # noqa: S608 (table and column names are ours; values are parameters)


def _run(sql: str, params: list[Any]) -> list[tuple[Any, str, int, int, int]]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Hash joins over a city's persons and doses: let them stay in memory (this statement only).
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _collect(rows: Iterable[tuple[Any, str, int, int, int]]) -> dict[Any, Coverage]:
    found: dict[Any, Coverage] = {}
    for key, band, persons, first, full in rows:
        found.setdefault(key, Coverage()).bands[band] = Counts(int(persons), int(first), int(full))
    return found


def _params(on: date) -> list[Any]:
    adult, middle, elderly = rules.band_cutoffs(on)
    return [elderly, middle, on, on, adult]


def by_ward(prefix: str, on: date) -> dict[str, Coverage]:
    """Coverage of each ward path under `prefix` ("/01/" for the whole city), as of the end of `on`."""
    if prefix.count("/") <= 2:  # the root: every person is under it, no need to test each one
        return _collect(_run(_sql(BY_WARD, ""), _params(on)))
    return _collect(_run(_sql(BY_WARD, " AND p.unit_path LIKE %s"), [*_params(on), prefix + "%"]))


def by_area(area_ids: Sequence[int], on: date) -> dict[int, Coverage]:
    """Coverage of each residential area in `area_ids`, as of the end of `on`."""
    if not area_ids:
        return {}
    if connection.vendor == "postgresql":
        return _collect(
            _run(_sql(BY_AREA, " AND p.residence_area_id = ANY(%s)"), [*_params(on), list(area_ids)])
        )
    found: dict[int, Coverage] = {}
    for start in range(0, len(area_ids), SQLITE_CHUNK):
        chunk = list(area_ids[start : start + SQLITE_CHUNK])
        marks = ", ".join(["%s"] * len(chunk))
        found.update(
            _collect(_run(_sql(BY_AREA, f" AND p.residence_area_id IN ({marks})"), [*_params(on), *chunk]))
        )
    return found


def roll_up(by_path: dict[str, Coverage], units: Sequence[Any]) -> dict[int, Coverage]:
    """Sum ward figures into each of `units` (a ward, a district or the city) by path prefix."""
    totals: dict[int, Coverage] = {unit.pk: Coverage() for unit in units}
    for unit in units:
        for path, coverage in by_path.items():
            if path.startswith(unit.path):
                totals[unit.pk].add(coverage)
    return totals


@dataclass(frozen=True)
class Row:
    """One line of a coverage table: a child unit (or a ward's area) and its figures."""

    code: str
    name: str
    level: str  # "district", "ward" or "area"
    coverage: Coverage


@dataclass(frozen=True)
class UnitCoverage:
    unit: Any
    on: date
    total: Coverage
    rows: list[Row]


def of_unit(unit: Any, on: date) -> UnitCoverage:
    """A unit's coverage and its children's (districts, wards, or a ward's areas): two or three queries."""
    from phaodai.territory import selectors as territory

    wards = by_ward(unit.path, on)
    total = roll_up(wards, [unit])[unit.pk]
    if unit.level == "ward":
        areas = list(territory.areas_of(unit))
        found = by_area([area.pk for area in areas], on)
        rows = [Row(area.code, area.name, "area", found.get(area.pk, Coverage())) for area in areas]
    else:
        children = list(territory.children_of(unit))
        sums = roll_up(wards, children)
        rows = [Row(child.code, child.full_name, child.level, sums[child.pk]) for child in children]
    return UnitCoverage(unit, on, total, rows)
