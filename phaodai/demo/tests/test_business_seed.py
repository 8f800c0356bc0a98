"""The demo's businesses, plans, sector conditions, inspection teams and inspections: what is there, who
sees it, and that a rerun adds nothing."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from phaodai.accounts.selectors import user_by_username
from phaodai.business import rules
from phaodai.business import selectors as business
from phaodai.business.models import Business, PlanEvent, Representative, SafetyPlan, SectorCondition
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.demo.business_seed import BUSINESSES, demo_business
from phaodai.demo.context import DemoContext
from phaodai.demo.inspections_seed import CITY_TEAM_AREAS, LONG_BIEN_TEAM
from phaodai.demo.phases import PHASES, run_phases
from phaodai.demo.scenarios import LONG_BIEN
from phaodai.inspections import selectors as inspections
from phaodai.inspections.models import Closure, Finding, Inspection, InspectionTeam, TeamMember, Violation
from phaodai.notifications.models import Notification
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning

# What the businesses and inspections need from the demo: the logins and Long Biên's zoning.
NEEDED = ("logins", "zoning", "businesses", "inspections")
SEPTEMBER = (hanoi(2021, 9, 1), hanoi(2021, 10, 1))


def quiet(_line: str) -> None:
    """Swallow the phases' progress lines."""


def replay(phases: tuple[str, ...] = NEEDED) -> DemoContext:
    ctx = DemoContext(districts=(LONG_BIEN,), persons=0, write=quiet)
    run_phases(ctx, [phase for phase in PHASES if phase.name in phases])
    return ctx


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoContext]:
    """The phases, run once for the module in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield replay()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def login(demo: DemoContext, db: Any) -> Any:
    def find(username: str) -> Any:
        user = user_by_username(username)
        assert user is not None, username
        return user

    return find


def plan_of(found: Any) -> Any:
    plan = business.latest_plan(found)
    assert plan is not None, found
    return plan


def unit_of(code: str) -> Any:
    unit = territory.unit_by_code(code)
    assert unit is not None, code
    return unit


def counts() -> dict[str, int]:
    models = (
        Business, Representative, SafetyPlan, PlanEvent, SectorCondition, InspectionTeam, TeamMember,
        Inspection, Finding, Violation, Closure, Notification, AuditEntry,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_nine_businesses_of_long_bien_with_valid_tax_codes_and_plans_in_every_state(login: Any) -> None:
    found = list(Business.objects.select_related("unit"))
    assert len(found) == len(BUSINESSES) == 9
    assert all(b.path.startswith(unit_of(LONG_BIEN).path) for b in found)
    assert all(rules.tax_code_problem(b.tax_code) is None for b in found)
    statuses = Counter(plan_of(b).status for b in found)
    assert statuses == {"approved": 6, "submitted": 1, "returned": 1, "suspended": 1}
    # S30: small shops and restaurants go to their ward, the factories and the site to the district
    levels = {b.kind: plan_of(b).approving_unit.level for b in found}
    assert levels == {
        "restaurant": "ward",
        "shop": "ward",
        "industrial_park": "district",
        "factory": "district",
        "construction": "district",
    }
    garment = plan_of(demo_business("garment_factory"))
    assert (garment.mode, garment.decided_by.username) == ("3_tai_cho", "district-004")
    assert "240" in garment.conditions
    returned = plan_of(demo_business("mechanical_works"))
    assert "1 cung đường" in returned.reason


def test_the_restaurant_is_in_an_area_the_district_placed_in_kv2(login: Any) -> None:
    restaurant = demo_business("restaurant")
    placement: Any = zoning.placement_of_area(restaurant.area, hanoi(2021, 9, 10, 12))
    assert (placement.level.code, placement.regime.code) == ("KV2", "CT15+")
    assert restaurant.unit.code == "00139"


def test_sector_conditions_are_published_with_plans_required_for_production_and_construction(
    login: Any,
) -> None:
    published = Counter(SectorCondition.objects.values_list("sector", flat=True))
    assert published == {
        "essential_shops": 1, "supermarket": 2, "local_market": 1, "factory": 1, "construction": 1,
        "takeaway_food": 2, "non_essential_retail": 1, "office": 1,
    }  # fmt: skip
    for sector in ("factory", "construction"):
        condition: Any = business.current_condition(sector, hanoi(2021, 9, 10))
        assert condition is not None and condition.plan_required
        assert "3 tại chỗ" in condition.criteria and "1 cung đường 2 điểm đến" in condition.criteria
    office: Any = business.current_condition("office", hanoi(2021, 9, 22))
    assert not office.plan_required
    first, second = business.conditions_of("takeaway_food").order_by("version")
    assert first.valid_until == second.valid_from == hanoi(2021, 9, 21, 6)


def test_fifteen_city_teams_cover_the_thirty_districts_and_the_demo_inspector_works_in_long_bien(
    login: Any,
) -> None:
    city = login("city-01")
    teams = list(inspections.teams_visible_to(city).filter(decision_number="1103-QĐ/TU"))
    assert len(teams) == 15
    covered = [unit.code for team in teams for unit in team.area_units.all()]
    assert sorted(covered) == sorted(code for pair in CITY_TEAM_AREAS for code in pair)
    assert len(set(covered)) == 30 == territory.children_of(territory.city()).count()
    inspector = login("inspector-004")
    mine = {t.name for t in inspections.teams_visible_to(inspector) if inspections.is_member(inspector, t)}
    assert mine == {"Đoàn kiểm tra số 3", LONG_BIEN_TEAM}
    assert InspectionTeam.objects.count() == 17


def test_september_in_long_bien_inspections_a_fine_a_reopening_and_one_overdue_closure(login: Any) -> None:
    figures = inspections.accountability(unit_of(LONG_BIEN), *SEPTEMBER)
    assert (figures.inspections_done, figures.passed, figures.failed) == (4, 2, 2)
    assert figures.fines_total == 27_000_000
    assert (figures.closures, figures.still_closed) == (1, 1)
    site, cafe = demo_business("construction_site"), demo_business("cafe")
    # the site's plan, suspended on 13/9, is in force again after the re-inspection of 16/9
    assert plan_of(site).status == "approved"
    assert business.may_operate(site, hanoi(2021, 9, 17, 9)).may_operate is True
    assert inspections.is_closed(cafe)
    overdue = inspections.overdue_reinspections(login("district-004"))
    assert [v.inspection.business_id for v in overdue] == [cafe.pk]
    assert list(figures.overdue) == [v.pk for v in overdue]


def test_the_demo_logins_see_their_own_objects(login: Any) -> None:
    representative = login("business-00139")
    assert {b.name for b in business.businesses_visible_to(representative)} == {
        demo_business("restaurant").name,
        demo_business("food_shop").name,
    }
    assert business.plans_for(representative).count() == 2
    desk = business.plans_awaiting(login("ward-00139"), hanoi(2021, 9, 21, 9))
    assert [row.plan.business.name for row in desk] == [demo_business("grocery").name]
    assert business.businesses_visible_to(login("district-004")).count() == 9
    assert [b.name for b in business.businesses_visible_to(login("ward-00133"))] == ["Nhà thuốc Minh Châu"]
    assert inspections.inspections_for(login("inspector-004")).count() == 4
    assert inspections.teams_visible_to(login("city-01")).count() == 17


def test_running_the_phases_again_adds_nothing(demo: DemoContext, db: Any) -> None:
    before = counts()
    lines: list[str] = []
    ctx = DemoContext(districts=(LONG_BIEN,), persons=0, write=lines.append)
    run_phases(ctx, [phase for phase in PHASES if phase.name in ("businesses", "inspections")])
    assert counts() == before
    assert any("businesses: nothing to add" in line for line in lines)
    assert any("inspections: nothing to add" in line for line in lines)
