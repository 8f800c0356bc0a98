"""Who sees which teams and inspections, overdue re-inspections, and accountability against a hand count."""

from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404

from phaodai.business.tests.conftest import at
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.inspections import rules, selectors, services
from phaodai.inspections.models import Inspection, InspectionTeam, Violation

pytestmark = pytest.mark.django_db

SEPTEMBER = (hanoi(2021, 9, 1), hanoi(2021, 10, 1))
ITEMS = {
    "business": [
        "plan_approved",
        "onsite_within_plan",
        "qr_checkin",
        "masks_distancing",
        "disinfection",
        "staff_testing",
        "responsible_person",
    ],
    "market": ["market_pass", "masks_distancing", "qr_checkin", "goods_prices", "disinfection"],
}


@pytest.fixture
def ba_dinh_team(district_officer_ba_dinh: Any, unit: Callable[[str], Any]) -> InspectionTeam:
    return services.create_team(
        by=district_officer_ba_dinh,
        name="Đoàn kiểm tra quận Ba Đình",
        level="district",
        decision_number="215/QĐ-UBND",
        decision_date=hanoi(2021, 9, 2).date(),
        home_unit=unit("001"),
        area_units=[unit("001")],
        active_from=hanoi(2021, 9, 2),
    )


def visit(by: Any, team: Any, day: int, *, ok: bool = True, **target: Any) -> Inspection:
    """An inspection on `day` September at 09:00, started, with every checklist item recorded."""
    moment = hanoi(2021, 9, day, 9)
    planned = services.plan_inspection(by=by, team=team, surprise=True, clock=at(moment), **target)
    started = services.start_inspection(by=by, inspection=planned, clock=at(moment))
    kind = target["target_kind"]
    findings = [services.FindingInput(code, ok or i > 0) for i, code in enumerate(ITEMS[kind])]
    services.record_findings(by=by, inspection=started, findings=findings, clock=at(moment))
    return started


def started_at(inspection: Inspection) -> Any:
    assert inspection.started_at is not None
    return inspection.started_at


def violate(by: Any, inspection: Inspection, number: str, **fields: Any) -> Violation:
    values: dict[str, Any] = {
        "kind": "no_mask_public",
        "offender": "person",
        "offender_name": "Người vi phạm",
        "fine_amount": 2_000_000,
        "measures": ["fine"],
        "responsible_person": "",
    }
    values.update(fields)
    return services.record_violation(
        by=by, inspection=inspection, decision_number=number, clock=at(started_at(inspection)), **values
    )


def finish(by: Any, inspection: Inspection) -> Inspection:
    return services.finish_inspection(
        by=by, inspection=inspection, clock=at(started_at(inspection).replace(hour=11))
    )


@pytest.fixture
def september(
    team_3: Any,
    inspector_team_3: Any,
    approved_factory: Any,
    ba_dinh_team: Any,
    district_officer_ba_dinh: Any,
    unit: Callable[[str], Any],
) -> dict[str, Any]:
    """Long Biên: the factory fined twice on 11/9 and closed; Bồ Đề market fined on 12/9; Ngọc Lâm market
    passes on 13/9. Ba Đình: Châu Long market fined on 12/9 (another district, another team)."""
    inspector = inspector_team_3
    factory_visit = visit(inspector, team_3, 11, ok=False, target_kind="business", business=approved_factory)
    closing = violate(
        inspector,
        factory_visit,
        "25/QĐ-XPHC",
        kind="business_measures_not_applied",
        offender="organisation",
        offender_name="Công ty May Bồ Đề",
        fine_amount=15_000_000,
        measures=["fine", "closure"],
        responsible_person="Phạm Văn Giám",
    )
    violate(inspector, factory_visit, "26/QĐ-XPHC", responsible_person="Phạm Văn Giám")
    finish(inspector, factory_visit)
    bo_de_market = visit(inspector, team_3, 12, target_kind="market", unit=unit("00139"), label="Chợ Bồ Đề")
    violate(
        inspector, bo_de_market, "27/QĐ-XPHC", fine_amount=1_000_000, responsible_person="Ban quản lý chợ"
    )
    finish(inspector, bo_de_market)
    finish(
        inspector,
        visit(inspector, team_3, 13, target_kind="market", unit=unit("00133"), label="Chợ Ngọc Lâm"),
    )
    chau_long = visit(
        district_officer_ba_dinh,
        ba_dinh_team,
        12,
        target_kind="market",
        unit=unit("00001"),
        label="Chợ Châu Long",
    )
    violate(district_officer_ba_dinh, chau_long, "3/QĐ-XPHC", fine_amount=3_000_000)
    finish(district_officer_ba_dinh, chau_long)
    return {"closing": closing, "factory_visit": factory_visit, "chau_long": chau_long}


def test_accountability_matches_a_hand_count(
    september: dict[str, Any], unit: Callable[[str], Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        long_bien = selectors.accountability(unit("004"), *SEPTEMBER)
    # 3 inspections done in Long Biên (2 failed); 3 violations: 15 M + 2 M + 1 M
    assert (long_bien.inspections_done, long_bien.passed, long_bien.failed) == (3, 1, 2)
    assert long_bien.violations == 3
    assert long_bien.by_kind == {
        "business_measures_not_applied": rules.KindTotal(1, 15_000_000),
        "no_mask_public": rules.KindTotal(2, 3_000_000),
    }
    assert long_bien.fines_total == 18_000_000
    assert (long_bien.closures, long_bien.still_closed) == (1, 1)
    # the factory should have been re-inspected by 18/9 and was not
    assert long_bien.overdue == (september["closing"].pk,)
    [factory] = long_bien.repeat_offenders
    assert (factory.label, factory.violations, factory.responsible_persons) == (
        "Công ty May Bồ Đề",
        2,
        ("Phạm Văn Giám",),
    )
    assert long_bien.repeat_units == {"00139": 3}
    # Ngọc Lâm alone: one passing inspection, nothing else
    ngoc_lam = selectors.accountability(unit("00133"), *SEPTEMBER)
    assert (ngoc_lam.inspections_done, ngoc_lam.violations, ngoc_lam.fines_total, ngoc_lam.overdue) == (
        1,
        0,
        0,
        (),
    )
    # the city sees both districts
    city = selectors.accountability(unit("01"), *SEPTEMBER)
    assert (city.inspections_done, city.violations, city.fines_total) == (4, 4, 21_000_000)
    # before the deadline, nothing is overdue yet
    assert selectors.accountability(unit("004"), hanoi(2021, 9, 1), hanoi(2021, 9, 15)).overdue == ()


def test_a_reinspection_clears_the_overdue_list(
    september: dict[str, Any], team_3: Any, inspector_team_3: Any, district_officer_long_bien: Any
) -> None:
    overdue = selectors.overdue_reinspections(district_officer_long_bien, clock=at(hanoi(2021, 9, 20)))
    assert [v.pk for v in overdue] == [september["closing"].pk]
    again = services.plan_reinspection(
        by=inspector_team_3, team=team_3, of=september["factory_visit"], clock=at(hanoi(2021, 9, 21))
    )
    again = services.start_inspection(by=inspector_team_3, inspection=again, clock=at(hanoi(2021, 9, 21)))
    services.record_findings(
        by=inspector_team_3,
        inspection=again,
        findings=[services.FindingInput(c, True) for c in ITEMS["business"]],
    )
    services.finish_inspection(by=inspector_team_3, inspection=again, clock=at(hanoi(2021, 9, 21, 10)))
    assert selectors.overdue_reinspections(district_officer_long_bien, clock=at(hanoi(2021, 9, 22))) == []
    # late all the same: on 20/9 it was overdue
    figures = selectors.accountability(
        september["closing"].inspection.unit, hanoi(2021, 9, 1), hanoi(2021, 9, 20)
    )
    assert figures.overdue == (september["closing"].pk,)


def test_teams_are_seen_by_their_members_and_the_units_they_work_in(
    team_3: Any,
    ba_dinh_team: Any,
    inspector_team_3: Any,
    district_officer_long_bien: Any,
    district_officer_ba_dinh: Any,
    city_commander: Any,
    ward_officer_bo_de: Any,
) -> None:
    def names(user: Any) -> list[str]:
        return sorted(t.name for t in selectors.teams_visible_to(user))

    assert names(inspector_team_3) == ["Tổ công tác số 3"]
    assert names(district_officer_long_bien) == ["Tổ công tác số 3"]
    assert names(district_officer_ba_dinh) == ["Đoàn kiểm tra quận Ba Đình"]
    assert names(city_commander) == ["Tổ công tác số 3", "Đoàn kiểm tra quận Ba Đình"]
    assert names(ward_officer_bo_de) == []
    with pytest.raises(Http404):
        selectors.team_for(district_officer_ba_dinh, team_3.pk)


def test_inspections_are_read_within_ones_units_and_another_districts_answer_404(
    september: dict[str, Any],
    district_officer_long_bien: Any,
    district_officer_ba_dinh: Any,
    inspector_team_3: Any,
) -> None:
    labels = sorted(i.target_label for i in selectors.inspections_for(district_officer_long_bien))
    assert labels == ["Chợ Bồ Đề", "Chợ Ngọc Lâm", "Công ty May Bồ Đề"]
    assert [i.target_label for i in selectors.inspections_for(district_officer_ba_dinh)] == ["Chợ Châu Long"]
    assert len(selectors.inspections_for(inspector_team_3)) == 3
    chau_long = september["chau_long"]
    with pytest.raises(Http404):
        selectors.inspection_for(district_officer_long_bien, chau_long.pk)
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(chau_long.pk)).exists()
    assert selectors.inspection_for(district_officer_ba_dinh, chau_long.pk) == chau_long
