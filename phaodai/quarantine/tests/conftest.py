"""Facilities of Long Biên, Hà Đông and the city, residents of Bồ Đề and Phúc Xá, built through the services.

The clock of these tests is 09:00 10/9/2021 (Hà Nội) unless a test says otherwise.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.quarantine import services

NOW = hanoi(2021, 9, 10, 9, 0)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


CLOCK = at(NOW)


def cccd_for(sex: str, birth_year: int, serial: int) -> str:
    """A structurally valid Hà Nội CCCD: province 001, century/sex digit, birth year, serial."""
    century = 0 if birth_year < 2000 else 2
    return f"001{century + (1 if sex == 'F' else 0)}{birth_year % 100:02d}{serial:06d}"


@pytest.fixture
def areas(db: Any, unit: Any) -> dict[str, Any]:
    from phaodai.territory import services as territory
    from phaodai.territory.rules import AreaRow

    [bo_de] = territory.bulk_create_areas(
        ward=unit("00139"), rows=[AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310)]
    )
    [phuc_xa] = territory.bulk_create_areas(
        ward=unit("00001"), rows=[AreaRow("TDP01", "Tổ 1 Phúc Xá", "to_dan_pho", 500, 120)]
    )
    return {"bo_de": bo_de, "phuc_xa": phuc_xa}


@pytest.fixture
def resident(areas: Any, city_commander: Any) -> Callable[..., Any]:
    """Register a resident (of Bồ Đề unless told otherwise); `serial` makes the CCCD unique."""
    from phaodai.people import services as people

    def make(serial: int, *, sex: str = "M", name: str = "", birth: int = 1985, area: str = "bo_de") -> Any:
        full_name = name or ("Nguyễn Văn An" if sex == "M" else "Trần Thị Bình")
        return people.register_person(
            by=city_commander,
            cccd=cccd_for(sex, birth, serial),
            full_name=full_name,
            birth_date=date(birth, 3, 2),
            sex=sex,
            phone=None,
            residence_area=areas[area],
        )

    return make


@pytest.fixture
def facility_of(unit: Any, city_commander: Any) -> Callable[..., Any]:
    """Register a facility (ready unless told otherwise) managed by the unit with `code`."""

    def make(
        name: str,
        code: str = "004",
        *,
        male: int = 2,
        female: int = 2,
        family: int = 0,
        readiness: str = "ready",
        kind: str = "dormitory",
        is_school: bool = False,
        return_due: date | None = None,
    ) -> Any:
        facility = services.register_facility(
            by=city_commander,
            unit=unit(code),
            name=name,
            address=f"Địa chỉ {name}",
            kind=kind,
            beds_male=male,
            beds_female=female,
            beds_family=family,
            is_school=is_school,
            return_due=return_due,
            clock=CLOCK,
        )
        if readiness != "preparing":
            facility = services.set_readiness(
                by=city_commander, facility=facility, readiness=readiness, clock=CLOCK
            )
        return facility

    return make


@pytest.fixture
def dorm(facility_of: Callable[..., Any]) -> Any:
    """Long Biên's ready dormitory: 2 male, 2 female and 2 family beds."""
    return facility_of("Ký túc xá Long Biên", family=2)


@pytest.fixture
def an(resident: Callable[..., Any]) -> Any:
    """Nguyễn Văn An, a man of Bồ Đề."""
    return resident(1)


@pytest.fixture
def binh(resident: Callable[..., Any]) -> Any:
    """Trần Thị Bình, a woman of Bồ Đề."""
    return resident(2, sex="F")


def admit(by: Any, facility: Any, person: Any, **fields: Any) -> Any:
    """Admit through the service at the tests' clock; returns the stay."""
    fields.setdefault("clock", CLOCK)
    stay, _created = services.admit(by=by, facility=facility, person=person, **fields)
    return stay
