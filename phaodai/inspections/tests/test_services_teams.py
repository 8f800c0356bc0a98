"""Changing a team through the service: the unit that set it up, within it, and never over a newer change."""

from collections.abc import Callable
from typing import Any

import pytest

from phaodai.business.tests.conftest import at
from phaodai.core.clock import hanoi
from phaodai.core.errors import Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.inspections import services
from phaodai.inspections.errors import AreaOutsideHomeUnit, TeamChanged
from phaodai.inspections.models import InspectionTeam, TeamMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_bien_team(
    district_officer_long_bien: Any, inspector_team_3: Any, unit: Callable[[str], Any]
) -> InspectionTeam:
    """Long Biên's interdisciplinary team, working in Bồ Đề and Ngọc Lâm."""
    return services.create_team(
        by=district_officer_long_bien,
        name="Đoàn liên ngành số 2",
        level="interdisciplinary",
        decision_number="679-QĐ/QU",
        decision_date=hanoi(2021, 9, 5).date(),
        home_unit=unit("004"),
        area_units=[unit("00139"), unit("00133")],
        members=[
            services.MemberSpec("Đỗ Văn Nam", "Phó Chủ tịch UBND quận", "leader", user=inspector_team_3),
            services.MemberSpec("Lê Thị Hoa", "Công an quận"),
        ],
        active_from=hanoi(2021, 9, 5, 7),
    )


def change(by: Any, team: InspectionTeam, **overrides: Any) -> InspectionTeam:
    """The team as its decision now says, sent by `by` having read the team as it is now."""
    fields: dict[str, Any] = {
        "by": by,
        "team": team,
        "seen": team.updated_at,
        "name": team.name,
        "decision_number": team.decision_number,
        "decision_date": team.decision_date,
        "area_units": list(team.area_units.all()),
        "members": [services.MemberSpec(m.name, m.title, m.role, user=m.user) for m in team.members.all()],
        "active_from": team.active_from,
        "active_until": team.active_until,
    }
    fields.update(overrides)
    return services.update_team(**fields)


def as_read(team: InspectionTeam) -> tuple[Any, ...]:
    """What the team is in the database: details, area of work and members."""
    fresh = InspectionTeam.objects.get(pk=team.pk)
    return (
        fresh.name,
        fresh.decision_number,
        fresh.active_until,
        sorted(u.code for u in fresh.area_units.all()),
        sorted(TeamMember.objects.filter(team=fresh.pk).values_list("name", "role", "user")),
    )


def test_the_unit_that_set_up_a_team_changes_its_decision_area_and_members_audited(
    long_bien_team: InspectionTeam,
    district_officer_long_bien: Any,
    inspector_team_3: Any,
    unit: Callable[[str], Any],
) -> None:
    changed = change(
        district_officer_long_bien,
        long_bien_team,
        name=" Đoàn liên ngành số 2 ",
        decision_number="702-QĐ/QU",
        area_units=[unit("00139")],
        members=[services.MemberSpec("Đỗ Văn Nam", "Chủ tịch UBND quận", "leader", user=inspector_team_3)],
        active_until=hanoi(2021, 9, 30, 18),
        clock=at(hanoi(2021, 9, 12, 8)),
    )
    assert as_read(long_bien_team) == (
        "Đoàn liên ngành số 2",
        "702-QĐ/QU",
        hanoi(2021, 9, 30, 18),
        ["00139"],
        [("Đỗ Văn Nam", "leader", inspector_team_3.pk)],
    )
    # the level and the unit that set it up are the team's identity: they stay
    assert (changed.level, changed.home_unit.code) == ("interdisciplinary", "004")
    assert changed.updated_at > long_bien_team.updated_at
    entry = AuditEntry.objects.get(action="inspections.update_team")
    assert (entry.object_id, entry.unit_path, entry.actor_id) == (
        str(long_bien_team.pk),
        long_bien_team.path,
        district_officer_long_bien.pk,
    )
    assert entry.at == hanoi(2021, 9, 12, 8)


def test_a_stale_edit_is_refused_and_overwrites_nothing(
    long_bien_team: InspectionTeam, district_officer_long_bien: Any, unit: Callable[[str], Any]
) -> None:
    seen = long_bien_team.updated_at
    change(district_officer_long_bien, long_bien_team, area_units=[unit("00139")], seen=seen)
    before = as_read(long_bien_team)
    # a second editor read the team before that change, and sends theirs now
    with pytest.raises(TeamChanged):
        change(
            district_officer_long_bien,
            long_bien_team,
            area_units=[unit("00133")],
            decision_number="999-QĐ/QU",
            members=[],
            seen=seen,
        )
    assert as_read(long_bien_team) == before
    assert AuditEntry.objects.filter(action="inspections.update_team").count() == 1


def test_an_area_outside_the_actors_units_is_refused(
    long_bien_team: InspectionTeam, district_officer_long_bien: Any, unit: Callable[[str], Any]
) -> None:
    before = as_read(long_bien_team)
    with pytest.raises(AreaOutsideHomeUnit) as refused:
        # Phúc Xá lies in Ba Đình: neither the district that set the team up nor the officer's own
        change(district_officer_long_bien, long_bien_team, area_units=[unit("00139"), unit("00001")])
    assert refused.value.field == "area_units"
    assert "Phúc Xá" in str(refused.value.detail) and "Long Biên" in str(refused.value.detail)
    with pytest.raises(InvalidInput) as empty:
        change(district_officer_long_bien, long_bien_team, area_units=[])
    assert empty.value.field == "area_units"
    assert as_read(long_bien_team) == before
    assert not AuditEntry.objects.filter(action="inspections.update_team").exists()


def test_only_the_unit_that_set_it_up_or_above_changes_a_team(
    long_bien_team: InspectionTeam,
    team_3: InspectionTeam,
    district_officer_ba_dinh: Any,
    district_officer_long_bien: Any,
    inspector_team_3: Any,
    ward_officer_bo_de: Any,
    city_commander: Any,
) -> None:
    before = as_read(long_bien_team)
    with pytest.raises(OutOfScope):  # another district: as if the team did not exist
        change(district_officer_ba_dinh, long_bien_team, decision_number="1/QĐ")
    with pytest.raises(OutOfScope):  # the city's team working in Long Biên is the city's to change
        change(district_officer_long_bien, team_3, decision_number="1/QĐ")
    for outsider in (inspector_team_3, ward_officer_bo_de):  # a member, a ward: no role to set up teams
        with pytest.raises(NotPermitted):
            change(outsider, long_bien_team, decision_number="1/QĐ")
    assert as_read(long_bien_team) == before
    change(city_commander, long_bien_team, decision_number="702-QĐ/QU")
    assert as_read(long_bien_team)[1] == "702-QĐ/QU"


def test_members_linked_to_an_account_must_inspect_or_set_up_teams(
    long_bien_team: InspectionTeam,
    district_officer_long_bien: Any,
    welfare_officer_bo_de: Any,
    unit: Callable[[str], Any],
) -> None:
    before = as_read(long_bien_team)
    not_inspector = services.MemberSpec("Trần Thị Lan", "Cán bộ LĐTBXH", user=welfare_officer_bo_de)
    with pytest.raises(InvalidInput) as refused:
        change(district_officer_long_bien, long_bien_team, members=[not_inspector])
    assert refused.value.field == "members" and welfare_officer_bo_de.username in str(refused.value.detail)
    assert as_read(long_bien_team) == before
    # setting a team up checks its members the same way
    with pytest.raises(InvalidInput):
        services.create_team(
            by=district_officer_long_bien,
            name="Đoàn kiểm tra số 7",
            level="district",
            decision_number="700-QĐ/QU",
            decision_date=hanoi(2021, 9, 6).date(),
            home_unit=unit("004"),
            area_units=[unit("00139")],
            members=[not_inspector],
            active_from=hanoi(2021, 9, 6, 7),
        )
    assert InspectionTeam.objects.count() == 1
    # a district officer (who sets up teams) may be a member, as may an account-less member
    change(
        district_officer_long_bien,
        long_bien_team,
        members=[
            services.MemberSpec("Đỗ Văn Nam", role="leader", user=district_officer_long_bien),
            services.MemberSpec("Lê Thị Hoa"),
        ],
    )
    assert len(as_read(long_bien_team)[4]) == 2


def test_a_name_taken_under_the_decision_bad_text_or_a_bad_period_is_refused(
    long_bien_team: InspectionTeam, district_officer_long_bien: Any, unit: Callable[[str], Any]
) -> None:
    services.create_team(
        by=district_officer_long_bien,
        name="Đoàn liên ngành số 3",
        level="interdisciplinary",
        decision_number="679-QĐ/QU",
        decision_date=hanoi(2021, 9, 5).date(),
        home_unit=unit("004"),
        area_units=[unit("00139")],
        active_from=hanoi(2021, 9, 5, 7),
    )
    before = as_read(long_bien_team)
    with pytest.raises(Duplicate) as taken:
        change(district_officer_long_bien, long_bien_team, name="Đoàn liên ngành số 3")
    assert taken.value.field == "name"
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"name": "  "}, "name"),
        ({"decision_number": "x" * 61}, "decision_number"),
        ({"active_until": hanoi(2021, 9, 5, 6)}, "active_until"),
        ({"active_from": hanoi(1850, 1, 1)}, "active_from"),
    ]
    for overrides, field in refusals:
        with pytest.raises(InvalidInput) as refused:
            change(district_officer_long_bien, long_bien_team, **overrides)
        assert refused.value.field == field, overrides
    assert as_read(long_bien_team) == before
    assert not AuditEntry.objects.filter(action="inspections.update_team").exists()
