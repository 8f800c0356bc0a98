"""City team 3 (Decision 1103-QĐ/TU) working in Long Biên, and a Bồ Đề factory with an approved plan."""

from collections.abc import Callable
from typing import Any

import pytest

from phaodai.business import services as business_services
from phaodai.business.tests.conftest import (  # noqa: F401  (the business fixtures, reused)
    at,
    factory,
    plan_fields,
    register,
    rep,
    restaurant,
)
from phaodai.core.clock import hanoi
from phaodai.inspections import services
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning
from phaodai.zoning import services as zoning_services

MORNING_11_SEPT = hanoi(2021, 9, 11, 9, 0)


@pytest.fixture
def team_3(city_commander: Any, inspector_team_3: Any, unit: Callable[[str], Any]) -> Any:
    """One of the city's 15 teams, its area of work Long Biên; the Long Biên inspector is its leader."""
    return services.create_team(
        by=city_commander,
        name="Tổ công tác số 3",
        level="city",
        decision_number="1103-QĐ/TU",
        decision_date=hanoi(2021, 9, 1).date(),
        home_unit=unit("01"),
        area_units=[unit("004")],
        members=[
            services.MemberSpec("Nguyễn Văn Hùng", "Phó Giám đốc Sở Y tế", "leader", user=inspector_team_3),
            services.MemberSpec("Lê Thị Mai", "Thanh tra Sở Y tế"),
        ],
        active_from=hanoi(2021, 9, 1),
        clock=at(hanoi(2021, 9, 1, 8)),
    )


@pytest.fixture
def approved_factory(factory: Any, rep: Any, district_officer_long_bien: Any, city_commander: Any) -> Any:  # noqa: F811
    """The Bồ Đề garment factory: the city is under Directive 15, factories need a plan, and its plan is
    approved from 12:00 10/9."""
    regime = zoning.regime_by_code("CT15")
    assert regime is not None
    zoning_services.place_units_under_regime(
        by=city_commander,
        issuer=territory.city(),
        units=[territory.city()],
        regime=regime,
        number="15/CĐ-UBND",
        signatory="Chủ tịch UBND thành phố Hà Nội",
        title="Công điện 15/CĐ-UBND",
        effective_at=hanoi(2021, 9, 1, 6),
        clock=at(hanoi(2021, 8, 31)),
    )
    business_services.publish_sector_condition(
        by=city_commander,
        sector="factory",
        title="Điều kiện sản xuất an toàn",
        criteria="“3 tại chỗ” hoặc “1 cung đường 2 điểm đến”.",
        plan_required=True,
        valid_from=hanoi(2021, 8, 1),
        clock=at(hanoi(2021, 8, 1)),
    )
    clock = at(hanoi(2021, 9, 10, 8))
    plan = business_services.draft_plan(by=rep, business=factory, clock=clock, **plan_fields())
    plan = business_services.submit_plan(by=rep, plan=plan, clock=clock)
    business_services.approve_plan(
        by=district_officer_long_bien,
        plan=plan,
        conditions="Tối đa 120 người tại chỗ.",
        valid_from=hanoi(2021, 9, 10, 12),
        valid_until=hanoi(2021, 10, 10),
        clock=at(hanoi(2021, 9, 10, 11)),
    )
    return factory
