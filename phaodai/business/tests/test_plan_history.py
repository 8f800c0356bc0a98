"""Plans over time: an expired plan makes way for the next, a stopped plan stops the business whatever
its sector, and "may we operate?" for a past moment reads the plan as it stood then."""

from typing import Any

import pytest

from phaodai.business import selectors, services
from phaodai.business.errors import PlanExists
from phaodai.business.models import SafetyPlan
from phaodai.business.tests.conftest import at, plan_fields
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning
from phaodai.zoning import services as zoning_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_ct15(city_commander: Any) -> None:
    """The whole city under Directive 15 from 06:00 1/9/2021 (takeaway allowed, no plan required)."""
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


@pytest.fixture
def approved(rep: Any, restaurant: Any, ward_officer_bo_de: Any, under_ct15: None) -> SafetyPlan:
    """The restaurant's plan approved by Bồ Đề (6 people: within the ward's delegation) until 10/10."""
    plan = services.draft_plan(
        by=rep,
        business=restaurant,
        clock=at(hanoi(2021, 9, 9, 7)),
        **plan_fields(mode="takeaway", people_on_site=6),
    )
    plan = services.submit_plan(by=rep, plan=plan, clock=at(hanoi(2021, 9, 9, 8)))
    return services.approve_plan(
        by=ward_officer_bo_de,
        plan=plan,
        valid_from=hanoi(2021, 9, 10, 0),
        valid_until=hanoi(2021, 10, 10, 0),
        clock=at(hanoi(2021, 9, 9, 10)),
    )


def test_an_expired_plan_makes_way_for_a_new_one(approved: SafetyPlan, rep: Any) -> None:
    fields = plan_fields(mode="takeaway", people_on_site=6)
    # while it is in force, a new one is refused
    with pytest.raises(PlanExists):
        services.draft_plan(by=rep, business=approved.business, clock=at(hanoi(2021, 10, 1)), **fields)
    renewal = services.draft_plan(
        by=rep, business=approved.business, clock=at(hanoi(2021, 10, 11, 8)), **fields
    )
    approved.refresh_from_db()
    assert (approved.status, renewal.status) == ("expired", "draft")


def test_a_suspended_plan_stops_a_business_whose_sector_needs_none(
    approved: SafetyPlan, ward_officer_bo_de: Any
) -> None:
    business = approved.business
    assert selectors.may_operate(business, hanoi(2021, 9, 12, 10)).may_operate is True
    services.suspend_plan(
        by=ward_officer_bo_de,
        plan=approved,
        reason="Không kiểm soát người ra vào.",
        clock=at(hanoi(2021, 9, 13, 9)),
    )
    stopped = selectors.operating_answer(business, hanoi(2021, 9, 14, 10))
    assert stopped.may_operate is False
    assert any(
        "Suspended" in reason and "Không kiểm soát người ra vào." in reason for reason in stopped.reasons
    )


def test_a_past_moment_reads_the_plan_as_it_stood_then(approved: SafetyPlan, ward_officer_bo_de: Any) -> None:
    business = approved.business
    services.revoke_plan(
        by=ward_officer_bo_de, plan=approved, reason="Vi phạm nhiều lần.", clock=at(hanoi(2021, 9, 20))
    )
    assert selectors.may_operate(business, hanoi(2021, 9, 15, 10)).may_operate is True
    assert selectors.may_operate(business, hanoi(2021, 9, 21, 10)).may_operate is False
    # before the plan was drafted there was none at all
    assert selectors.plan_at(business, hanoi(2021, 9, 8)) is None


def test_a_wrong_responsible_phone_is_named_as_that_field(rep: Any, restaurant: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.draft_plan(by=rep, business=restaurant, **plan_fields(responsible_phone="12345"))
    assert refused.value.field == "responsible_phone"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"])
def test_the_api_refuses_a_moment_at_the_calendars_ends(
    client: Any, rep: Any, approved: SafetyPlan, moment: str
) -> None:
    client.force_login(rep)
    response = client.get(f"/api/v1/business/businesses/{approved.business_id}/may-operate", {"at": moment})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
