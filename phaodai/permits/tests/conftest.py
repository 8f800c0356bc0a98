"""Bồ Đề's permits desk: a signing key, a confirmed organisation with a staff row, a resident.

Dates are relative to today (pages and the API run on the real clock): a permit asked for today
and the next six days.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from phaodai.core.clock import local_date, now
from phaodai.permits import services

# A real-looking CCCD of a Hà Nội man born in 1985 (001 = Hà Nội, 0 = 20th century male, 85).
CCCD_AN = "001085012345"
CCCD_BINH = "001190054321"  # a Hà Nội woman born in 1990
CCCD_CUONG = "001079000777"  # a Hà Nội man born in 1979


def today() -> date:
    return local_date(now())


def staff_row(**overrides: Any) -> services.StaffRow:
    values: dict[str, Any] = {
        "full_name": "Nguyễn Văn An",
        "cccd": CCCD_AN,
        "birth_year": 1985,
        "group": 2,
        "purpose": "Vận chuyển hàng thiết yếu",
        "valid_from": today(),
        "valid_to": today() + timedelta(days=6),
        "job": "Lái xe",
        "zones": "004 001",
        "route": "",
        "plate": "29C-123.45",
    }
    values.update(overrides)
    return services.StaffRow(**values)


def org_details(**overrides: Any) -> services.OrganisationDetails:
    values: dict[str, Any] = {
        "name": "Công ty Môi trường đô thị Long Biên",
        "address": "Số 1 Ngọc Lâm, phường Bồ Đề",
        "contact_name": "Trần Văn Hải",
        "tax_code": "",
        "governing_body": "UBND quận Long Biên",
        "contact_phone": "0912345678",
        "contact_email": "hai@example.vn",
    }
    values.update(overrides)
    return services.OrganisationDetails(**values)


@pytest.fixture
def pass_key(city_commander: Any) -> Any:
    from phaodai.passes import services as passes

    return passes.rotate_key(
        by=city_commander, purpose="passes", label="Khóa ký giấy đi đường", pass_types=["permit"]
    )


@pytest.fixture
def org(ward_officer_bo_de: Any, unit: Callable[[str], Any]) -> Any:
    registered, _ = services.register_organisation(
        by=ward_officer_bo_de, ward=unit("00139"), details=org_details()
    )
    return registered


@pytest.fixture
def entry(org: Any, ward_officer_bo_de: Any) -> Any:
    return services.submit_entry(by=ward_officer_bo_de, organisation=org, row=staff_row()).entry


@pytest.fixture
def issued(entry: Any, ward_officer_bo_de: Any, pass_key: Any) -> Any:
    decision = services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=True)
    assert decision.permit is not None, decision.issue_error
    return decision.permit


@pytest.fixture
def resident(city_commander: Any, unit: Callable[[str], Any]) -> Any:
    from phaodai.people import services as people
    from phaodai.territory import services as territory
    from phaodai.territory.rules import AreaRow

    areas = territory.bulk_create_areas(
        ward=unit("00139"), rows=[AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310)]
    )
    return people.register_person(
        by=city_commander, cccd=CCCD_BINH, full_name="Trần Thị Bình", birth_date=date(1990, 7, 15), sex="F",
        phone="0987654321", residence_area=areas[0],
    )  # fmt: skip
