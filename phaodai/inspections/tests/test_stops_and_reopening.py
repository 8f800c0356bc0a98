"""What a violation stops and what a passing re-inspection gives back: only its own, and only to
inspectors acting with the inspecting capability."""

from typing import Any

import pytest

from phaodai.business import selectors as business_selectors
from phaodai.business import services as business_services
from phaodai.core.clock import hanoi
from phaodai.inspections import selectors, services
from phaodai.inspections.models import Closure, TeamMember
from phaodai.inspections.tests.conftest import MORNING_11_SEPT, at
from phaodai.inspections.tests.test_services import all_fine, fine_and_close, surprise_visit

pytestmark = pytest.mark.django_db


def plan_status(business: Any) -> str:
    plan = business_selectors.live_plan(business)
    assert plan is not None
    return str(plan.status)


def reinspect(inspector: Any, team: Any, of: Any, day: int) -> Any:
    moment = hanoi(2021, 9, day, 9)
    visit = services.plan_reinspection(by=inspector, team=team, of=of, clock=at(moment))
    visit = services.start_inspection(by=inspector, inspection=visit, clock=at(moment))
    services.record_findings(by=inspector, inspection=visit, findings=all_fine(), clock=at(moment))
    return services.finish_inspection(by=inspector, inspection=visit, clock=at(hanoi(2021, 9, day, 10)))


def failed_visit(
    inspector: Any, team: Any, business: Any, *, moment: Any = MORNING_11_SEPT, **violation: Any
) -> Any:
    visit = surprise_visit(team, inspector, business, moment)
    services.record_findings(
        by=inspector, inspection=visit, findings=all_fine(except_=("qr_checkin",)), clock=at(moment)
    )
    fine_and_close(inspector, visit, clock=at(moment), **violation)
    return services.finish_inspection(by=inspector, inspection=visit, clock=at(moment))


def test_a_member_without_the_inspecting_capability_cannot_act_for_the_team(
    team_3: Any, business_rep_bo_de: Any
) -> None:
    TeamMember.objects.create(team=team_3, name="Đại diện", role="member", user=business_rep_bo_de)
    assert selectors.is_member(business_rep_bo_de, team_3)
    assert selectors.may_act_for(business_rep_bo_de, team_3) is False
    assert selectors.teams_acted_for(business_rep_bo_de) == []


def test_a_passing_reinspection_does_not_lift_the_districts_own_suspension(
    team_3: Any, inspector_team_3: Any, approved_factory: Any, district_officer_long_bien: Any
) -> None:
    first = failed_visit(inspector_team_3, team_3, approved_factory, measures=["fine", "suspension"])
    assert plan_status(approved_factory) == "suspended"
    reinspect(inspector_team_3, team_3, first, 12)
    assert plan_status(approved_factory) == "approved"
    plan = business_selectors.live_plan(approved_factory)
    assert plan is not None
    business_services.suspend_plan(
        by=district_officer_long_bien,
        plan=plan,
        reason="Không bảo đảm “3 tại chỗ”.",
        clock=at(hanoi(2021, 9, 13, 9)),
    )
    reinspect(inspector_team_3, team_3, first, 14)
    assert plan_status(approved_factory) == "suspended"


def test_a_reinspection_lifts_only_the_closure_of_the_visit_it_follows(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    first = failed_visit(
        inspector_team_3, team_3, approved_factory, measures=["fine"], decision_number="1/QĐ-XPHC"
    )
    assert Closure.objects.count() == 0
    later = hanoi(2021, 9, 12, 9)
    failed_visit(inspector_team_3, team_3, approved_factory, moment=later, decision_number="2/QĐ-XPHC")
    assert selectors.is_closed(approved_factory)
    reinspect(inspector_team_3, team_3, first, 13)
    assert selectors.is_closed(approved_factory)
    assert business_selectors.may_operate(approved_factory, hanoi(2021, 9, 13, 11)).may_operate is False


def test_a_suspension_with_no_plan_to_suspend_closes_the_business(
    team_3: Any, inspector_team_3: Any, approved_factory: Any, restaurant: Any
) -> None:
    assert business_selectors.live_plan(restaurant) is None
    visit = failed_visit(
        inspector_team_3, team_3, restaurant, measures=["fine", "suspension"], offender_name="Quán Phở Bồ Đề"
    )
    assert selectors.is_closed(restaurant)
    assert business_selectors.may_operate(restaurant, hanoi(2021, 9, 12, 9)).may_operate is False
    reinspect(inspector_team_3, team_3, visit, 14)
    assert not selectors.is_closed(restaurant)
