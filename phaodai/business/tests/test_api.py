"""The business API: the same services as the pages, refusals as {"code", "message"}."""

from typing import Any

import pytest

from phaodai.business import services
from phaodai.business.models import Business, SafetyPlan
from phaodai.business.tests.conftest import plan_fields

pytestmark = pytest.mark.django_db
API = "/api/v1/business"


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json")


def business_json(**overrides: Any) -> dict[str, Any]:
    body = {
        "tax_code": "0100109106",
        "name": "Quán Cơm Bồ Đề",
        "kind": "restaurant",
        "sector": "takeaway_food",
        "address": "Số 5 phố Bồ Đề",
        "unit": "00139",
        "workforce": 8,
    }
    body.update(overrides)
    return body


def test_an_officer_registers_a_business_and_finds_it_by_name(client: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    created = post(client, "/businesses", business_json(tax_code="0314409058002"))
    assert created.status_code == 201
    assert created.json()["tax_code"] == "0314409058-002"
    found = client.get(f"{API}/businesses?q=quan com")
    assert [b["name"] for b in found.json()] == ["Quán Cơm Bồ Đề"]
    assert client.get(f"{API}/businesses/{created.json()['id']}").json()["unit"]["code"] == "00139"


def test_a_bad_tax_code_answers_422_with_its_code(client: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    refused = post(client, "/businesses", business_json(tax_code="01001091O6"))
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_tax_code"
    assert refused.json()["field"] == "tax_code"
    assert not Business.objects.exists()


def test_an_unknown_field_is_refused(client: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    refused = post(client, "/businesses", business_json(owner_phone="0912345678"))
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_input"


def test_a_ward_officer_may_not_register_in_another_ward(client: Any, ward_officer_phuc_xa: Any) -> None:
    client.force_login(ward_officer_phuc_xa)
    assert post(client, "/businesses", business_json()).status_code == 404


def test_may_operate_answers_with_reason_codes_at_the_instant_asked(
    client: Any, rep: Any, factory: Any
) -> None:
    client.force_login(rep)
    answer = client.get(f"{API}/businesses/{factory.pk}/may-operate?at=2021-09-10T12:00")
    assert answer.status_code == 200
    body = answer.json()
    assert body["at"] == "2021-09-10T12:00:00+07:00"
    assert isinstance(body["may_operate"], bool)
    assert len(body["codes"]) == len(body["reasons"]) >= 1


def test_the_plan_workflow_through_the_api(
    client: Any, rep: Any, district_officer_long_bien: Any, factory: Any
) -> None:
    client.force_login(rep)
    drafted = post(client, f"/businesses/{factory.pk}/plans", plan_fields())
    assert drafted.status_code == 201
    plan = drafted.json()
    submitted = post(client, f"/plans/{plan['id']}/submit", {"version": plan["version"]})
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["approving_unit"]["code"] == "004"

    client.force_login(district_officer_long_bien)
    assert [p["id"] for p in client.get(f"{API}/plans?status=submitted").json()] == [plan["id"]]
    version = submitted.json()["version"]
    approved = post(
        client, f"/plans/{plan['id']}/approve", {"version": version, "conditions": "Tối đa 100 người"}
    )
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["conditions"]) == ("approved", "Tối đa 100 người")
    assert [e["to_status"] for e in approved.json()["events"]] == ["draft", "submitted", "approved"]

    stale = post(client, f"/plans/{plan['id']}/suspend", {"version": version, "reason": "Vi phạm"})
    assert (stale.status_code, stale.json()["code"]) == (409, "plan_changed")
    version = approved.json()["version"]
    suspended = post(client, f"/plans/{plan['id']}/suspend", {"version": version, "reason": "Vi phạm"})
    assert suspended.json()["status"] == "suspended"
    version = suspended.json()["version"]
    reinstated = post(client, f"/plans/{plan['id']}/reinstate", {"version": version})
    assert reinstated.json()["status"] == "approved"
    revoked = post(
        client, f"/plans/{plan['id']}/revoke", {"version": reinstated.json()["version"], "reason": "Tái phạm"}
    )
    assert revoked.json()["status"] == "revoked"


def test_return_and_reject_need_a_reason(
    client: Any, rep: Any, district_officer_long_bien: Any, factory: Any
) -> None:
    plan = services.draft_plan(by=rep, business=factory, **plan_fields())
    plan = services.submit_plan(by=rep, plan=plan, version=plan.version)
    client.force_login(district_officer_long_bien)
    refused = post(client, f"/plans/{plan.pk}/return", {"version": plan.version, "reason": "  "})
    assert (refused.status_code, refused.json()["code"]) == (422, "reason_required")
    returned = post(client, f"/plans/{plan.pk}/return", {"version": plan.version, "reason": "Bổ sung"})
    assert returned.json()["status"] == "returned"
    stale = post(
        client, f"/plans/{plan.pk}/reject", {"version": returned.json()["version"], "reason": "Thiếu"}
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "plan_not_open")


def test_a_ward_officer_approving_a_district_plan_is_outside_the_delegation(
    client: Any, rep: Any, ward_officer_bo_de: Any, factory: Any
) -> None:
    plan = services.draft_plan(by=rep, business=factory, **plan_fields())
    plan = services.submit_plan(by=rep, plan=plan, version=plan.version)
    client.force_login(ward_officer_bo_de)
    refused = post(client, f"/plans/{plan.pk}/approve", {"version": plan.version})
    assert (refused.status_code, refused.json()["code"]) == (403, "outside_delegation")
    assert SafetyPlan.objects.get().status == "submitted"


def test_an_officer_cannot_submit_for_the_business(
    client: Any, ward_officer_bo_de: Any, factory: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    drafted = post(client, f"/businesses/{factory.pk}/plans", plan_fields())
    assert drafted.status_code == 201
    refused = post(client, f"/plans/{drafted.json()['id']}/submit", {"version": drafted.json()["version"]})
    assert refused.status_code == 403


def test_a_representative_reads_only_their_businesses(client: Any, rep: Any, register: Any) -> None:
    other = register(tax_code="0314409058", name="Công ty Khác")
    client.force_login(rep)
    names = [b["name"] for b in client.get(f"{API}/businesses").json()]
    assert names == ["Công ty May Bồ Đề", "Quán Phở Bồ Đề"]
    assert client.get(f"{API}/businesses/{other.pk}").status_code == 404
    assert client.get(f"{API}/businesses/{other.pk}/may-operate").status_code == 404


def test_without_credentials_the_api_answers_401(client: Any) -> None:
    assert client.get(f"{API}/businesses").status_code == 401
