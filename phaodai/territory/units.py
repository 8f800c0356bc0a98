"""Hà Nội's real administrative units, shipped with the package (see data/SOURCES.md)."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
CITY_CODE = "01"
CITY = {
    "code": CITY_CODE,
    "name": "Hà Nội",
    "full_name": "Thành phố Hà Nội",
    "name_en": "Ha Noi",
    "full_name_en": "Ha Noi City",
    "code_name": "ha_noi",
    "unit_type": "Thành phố Trung ương",
    "unit_type_en": "municipality",
}


@dataclass(frozen=True)
class UnitRow:
    code: str
    level: str
    parent_code: str | None
    path: str
    name: str
    full_name: str
    name_en: str
    full_name_en: str
    code_name: str
    unit_type: str
    unit_type_en: str


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def hanoi_units() -> Iterator[UnitRow]:
    """The city, then its 30 districts, then its 579 wards, parents always before children."""
    city_path = f"/{CITY_CODE}/"
    yield UnitRow(level="city", parent_code=None, path=city_path, **CITY)
    district_paths: dict[str, str] = {}
    for row in _read("hanoi_districts_2021.csv"):
        district_paths[row["code"]] = f"{city_path}{row['code']}/"
        yield UnitRow(
            code=row["code"], level="district", parent_code=CITY_CODE, path=district_paths[row["code"]],
            name=row["name"], full_name=row["full_name"], name_en=row["name_en"],
            full_name_en=row["full_name_en"], code_name=row["code_name"], unit_type=row["type"],
            unit_type_en=row["type_en"],
        )  # fmt: skip
    for row in _read("hanoi_wards_2021.csv"):
        yield UnitRow(
            code=row["code"], level="ward", parent_code=row["district_code"],
            path=f"{district_paths[row['district_code']]}{row['code']}/",
            name=row["name"], full_name=row["full_name"], name_en=row["name_en"],
            full_name_en=row["full_name_en"], code_name=row["code_name"], unit_type=row["type"],
            unit_type_en=row["type_en"],
        )  # fmt: skip


def ensure_units(unit_model: Any, using: str = "default") -> int:
    """Insert whichever of Hà Nội's units are missing (parents first); returns how many were added.

    Works with the real model and with a migration's historical one.
    """
    from phaodai.core.text import search_key

    manager = unit_model.objects.using(using)
    ids = dict(manager.values_list("code", "pk"))
    added = 0
    for row in hanoi_units():
        if row.code in ids:
            continue
        unit = manager.create(
            code=row.code, level=row.level, parent_id=ids[row.parent_code] if row.parent_code else None,
            path=row.path, name=row.name, full_name=row.full_name, name_en=row.name_en,
            full_name_en=row.full_name_en, code_name=row.code_name, unit_type=row.unit_type,
            unit_type_en=row.unit_type_en, name_key=search_key(row.full_name),
        )  # fmt: skip
        ids[row.code] = unit.pk
        added += 1
    return added
