"""Residents of Bồ Đề (two areas) and Phúc Xá, built through the services; the shipped vaccines.

The clock of these tests is 09:00 15/10/2021 (Hà Nội) unless a test says otherwise.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from phaodai.core.clock import hanoi

NOW = hanoi(2021, 10, 15, 9, 0)
TODAY = date(2021, 10, 15)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


CLOCK = at(NOW)


def cccd_for(sex: str, born: date, serial: int) -> str:
    """A structurally valid Hà Nội CCCD: province 001, century/sex digit, birth year, serial."""
    century = 0 if born.year < 2000 else 2
    return f"001{century + (1 if sex == 'F' else 0)}{born.year % 100:02d}{serial:06d}"


@pytest.fixture
def areas(db: Any, unit: Any) -> dict[str, Any]:
    from phaodai.territory import services as territory
    from phaodai.territory.rules import AreaRow

    tdp01, cc01 = territory.bulk_create_areas(
        ward=unit("00139"),
        rows=[
            AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310),
            AreaRow("CC01", "Chung cư Bồ Đề", "chung_cu", 800, 240),
        ],
    )
    [phuc_xa] = territory.bulk_create_areas(
        ward=unit("00001"), rows=[AreaRow("TDP01", "Tổ 1 Phúc Xá", "to_dan_pho", 500, 120)]
    )
    return {"bo_de": tdp01, "bo_de_cc": cc01, "phuc_xa": phuc_xa}


@pytest.fixture
def resident(areas: Any, city_commander: Any) -> Callable[..., Any]:
    """Register a resident (of Bồ Đề's TDP01 unless told otherwise); `serial` makes the CCCD unique."""
    from phaodai.people import services as people

    def make(
        serial: int,
        *,
        born: date = date(1985, 3, 2),
        sex: str = "M",
        area: str = "bo_de",
        name: str = "",
        chronic_illness: bool = False,
        disability_immobile: bool = False,
    ) -> Any:
        return people.register_person(
            by=city_commander,
            cccd=cccd_for(sex, born, serial),
            full_name=name or ("Nguyễn Văn An" if sex == "M" else "Trần Thị Bình"),
            birth_date=born,
            sex=sex,
            phone=None,
            residence_area=areas[area],
            chronic_illness=chronic_illness,
            disability_immobile=disability_immobile,
        )

    return make


@pytest.fixture
def product() -> Callable[[str], Any]:
    from phaodai.vaccination import selectors

    def find(code: str) -> Any:
        found = selectors.product_by_code(code)
        assert found is not None, code
        return found

    return find


@pytest.fixture
def give(health_worker_bo_de: Any, product: Any) -> Callable[..., Any]:
    """Record a dose through the service as Bồ Đề's health worker."""
    from phaodai.vaccination import services

    def record(person: Any, code: str, number: int, on: date, *, lot: str = "LOT1", by: Any = None) -> Any:
        dose, _created = services.record_dose(
            by=by or health_worker_bo_de,
            person=person,
            product=product(code),
            dose_number=number,
            given_on=on,
            lot=lot,
            site="Trạm Y tế phường Bồ Đề",
            vaccinator="Lê Thị Hoa",
            clock=CLOCK,
        )
        return dose

    return record
