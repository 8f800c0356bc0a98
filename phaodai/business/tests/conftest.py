"""Businesses of Bồ Đề (Long Biên) and their plans, built through the real services."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from phaodai.business import services
from phaodai.core.clock import hanoi

NOON_10_SEPT = hanoi(2021, 9, 10, 12, 0)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def plan_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "mode": "3_tai_cho",
        "people_on_site": 120,
        "shifts": 2,
        "measures": "Ăn, nghỉ tại chỗ; xét nghiệm 7 ngày/lần; khai báo y tế bằng mã QR.",
        "responsible_person": "Trần Thị Bình",
        "responsible_phone": "0912345678",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def register(ward_officer_bo_de: Any, unit: Any) -> Callable[..., Any]:
    """Register a business in Bồ Đề (by its ward officer unless told otherwise)."""

    def make(**overrides: Any) -> Any:
        fields = {
            "by": ward_officer_bo_de,
            "tax_code": "0100112437",
            "name": "Công ty May Bồ Đề",
            "kind": "factory",
            "sector": "factory",
            "address": "Số 1 phố Bồ Đề, Long Biên",
            "unit": unit("00139"),
            "workforce": 150,
            "clock": at(NOON_10_SEPT),
        }
        fields.update(overrides)
        return services.register_business(**fields)

    return make


@pytest.fixture
def factory(register: Callable[..., Any]) -> Any:
    return register()


@pytest.fixture
def restaurant(register: Callable[..., Any]) -> Any:
    return register(
        tax_code="0100109106", name="Quán Phở Bồ Đề", kind="restaurant", sector="takeaway_food", workforce=6
    )


@pytest.fixture
def rep(business_rep_bo_de: Any, ward_officer_bo_de: Any, factory: Any, restaurant: Any) -> Any:
    """The representative of both Bồ Đề businesses."""
    for business in (factory, restaurant):
        services.add_representative(by=ward_officer_bo_de, business=business, user=business_rep_bo_de)
    return business_rep_bo_de
