"""Vaccination coverage by unit, area and age band, as of a day: the figures Resolution 128 reads.

Per ward, one statement of two grouped reads joined on the ward path (579 rows a side): the adults of
each ward counted off the registry's index on (unit_path, birth_date), and the vaccinated among them off
the per-person summary (models.Summary: the day of dose 1, the day the series was completed, and the
person's ward path and birth date, kept equal to the registry's by a trigger). Neither side reads the
registry's wide rows nor joins person to person; each age band is "born on or before" a cut-off day
computed in Python, so SQLite and PostgreSQL agree on the boundary. Per area (a ward's few areas), the
ward's persons joined to their summaries. Persons without a birth date (provisional contacts) are not
counted: their age is unknown. bench/vaccination_coverage.py measures it (decision 0022).
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


def _ward_sql(where: str) -> str:
    persons, summaries = _tables()
    # Cumulative counts (18+, 50+, 65+) by birth date on or before each cut-off; bands by difference.
    return f"""
        SELECT a.unit_path, a.adults, a.over_50, a.over_65,
               COALESCE(v.first_18, 0), COALESCE(v.first_50, 0), COALESCE(v.first_65, 0),
               COALESCE(v.full_18, 0), COALESCE(v.full_50, 0), COALESCE(v.full_65, 0)
        FROM (
            SELECT unit_path, COUNT(*) AS adults,
                   COUNT(*) FILTER (WHERE birth_date <= %(middle)s) AS over_50,
                   COUNT(*) FILTER (WHERE birth_date <= %(elderly)s) AS over_65
            FROM {persons}
            WHERE birth_date <= %(adult)s{where}
            GROUP BY unit_path
        ) a
        LEFT JOIN (
            SELECT unit_path,
                   COUNT(*) FILTER (WHERE first_dose_on <= %(on)s) AS first_18,
                   COUNT(*) FILTER (WHERE first_dose_on <= %(on)s AND birth_date <= %(middle)s) AS first_50,
                   COUNT(*) FILTER (WHERE first_dose_on <= %(on)s AND birth_date <= %(elderly)s) AS first_65,
                   COUNT(*) FILTER (WHERE completed_on <= %(on)s) AS full_18,
                   COUNT(*) FILTER (WHERE completed_on <= %(on)s AND birth_date <= %(middle)s) AS full_50,
                   COUNT(*) FILTER (WHERE completed_on <= %(on)s AND birth_date <= %(elderly)s) AS full_65
            FROM {summaries}
            WHERE birth_date <= %(adult)s AND first_dose_on <= %(on)s{where}
            GROUP BY unit_path
        ) v ON v.unit_path = a.unit_path
    """  # noqa: S608 (table and column names are ours; values are parameters)


def _area_sql(where: str) -> str:
    persons, summaries = _tables()
    return f"""
        SELECT p.residence_area_id,
               CASE WHEN p.birth_date <= %(elderly)s THEN '{rules.BAND_65_PLUS}'
                    WHEN p.birth_date <= %(middle)s THEN '{rules.BAND_50_64}'
                    ELSE '{rules.BAND_18_49}' END AS band,
               COUNT(*),
               COUNT(*) FILTER (WHERE s.first_dose_on <= %(on)s),
               COUNT(*) FILTER (WHERE s.completed_on <= %(on)s)
        FROM {persons} p
        LEFT JOIN {summaries} s ON s.person_id = p.id
        WHERE p.birth_date <= %(adult)s{where}
        GROUP BY p.residence_area_id, band
    """  # noqa: S608 (table and column names are ours; values are parameters)


def _run(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two grouped reads of a city (hash aggregates): let them stay in memory (this statement only).
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _params(on: date, **more: Any) -> dict[str, Any]:
    adult, middle, elderly = rules.band_cutoffs(on)
    return {"adult": adult, "middle": middle, "elderly": elderly, "on": on, **more}


def _ward_coverage(row: tuple[Any, ...]) -> Coverage:
    adults, over_50, over_65, first, first_50, first_65, full, full_50, full_65 = (int(n) for n in row[1:])
    return Coverage(
        {
            rules.BAND_18_49: Counts(adults - over_50, first - first_50, full - full_50),
            rules.BAND_50_64: Counts(over_50 - over_65, first_50 - first_65, full_50 - full_65),
            rules.BAND_65_PLUS: Counts(over_65, first_65, full_65),
        }
    )


def by_ward(prefix: str, on: date) -> dict[str, Coverage]:
    """Coverage of each ward path under `prefix` ("/01/" for the whole city), as of the end of `on`."""
    if prefix.count("/") <= 2:  # the root: every person is under it, no need to test each one
        rows = _run(_ward_sql(""), _params(on))
    else:
        rows = _run(_ward_sql(" AND unit_path LIKE %(prefix)s"), _params(on, prefix=prefix + "%"))
    return {row[0]: _ward_coverage(row) for row in rows}


def _collect(rows: Iterable[tuple[Any, ...]]) -> dict[Any, Coverage]:
    found: dict[Any, Coverage] = {}
    for key, band, persons, first, full in rows:
        found.setdefault(key, Coverage()).bands[band] = Counts(int(persons), int(first), int(full))
    return found


def by_area(area_ids: Sequence[int], on: date) -> dict[int, Coverage]:
    """Coverage of each residential area in `area_ids`, as of the end of `on`."""
    if not area_ids:
        return {}
    if connection.vendor == "postgresql":
        where = " AND p.residence_area_id = ANY(%(areas)s)"
        return _collect(_run(_area_sql(where), _params(on, areas=list(area_ids))))
    found: dict[int, Coverage] = {}
    for start in range(0, len(area_ids), SQLITE_CHUNK):
        chunk = list(area_ids[start : start + SQLITE_CHUNK])
        names = {f"a{i}": pk for i, pk in enumerate(chunk)}
        marks = ", ".join(f"%({name})s" for name in names)
        where = f" AND p.residence_area_id IN ({marks})"
        found.update(_collect(_run(_area_sql(where), _params(on, **names))))
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
    wards: dict[str, Coverage]  # every ward under the unit, by path (what the map colours)


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
    return UnitCoverage(unit, on, total, rows, wards)
