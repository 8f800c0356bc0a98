"""Reads: coverage per area and ward, a member's own households only, teams, the worklist, housing gaps."""

from datetime import date
from typing import Any

import pytest
from django.http import Http404

from phaodai.community import selectors, services
from phaodai.community.tests.world import SEPT_15, fixed
from phaodai.core.clock import hanoi
from phaodai.core.errors import NotPermitted
from phaodai.core.models import AuditEntry
from phaodai.territory.models import Unit

pytestmark = pytest.mark.django_db
CLOCK = fixed(SEPT_15)


def _sign(world: Any, officer: Any, home: Any) -> None:
    services.sign_commitment(
        by=officer, campaign=world.campaign, household=home, signer_name="A", clock=CLOCK
    )


def test_coverage_per_area_of_a_ward_and_per_ward_of_a_district(world: Any, ward_officer_bo_de: Any) -> None:
    for home in world.households[:2]:
        _sign(world, ward_officer_bo_de, home)
    rows, total = selectors.coverage_board(world.campaign, world.ward)
    by_code = {row.code: row.coverage for row in rows}
    assert by_code["00139-TDP01"].signed == 2 and by_code["00139-TDP01"].households == 3
    assert by_code["00139-TDP02"].signed == 0 and by_code["00139-TDP02"].households == 2
    assert (total.signed, total.households, total.percent) == (2, 5, 40)
    district_rows, district_total = selectors.coverage_board(world.campaign, Unit.objects.get(code="004"))
    assert [(r.code, r.coverage.signed, r.coverage.households) for r in district_rows] == [("00139", 2, 5)]
    assert district_total.households == 5  # Phúc Xá's household is in Ba Đình, not counted


def test_campaigns_reach_down_from_the_city_but_not_across(
    world: Any, ward_officer_bo_de: Any, ward_officer_phuc_xa: Any, health_worker_bo_de: Any
) -> None:
    assert selectors.campaign_for(ward_officer_bo_de, "gdat-2021").pk == world.campaign.pk
    ward_campaign, _ = services.create_campaign(
        by=ward_officer_bo_de,
        unit=world.ward,
        code="bo-de-9",
        name_vi="Bồ Đề",
        name_en="",
        starts_on=date(2021, 9, 1),
    )
    assert selectors.campaign_for(ward_officer_bo_de, "bo-de-9").pk == ward_campaign.pk
    with pytest.raises(Http404):
        selectors.campaign_for(ward_officer_phuc_xa, "bo-de-9")
    with pytest.raises(NotPermitted):
        selectors.campaign_for(health_worker_bo_de, "gdat-2021")


def test_a_member_sees_only_their_households_with_status_and_last_visit(
    world: Any, ward_officer_bo_de: Any, welfare_officer_bo_de: Any
) -> None:
    mine, theirs = world.households[0], world.households[1]
    services.assign_households(by=ward_officer_bo_de, member=world.member, households=[mine])
    services.assign_households(by=ward_officer_bo_de, member=welfare_officer_bo_de, households=[theirs])
    _sign(world, ward_officer_bo_de, mine)
    services.log_visit(
        by=world.member, household=mine, kind="reminder_5k", visited_at=hanoi(2021, 9, 14, 18), clock=CLOCK
    )
    rows = selectors.my_households(world.member)
    assert [row.household.pk for row in rows] == [mine.pk]
    assert rows[0].commitment is not None and rows[0].last_visit == hanoi(2021, 9, 14, 18)
    assert selectors.my_household(world.member, mine.pk).pk == mine.pk
    with pytest.raises(Http404):
        selectors.my_household(world.member, theirs.pk)
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(theirs.pk)).exists()
    assert selectors.is_member(welfare_officer_bo_de)  # an official given households


def test_members_of_the_ward_with_their_counts(world: Any, ward_officer_bo_de: Any) -> None:
    services.assign_households(by=ward_officer_bo_de, member=world.member, households=world.households)
    rows = selectors.members_of_ward(world.ward)
    assert [(row.user.username, row.households) for row in rows] == [("community-00139", 3)]


def test_teams_are_read_by_the_ward_and_by_their_own_members(
    world: Any,
    ward_officer_bo_de: Any,
    ward_officer_phuc_xa: Any,
    health_worker_bo_de: Any,
    checkpoint_officer_ql6: Any,
) -> None:
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    other, _ = services.create_team(by=ward_officer_bo_de, area=world.other_area)
    services.add_team_member(
        by=ward_officer_bo_de,
        team=team,
        full_name="Y tá",
        phone="0912000009",
        role="member",
        user=health_worker_bo_de,
    )
    assert selectors.team_for(ward_officer_bo_de, team.pk) == team
    assert list(selectors.teams_visible_to(health_worker_bo_de)) == [team]
    with pytest.raises(Http404):
        selectors.team_for(health_worker_bo_de, other.pk)
    with pytest.raises(Http404):
        selectors.team_for(ward_officer_phuc_xa, team.pk)
    with pytest.raises(NotPermitted):
        selectors.teams_visible_to(checkpoint_officer_ql6)


def test_the_team_worklist_is_the_area_isolation_follow_ups(world: Any, ward_officer_bo_de: Any) -> None:
    from phaodai.cases import isolation

    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    person = world.members[0][0]
    isolation.order_isolation(
        by=ward_officer_bo_de,
        person=person,
        subject="F1",
        setting="home",
        starts_at=hanoi(2021, 9, 10, 9),
        clock=fixed(hanoi(2021, 9, 10, 9)),
    )
    items = selectors.team_worklist(ward_officer_bo_de, team, date(2021, 9, 12))
    assert items is not None and [item.order.person_id for item in items] == [person.pk]
    assert selectors.team_worklist(world.member, team, date(2021, 9, 12)) is None  # no isolation role


def test_the_housing_list_says_what_is_missing(
    world: Any, ward_officer_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    row, _ = services.register_housing(
        by=ward_officer_bo_de,
        area=world.area,
        kind="old_apartments",
        name="Khu tập thể A",
        address="Ngõ 1",
        plan="Kế hoạch",
        responsible_name="Trưởng khu",
        responsible_phone="0912000004",
    )
    services.tick(by=ward_officer_bo_de, housing=row, key="handwash")
    [found] = selectors.housing_board(ward_officer_bo_de, world.ward)
    assert found.gaps.plan_parts == ("dates",)
    assert "handwash" not in found.gaps.items and "lifts_cleaned" in found.gaps.items
    assert str(found.missing_labels[0]) == "The plan's dates"
    assert selectors.housing_board(ward_officer_phuc_xa) == []
    with pytest.raises(Http404):
        selectors.housing_for(ward_officer_phuc_xa, row.pk)
