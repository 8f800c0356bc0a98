"""Inspections through the services, end to end with the business core (S31)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.business import selectors as business_selectors
from phaodai.business.models import SafetyPlan
from phaodai.business.tests.conftest import at
from phaodai.core.clock import hanoi
from phaodai.core.errors import Duplicate, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.inspections import selectors, services
from phaodai.inspections.errors import (
    AreaOutsideHomeUnit,
    ChecklistIncomplete,
    FineOutsideBand,
    InspectionChanged,
    InspectionNotOpen,
    InvalidFollowUp,
    InvalidTarget,
    MeasureNotAllowed,
    NotOnTeam,
    OutsideAreaOfWork,
    UnknownItem,
    UnsupportedPhoto,
)
from phaodai.inspections.models import Closure, Finding, Inspection, Violation

pytestmark = pytest.mark.django_db

ARRIVAL = hanoi(2021, 9, 11, 9, 0)
BUSINESS_ITEMS = [
    "plan_approved",
    "onsite_within_plan",
    "qr_checkin",
    "masks_distancing",
    "disinfection",
    "staff_testing",
    "responsible_person",
]


def actions(prefix: str = "") -> list[str]:
    return [
        a for a in AuditEntry.objects.order_by("pk").values_list("action", flat=True) if a.startswith(prefix)
    ]


def all_fine(*, except_: tuple[str, ...] = ()) -> list[services.FindingInput]:
    return [services.FindingInput(code, code not in except_) for code in BUSINESS_ITEMS]


def surprise_visit(team: Any, inspector: Any, business: Any, moment: Any = ARRIVAL) -> Inspection:
    inspection = services.plan_inspection(
        by=inspector, team=team, target_kind="business", business=business, surprise=True, clock=at(moment)
    )
    return services.start_inspection(by=inspector, inspection=inspection, clock=at(moment))


def fine_and_close(inspector: Any, inspection: Inspection, **overrides: Any) -> Violation:
    fields: dict[str, Any] = {
        "by": inspector,
        "inspection": inspection,
        "kind": "business_measures_not_applied",
        "offender": "organisation",
        "offender_name": "Công ty May Bồ Đề",
        "fine_amount": 15_000_000,
        "measures": ["fine", "closure"],
        "decision_number": "25/QĐ-XPHC",
        "responsible_person": "Phạm Văn Giám",
        "clock": at(hanoi(2021, 9, 11, 10, 0)),
    }
    fields.update(overrides)
    return services.record_violation(**fields)


# Acceptance: a surprise inspection finds a violation, fines it, suspends the plan; a re-inspection reopens.


def test_a_surprise_inspection_fines_closes_and_a_passing_reinspection_reopens(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    business = approved_factory
    assert business_selectors.may_operate(business, hanoi(2021, 9, 11, 8)).may_operate is True

    # the team arrives unannounced and finds no QR check-in and too many people on site
    visit = surprise_visit(team_3, inspector_team_3, business)
    assert (visit.surprise, visit.status, visit.started_at) == (True, "in_progress", ARRIVAL)
    services.record_findings(
        by=inspector_team_3,
        inspection=visit,
        findings=all_fine(except_=("qr_checkin", "onsite_within_plan")),
        clock=at(hanoi(2021, 9, 11, 9, 40)),
    )
    violation = fine_and_close(inspector_team_3, visit)
    visit = services.finish_inspection(
        by=inspector_team_3,
        inspection=visit,
        summary="Vi phạm, lập biên bản.",
        clock=at(hanoi(2021, 9, 11, 10, 30)),
    )

    # the fine is recorded, the plan suspended, the business closed; it may not operate
    assert (violation.fine_amount, violation.measures) == (15_000_000, ["fine", "suspension", "closure"])
    assert violation.reinspect_by == hanoi(2021, 9, 18, 10, 0)
    plan = SafetyPlan.objects.get(business=business)
    assert (plan.status, violation.suspended_plan_id) == ("suspended", plan.pk)
    assert "25/QĐ-XPHC" in plan.reason
    assert selectors.is_closed(business)
    assert (visit.status, visit.result) == ("done", "fail")
    assert business_selectors.may_operate(business, hanoi(2021, 9, 12, 9)).may_operate is False

    # a re-inspection three days later finds everything in order
    again = services.plan_reinspection(
        by=inspector_team_3,
        team=team_3,
        of=visit,
        scheduled_at=hanoi(2021, 9, 14, 9),
        clock=at(hanoi(2021, 9, 13)),
    )
    assert (again.follow_up_of_id, again.business_id, again.surprise) == (visit.pk, business.pk, False)
    again = services.start_inspection(by=inspector_team_3, inspection=again, clock=at(hanoi(2021, 9, 14, 9)))
    services.record_findings(
        by=inspector_team_3, inspection=again, findings=all_fine(), clock=at(hanoi(2021, 9, 14, 9, 30))
    )
    again = services.finish_inspection(
        by=inspector_team_3, inspection=again, clock=at(hanoi(2021, 9, 14, 10))
    )

    # so the business reopens: closure lifted, plan back in force
    assert again.result == "pass"
    closure = Closure.objects.get(business=business.pk)
    assert (closure.lifted_at, closure.lifted_by_id) == (hanoi(2021, 9, 14, 10), again.pk)
    plan.refresh_from_db()
    assert (plan.status, plan.valid_until) == ("approved", hanoi(2021, 10, 10))
    assert business_selectors.may_operate(business, hanoi(2021, 9, 14, 11)).may_operate is True
    assert actions("inspections.") == [
        "inspections.create_team",
        "inspections.plan",
        "inspections.start",
        "inspections.record_findings",
        "inspections.record_violation",
        "inspections.finish",
        "inspections.plan",
        "inspections.start",
        "inspections.record_findings",
        "inspections.finish",
    ]
    assert "business.suspend_plan_for_violation" in actions("business.")
    assert "business.reinstate_plan_after_reinspection" in actions("business.")


def test_a_failing_reinspection_keeps_the_business_closed_and_a_plain_pass_does_not_reopen(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    services.record_findings(
        by=inspector_team_3, inspection=visit, findings=all_fine(except_=("qr_checkin",))
    )
    fine_and_close(inspector_team_3, visit)
    visit = services.finish_inspection(
        by=inspector_team_3, inspection=visit, clock=at(hanoi(2021, 9, 11, 11))
    )
    failing = services.plan_reinspection(
        by=inspector_team_3, team=team_3, of=visit, clock=at(hanoi(2021, 9, 13))
    )
    failing = services.start_inspection(by=inspector_team_3, inspection=failing, clock=at(hanoi(2021, 9, 13)))
    services.record_findings(
        by=inspector_team_3, inspection=failing, findings=all_fine(except_=("qr_checkin",))
    )
    services.finish_inspection(by=inspector_team_3, inspection=failing, clock=at(hanoi(2021, 9, 13, 1)))
    # an ordinary (not follow-up) inspection that passes does not reopen it either
    plain = surprise_visit(team_3, inspector_team_3, approved_factory, hanoi(2021, 9, 14))
    services.record_findings(by=inspector_team_3, inspection=plain, findings=all_fine())
    plain = services.finish_inspection(by=inspector_team_3, inspection=plain, clock=at(hanoi(2021, 9, 14, 1)))
    assert plain.result == "pass"
    assert selectors.is_closed(approved_factory)
    assert SafetyPlan.objects.get(business=approved_factory).status == "suspended"


def test_only_a_failed_finished_inspection_is_reinspected(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    with pytest.raises(InvalidFollowUp):
        services.plan_reinspection(by=inspector_team_3, team=team_3, of=visit)


# Bad input: clear errors, nothing half-written.


def test_a_fine_outside_the_band_is_refused_naming_the_band(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    before = AuditEntry.objects.count()
    with pytest.raises(FineOutsideBand) as refused:
        fine_and_close(inspector_team_3, visit, fine_amount=25_000_000)
    message = str(refused.value.detail)
    assert "10.000.000 đ" in message and "20.000.000 đ" in message and "25.000.000 đ" in message
    assert "Nghị định 117/2020/NĐ-CP" in message and "an organisation" in message
    assert refused.value.field == "fine_amount"
    with pytest.raises(FineOutsideBand, match=r"1\.000\.000 đ and 3\.000\.000 đ for an individual"):
        fine_and_close(
            inspector_team_3,
            visit,
            kind="no_mask_public",
            offender="person",
            fine_amount=500_000,
            measures=["fine"],
        )
    assert not Violation.objects.exists()
    assert SafetyPlan.objects.get(business=approved_factory).status == "approved"
    assert not Closure.objects.exists()
    assert AuditEntry.objects.count() == before


def test_measures_the_kind_does_not_allow_are_refused(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    with pytest.raises(MeasureNotAllowed, match="Closure is not allowed"):
        fine_and_close(
            inspector_team_3,
            visit,
            kind="no_mask_public",
            offender="person",
            fine_amount=2_000_000,
            measures=["fine", "closure"],
        )
    with pytest.raises(MeasureNotAllowed, match="exactly one"):
        fine_and_close(inspector_team_3, visit, measures=["closure"])
    assert not Violation.objects.exists()


def test_an_inspection_by_a_team_outside_its_area_is_refused(
    team_3: Any, inspector_team_3: Any, unit: Callable[[str], Any]
) -> None:
    with pytest.raises(OutsideAreaOfWork) as refused:
        services.plan_inspection(
            by=inspector_team_3, team=team_3, target_kind="market", unit=unit("00001"), label="Chợ Châu Long"
        )
    assert "Chợ Châu Long" in str(refused.value.detail) and "Tổ công tác số 3" in str(refused.value.detail)
    assert "1103-QĐ/TU" in str(refused.value.detail)
    assert not Inspection.objects.exists()


def test_only_members_or_inspectors_of_the_home_unit_act_for_a_team(
    team_3: Any,
    district_officer_ba_dinh: Any,
    health_worker_bo_de: Any,
    city_commander: Any,
    unit: Callable[[str], Any],
) -> None:
    market = {"team": team_3, "target_kind": "market", "unit": unit("00139"), "label": "Chợ Bồ Đề"}
    with pytest.raises(NotOnTeam):
        services.plan_inspection(by=district_officer_ba_dinh, **market)
    with pytest.raises(NotPermitted):
        services.plan_inspection(by=health_worker_bo_de, **market)
    # the city commander has INSPECT over the city, the team's home unit
    planned = services.plan_inspection(by=city_commander, **market)
    assert (planned.target_label, planned.path) == ("Chợ Bồ Đề", unit("00139").path)


def test_a_place_is_named_and_a_residential_area_chosen(
    team_3: Any, inspector_team_3: Any, unit: Callable[[str], Any]
) -> None:
    with pytest.raises(InvalidTarget):
        services.plan_inspection(by=inspector_team_3, team=team_3, target_kind="market", unit=unit("00139"))
    with pytest.raises(InvalidTarget):
        services.plan_inspection(
            by=inspector_team_3, team=team_3, target_kind="residential_area", unit=unit("00139")
        )
    with pytest.raises(InvalidTarget):
        services.plan_inspection(by=inspector_team_3, team=team_3, target_kind="business")


def test_unknown_items_and_fake_photos_are_refused_and_a_real_photo_is_kept(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    with pytest.raises(UnknownItem, match="market_pass"):
        services.record_findings(
            by=inspector_team_3, inspection=visit, findings=[services.FindingInput("market_pass", True)]
        )
    fake = SimpleUploadedFile("qr.jpg", b"not a picture at all")
    with pytest.raises(UnsupportedPhoto):
        services.record_findings(
            by=inspector_team_3,
            inspection=visit,
            findings=[services.FindingInput("qr_checkin", False, photo=fake)],
        )
    assert not Finding.objects.exists()
    photo = SimpleUploadedFile("qr.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    [finding] = services.record_findings(
        by=inspector_team_3,
        inspection=visit,
        findings=[services.FindingInput("qr_checkin", False, note="Không có mã QR ở cổng.", photo=photo)],
    )
    assert finding.photo.name.startswith("inspections/findings/") and finding.photo.name.endswith(".png")
    # the same item again corrects it rather than adding a second finding
    services.record_findings(
        by=inspector_team_3, inspection=visit, findings=[services.FindingInput("qr_checkin", True)]
    )
    assert list(Finding.objects.values_list("item_code", "ok")) == [("qr_checkin", True)]


def test_finishing_needs_every_checklist_item_and_writes_nothing_otherwise(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    services.record_findings(by=inspector_team_3, inspection=visit, findings=all_fine()[:5])
    with pytest.raises(ChecklistIncomplete, match="staff_testing, responsible_person"):
        services.finish_inspection(by=inspector_team_3, inspection=visit)
    visit.refresh_from_db()
    assert (visit.status, visit.finished_at, visit.result) == ("in_progress", None, "")


def test_the_same_decision_sent_twice_is_recorded_once(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    first = fine_and_close(inspector_team_3, visit)
    again = fine_and_close(inspector_team_3, visit)
    assert again.pk == first.pk
    with pytest.raises(Duplicate):
        fine_and_close(inspector_team_3, visit, fine_amount=12_000_000)
    assert Violation.objects.count() == 1
    assert actions().count("inspections.record_violation") == 1


# Compare-and-set: one winner.


def test_of_two_starts_of_the_same_version_one_wins(
    team_3: Any, inspector_team_3: Any, city_commander: Any, approved_factory: Any
) -> None:
    planned = services.plan_inspection(
        by=inspector_team_3, team=team_3, target_kind="business", business=approved_factory, clock=at(ARRIVAL)
    )
    seen = planned.version
    services.start_inspection(by=inspector_team_3, inspection=planned, version=seen, clock=at(ARRIVAL))
    with pytest.raises(InspectionNotOpen):
        services.start_inspection(by=city_commander, inspection=planned, version=seen, clock=at(ARRIVAL))
    assert actions().count("inspections.start") == 1


def test_a_stale_version_is_a_conflict_and_nothing_is_recorded_after_finishing(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    stale = visit.version
    services.record_findings(by=inspector_team_3, inspection=visit, findings=all_fine())
    with pytest.raises(InspectionChanged):
        services.finish_inspection(by=inspector_team_3, inspection=visit, version=stale)
    services.finish_inspection(by=inspector_team_3, inspection=visit)
    with pytest.raises(InspectionNotOpen):
        fine_and_close(inspector_team_3, visit)
    with pytest.raises(InspectionNotOpen):
        services.record_findings(by=inspector_team_3, inspection=visit, findings=all_fine())
    assert not Violation.objects.exists()
    assert SafetyPlan.objects.get(business=approved_factory).status == "approved"


def test_a_planned_inspection_is_cancelled_with_a_reason(
    team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    planned = services.plan_inspection(
        by=inspector_team_3, team=team_3, target_kind="business", business=approved_factory
    )
    cancelled = services.cancel_inspection(by=inspector_team_3, inspection=planned, reason="Đoàn đổi lịch.")
    assert (cancelled.status, cancelled.summary) == ("cancelled", "Đoàn đổi lịch.")
    with pytest.raises(InspectionNotOpen):
        services.start_inspection(by=inspector_team_3, inspection=planned)


# Teams.


def test_a_district_sets_up_an_interdisciplinary_team_within_the_district(
    district_officer_long_bien: Any, unit: Callable[[str], Any]
) -> None:
    team = services.create_team(
        by=district_officer_long_bien,
        name="Đoàn liên ngành số 2",
        level="interdisciplinary",
        decision_number="679-QĐ/QU",
        decision_date=hanoi(2021, 9, 5).date(),
        home_unit=unit("004"),
        area_units=[unit("00139"), unit("00133")],
        members=[services.MemberSpec("Đỗ Văn Nam", "Công an quận", "leader")],
        active_from=hanoi(2021, 9, 5),
    )
    assert sorted(u.code for u in team.area_units.all()) == ["00133", "00139"]
    assert [m.name for m in selectors.members_of(team)] == ["Đỗ Văn Nam"]
    with pytest.raises(AreaOutsideHomeUnit, match="Phúc Xá"):
        services.create_team(
            by=district_officer_long_bien,
            name="Đoàn liên ngành số 3",
            level="district",
            decision_number="679-QĐ/QU",
            decision_date=hanoi(2021, 9, 5).date(),
            home_unit=unit("004"),
            area_units=[unit("00001")],
            active_from=hanoi(2021, 9, 5),
        )
    with pytest.raises(Duplicate):
        services.create_team(
            by=district_officer_long_bien,
            name="Đoàn liên ngành số 2",
            level="interdisciplinary",
            decision_number="679-QĐ/QU",
            decision_date=hanoi(2021, 9, 5).date(),
            home_unit=unit("004"),
            area_units=[unit("00139")],
            active_from=hanoi(2021, 9, 5),
        )


def test_teams_are_set_up_by_districts_and_the_city_within_their_units(
    district_officer_long_bien: Any,
    ward_officer_bo_de: Any,
    inspector_team_3: Any,
    unit: Callable[[str], Any],
) -> None:
    fields = {
        "name": "Tổ công tác số 1",
        "level": "city",
        "decision_number": "1103-QĐ/TU",
        "decision_date": hanoi(2021, 9, 1).date(),
        "home_unit": unit("01"),
        "area_units": [unit("004")],
        "active_from": hanoi(2021, 9, 1),
    }
    with pytest.raises(OutOfScope):
        services.create_team(by=district_officer_long_bien, **fields)
    with pytest.raises(NotPermitted):
        services.create_team(by=ward_officer_bo_de, **fields)
    with pytest.raises(NotPermitted):
        services.create_team(by=inspector_team_3, **fields)
