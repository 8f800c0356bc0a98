"""Registering businesses, sector conditions and the COVID-safety plan workflow, through the services."""

from typing import Any

import pytest
from django.http import Http404

from phaodai.business import selectors, services
from phaodai.business.errors import (
    AreaNotInWard,
    BusinessExists,
    ConditionOverlap,
    InvalidTaxCode,
    NotARepresentative,
    NotAWard,
    OutsideDelegation,
    PlanChanged,
    PlanExists,
    PlanNotOpen,
    ReasonRequired,
    SectorForbidden,
    UnknownSector,
)
from phaodai.business.models import Business, PlanEvent, SafetyPlan, SectorCondition
from phaodai.business.tests.conftest import NOON_10_SEPT, at, plan_fields
from phaodai.core.clock import hanoi
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.territory import services as territory_services
from phaodai.zoning import selectors as zoning
from phaodai.zoning import services as zoning_services

pytestmark = pytest.mark.django_db
CLOCK = at(NOON_10_SEPT)


def regime(code: str) -> Any:
    found = zoning.regime_by_code(code)
    assert found is not None
    return found


def actions(object_type: str = "business.safetyplan") -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=object_type).order_by("pk").values_list("action", flat=True)
    )


# Registering businesses -----------------------------------------------------------------------------


def test_a_ward_officer_registers_a_business_with_its_tax_code_normalised(register: Any) -> None:
    business = register(
        tax_code=" 0314409058002 ", name="Chi nhánh  Công ty Bồ Đề", kind="office", sector="office"
    )
    assert business.tax_code == "0314409058-002"
    assert business.name == "Chi nhánh Công ty Bồ Đề"
    assert business.name_key == "chi nhanh cong ty bo de"
    assert business.path == "/01/004/00139/"
    assert actions("business.business") == ["business.register"]


def test_a_second_registration_of_a_tax_code_names_the_business_that_has_it(
    register: Any, factory: Any
) -> None:
    with pytest.raises(BusinessExists) as refused:
        register(tax_code="0100112437", name="Another name")
    assert "Công ty May Bồ Đề" in str(refused.value.detail)
    assert "0100112437" in str(refused.value.detail)
    assert Business.objects.count() == 1


def test_a_branch_is_a_business_of_its_own(register: Any) -> None:
    register(tax_code="0314409058", name="Trụ sở")
    branch = register(tax_code="0314409058-002", name="Chi nhánh")
    assert branch.tax_code == "0314409058-002"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("0100112438", "check digit"),
        ("010011243", "10 digits"),
        ("0100000000", "serial digits cannot all be 0"),
        ("0314409058-000", "branch number 000"),
        ("01001A2437", "only the digits 0–9"),
        ("０１００１１２４３７", "only the digits 0–9"),
    ],
)
def test_a_bad_tax_code_is_refused_with_what_is_wrong(register: Any, code: str, words: str) -> None:
    with pytest.raises(InvalidTaxCode) as refused:
        register(tax_code=code)
    assert words in str(refused.value.detail)
    assert refused.value.field == "tax_code"
    assert not Business.objects.exists()
    assert actions("business.business") == []


def test_the_sector_must_be_in_the_activity_catalogue(register: Any) -> None:
    with pytest.raises(UnknownSector):
        register(sector="casino")
    assert not Business.objects.exists()


def test_a_ward_outside_the_officers_jurisdiction_answers_404_and_is_logged(register: Any, unit: Any) -> None:
    ngoc_lam = unit("00133")
    with pytest.raises(OutOfScope):
        register(unit=ngoc_lam)
    assert not Business.objects.exists()
    denied = AuditEntry.objects.get(action="scope.denied")
    assert (denied.actor_username, denied.unit_path) == ("ward-00139", ngoc_lam.path)


def test_a_business_is_registered_in_a_ward_not_a_district(
    register: Any, district_officer_long_bien: Any, unit: Any
) -> None:
    with pytest.raises(NotAWard):
        register(by=district_officer_long_bien, unit=unit("004"))


def test_the_area_must_be_in_the_businesss_ward(register: Any, ward_officer_ngoc_lam: Any, unit: Any) -> None:
    elsewhere = territory_services.create_area(
        ward=unit("00133"),
        by=ward_officer_ngoc_lam,
        local_code="TDP1",
        name="Tổ dân phố 1",
        kind="to_dan_pho",
    )
    with pytest.raises(AreaNotInWard):
        register(area=elsewhere)


def test_roles_without_the_capability_may_not_register(register: Any, health_worker_bo_de: Any) -> None:
    with pytest.raises(NotPermitted):
        register(by=health_worker_bo_de)


def test_only_a_representative_user_can_represent(
    factory: Any, ward_officer_bo_de: Any, health_worker_bo_de: Any
) -> None:
    with pytest.raises(NotARepresentative):
        services.add_representative(by=ward_officer_bo_de, business=factory, user=health_worker_bo_de)


# Sector conditions --------------------------------------------------------------------------------


def publish(by: Any, **overrides: Any) -> SectorCondition:
    fields = {
        "by": by,
        "sector": "factory",
        "title": "Điều kiện sản xuất an toàn",
        "criteria": "Tối đa 50% lao động tại chỗ; “3 tại chỗ” hoặc “1 cung đường 2 điểm đến”.",
        "requirements": {"onsite_staff_pct": 50, "model": "3_tai_cho", "staff_test_days": 7},
        "plan_required": True,
        "basis": "Văn bản 2703/UBND-KGVX",
        "valid_from": hanoi(2021, 8, 1, 0, 0),
        "clock": CLOCK,
    }
    fields.update(overrides)
    return services.publish_sector_condition(**fields)


def test_a_new_version_of_the_conditions_ends_the_open_ended_one(city_commander: Any) -> None:
    first = publish(city_commander)
    second = publish(
        city_commander, valid_from=hanoi(2021, 9, 15, 6, 0), requirements={"onsite_staff_pct": 30}
    )
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.valid_until == hanoi(2021, 9, 15, 6, 0)
    assert selectors.current_condition("factory", hanoi(2021, 9, 15, 5, 59)) == first
    assert selectors.current_condition("factory", hanoi(2021, 9, 15, 6, 0)) == second
    assert selectors.current_condition("factory", hanoi(2021, 7, 31)) is None


def test_overlapping_versions_are_refused(city_commander: Any) -> None:
    publish(city_commander, valid_from=hanoi(2021, 9, 1), valid_until=hanoi(2021, 10, 1))
    with pytest.raises(ConditionOverlap) as refused:
        publish(city_commander, valid_from=hanoi(2021, 9, 20))
    assert "Version 1" in str(refused.value.detail)
    assert SectorCondition.objects.count() == 1


def test_sector_conditions_are_the_citys_to_publish(district_officer_long_bien: Any) -> None:
    with pytest.raises(NotPermitted):
        publish(district_officer_long_bien)


# Plans --------------------------------------------------------------------------------------------


def statuses(plan: SafetyPlan) -> list[tuple[str, str]]:
    return [(e.from_status, e.to_status) for e in PlanEvent.objects.filter(plan=plan).order_by("pk")]


def test_a_factory_plan_is_returned_resubmitted_and_approved_with_conditions(
    factory: Any, rep: Any, district_officer_long_bien: Any
) -> None:
    plan = services.draft_plan(by=rep, business=factory, clock=CLOCK, **plan_fields())
    assert (plan.status, plan.approving_unit.code) == ("draft", "004")  # 120 people: the district approves
    plan = services.submit_plan(by=rep, plan=plan, version=plan.version, clock=CLOCK)
    assert plan.submitted_at == NOON_10_SEPT
    plan = services.return_plan(
        by=district_officer_long_bien, plan=plan, reason="Thiếu phương án khi có F0.", version=plan.version
    )
    assert (plan.status, plan.reason) == ("returned", "Thiếu phương án khi có F0.")
    plan = services.update_draft(
        by=rep, plan=plan, version=plan.version, **plan_fields(measures="Bổ sung: cách ly ngay khi có F0.")
    )
    plan = services.submit_plan(by=rep, plan=plan, version=plan.version, clock=CLOCK)
    plan = services.approve_plan(
        by=district_officer_long_bien,
        plan=plan,
        conditions="Không quá 120 người tại chỗ; xét nghiệm 7 ngày/lần.",
        valid_from=hanoi(2021, 9, 11, 0, 0),
        valid_until=hanoi(2021, 10, 11, 0, 0),
        version=plan.version,
        clock=CLOCK,
    )
    assert (plan.status, plan.decided_by) == ("approved", district_officer_long_bien)
    assert plan.conditions.startswith("Không quá 120 người")
    assert statuses(plan) == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]
    assert actions() == [
        "business.draft_plan",
        "business.submit_plan",
        "business.return_plan",
        "business.update_plan",
        "business.submit_plan",
        "business.approve_plan",
    ]


def test_a_submission_sent_twice_is_taken_once(factory: Any, rep: Any) -> None:
    plan = services.draft_plan(by=rep, business=factory, clock=CLOCK, **plan_fields())
    first = services.submit_plan(by=rep, plan=plan, version=plan.version, clock=CLOCK)
    again = services.submit_plan(by=rep, plan=plan, version=plan.version, clock=CLOCK)
    assert again.version == first.version
    assert actions().count("business.submit_plan") == 1


@pytest.fixture
def submitted(factory: Any, rep: Any) -> SafetyPlan:
    plan = services.draft_plan(by=rep, business=factory, clock=CLOCK, **plan_fields())
    return services.submit_plan(by=rep, plan=plan, clock=CLOCK)


def approve(by: Any, plan: SafetyPlan, **overrides: Any) -> SafetyPlan:
    fields: dict[str, Any] = {
        "conditions": "",
        "valid_from": hanoi(2021, 9, 11),
        "valid_until": hanoi(2021, 10, 11),
    }
    fields.update(overrides)
    return services.approve_plan(by=by, plan=plan, clock=CLOCK, **fields)


def test_a_rejected_plan_is_final_and_a_new_one_may_be_drafted(
    submitted: SafetyPlan, rep: Any, district_officer_long_bien: Any
) -> None:
    plan = services.reject_plan(by=district_officer_long_bien, plan=submitted, reason="Không đủ điều kiện.")
    assert plan.status == "rejected"
    with pytest.raises(PlanNotOpen):
        approve(district_officer_long_bien, plan)
    again = services.draft_plan(by=rep, business=plan.business, clock=CLOCK, **plan_fields())
    assert again.status == "draft"


def test_returning_or_rejecting_needs_a_reason(
    submitted: SafetyPlan, district_officer_long_bien: Any
) -> None:
    with pytest.raises(ReasonRequired):
        services.return_plan(by=district_officer_long_bien, plan=submitted, reason="  ")
    assert SafetyPlan.objects.get(pk=submitted.pk).status == "submitted"


def test_a_suspended_plan_is_reinstated_or_revoked(
    submitted: SafetyPlan, district_officer_long_bien: Any
) -> None:
    officer = district_officer_long_bien
    plan = approve(officer, submitted)
    plan = services.suspend_plan(
        by=officer, plan=plan, reason="Vi phạm: không khai báo y tế.", version=plan.version
    )
    assert (plan.status, plan.reason) == ("suspended", "Vi phạm: không khai báo y tế.")
    plan = services.reinstate_plan(by=officer, plan=plan, note="Đã khắc phục.", version=plan.version)
    assert (plan.status, plan.reason) == ("approved", "")
    plan = services.revoke_plan(by=officer, plan=plan, reason="Tái phạm.", version=plan.version)
    assert plan.status == "revoked"
    with pytest.raises(PlanNotOpen):
        services.reinstate_plan(by=officer, plan=plan)


def test_of_two_approvals_of_the_same_version_one_wins(
    submitted: SafetyPlan, district_officer_long_bien: Any, city_commander: Any
) -> None:
    version = submitted.version
    winner = approve(district_officer_long_bien, submitted, version=version)
    with pytest.raises(PlanNotOpen):
        approve(city_commander, submitted, version=version)
    assert winner.decided_by == district_officer_long_bien
    assert actions().count("business.approve_plan") == 1


def test_a_stale_version_is_a_conflict(submitted: SafetyPlan, district_officer_long_bien: Any) -> None:
    with pytest.raises(PlanChanged):
        approve(district_officer_long_bien, submitted, version=submitted.version - 1)
    assert SafetyPlan.objects.get(pk=submitted.pk).status == "submitted"


def test_a_ward_officer_may_not_approve_a_district_level_plan(
    submitted: SafetyPlan, ward_officer_bo_de: Any
) -> None:
    with pytest.raises(OutsideDelegation) as refused:
        approve(ward_officer_bo_de, submitted)
    assert isinstance(refused.value, NotPermitted)
    assert refused.value.status == 403
    assert "outside your delegation" in str(refused.value.detail)
    assert SafetyPlan.objects.get(pk=submitted.pk).status == "submitted"


def test_a_ward_approves_a_small_shop_within_its_delegation(
    restaurant: Any, rep: Any, ward_officer_bo_de: Any
) -> None:
    plan = services.draft_plan(
        by=rep, business=restaurant, clock=CLOCK, **plan_fields(mode="takeaway", people_on_site=6)
    )
    plan = services.submit_plan(by=rep, plan=plan, clock=CLOCK)
    assert plan.approving_unit.code == "00139"
    assert approve(ward_officer_bo_de, plan).status == "approved"


def test_another_wards_officer_gets_404_and_the_attempt_is_logged(
    submitted: SafetyPlan, ward_officer_ngoc_lam: Any
) -> None:
    with pytest.raises(OutOfScope):
        approve(ward_officer_ngoc_lam, submitted)
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(submitted.pk)).exists()


def test_one_live_plan_per_business(submitted: SafetyPlan, rep: Any) -> None:
    with pytest.raises(PlanExists):
        services.draft_plan(by=rep, business=submitted.business, clock=CLOCK, **plan_fields())


def test_an_officer_drafts_for_the_business_but_only_its_representative_submits(
    factory: Any, ward_officer_bo_de: Any
) -> None:
    plan = services.draft_plan(by=ward_officer_bo_de, business=factory, clock=CLOCK, **plan_fields())
    with pytest.raises(NotPermitted):
        services.submit_plan(by=ward_officer_bo_de, plan=plan, clock=CLOCK)


def test_a_representative_acts_only_for_their_own_business(
    register: Any, rep: Any, factory: Any, ward_officer_bo_de: Any
) -> None:
    other = register(
        tax_code="0314409058", name="Công ty Xây dựng Long Biên", kind="construction", sector="construction"
    )
    with pytest.raises(OutOfScope):
        services.draft_plan(by=rep, business=other, clock=CLOCK, **plan_fields())
    assert set(selectors.businesses_visible_to(rep)) == set(Business.objects.exclude(pk=other.pk))
    with pytest.raises(Http404):
        selectors.business_for(rep, other.pk)
    assert selectors.business_for(ward_officer_bo_de, other.pk) == other


def test_personal_data_stays_out_of_the_audit_log(factory: Any, rep: Any) -> None:
    services.draft_plan(by=rep, business=factory, clock=CLOCK, **plan_fields())
    assert SafetyPlan.objects.get().responsible_phone == "0912345678"
    # Only digests are stored, and the plan's audit state names neither the person nor the phone.
    from phaodai.business.plans import _audited

    assert _audited({"responsible_phone": "0912345678", "responsible_person": "X", "mode": "normal"}) == {
        "mode": "normal"
    }


def test_a_plan_for_a_forbidden_sector_is_refused_with_the_regime_named(
    restaurant: Any, rep: Any, city_commander: Any, unit: Any
) -> None:
    # given the whole city under 17/CT-UBND from 06:00 24/7/2021: takeaway food not allowed
    zoning_services.place_units_under_regime(
        by=city_commander,
        issuer=unit("01"),
        units=[unit("01")],
        regime=regime("CT17-HN"),
        number="17/CT-UBND",
        signatory="Chủ tịch UBND thành phố Hà Nội",
        title="Chỉ thị 17/CT-UBND",
        effective_at=hanoi(2021, 7, 24, 6, 0),
        clock=at(hanoi(2021, 7, 23, 18, 0)),
    )
    plan = services.draft_plan(
        by=rep, business=restaurant, clock=CLOCK, **plan_fields(mode="takeaway", people_on_site=6)
    )
    with pytest.raises(SectorForbidden) as refused:
        services.submit_plan(by=rep, plan=plan, clock=CLOCK)
    message = str(refused.value.detail)
    assert "Directive 17 (Hà Nội)" in message
    assert "since 06:00 24/07/2021" in message
    assert "17/CT-UBND" in message
    assert "not allowed" in message
    # nothing half-written
    assert SafetyPlan.objects.get(pk=plan.pk).status == "draft"
    assert actions() == ["business.draft_plan"]
