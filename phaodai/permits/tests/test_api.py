"""The permits API: scoped JSON, row-level results for staff lists, 409 on a second decision."""

from datetime import timedelta

import pytest

from phaodai.permits.models import Entry, Organisation
from phaodai.permits.tests.conftest import CCCD_AN, CCCD_BINH, today

pytestmark = pytest.mark.django_db


def row(**overrides):
    values = {
        "full_name": "Nguyễn Văn An", "cccd": CCCD_AN, "birth_year": 1985, "group": 2, "purpose": "Chở hàng",
        "valid_from": today().isoformat(), "valid_to": (today() + timedelta(days=3)).isoformat(),
        "job": "Lái xe", "zones": ["004"], "plate": "29C-123.45",
    }  # fmt: skip
    values.update(overrides)
    return values


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_anonymous_is_401(client):
    assert client.get("/api/v1/permits/organisations").status_code == 401


def test_groups(client, health_worker_bo_de):
    client.force_login(health_worker_bo_de)
    body = client.get("/api/v1/permits/groups").json()
    assert [g["code"] for g in body] == [1, 2, 3, 4, 5, 6]
    assert body[1]["authority"] == "traffic_police"


def test_register_an_organisation_is_idempotent(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    body = {
        "name": "Bệnh viện Đức Giang",
        "ward": "00139",
        "address": "54 Trường Lâm",
        "contact_name": "Lê Hoa",
        "governing_body": "Sở Y tế Hà Nội",
    }
    first = post(client, "/api/v1/permits/organisations", body)
    again = post(client, "/api/v1/permits/organisations", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["status"] == "confirmed"
    unknown = post(client, "/api/v1/permits/organisations", {**body, "extra": 1})
    assert unknown.status_code == 422
    assert Organisation.objects.count() == 1


def test_rows_are_created_duplicate_or_rejected_each_with_its_reason(client, ward_officer_bo_de, org):
    client.force_login(ward_officer_bo_de)
    url = f"/api/v1/permits/organisations/{org.pk}/entries"
    body = {
        "rows": [
            row(),
            row(cccd="01085012345"),
            row(),
            row(full_name="Trần Thị Bình", cccd=CCCD_BINH, birth_year=1990, group=7),
        ]
    }
    response = post(client, url, body)
    assert response.status_code == 200
    answer = response.json()
    assert (answer["created"], answer["rejected"]) == (1, 3)
    assert [(r["status"], r["field"]) for r in answer["results"]] == [
        ("created", ""), ("rejected", "cccd"), ("rejected", "cccd"), ("rejected", "group"),
    ]  # fmt: skip
    again = post(client, url, {"rows": [row()]}).json()
    assert again["duplicate"] == 1 and Entry.objects.count() == 1
    listed = client.get(url).json()
    assert listed[0]["cccd_masked"] == "001******345" and "cccd" not in listed[0]


def test_decide_issue_get_and_revoke(client, ward_officer_bo_de, district_officer_long_bien, entry, pass_key):
    client.force_login(ward_officer_bo_de)
    decided = post(
        client, f"/api/v1/permits/entries/{entry.pk}/decision", {"decision": "approve", "version": 1}
    )
    assert decided.status_code == 200
    permit = decided.json()["permit"]
    assert permit["code"].startswith("PD1:") and permit["status"] == "active"
    client.force_login(district_officer_long_bien)
    second = post(
        client, f"/api/v1/permits/entries/{entry.pk}/decision", {"decision": "reject", "reason": "x"}
    )
    assert second.status_code == 409 and second.json()["code"] == "already_decided"
    fetched = client.get(f"/api/v1/permits/{permit['id']}").json()
    assert fetched["pass_id"] == permit["pass_id"]
    missing_reason = post(client, f"/api/v1/permits/{permit['id']}/revoke", {"reason": ""})
    assert missing_reason.status_code == 422
    revoked = post(client, f"/api/v1/permits/{permit['id']}/revoke", {"reason": "Nghỉ việc"})
    assert (
        revoked.status_code == 200 and revoked.json()["status"] == "revoked" and revoked.json()["code"] == ""
    )
    assert client.get("/api/v1/permits/revoked").json()["pass_ids"] == [permit["pass_id"]]
    reissued = post(client, f"/api/v1/permits/entries/{entry.pk}/issue", {})
    assert reissued.status_code == 201 and reissued.json()["pass_id"] != permit["pass_id"]


def test_scoped_reads(client, ward_officer_phuc_xa, checkpoint_officer_ql6, lab_tech_cdc, org, entry):
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/api/v1/permits/organisations/{org.pk}").status_code == 404
    assert client.get(f"/api/v1/permits/entries/{entry.pk}").status_code == 404
    assert client.get("/api/v1/permits/organisations").json() == []
    client.force_login(checkpoint_officer_ql6)
    assert client.get("/api/v1/permits/revoked").status_code == 200
    client.force_login(lab_tech_cdc)
    assert client.get("/api/v1/permits/revoked").status_code == 403
    assert client.get("/api/v1/permits/organisations").status_code == 403


def test_a_resident_application(client, ward_officer_bo_de, resident):
    client.force_login(ward_officer_bo_de)
    body = {"cccd": CCCD_BINH, "purpose": "vaccination", "supporting_paper": "Giấy mời tiêm",
            "valid_from": today().isoformat(), "valid_to": today().isoformat()}  # fmt: skip
    first = post(client, "/api/v1/permits/applications", body)
    assert first.status_code == 201 and first.json()["group"] == 5
    assert post(client, "/api/v1/permits/applications", body).status_code == 200
    bad = post(client, "/api/v1/permits/applications", {**body, "purpose": "party"})
    assert bad.status_code == 422 and bad.json()["field"] == "purpose"
    pending = client.get("/api/v1/permits/entries/pending").json()
    assert [e["id"] for e in pending] == [first.json()["id"]]
