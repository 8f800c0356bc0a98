"""Fixtures for testing: the CDC Hà Nội laboratory, residents of Bồ Đề, and samples taken from them.

Shared by the testing tests (rounds, samples, results, pools, turnaround) and the lab-import tests.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
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


def resident_cccd(n: int, born: int = 1980, sex: str = "M") -> str:
    """The CCCD the `resident` fixture gives its n-th resident."""
    return cccd_for(born, sex, serial=100000 + n)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def make_lab(code: str, name: str, unit_code: str, name_en: str = "") -> Any:
    from phaodai.diagnostics.models import Lab
    from phaodai.territory.models import Unit

    unit = Unit.objects.get(code=unit_code)
    return Lab.objects.create(code=code, name=name, name_en=name_en, unit=unit, path=unit.path)


@pytest.fixture
def lab_cdc(db: Any) -> Any:
    """CDC Hà Nội, supervised by the city (01)."""
    return make_lab("CDC-HN", "CDC Hà Nội", "01", name_en="Hà Nội CDC")


@pytest.fixture
def bo_de_area(db: Any) -> Any:
    return make_area("00139", "TDP05", "Tổ dân phố 5")


@pytest.fixture
def bo_de_area_2(db: Any) -> Any:
    return make_area("00139", "TDP06", "Tổ dân phố 6")


@pytest.fixture
def phuc_xa_area(db: Any) -> Any:
    return make_area("00001", "TDP01", "Tổ dân phố 1")


@pytest.fixture
def resident(ward_officer_bo_de: Any, bo_de_area: Any) -> Callable[..., Any]:
    """Register the n-th resident of Bồ Đề's Tổ dân phố 5 (CCCD `resident_cccd(n)`, name `name_of(n)`).

    Pass `area=` for another area; a resident outside Bồ Đề is registered by the city (`by=`).
    """

    def make(n: int, *, area: Any = None, by: Any = None, sex: str = "M", born: int = 1980) -> Any:
        return people_services.register_person(
            by=by or ward_officer_bo_de,
            cccd=resident_cccd(n, born, sex),
            full_name=name_of(n),
            birth_date=date(born, 1, 1 + n % 28),
            sex=sex,
            phone=None,
            residence_area=area or bo_de_area,
            clock=at(hanoi(2021, 9, 1)),
        )

    return make


@pytest.fixture
def sampled_person(resident: Any, lab_cdc: Any) -> Callable[..., Any]:
    """A Bồ Đề resident with one sample taken, pending unless `outcome` is given; returns the Sample.

    make(n, code="HN-0000001", collected_at=SEPT_10_MORNING, method="pcr", lab=lab_cdc, person=None)
    """
    from phaodai.diagnostics.models import Method, Outcome, Sample

    def make(
        n: int,
        *,
        code: str | None = None,
        collected_at: datetime = SEPT_10_MORNING,
        method: str = Method.PCR,
        lab: Any = None,
        person: Any = None,
        outcome: str = Outcome.PENDING,
        resulted_at: datetime | None = None,
    ) -> Any:
        person = person or resident(n)
        if outcome != Outcome.PENDING and resulted_at is None:
            resulted_at = collected_at + timedelta(hours=1)
        return Sample.objects.create(
            code=code or f"HN-{n:07d}",
            person=person,
            method=method,
            collected_at=collected_at,
            place="Nhà văn hoá TDP5",
            lab=lab or lab_cdc,
            outcome=outcome,
            resulted_at=resulted_at,
            path=person.unit_path,
        )

    return make


@pytest.fixture
def area_round(ward_officer_bo_de: Any, bo_de_area: Any) -> Callable[..., Any]:
    """Plan a round over Bồ Đề's TDP5 from 10 to 16/9/2021 every 3 days (sessions 10, 13, 16/9)."""
    from phaodai.diagnostics import services

    def make(method: str = "pcr", pool_size: int | None = None, key: str | None = None) -> Any:
        plan = services.RoundPlan(
            name="Sàng lọc TDP5",
            target="areas",
            method=method,
            pool_size=pool_size,
            cadence_days=3,
            starts_on=date(2021, 9, 10),
            ends_on=date(2021, 9, 16),
            area_codes=[bo_de_area.code],
        )
        testing_round, _ = services.create_round(
            by=ward_officer_bo_de,
            unit=bo_de_area.ward,
            plan=plan,
            idempotency_key=key,
            clock=at(SEPT_10_MORNING),
        )
        return testing_round

    return make


def first_session(testing_round: Any) -> Any:
    return testing_round.sessions.order_by("day").first()
