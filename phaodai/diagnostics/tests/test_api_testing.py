"""The testing API: rounds, samples and results through the same services as the pages; scoped reads."""

from datetime import timedelta

import pytest
import time_machine

from phaodai.diagnostics.models import Sample
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING, resident_cccd

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_10_september():
    with time_machine.travel(SEPT_10_MORNING + timedelta(hours=1), tick=False):
        yield


def round_body(area, **changes):
    body = {
        "unit": "00139",
        "name": "Sàng lọc TDP5",
        "target": "areas",
        "areas": [area.code],
        "method": "pcr",
        "starts_on": "2021-09-10",
        "ends_on": "2021-09-17",
        "idempotency_key": "r-1",
    }
    body.update(changes)
    return body


def test_plan_a_round_then_read_it(client, ward_officer_bo_de, bo_de_area, resident):
    resident(1)
    client.force_login(ward_officer_bo_de)
    created = client.post(
        "/api/v1/diagnostics/rounds", round_body(bo_de_area), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    # no cadence given: an areas round defaults to weekly (10 and 17/9)
    assert (body["cadence_days"], [s["targeted"] for s in body["sessions"]]) == (7, [1, 1])
    again = client.post("/api/v1/diagnostics/rounds", round_body(bo_de_area), content_type="application/json")
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    listed = client.get("/api/v1/diagnostics/rounds").json()
    assert [r["id"] for r in listed] == [body["id"]]
    closed = client.post(
        f"/api/v1/diagnostics/rounds/{body['id']}/close", {"version": 1}, content_type="application/json"
    )
    assert closed.json()["status"] == "closed"
    conflict = client.post(
        f"/api/v1/diagnostics/rounds/{body['id']}/close", {"version": 2}, content_type="application/json"
    )
    assert (conflict.status_code, conflict.json()["code"]) == (409, "round_closed")


def test_a_slow_cadence_is_422_with_its_code(client, ward_officer_bo_de, bo_de_area):
    client.force_login(ward_officer_bo_de)
    body = round_body(bo_de_area, target="group", risk_group="shipper", areas=[], cadence_days=7)
    response = client.post("/api/v1/diagnostics/rounds", body, content_type="application/json")
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        422,
        "slow_cadence",
        "cadence_days",
    )


def test_register_a_sample_and_its_result(client, health_worker_bo_de, lab_tech_cdc, resident, lab_cdc):
    resident(1)
    resident(2)
    client.force_login(health_worker_bo_de)
    body = {
        "code": "BD-000001",
        "cccd": resident_cccd(1),
        "collected_at": "2021-09-10T08:00:00+07:00",
        "method": "pcr",
        "lab": "CDC-HN",
    }
    created = client.post("/api/v1/diagnostics/samples", body, content_type="application/json")
    assert created.status_code == 201, created.content
    retry = client.post("/api/v1/diagnostics/samples", body, content_type="application/json")
    assert (retry.status_code, retry.json()["id"]) == (200, created.json()["id"])
    other = client.post(
        "/api/v1/diagnostics/samples", {**body, "cccd": resident_cccd(2)}, content_type="application/json"
    )
    assert (other.status_code, other.json()["code"]) == (409, "duplicate_sample")
    naive = client.post(
        "/api/v1/diagnostics/samples",
        {**body, "code": "BD-000002", "collected_at": "2021-09-10T08:00:00"},
        content_type="application/json",
    )
    assert (naive.status_code, naive.json()["field"]) == (422, "collected_at")
    client.force_login(lab_tech_cdc)
    pk = created.json()["id"]
    result = {"outcome": "negative", "resulted_at": "2021-09-10T08:50:00+07:00"}
    first = client.post(f"/api/v1/diagnostics/samples/{pk}/result", result, content_type="application/json")
    again = client.post(f"/api/v1/diagnostics/samples/{pk}/result", result, content_type="application/json")
    assert (first.json()["change"], again.json()["change"]) == ("result", "unchanged")
    early = client.post(
        f"/api/v1/diagnostics/samples/{pk}/result",
        {"outcome": "positive", "resulted_at": "2021-09-10T07:00:00+07:00"},
        content_type="application/json",
    )
    assert (early.status_code, early.json()["field"]) == (422, "resulted_at")


def test_a_persons_samples_are_read_within_scope_only(
    client, health_worker_bo_de, ward_officer_phuc_xa, sampled_person, django_assert_max_num_queries
):
    sample = sampled_person(1, outcome="negative")
    sampled_person(2, person=sample.person, code="HN-0000002")
    url = f"/api/v1/diagnostics/people/{sample.person.pk}/samples"
    client.force_login(health_worker_bo_de)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert [row["code"] for row in response.json()] == ["HN-0000002", "HN-0000001"]
    client.force_login(ward_officer_phuc_xa)
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/diagnostics/people/not-a-uuid/samples").status_code == 404
    assert Sample.objects.count() == 2
