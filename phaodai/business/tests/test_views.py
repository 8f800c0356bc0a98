"""The business pages: the officials' register, registration, a business, plans and their decisions."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from phaodai.business import services
from phaodai.business.models import Business, SafetyPlan
from phaodai.business.tests.conftest import NOON_10_SEPT, at, plan_fields
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db


def form_of(**overrides: Any) -> dict[str, Any]:
    fields = {
        "tax_code": "0100109106",
        "name": "Quán Cơm Bồ Đề",
        "kind": "restaurant",
        "sector": "takeaway_food",
        "address": "Số 5 phố Bồ Đề",
        "unit": "00139",
        "area": "",
        "workforce": "8",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def draft(rep: Any, factory: Any) -> Any:
    """The factory's plan, drafted by its representative (120 people on site: the district decides)."""
    return services.draft_plan(by=rep, business=factory, **plan_fields())


@pytest.fixture
def submitted(rep: Any, draft: Any) -> Any:
    return services.submit_plan(by=rep, plan=draft, version=draft.version)


# The register ----------------------------------------------------------------------------------------


def test_an_officer_finds_a_business_by_its_name_without_diacritics_or_by_tax_code(
    client: Any, ward_officer_bo_de: Any, factory: Any, restaurant: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    by_name = client.get("/business/?q=cong ty may")
    by_code = client.get("/business/?q=0100109106")
    assert by_name.status_code == by_code.status_code == 200
    assert [b.name for b in by_name.context["rows"]] == ["Công ty May Bồ Đề"]
    assert [b.name for b in by_code.context["rows"]] == ["Quán Phở Bồ Đề"]


def test_an_officer_of_another_ward_does_not_see_bo_de_businesses(
    client: Any, ward_officer_phuc_xa: Any, factory: Any
) -> None:
    client.force_login(ward_officer_phuc_xa)
    assert client.get("/business/").context["rows"] == []
    assert client.get(f"/business/{factory.pk}/").status_code == 404


def test_the_register_reads_a_bounded_number_of_queries(
    client: Any, district_officer_long_bien: Any, register: Any, django_assert_max_num_queries: Any
) -> None:
    for number, code in enumerate(["0100112437", "0100109106", "0314409058"]):
        register(tax_code=code, name=f"Công ty {number}")
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(10):
        response = client.get("/business/")
    assert len(response.context["rows"]) == 3


def test_a_health_worker_has_no_business_register(client: Any, health_worker_bo_de: Any) -> None:
    client.force_login(health_worker_bo_de)
    assert client.get("/business/").status_code == 403


# Registering -----------------------------------------------------------------------------------------


def test_a_wrong_check_digit_is_explained_beside_the_tax_code(client: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post("/business/add/", form_of(tax_code="0100109107"))
    assert response.status_code == 422
    assert "check digit" in " ".join(response.context["form"].errors["tax_code"])
    assert 'id="id_tax_code-errors"' in response.content.decode()
    assert not Business.objects.exists()


def test_a_ward_officer_registers_a_business_and_reads_it(client: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post("/business/add/", form_of(), follow=True)
    business = Business.objects.get()
    assert response.redirect_chain[-1][0] == f"/business/{business.pk}/"
    page = response.content.decode()
    assert "Quán Cơm Bồ Đề" in page and 'id="verdict"' in page


def test_a_ward_officer_may_only_choose_wards_of_their_jurisdiction(
    client: Any, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post("/business/add/", form_of(unit="00001"))
    assert response.status_code == 422
    assert "unit" in response.context["form"].errors
    assert not Business.objects.exists()


def test_a_duplicate_tax_code_names_the_business_that_holds_it(
    client: Any, ward_officer_bo_de: Any, restaurant: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post("/business/add/", form_of(name="Another"))
    assert response.status_code == 422
    assert "Quán Phở Bồ Đề" in " ".join(response.context["form"].errors["tax_code"])


def test_an_officer_links_a_representative_by_user_name(
    client: Any, ward_officer_bo_de: Any, business_rep_bo_de: Any, factory: Any, health_worker_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    refused = client.post(
        f"/business/{factory.pk}/representatives/", {"username": health_worker_bo_de.username}
    )
    assert refused.status_code == 422
    linked = client.post(
        f"/business/{factory.pk}/representatives/", {"username": business_rep_bo_de.username}
    )
    assert linked.status_code == 302
    assert business_rep_bo_de.username in client.get(f"/business/{factory.pk}/").content.decode()


# Representatives ---------------------------------------------------------------------------------------


def test_a_representative_lands_on_their_businesses_and_sees_only_those(
    client: Any, rep: Any, register: Any
) -> None:
    other = register(tax_code="0314409058", name="Công ty Khác")
    client.force_login(rep)
    assert client.get("/").headers["Location"] == "/business/mine/"
    assert client.get("/business/").headers["Location"] == "/business/mine/"
    mine = client.get("/business/mine/")
    assert [b.name for b, _answer in mine.context["rows"]] == ["Công ty May Bồ Đề", "Quán Phở Bồ Đề"]
    assert mine.text.count('href="/permits/organisations/"') == 1  # staff travel permits, said once
    assert client.get(f"/business/{other.pk}/").status_code == 404


# Plans: the business's side ------------------------------------------------------------------------


def test_a_representative_drafts_then_submits_the_plan_to_the_district(
    client: Any, rep: Any, factory: Any
) -> None:
    client.force_login(rep)
    fields = {**plan_fields(), "version": ""}
    response = client.post(f"/business/{factory.pk}/plans/add/", fields)
    plan = SafetyPlan.objects.get()
    assert response.headers["Location"] == f"/business/plans/{plan.pk}/"
    submitted = client.post(f"/business/plans/{plan.pk}/submit/", {"version": plan.version})
    assert submitted.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.approving_unit.code) == ("submitted", "004")


def test_a_plan_with_no_measures_is_refused_beside_the_field(client: Any, rep: Any, factory: Any) -> None:
    client.force_login(rep)
    response = client.post(f"/business/{factory.pk}/plans/add/", {**plan_fields(), "measures": ""})
    assert response.status_code == 422
    assert "measures" in response.context["form"].errors
    assert not SafetyPlan.objects.exists()


def test_an_officer_drafts_on_the_business_s_behalf_but_does_not_submit(
    client: Any, ward_officer_bo_de: Any, factory: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    client.post(f"/business/{factory.pk}/plans/add/", plan_fields())
    plan = SafetyPlan.objects.get()
    page = client.get(f"/business/plans/{plan.pk}/")
    assert page.context["can_edit"] and not page.context["can_submit"]
    assert client.post(f"/business/plans/{plan.pk}/submit/", {"version": plan.version}).status_code == 403


def test_a_returned_plan_is_edited_and_resubmitted(
    client: Any, rep: Any, district_officer_long_bien: Any, submitted: Any
) -> None:
    services.return_plan(
        by=district_officer_long_bien,
        plan=submitted,
        reason="Bổ sung phương án ăn ca",
        version=submitted.version,
    )
    client.force_login(rep)
    plan = SafetyPlan.objects.get()
    edit = client.get(f"/business/plans/{plan.pk}/edit/")
    assert "Bổ sung phương án ăn ca" in edit.content.decode()
    changed = {**plan_fields(people_on_site=100), "version": plan.version}
    assert client.post(f"/business/plans/{plan.pk}/edit/", changed).status_code == 302
    plan.refresh_from_db()
    assert client.post(f"/business/plans/{plan.pk}/submit/", {"version": plan.version}).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.people_on_site) == ("submitted", 100)


# Plans: the approving desk ---------------------------------------------------------------------------


def test_the_desk_lists_plans_awaiting_the_unit_overdue_first(
    client: Any,
    rep: Any,
    district_officer_long_bien: Any,
    factory: Any,
    register: Any,
    ward_officer_bo_de: Any,
) -> None:
    later = register(tax_code="0314409058", name="Xưởng In Bồ Đề")
    services.add_representative(by=ward_officer_bo_de, business=later, user=rep)
    old = services.draft_plan(by=rep, business=factory, **plan_fields())
    services.submit_plan(by=rep, plan=old, version=old.version, clock=at(NOON_10_SEPT))
    new = services.draft_plan(by=rep, business=later, **plan_fields())
    services.submit_plan(by=rep, plan=new, version=new.version, clock=at(NOON_10_SEPT + timedelta(days=3)))
    client.force_login(district_officer_long_bien)
    with time_machine.travel(NOON_10_SEPT + timedelta(days=4), tick=False):
        rows = client.get("/business/plans/desk/").context["rows"]
    assert [(r.plan.business.name, r.overdue) for r in rows] == [
        ("Công ty May Bồ Đề", True),
        ("Xưởng In Bồ Đề", False),
    ]


def test_the_district_approves_with_conditions(
    client: Any, district_officer_long_bien: Any, submitted: Any
) -> None:
    client.force_login(district_officer_long_bien)
    page = client.get(f"/business/plans/{submitted.pk}/")
    assert [name for name, _label, _form in page.context["decisions"]] == ["approve", "return", "reject"]
    fields = {"conditions": "Tối đa 100 người tại chỗ", "valid_until": "2021-10-31T23:59"}
    with time_machine.travel(NOON_10_SEPT, tick=False):
        response = client.post(
            f"/business/plans/{submitted.pk}/approve/", {**fields, "version": submitted.version}
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.conditions) == ("approved", "Tối đa 100 người tại chỗ")
    assert submitted.valid_until == hanoi(2021, 10, 31, 23, 59)
    assert submitted.valid_from == NOON_10_SEPT


def test_the_second_of_two_approvers_reads_a_conflict(
    client: Any, city_commander: Any, district_officer_long_bien: Any, submitted: Any
) -> None:
    seen = submitted.version
    client.force_login(district_officer_long_bien)
    assert (
        client.post(
            f"/business/plans/{submitted.pk}/reject/", {"reason": "Thiếu", "version": seen}
        ).status_code
        == 302
    )
    client.force_login(city_commander)
    late = client.post(f"/business/plans/{submitted.pk}/approve/", {"version": seen})
    assert late.status_code == 409
    assert 'role="alert"' in late.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "rejected"


def test_a_stale_version_is_a_conflict_even_at_the_same_status(
    client: Any, district_officer_long_bien: Any, submitted: Any
) -> None:
    client.force_login(district_officer_long_bien)
    late = client.post(f"/business/plans/{submitted.pk}/approve/", {"version": submitted.version - 1})
    assert late.status_code == 409
    assert "changed this plan meanwhile" in late.content.decode()


def test_returning_a_plan_needs_a_reason_beside_the_field(
    client: Any, district_officer_long_bien: Any, submitted: Any
) -> None:
    client.force_login(district_officer_long_bien)
    response = client.post(
        f"/business/plans/{submitted.pk}/return/", {"reason": " ", "version": submitted.version}
    )
    assert response.status_code == 422
    assert 'id="decide-return"' in response.content.decode()
    assert SafetyPlan.objects.get().status == "submitted"


def test_a_ward_officer_may_not_decide_a_district_plan(
    client: Any, ward_officer_bo_de: Any, submitted: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    page = client.get(f"/business/plans/{submitted.pk}/")
    assert page.context["decisions"] == [] and page.context["decided_elsewhere"]
    refused = client.post(f"/business/plans/{submitted.pk}/approve/", {"version": submitted.version})
    assert refused.status_code == 403
    assert SafetyPlan.objects.get().status == "submitted"


def test_suspend_reinstate_and_revoke_an_approved_plan(
    client: Any, district_officer_long_bien: Any, submitted: Any
) -> None:
    services.approve_plan(by=district_officer_long_bien, plan=submitted, version=submitted.version)
    client.force_login(district_officer_long_bien)

    def step(action: str, **data: Any) -> int:
        plan = SafetyPlan.objects.get()
        return client.post(
            f"/business/plans/{plan.pk}/{action}/", {**data, "version": plan.version}
        ).status_code

    assert step("suspend", reason="Vi phạm khai báo y tế") == 302
    assert step("reinstate") == 302
    assert step("revoke", reason="Tái phạm") == 302
    assert SafetyPlan.objects.get().status == "revoked"
    assert step("reinstate") == 409
    assert client.post(f"/business/plans/{submitted.pk}/launch/", {"version": 1}).status_code == 404


def test_the_business_page_shows_its_plans_with_their_steps(
    client: Any, rep: Any, factory: Any, submitted: Any
) -> None:
    client.force_login(rep)
    page = client.get(f"/business/{factory.pk}/")
    plans = page.context["plans"]
    assert [e.to_status for e in plans[0].events.all()] == ["draft", "submitted"]
    assert "business-00139" in page.content.decode()
