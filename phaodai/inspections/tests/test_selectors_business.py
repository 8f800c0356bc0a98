"""The teams a user acts for, and what each reader may read of a business's inspections and violations."""

from collections.abc import Callable
from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.inspections import selectors, services
from phaodai.inspections.models import InspectionTeam
from phaodai.inspections.tests.test_services import all_fine, fine_and_close, surprise_visit

pytestmark = pytest.mark.django_db


# The teams a user acts for ----------------------------------------------------------------------


@pytest.fixture
def long_bien_teams(district_officer_long_bien: Any, unit: Callable[[str], Any]) -> list[InspectionTeam]:
    """Two Long Biên teams: one at work, one whose decision ended on 10/9."""

    def team(name: str, until: Any) -> InspectionTeam:
        return services.create_team(
            by=district_officer_long_bien,
            name=name,
            level="district",
            decision_number="680-QĐ/QU",
            decision_date=hanoi(2021, 9, 1).date(),
            home_unit=unit("004"),
            area_units=[unit("00139")],
            active_from=hanoi(2021, 9, 1),
            active_until=until,
        )

    return [team("Đoàn kiểm tra số 5", None), team("Đoàn kiểm tra số 6", hanoi(2021, 9, 10))]


def test_the_teams_acted_for_are_may_act_for_over_every_team_not_yet_ended(
    team_3: InspectionTeam,
    long_bien_teams: list[InspectionTeam],
    inspector_team_3: Any,
    city_commander: Any,
    district_officer_long_bien: Any,
    district_officer_ba_dinh: Any,
    ward_officer_bo_de: Any,
    django_assert_max_num_queries: Any,
) -> None:
    at_work, ended = long_bien_teams
    moment = hanoi(2021, 9, 11, 9)

    def names(user: Any) -> list[str]:
        return sorted(team.name for team in selectors.teams_acted_for(user, moment))

    # a member of the city's team 3, and an inspector of Long Biên where the district's teams are
    assert names(inspector_team_3) == ["Tổ công tác số 3", "Đoàn kiểm tra số 5"]
    assert names(city_commander) == ["Tổ công tác số 3", "Đoàn kiểm tra số 5"]
    assert names(district_officer_long_bien) == ["Đoàn kiểm tra số 5"]  # not the city's team
    assert names(district_officer_ba_dinh) == names(ward_officer_bo_de) == []
    # the same answer as asking may_act_for team by team
    for user in (inspector_team_3, city_commander, district_officer_long_bien, district_officer_ba_dinh):
        one_by_one = [
            team.pk
            for team in InspectionTeam.objects.order_by("pk")
            if selectors.may_act_for(user, team) and team.pk != ended.pk
        ]
        assert sorted(t.pk for t in selectors.teams_acted_for(user, moment)) == one_by_one
    # before it ended, the ended team was one of them
    assert ended in selectors.teams_acted_for(district_officer_long_bien, hanoi(2021, 9, 9))
    with django_assert_max_num_queries(4):
        teams = selectors.teams_acted_for(inspector_team_3, moment)
        assert all(list(team.area_units.all()) for team in teams)  # the area of work is at hand
    assert at_work in teams


# A business's inspections and violations ---------------------------------------------------------


@pytest.fixture
def closed_factory(team_3: Any, inspector_team_3: Any, approved_factory: Any) -> dict[str, Any]:
    """The factory fined and closed on 11/9 (an individual also fined); a surprise visit planned next,
    and another called off."""
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    services.record_findings(
        by=inspector_team_3, inspection=visit, findings=all_fine(except_=("qr_checkin",))
    )
    fine_and_close(inspector_team_3, visit)
    fine_and_close(
        inspector_team_3,
        visit,
        kind="no_mask_public",
        offender="person",
        offender_name="Nguyễn Văn Công",
        fine_amount=2_000_000,
        measures=["fine"],
        decision_number="26/QĐ-XPHC",
        responsible_person="",
    )
    services.finish_inspection(by=inspector_team_3, inspection=visit)

    def plan() -> Any:
        return services.plan_inspection(
            by=inspector_team_3, team=team_3, target_kind="business", business=approved_factory, surprise=True
        )

    called_off = services.cancel_inspection(by=inspector_team_3, inspection=plan(), reason="Đổi lịch")
    return {"business": approved_factory, "visit": visit, "next": plan(), "called_off": called_off}


def test_inspectors_of_its_unit_read_every_inspection_other_officials_only_the_announced(
    closed_factory: dict[str, Any],
    inspector_team_3: Any,
    district_officer_long_bien: Any,
    ward_officer_bo_de: Any,
    rep: Any,
    health_worker_bo_de: Any,
) -> None:
    business, visit = closed_factory["business"], closed_factory["visit"]
    every = {visit.pk, closed_factory["next"].pk, closed_factory["called_off"].pk}

    def read(user: Any) -> set[int]:
        return {i.pk for i in selectors.inspections_of_business(user, business)}

    assert read(inspector_team_3) == read(district_officer_long_bien) == every
    assert read(ward_officer_bo_de) == {visit.pk}  # a surprise must stay one: no planned or called-off visit
    assert read(rep) == read(health_worker_bo_de) == set()


def test_the_representative_reads_the_violations_without_peoples_names(
    closed_factory: dict[str, Any],
    inspector_team_3: Any,
    ward_officer_bo_de: Any,
    rep: Any,
    health_worker_bo_de: Any,
) -> None:
    business = closed_factory["business"]

    def read(user: Any) -> list[tuple[str, str, str, list[str]]]:
        rows: list[Any] = selectors.violations_of_business(user, business)  # labelled: measure_labels
        return [(v.decision_number, v.offender_name, v.responsible_person, v.measure_labels) for v in rows]

    whole = [
        ("26/QĐ-XPHC", "Nguyễn Văn Công", "", ["Fine"]),
        (
            "25/QĐ-XPHC",
            "Công ty May Bồ Đề",
            "Phạm Văn Giám",
            ["Fine", "Suspension (of the COVID-safety plan)", "Closure until a re-inspection passes"],
        ),
    ]
    assert read(inspector_team_3) == read(ward_officer_bo_de) == whole
    assert read(rep) == [(number, "", "", labels) for number, _name, _person, labels in whole]
    assert read(health_worker_bo_de) == []  # neither an official nor the business's representative


def test_the_business_record_gathers_the_section_of_its_page(
    closed_factory: dict[str, Any], inspector_team_3: Any, ward_officer_bo_de: Any, rep: Any
) -> None:
    business, visit = closed_factory["business"], closed_factory["visit"]
    for_inspector = selectors.business_record(inspector_team_3, business)
    assert for_inspector.official and for_inspector.may_plan
    assert for_inspector.readable == {i.pk for i in for_inspector.inspections}
    closure = for_inspector.closure
    assert closure is not None and closure.violation.decision_number == "25/QĐ-XPHC"
    for_ward = selectors.business_record(ward_officer_bo_de, business)
    assert for_ward.official and not for_ward.may_plan
    assert [i.pk for i in for_ward.inspections] == [visit.pk] and for_ward.readable == set()
    for_rep = selectors.business_record(rep, business)
    assert not for_rep.official and not for_rep.may_plan and for_rep.inspections == []
    assert for_rep.closure is not None and len(for_rep.violations) == 2
