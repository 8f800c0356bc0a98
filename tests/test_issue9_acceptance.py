"""Issue #9 acceptance, over the demo's own data (Long Biên, September 2021), through the services and
selectors the pages and the API use:

- a restaurant in a level-2 area may serve takeaway only until 21:00 and says why; at 21:00 it may not;
- after the area moves to level 3 (a new district decision) its representative is notified;
- a factory's plan goes through approval with conditions;
- a surprise inspection finds a violation, fines it, suspends the plan; a re-inspection reopens it.

The browser flow (a business submits, a district officer approves) is in tests/browser.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from django.db import transaction

from phaodai.accounts.roles import Role
from phaodai.accounts.selectors import user_by_username
from phaodai.business import selectors as business
from phaodai.business import services as business_services
from phaodai.business.errors import OutsideDelegation
from phaodai.core.clock import hanoi
from phaodai.demo.business_seed import demo_business
from phaodai.demo.context import DemoContext
from phaodai.demo.inspections_seed import city_team_for
from phaodai.demo.phases import PHASES, run_phases
from phaodai.demo.scenarios import BO_DE, LONG_BIEN, TABLE, at, official
from phaodai.inspections import selectors as inspections
from phaodai.inspections import services as inspection_services
from phaodai.notifications.selectors import inbox
from phaodai.zoning import selectors as zoning
from phaodai.zoning import services as zoning_services

# The demo's phases the businesses and inspections stand on: the logins and Long Biên's zoning.
NEEDED = ("logins", "zoning", "businesses", "inspections")
MOVED_AT = hanoi(2021, 9, 15, 6, 0)  # the area's new decision takes effect


def quiet(_line: str) -> None:
    """Swallow the phases' progress lines."""


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, generated once for the module in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = DemoContext(districts=(LONG_BIEN,), persons=0, write=quiet)
            run_phases(ctx, [phase for phase in PHASES if phase.name in NEEDED])
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def login(demo: None, db: Any) -> Any:
    """A demo login (or one of the officials the demo acts as) by username."""

    def find(username: str) -> Any:
        user = user_by_username(username)
        assert user is not None, username
        return user

    return find


def plan_of(found: Any) -> Any:
    plan = business.latest_plan(found)
    assert plan is not None, found
    return plan


def placement(area: Any, moment: datetime) -> Any:
    found = zoning.placement_of_area(area, moment)
    assert found is not None
    return found


def test_a_restaurant_in_a_level_2_area_serves_takeaway_until_21_00_and_says_why(login: Any) -> None:
    restaurant = demo_business("restaurant")
    assert business.represents(login("business-00139"), restaurant)
    # the district placed its area in KV2 (Directive 15+) from 06:00 09/9/2021
    kv2 = placement(restaurant.area, hanoi(2021, 9, 10, 20, 59))
    assert (kv2.level.code, kv2.regime.code) == ("KV2", "CT15+")

    at_20_59 = business.operating_answer(restaurant, hanoi(2021, 9, 10, 20, 59))
    at_21_00 = business.operating_answer(restaurant, hanoi(2021, 9, 10, 21, 0))

    assert at_20_59.may_operate is True
    assert at_20_59.verdict.conditions["takeaway_only"] is True
    assert at_20_59.verdict.conditions["closes_at"] == "21:00"
    regime_reason = at_20_59.reasons[0]
    assert "Directive 15+" in regime_reason
    assert f"since 06:00 09/09/2021 (decision {kv2.decision.number})" in regime_reason
    assert "takeaway only, close before 21:00" in regime_reason
    assert at_20_59.reasons[-1] == "Its COVID-safety plan is approved, valid until 00:00 09/10/2021."
    assert at_21_00.may_operate is False
    assert "It is 21:00; it must close before 21:00." in at_21_00.reasons
    # the public look-up by tax code gives the same answer and reasons
    [public] = business.public_answer(restaurant.tax_code, hanoi(2021, 9, 10, 21, 0))
    assert (public.may_operate, public.reasons) == (False, at_21_00.reasons)


def move_to_level(area: Any, level_code: str) -> Any:
    """Long Biên's new decision for the area's ward, through the zoning workflow, effective 06:00 15/9."""
    ward_officer = official(Role.WARD_OFFICER, BO_DE)
    district_officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    table = zoning.table_valid_at(TABLE, MOVED_AT)
    assert table is not None
    round_ = zoning_services.open_round(
        by=district_officer,
        district=area.ward.parent,
        table=table,
        deadline=hanoi(2021, 9, 14, 17, 0),
        effective_at=MOVED_AT,
        ward_codes=[BO_DE],
        clock=at(hanoi(2021, 9, 13, 14, 0)),
    )
    proposal = zoning_services.classify_proposal(
        proposal=zoning.proposals_of(round_).get(), by=ward_officer, clock=at(hanoi(2021, 9, 14, 9, 0))
    )
    item = next(i for i in zoning.items_of(proposal) if i.area_id == area.pk)
    level = next(lv for lv in zoning.levels_of(table) if lv.code == level_code)
    if item.proposed_level_id != level.pk:
        zoning_services.propose_level(
            item=item,
            by=ward_officer,
            level=level,
            justification="Không có ca mắc mới trong cộng đồng 14 ngày; đề nghị chuyển khu vực 3.",
            clock=at(hanoi(2021, 9, 14, 9, 5)),
        )
    proposal = zoning_services.submit_proposal(
        proposal=proposal, by=ward_officer, clock=at(hanoi(2021, 9, 14, 10, 0))
    )
    return zoning_services.decide_proposal(
        proposal=proposal,
        by=district_officer,
        number="2600/QĐ-UBND",
        signatory="Chủ tịch UBND quận Long Biên",
        clock=at(hanoi(2021, 9, 14, 12, 0)),
    )


def test_after_the_area_moves_to_level_3_the_restaurant_is_notified_and_may_stay_open_later(
    login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    restaurant = demo_business("restaurant")
    representative = login("business-00139")
    # the district's decision alone tells the business: zoning announces it once committed
    with django_capture_on_commit_callbacks(execute=True):
        decision = move_to_level(restaurant.area, "KV3")
    kv3 = placement(restaurant.area, MOVED_AT)
    assert (kv3.level.code, kv3.regime.code, kv3.decision.pk) == ("KV3", "CT15", decision.pk)

    told = list(inbox(representative).filter(dedupe_key__contains=f":{decision.pk}:"))
    assert [n.subject for n in told] == [f"{restaurant.name}: measures change from 06:00 15/09/2021"]
    assert told[0].recipient_id == representative.pk
    assert "Directive 15" in told[0].body
    # told once: the same notice sent again tells nobody twice
    again = business_services.notify_businesses_of_level_change(place=restaurant.area, effective_at=MOVED_AT)
    assert [(n.business, n.regime, n.may_operate) for n in again] == [(restaurant, "Directive 15", True)]
    assert inbox(representative).filter(dedupe_key__contains=f":{decision.pk}:").count() == 1
    # under Directive 15 takeaway has no closing hour
    later = business.operating_answer(restaurant, hanoi(2021, 9, 15, 21, 30))
    assert later.may_operate is True
    assert "closes_at" not in later.verdict.conditions


def test_a_factory_plan_goes_through_approval_with_conditions(login: Any) -> None:
    works = demo_business("mechanical_works")
    [representative] = business.representatives_of(works)
    district_officer, ward_officer = login("district-004"), official(Role.WARD_OFFICER, works.unit.code)
    plan = plan_of(works)
    assert plan.status == "returned" and "1 cung đường" in plan.reason
    before = business.operating_answer(works, hanoi(2021, 9, 12, 8))
    assert before.may_operate is False
    assert "the business's plan is Returned for changes" in before.reasons[-1]

    # the representative completes the plan and submits it again; it goes to the district (S30)
    plan = business_services.update_draft(
        by=representative,
        plan=plan,
        mode="1_cung_duong",
        people_on_site=100,
        shifts=2,
        measures=(
            "100 người lao động đi theo “1 cung đường 2 điểm đến”, danh sách và lộ trình kèm theo; "
            "xe đưa đón của công ty; phòng cách ly tạm thời và quy trình xử lý ca nghi nhiễm."
        ),
        responsible_person="Bùi Quang Lực",
        clock=at(hanoi(2021, 9, 10, 9)),
    )
    plan = business_services.submit_plan(by=representative, plan=plan, clock=at(hanoi(2021, 9, 10, 9, 30)))
    desk = business.plans_awaiting(district_officer, hanoi(2021, 9, 10, 10))
    assert plan.pk in [row.plan.pk for row in desk]
    with pytest.raises(OutsideDelegation):
        business_services.approve_plan(by=ward_officer, plan=plan, clock=at(hanoi(2021, 9, 10, 10)))

    approved = business_services.approve_plan(
        by=district_officer,
        plan=plan,
        conditions="Tối đa 100 người tại nhà máy; chỉ đưa đón bằng xe của công ty theo danh sách.",
        valid_from=hanoi(2021, 9, 11, 0, 0),
        valid_until=hanoi(2021, 10, 11, 0, 0),
        clock=at(hanoi(2021, 9, 10, 15)),
    )

    assert (approved.status, approved.decided_by, approved.approving_unit.code) == (
        "approved",
        district_officer,
        LONG_BIEN,
    )
    assert approved.conditions.startswith("Tối đa 100 người")
    assert [e.to_status for e in business.events_of(approved)] == [
        "draft", "submitted", "returned", "returned", "submitted", "approved",
    ]  # fmt: skip
    assert business.may_operate(works, hanoi(2021, 9, 10, 23)).may_operate is False  # not yet in force
    now_open = business.operating_answer(works, hanoi(2021, 9, 11, 8))
    assert now_open.may_operate is True
    assert now_open.reasons[-1] == "Its COVID-safety plan is approved, valid until 00:00 11/10/2021."


def test_a_surprise_inspection_fines_and_suspends_and_a_reinspection_reopens(login: Any) -> None:
    factory = demo_business("garment_factory")
    inspector = login("inspector-004")
    [team] = [t for t in inspections.teams_visible_to(inspector) if t.name == city_team_for(LONG_BIEN)]
    assert inspections.is_member(inspector, team)
    assert business.may_operate(factory, hanoi(2021, 9, 20, 8)).may_operate is True

    visit = inspection_services.plan_inspection(
        by=inspector,
        team=team,
        target_kind="business",
        business=factory,
        surprise=True,
        clock=at(hanoi(2021, 9, 20, 9)),
    )
    visit = inspection_services.start_inspection(
        by=inspector, inspection=visit, clock=at(hanoi(2021, 9, 20, 9))
    )
    not_ok = {"qr_checkin": "Cổng phụ không quét mã QR.", "masks_distancing": "Ca trưa ăn tập trung."}
    findings = [
        inspection_services.FindingInput(item, item not in not_ok, not_ok.get(item, ""))
        for item in visit.checklist.item_codes
    ]
    inspection_services.record_findings(
        by=inspector, inspection=visit, findings=findings, clock=at(hanoi(2021, 9, 20, 9, 45))
    )
    violation = inspection_services.record_violation(
        by=inspector,
        inspection=visit,
        kind="business_measures_not_applied",
        offender="organisation",
        offender_name=factory.name,
        fine_amount=14_000_000,
        measures=["fine", "suspension"],
        decision_number="31/QĐ-XPHC",
        responsible_person="Hoàng Văn Thắng",
        clock=at(hanoi(2021, 9, 20, 10, 15)),
    )
    visit = inspection_services.finish_inspection(
        by=inspector, inspection=visit, clock=at(hanoi(2021, 9, 20, 10, 30))
    )

    # fined within the band for an organisation, the plan suspended: the factory may not operate
    assert (visit.result, violation.fine_amount, violation.measures) == (
        "fail",
        14_000_000,
        ["fine", "suspension"],
    )
    assert violation.kind.fine_min * 2 <= violation.fine_amount <= violation.kind.fine_max * 2
    plan = plan_of(factory)
    assert (plan.status, violation.suspended_plan_id) == ("suspended", plan.pk)
    assert "31/QĐ-XPHC" in plan.reason
    stopped = business.operating_answer(factory, hanoi(2021, 9, 20, 12))
    assert stopped.may_operate is False
    assert (
        stopped.reasons[-1]
        == "This sector needs an approved COVID-safety plan; the business's plan is Suspended."
    )

    # a re-inspection two days later finds everything in order: the plan is in force again
    again = inspection_services.plan_reinspection(
        by=inspector,
        team=team,
        of=visit,
        scheduled_at=hanoi(2021, 9, 22, 9),
        clock=at(hanoi(2021, 9, 21, 16)),
    )
    again = inspection_services.start_inspection(
        by=inspector, inspection=again, clock=at(hanoi(2021, 9, 22, 9))
    )
    inspection_services.record_findings(
        by=inspector,
        inspection=again,
        findings=[inspection_services.FindingInput(item, True) for item in again.checklist.item_codes],
        clock=at(hanoi(2021, 9, 22, 9, 40)),
    )
    again = inspection_services.finish_inspection(
        by=inspector, inspection=again, clock=at(hanoi(2021, 9, 22, 10))
    )

    assert again.result == "pass"
    assert plan_of(factory).status == "approved"
    reopened = business.operating_answer(factory, hanoi(2021, 9, 22, 11))
    assert reopened.may_operate is True
    assert reopened.reasons[-1] == "Its COVID-safety plan is approved, valid until 00:00 08/10/2021."
    # the visit and its fine count in Long Biên's figures for September
    figures = inspections.accountability(factory.unit.parent, hanoi(2021, 9, 1), hanoi(2021, 10, 1))
    assert figures.fines_total == 27_000_000 + 14_000_000
    assert figures.by_kind["business_measures_not_applied"].count == 2
