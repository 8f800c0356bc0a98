"""Writes: campaigns, commitments once per household, assignments, teams and duty, visits, housing."""

from datetime import date, timedelta
from typing import Any

import pytest

from phaodai.community import services
from phaodai.community.models import Assignment, Commitment, Duty, Visit
from phaodai.community.tests.world import SEPT_15, fixed
from phaodai.core.clock import hanoi
from phaodai.core.errors import Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry

pytestmark = pytest.mark.django_db
CLOCK = fixed(SEPT_15)


# Campaigns and commitments ------------------------------------------------------------------------


def test_a_campaign_opened_twice_is_the_same_and_a_clashing_code_is_refused(
    world: Any, city_commander: Any
) -> None:
    again, created = services.create_campaign(
        by=city_commander,
        unit=world.campaign.unit,
        code="GDAT-2021",
        name_vi="Gia đình an toàn Covid-19",
        name_en="COVID-19 safe family",
        starts_on=date(2021, 9, 1),
    )
    assert not created and again.pk == world.campaign.pk
    with pytest.raises(Duplicate) as refused:
        services.create_campaign(
            by=city_commander,
            unit=world.campaign.unit,
            code="gdat-2021",
            name_vi="Khác",
            name_en="",
            starts_on=date(2021, 9, 1),
        )
    assert refused.value.field == "code"


def test_a_ward_cannot_open_a_campaign_for_the_city(world: Any, ward_officer_bo_de: Any) -> None:
    with pytest.raises(OutOfScope):
        services.create_campaign(
            by=ward_officer_bo_de,
            unit=world.campaign.unit,
            code="x",
            name_vi="X",
            name_en="",
            starts_on=date(2021, 9, 1),
        )


def test_a_household_signs_once_and_a_second_signing_answers_with_the_first(
    world: Any, ward_officer_bo_de: Any
) -> None:
    home, signer = world.households[0], world.members[0][1]
    first, created = services.sign_commitment(
        by=ward_officer_bo_de,
        campaign=world.campaign,
        household=home,
        signer=signer,
        signed_on=date(2021, 9, 14),
        clock=CLOCK,
    )
    assert created and first.signer_name == "Nguyễn Thị Hoa" and first.area_id == world.area.pk
    second, created = services.sign_commitment(
        by=ward_officer_bo_de, campaign=world.campaign, household=home, signer_name="Người khác", clock=CLOCK
    )
    assert not created and second.pk == first.pk and second.signer_name == "Nguyễn Thị Hoa"
    assert Commitment.objects.count() == 1
    assert (
        AuditEntry.objects.filter(action="community.commitment_signed", object_id=str(first.pk)).count() == 1
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"signed_on": date(2021, 9, 16)}, "signed_on"),  # tomorrow
        ({"signed_on": date(2021, 8, 31)}, "signed_on"),  # before the campaign
        ({"signer_name": " "}, "signer_name"),
    ],
)
def test_bad_signings_are_refused_with_the_field(
    world: Any, ward_officer_bo_de: Any, changes: dict[str, Any], field: str
) -> None:
    data = {"signer_name": "Nguyễn Văn An", **changes}
    with pytest.raises(InvalidInput) as refused:
        services.sign_commitment(
            by=ward_officer_bo_de, campaign=world.campaign, household=world.households[0], clock=CLOCK, **data
        )
    assert refused.value.field == field
    assert not Commitment.objects.exists()


def test_the_signer_must_be_a_member_of_the_household(world: Any, ward_officer_bo_de: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.sign_commitment(
            by=ward_officer_bo_de,
            campaign=world.campaign,
            household=world.households[0],
            signer=world.members[1][0],
            clock=CLOCK,
        )
    assert refused.value.field == "signer"


def test_who_may_record_a_signing(
    world: Any, ward_officer_phuc_xa: Any, health_worker_bo_de: Any, district_officer_long_bien: Any
) -> None:
    home = world.households[0]
    with pytest.raises(OutOfScope):
        services.sign_commitment(
            by=ward_officer_phuc_xa, campaign=world.campaign, household=home, signer_name="A", clock=CLOCK
        )
    with pytest.raises(NotPermitted):
        services.sign_commitment(
            by=health_worker_bo_de, campaign=world.campaign, household=home, signer_name="A", clock=CLOCK
        )
    with pytest.raises(OutOfScope):  # a party member, but not of this household
        services.sign_commitment(
            by=world.member, campaign=world.campaign, household=home, signer_name="A", clock=CLOCK
        )
    _row, created = services.sign_commitment(
        by=district_officer_long_bien, campaign=world.campaign, household=home, signer_name="A", clock=CLOCK
    )
    assert created
    assert AuditEntry.objects.filter(action="scope.denied").count() == 2


def test_a_party_member_signs_for_their_own_household(world: Any, ward_officer_bo_de: Any) -> None:
    services.assign_households(by=ward_officer_bo_de, member=world.member, households=[world.households[1]])
    row, created = services.sign_commitment(
        by=world.member,
        campaign=world.campaign,
        household=world.households[1],
        signer_name="Trần Văn Bình",
        clock=CLOCK,
    )
    assert created and row.recorded_by == world.member


# Assignments --------------------------------------------------------------------------------------


def test_households_are_assigned_moved_and_reassigning_changes_nothing(
    world: Any, ward_officer_bo_de: Any, welfare_officer_bo_de: Any
) -> None:
    homes = world.households[:2]
    assert services.assign_households(by=ward_officer_bo_de, member=world.member, households=homes) == 2
    assert services.assign_households(by=ward_officer_bo_de, member=world.member, households=homes) == 0
    # any official of the ward may follow households too: the first one moves to them
    moved = services.assign_households(
        by=ward_officer_bo_de, member=welfare_officer_bo_de, households=homes[:1]
    )
    assert moved == 1
    assert Assignment.objects.get(household=homes[0]).member == welfare_officer_bo_de
    assert Assignment.objects.count() == 2
    assert AuditEntry.objects.filter(action="community.household_assigned").count() == 3


def test_a_member_without_a_role_in_the_ward_cannot_be_given_its_households(
    world: Any, ward_officer_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.assign_households(
            by=ward_officer_bo_de, member=ward_officer_phuc_xa, households=world.households
        )
    assert refused.value.field == "member"
    assert not Assignment.objects.exists()


def test_only_the_ward_assigns(world: Any, ward_officer_phuc_xa: Any) -> None:
    with pytest.raises(OutOfScope):
        services.assign_households(by=ward_officer_phuc_xa, member=world.member, households=world.households)
    with pytest.raises(NotPermitted):
        services.assign_households(by=world.member, member=world.member, households=world.households)


# Teams, duty and visits ---------------------------------------------------------------------------


def _team(world: Any, officer: Any, area: Any = None) -> Any:
    team, _ = services.create_team(by=officer, area=area or world.area)
    return team


def test_one_team_per_area_with_one_leader(world: Any, ward_officer_bo_de: Any) -> None:
    team, created = services.create_team(by=ward_officer_bo_de, area=world.area)
    again, created_again = services.create_team(by=ward_officer_bo_de, area=world.area, name="Khác")
    assert created and not created_again and again.pk == team.pk
    assert team.name == "Tổ Covid cộng đồng Tổ dân phố 1"
    leader, _ = services.add_team_member(
        by=ward_officer_bo_de, team=team, full_name="Lê Văn Tổ", phone="0912 000 001", role="leader"
    )
    assert leader.phone == "0912000001"
    with pytest.raises(Duplicate) as refused:
        services.add_team_member(
            by=ward_officer_bo_de, team=team, full_name="Hai", phone="0912000002", role="leader"
        )
    assert refused.value.field == "role"
    with pytest.raises(InvalidInput) as bad:
        services.add_team_member(by=ward_officer_bo_de, team=team, full_name="Ba", phone="123", role="member")
    assert bad.value.field == "phone"


def test_nobody_is_on_two_teams_duty_the_same_day(world: Any, ward_officer_bo_de: Any) -> None:
    team, other = _team(world, ward_officer_bo_de), _team(world, ward_officer_bo_de, world.other_area)
    here, _ = services.add_team_member(
        by=ward_officer_bo_de, team=team, full_name="Lê Văn Tổ", phone="0912000001", role="member"
    )
    there, _ = services.add_team_member(
        by=ward_officer_bo_de, team=other, full_name="Lê Văn Tổ", phone="0912000001", role="member"
    )
    day = date(2021, 9, 15)
    duty, created = services.put_on_duty(by=ward_officer_bo_de, member=here, day=day)
    again, created_again = services.put_on_duty(by=ward_officer_bo_de, member=here, day=day)
    assert created and not created_again and again.pk == duty.pk
    with pytest.raises(services.AlreadyOnDuty):
        services.put_on_duty(by=ward_officer_bo_de, member=there, day=day)
    services.put_on_duty(by=ward_officer_bo_de, member=there, day=day + timedelta(days=1))
    assert Duty.objects.count() == 2


def test_a_visit_retried_with_its_key_is_logged_once(world: Any, ward_officer_bo_de: Any) -> None:
    home = world.households[0]
    first, created = services.log_visit(
        by=ward_officer_bo_de, household=home, kind="reminder_5k", idempotency_key="k1", clock=CLOCK
    )
    second, created_again = services.log_visit(
        by=ward_officer_bo_de, household=home, kind="reminder_5k", idempotency_key="k1", clock=CLOCK
    )
    assert created and not created_again and first.pk == second.pk
    assert Visit.objects.count() == 1 and first.visited_at == SEPT_15


def test_bad_visits_are_refused(world: Any, ward_officer_bo_de: Any) -> None:
    home = world.households[0]
    other_team = _team(world, ward_officer_bo_de, world.other_area)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "party"}, "kind"),
        ({"kind": "other"}, "note"),
        ({"kind": "delivery", "visited_at": hanoi(2021, 9, 16)}, "visited_at"),
        ({"kind": "delivery", "team": other_team}, "team"),
    ]
    for data, field in cases:
        with pytest.raises(InvalidInput) as refused:
            services.log_visit(by=ward_officer_bo_de, household=home, clock=CLOCK, **data)
        assert refused.value.field == field
    assert not Visit.objects.exists()


def test_a_team_member_with_a_login_logs_visits_in_the_team_area_only(
    world: Any, ward_officer_bo_de: Any, health_worker_bo_de: Any
) -> None:
    team = _team(world, ward_officer_bo_de)
    services.add_team_member(
        by=ward_officer_bo_de,
        team=team,
        full_name="Y tá",
        phone="0912000009",
        role="member",
        user=health_worker_bo_de,
    )
    visit, created = services.log_visit(
        by=health_worker_bo_de, household=world.households[0], team=team, kind="isolation_check", clock=CLOCK
    )
    assert created and visit.team == team
    with pytest.raises(OutOfScope):  # without the team, a household they do not follow
        services.log_visit(
            by=health_worker_bo_de, household=world.other_households[0], kind="delivery", clock=CLOCK
        )


# Special housing ----------------------------------------------------------------------------------


def _housing(world: Any, officer: Any, **changes: Any) -> Any:
    data = {
        "kind": "boarding_house",
        "name": "Nhà trọ 12",
        "address": "Ngõ 12 Bồ Đề",
        "residents": "24",
        **changes,
    }
    row, _ = services.register_housing(by=officer, area=world.area, **data)
    return row


def test_housing_plan_is_compare_and_set_and_ticks_are_idempotent(
    world: Any, ward_officer_bo_de: Any
) -> None:
    row = _housing(world, ward_officer_bo_de)
    assert row.residents == 24 and row.version == 1
    again = _housing(world, ward_officer_bo_de, name="NHÀ TRỌ 12")
    assert again.pk == row.pk
    changed = services.update_plan(
        by=ward_officer_bo_de,
        housing=row,
        version=1,
        plan="Cách ly tại phòng riêng",
        responsible_name="Chủ trọ",
        responsible_phone="0912000003",
        plan_starts_on=date(2021, 9, 1),
        plan_ends_on=date(2021, 9, 30),
    )
    assert changed.version == 2
    with pytest.raises(services.HousingChanged):
        services.update_plan(
            by=ward_officer_bo_de,
            housing=row,
            version=1,
            plan="",
            responsible_name="",
            responsible_phone="",
            plan_starts_on=None,
            plan_ends_on=None,
        )
    assert services.tick(by=ward_officer_bo_de, housing=row, key="handwash")
    assert not services.tick(by=ward_officer_bo_de, housing=row, key="handwash")
    assert services.tick(by=ward_officer_bo_de, housing=row, key="handwash", done=False)
    with pytest.raises(InvalidInput):
        services.tick(by=ward_officer_bo_de, housing=row, key="lifts_cleaned")  # not a boarding house's


def test_bad_housing_is_refused(world: Any, ward_officer_bo_de: Any, ward_officer_phuc_xa: Any) -> None:
    for changes, field in (
        ({"kind": "hotel"}, "kind"),
        ({"residents": "-3"}, "residents"),
        ({"plan_starts_on": date(2021, 9, 30), "plan_ends_on": date(2021, 9, 1)}, "plan_ends_on"),
        ({"responsible_phone": "12"}, "responsible_phone"),
    ):
        with pytest.raises(InvalidInput) as refused:
            _housing(world, ward_officer_bo_de, **changes)
        assert refused.value.field == field
    with pytest.raises(OutOfScope):
        _housing(world, ward_officer_phuc_xa)
