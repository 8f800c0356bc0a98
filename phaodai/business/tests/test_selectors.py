"""May we operate now? A restaurant of Bồ Đề through Long Biên's September 2021 (the demo scenario)."""

from typing import Any

import pytest
from django.db import transaction

from phaodai.accounts.roles import Role
from phaodai.accounts.services import create_user
from phaodai.business import selectors, services
from phaodai.business.errors import SectorForbidden
from phaodai.business.tests.conftest import at, plan_fields
from phaodai.core.clock import hanoi
from phaodai.demo.scenarios import BO_DE, CITY, LONG_BIEN, long_bien_2021_09, official
from phaodai.notifications.selectors import inbox
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning
from phaodai.zoning import services as zoning_services

QUAN_PHO = "0100109106"
MOVED_AT = hanoi(2021, 9, 15, 6, 0)  # the area's new decision takes effect


def quiet(_line: str) -> None:
    """Swallow the scenario's progress lines."""


def regime_of(area: Any, moment: Any) -> str:
    placement = zoning.placement_of_area(area, moment)
    assert placement is not None
    return placement.regime.code


@pytest.fixture(scope="module")
def long_bien(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The scenario, replayed once for the module in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield long_bien_2021_09(write=quiet)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def kv2_area(long_bien: Any, db: Any) -> Any:
    """The Bồ Đề area the ward raised to KV2 (Directive 15+) from 06:00 09/9/2021."""
    area = territory.area_by_code(long_bien.ward_changed_area)
    assert regime_of(area, hanoi(2021, 9, 9, 6, 0)) == "CT15+"
    return area


@pytest.fixture
def owner(kv2_area: Any) -> Any:
    return create_user(
        username="rep-quan-pho",
        password=None,
        role=Role.BUSINESS_REPRESENTATIVE,
        unit=territory.unit_by_code(BO_DE),
    )


@pytest.fixture
def quan_pho(kv2_area: Any, owner: Any) -> Any:
    """A small takeaway restaurant in the KV2 area, with the takeaway sector's conditions published."""
    officer = official(Role.WARD_OFFICER, BO_DE)
    business = services.register_business(
        by=officer,
        tax_code=QUAN_PHO,
        name="Quán Phở Gia Truyền",
        kind="restaurant",
        sector="takeaway_food",
        address="Ngõ 12 phố Bồ Đề",
        unit=kv2_area.ward,
        area=kv2_area,
        workforce=6,
        clock=at(hanoi(2021, 9, 8, 9, 0)),
    )
    services.add_representative(by=officer, business=business, user=owner)
    services.publish_sector_condition(
        by=official(Role.CITY_COMMANDER, CITY),
        sector="takeaway_food",
        title="Bán mang về an toàn",
        criteria="Không phục vụ tại chỗ; quét mã QR; nhân viên xét nghiệm 7 ngày/lần.",
        plan_required=True,
        valid_from=hanoi(2021, 9, 1),
        clock=at(hanoi(2021, 9, 1)),
    )
    return business


@pytest.fixture
def approved(quan_pho: Any, owner: Any) -> Any:
    """Its plan, submitted after the KV2 regime takes effect and approved by the ward (S30)."""
    plan = services.draft_plan(
        by=owner,
        business=quan_pho,
        clock=at(hanoi(2021, 9, 9, 7)),
        **plan_fields(mode="takeaway", people_on_site=6),
    )
    plan = services.submit_plan(by=owner, plan=plan, clock=at(hanoi(2021, 9, 9, 7, 30)))
    return services.approve_plan(
        by=official(Role.WARD_OFFICER, BO_DE),
        plan=plan,
        conditions="Chỉ bán mang về; tối đa 6 người tại cơ sở.",
        valid_from=hanoi(2021, 9, 9, 9, 0),
        valid_until=hanoi(2021, 10, 9, 0, 0),
        clock=at(hanoi(2021, 9, 9, 8, 45)),
    )


def test_a_plan_for_takeaway_is_refused_while_directive_17_still_holds(quan_pho: Any, owner: Any) -> None:
    plan = services.draft_plan(
        by=owner,
        business=quan_pho,
        clock=at(hanoi(2021, 9, 8, 10)),
        **plan_fields(mode="takeaway", people_on_site=6),
    )
    with pytest.raises(SectorForbidden) as refused:
        services.submit_plan(by=owner, plan=plan, clock=at(hanoi(2021, 9, 8, 10, 5)))
    assert "Directive 17 (Hà Nội)" in str(refused.value.detail)


def test_in_a_kv2_area_the_restaurant_serves_takeaway_only_until_21_00_and_says_why(approved: Any) -> None:
    business = approved.business
    at_20_59 = selectors.operating_answer(business, hanoi(2021, 9, 9, 20, 59))
    at_21_00 = selectors.operating_answer(business, hanoi(2021, 9, 9, 21, 0))
    assert at_20_59.may_operate is True
    assert at_20_59.verdict.conditions["takeaway_only"] is True
    assert at_20_59.verdict.conditions["closes_at"] == "21:00"
    assert "takeaway only, close before 21:00" in at_20_59.reasons[0]
    assert "Directive 15+" in at_20_59.reasons[0]
    assert "since 06:00 09/09/2021" in at_20_59.reasons[0]
    assert "approved, valid until 00:00 09/10/2021" in at_20_59.reasons[-1]
    assert at_21_00.may_operate is False
    assert "It is 21:00; it must close before 21:00." in at_21_00.reasons


def test_before_six_on_9_september_directive_17_forbids_it(approved: Any) -> None:
    verdict = selectors.may_operate(approved.business, hanoi(2021, 9, 9, 5, 59))
    assert verdict.may_operate is False
    assert verdict.reasons[0] == ("forbidden", {"regime": "CT17-HN"})


def test_the_public_answer_is_yes_or_no_with_reasons_and_no_personal_data(approved: Any) -> None:
    by_code = selectors.public_answer(QUAN_PHO, hanoi(2021, 9, 9, 21, 30))
    by_name = selectors.public_answer("quan pho gia truyen", hanoi(2021, 9, 9, 12, 0))
    assert [(a.name, a.may_operate) for a in by_code] == [("Quán Phở Gia Truyền", False)]
    assert [(a.name, a.may_operate) for a in by_name] == [("Quán Phở Gia Truyền", True)]
    shown = repr(by_code + by_name)
    for private in ("Trần Thị Bình", "0912345678", "Ngõ 12", "rep-quan-pho"):
        assert private not in shown
    assert selectors.public_answer("0100109107", hanoi(2021, 9, 9, 12, 0)) == []  # not a valid tax code


def move_area(area: Any, level_code: str) -> Any:
    """Long Biên's new decision for the area's ward, effective 06:00 15/9/2021."""
    district = territory.unit_by_code(LONG_BIEN)
    ward_officer = official(Role.WARD_OFFICER, BO_DE)
    district_officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    table = zoning.table_valid_at("LB-2021-09", MOVED_AT)
    assert table is not None
    round_ = zoning_services.open_round(
        by=district_officer,
        district=district,
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
    level = next(lv for lv in zoning.levels_of(round_.table) if lv.code == level_code)
    zoning_services.propose_level(
        item=item,
        by=ward_officer,
        level=level,
        justification="Không có ca mới trong 14 ngày.",
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


def test_after_the_area_moves_to_kv3_the_answer_changes_and_the_ward_and_owner_are_told(
    approved: Any, kv2_area: Any, owner: Any
) -> None:
    business = approved.business
    assert selectors.may_operate(business, hanoi(2021, 9, 14, 21, 30)).may_operate is False
    decision = move_area(kv2_area, "KV3")
    assert regime_of(kv2_area, MOVED_AT) == "CT15"

    notices = services.notify_businesses_of_level_change(
        place=kv2_area, effective_at=MOVED_AT, clock=at(hanoi(2021, 9, 14, 12, 5))
    )

    # KV3 (Directive 15): takeaway only, with no closing hour
    later = selectors.operating_answer(business, hanoi(2021, 9, 15, 21, 30))
    assert later.may_operate is True
    assert "closes_at" not in later.verdict.conditions
    assert [(n.business, n.regime, n.may_operate) for n in notices] == [(business, "Directive 15", True)]
    ward_inbox = list(inbox(official(Role.WARD_OFFICER, BO_DE)).filter(kind="business.level_change"))
    owner_inbox = list(inbox(owner).filter(kind="business.level_change"))
    assert [n.subject for n in ward_inbox] == ["Quán Phở Gia Truyền: measures change from 06:00 15/09/2021"]
    assert [n.dedupe_key for n in owner_inbox] == [
        f"business.level:{business.pk}:{decision.pk}:rep:{owner.pk}"
    ]
    assert "Directive 15" in ward_inbox[0].body
    # sent once: running it again tells nobody twice; a moment with no change tells nobody at all
    services.notify_businesses_of_level_change(place=kv2_area, effective_at=MOVED_AT)
    assert inbox(owner).filter(kind="business.level_change").count() == 1
    assert (
        services.notify_businesses_of_level_change(place=kv2_area, effective_at=hanoi(2021, 9, 12, 6)) == []
    )


def test_businesses_affected_by_an_area_or_a_unit(quan_pho: Any, kv2_area: Any) -> None:
    assert list(selectors.businesses_affected_by(kv2_area)) == [quan_pho]
    assert list(selectors.businesses_affected_by(territory.unit_by_code(LONG_BIEN))) == [quan_pho]
    assert list(selectors.businesses_affected_by(territory.unit_by_code("00133"))) == []


def test_a_representative_sees_their_business_and_its_plans_only(approved: Any, owner: Any) -> None:
    assert list(selectors.businesses_visible_to(owner)) == [approved.business]
    assert list(selectors.plans_for(owner)) == [approved]
    assert selectors.plan_for(owner, approved.pk) == approved
    assert list(selectors.plans_for(official(Role.WARD_OFFICER, "00133"))) == []


def test_a_district_decision_tells_the_business_by_itself_and_no_other_representative(
    approved: Any, kv2_area: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    neighbour = create_user(
        username="rep-hang-xom",
        password=None,
        role=Role.BUSINESS_REPRESENTATIVE,
        unit=territory.unit_by_code(BO_DE),
    )
    with django_capture_on_commit_callbacks(execute=True):
        decision = move_area(kv2_area, "KV3")

    told = list(inbox(owner).filter(kind="business.level_change"))
    assert [n.subject for n in told] == ["Quán Phở Gia Truyền: measures change from 06:00 15/09/2021"]
    # dated when the decision was issued, addressed to the owner alone
    assert told[0].created_at == decision.issued_at
    assert told[0].recipient_id == owner.pk
    assert inbox(neighbour).filter(kind="business.level_change").count() == 0
    # the ward's officers hear of it too, once
    assert inbox(official(Role.WARD_OFFICER, BO_DE)).filter(kind="business.level_change").count() == 1


def test_a_decision_that_keeps_the_level_tells_nobody(approved: Any, kv2_area: Any, owner: Any) -> None:
    move_area(kv2_area, "KV2")
    assert services.notify_businesses_of_level_change(place=kv2_area, effective_at=MOVED_AT) == []
    assert inbox(owner).filter(kind="business.level_change").count() == 0
