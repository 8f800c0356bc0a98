"""Fixtures for the person registry: residential areas made directly, persons through the service."""

from datetime import date
from typing import Any

import pytest

from phaodai.core.text import search_key


def cccd_for(birth_year: int, sex: str, serial: int = 123456, province: str = "001") -> str:
    """A structurally valid CCCD for a holder born in `birth_year` of `sex` ("M"/"F")."""
    century = (birth_year // 100 - 19) * 2 + (1 if sex == "F" else 0)
    return f"{province}{century}{birth_year % 100:02d}{serial:06d}"


def make_area(ward_code: str, local_code: str, name: str) -> Any:
    from phaodai.territory.models import Area, Unit

    ward = Unit.objects.get(code=ward_code)
    return Area.objects.create(
        ward=ward,
        code=f"{ward.code}-{local_code}",
        local_code=local_code,
        name=name,
        name_key=search_key(name),
        kind="to_dan_pho",
        path=ward.path,
    )


@pytest.fixture
def bo_de_area(db):
    return make_area("00139", "TDP01", "Tổ dân phố 1")


@pytest.fixture
def bo_de_area_2(db):
    return make_area("00139", "TDP02", "Tổ dân phố 2")


@pytest.fixture
def phuc_xa_area(db):
    return make_area("00001", "TDP01", "Tổ dân phố 1")


@pytest.fixture
def household_bo_de(bo_de_area):
    from phaodai.territory.models import Household

    return Household.objects.create(
        area=bo_de_area, code="00139-TDP01-001", address="12 ngõ 5 Bồ Đề", path=bo_de_area.path
    )


AN: dict[str, Any] = {
    "cccd": cccd_for(1985, "M", 123456),
    "full_name": "Nguyễn Văn An",
    "birth_date": date(1985, 3, 14),
    "sex": "M",
    "phone": "0912345678",
}


@pytest.fixture
def an_details():
    return dict(AN)


@pytest.fixture
def register_in(ward_officer_bo_de, bo_de_area):
    """Register a person through the service (as the Bồ Đề ward officer by default)."""
    from phaodai.people import services

    def register(by: Any = None, area: Any = None, **details: Any) -> Any:
        values = {**AN, **details}
        return services.register_person(
            by=by or ward_officer_bo_de, residence_area=area or bo_de_area, **values
        )

    return register


@pytest.fixture
def an(register_in):
    """Nguyễn Văn An, 1985, living in Bồ Đề (Long Biên)."""
    return register_in()
