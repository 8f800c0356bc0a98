"""Residents of Bồ Đề (Long Biên) registered through the people service, and a clock in September 2021."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.people import services as people_services
from phaodai.people.tests.conftest import cccd_for, make_area

SEPT_10_MORNING = hanoi(2021, 9, 10, 9, 0)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Khánh", "Lan", "Linh", "Minh", "Nam",
         "Ngọc", "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Hoa", "Long")  # fmt: skip


def name_of(n: int) -> str:
    return f"{FAMILY[n % len(FAMILY)]} Văn {GIVEN[n % len(GIVEN)]}"


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


@pytest.fixture
def bo_de_area(db: Any) -> Any:
    return make_area("00139", "TDP05", "Tổ dân phố 5")


@pytest.fixture
def resident(health_worker_bo_de: Any, ward_officer_bo_de: Any, bo_de_area: Any) -> Callable[..., Any]:
    """Register the n-th resident of Bồ Đề's Tổ dân phố 5 (deterministic CCCD and name)."""

    def make(n: int, *, area: Any = None, sex: str = "M", born: int = 1980) -> Any:
        return people_services.register_person(
            by=ward_officer_bo_de,
            cccd=cccd_for(born, sex, serial=100000 + n),
            full_name=name_of(n),
            birth_date=date(born, 1, 1 + n % 28),
            sex=sex,
            phone=None,
            residence_area=area or bo_de_area,
            clock=at(hanoi(2021, 9, 1)),
        )

    return make
