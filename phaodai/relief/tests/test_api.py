"""The relief API: the same services as the pages, errors as {"code", "message", "field"}."""

from typing import Any

import pytest

from phaodai.relief import foodaid
from phaodai.relief.models import Donation, Stock
from phaodai.relief.tests.world import give

pytestmark = pytest.mark.django_db
API = "/api/v1/relief"


def post(client: Any, path: str, body: dict[str, Any], key: str = "") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(API + path, body, content_type="application/json", **headers)


def test_donations_are_idempotent_and_a_negative_one_is_422(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    body = {"unit": "00139", "kind": "goods", "item": "rice", "quantity": 250, "donor_name": "Hội Phụ nữ"}
    first = post(client, "/donations", body, key="k1")
    assert first.status_code == 201 and first.json()["quantity"] == 250
    assert post(client, "/donations", body, key="k1").status_code == 200
    assert Donation.objects.count() == 1
    refused = post(
        client, "/donations", {"unit": "00139", "kind": "money", "amount_vnd": -1, "anonymous": True}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "amount_vnd"
    listed = client.get(API + "/donations?unit=00139").json()
    assert [row["item"] for row in listed] == ["rice"]


def test_distribution_of_more_than_held_is_409_with_what_is_held(client, ward_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 20)
    client.force_login(ward_officer_bo_de)
    body = {"unit": "00139", "item": "rice", "quantity": 21, "reason": "Khu cách ly"}
    refused = post(client, "/distributions", body)
    assert refused.status_code == 409 and refused.json()["code"] == "not_enough_stock"
    assert "Only 20 kg" in refused.json()["message"]
    assert post(client, "/distributions", {**body, "quantity": 5}).json()["balance_after"] == 15
    assert post(client, "/adjustments", {**body, "quantity": -2, "reason": "Hỏng"}).status_code == 201
    assert (
        post(client, "/thresholds", {"unit": "00139", "item": "rice", "threshold": 20}).json()["low"] is True
    )
    board = client.get(API + "/board").json()
    assert board["unit"] == "00139" and board["alerts"][0]["quantity"] == 13


def test_a_transfer_through_the_api(client, district_officer_long_bien, ward_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 300)
    client.force_login(district_officer_long_bien)
    body = {"from_unit": "00139", "to_unit": "00133", "item": "rice", "quantity": 100, "proposer": "district"}
    created = post(client, "/transfers", body, key="tr-1")
    assert created.status_code == 201
    pk = created.json()["id"]
    for step in ("approve", "dispatch", "receive"):
        assert post(client, f"/transfers/{pk}/move", {"step": step}).status_code == 200
    again = post(client, f"/transfers/{pk}/move", {"step": "receive"})
    assert again.status_code == 409 and again.json()["code"] == "wrong_step"
    assert client.get(API + f"/transfers/{pk}").json()["status"] == "received"
    assert Stock.objects.get(unit__code="00133").quantity == 100


def test_food_aid_worklist_and_steps(client, ward_officer_bo_de, ward_officer_phuc_xa, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 40)
    row, _ = foodaid.request_food_publicly(
        ward_code="00139",
        name="Nguyễn Thị Lan",
        phone="0987654321",
        address="Ngõ 1 Bồ Đề",
        people=3,
        token="a",
    )
    client.force_login(ward_officer_bo_de)
    assert [r["id"] for r in client.get(API + "/food-requests").json()] == [row.pk]
    assert post(client, f"/food-requests/{row.pk}/assign", {"team": "Tổ 1"}).json()["status"] == "assigned"
    delivered = post(client, f"/food-requests/{row.pk}/deliver", {"goods": {"rice": 10}})
    assert delivered.json()["status"] == "delivered"
    assert post(client, f"/food-requests/{row.pk}/close", {}).json()["status"] == "closed"
    client.force_login(ward_officer_phuc_xa)
    assert client.get(API + f"/food-requests/{row.pk}").status_code == 404


def test_without_the_permission_403_and_anonymous_401(client, health_worker_bo_de):
    assert client.get(API + "/board").status_code == 401
    client.force_login(health_worker_bo_de)
    assert client.get(API + "/board").status_code == 403


def test_a_retried_distribution_or_adjustment_with_its_key_books_once(client, ward_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 50)
    client.force_login(ward_officer_bo_de)
    body = {"unit": "00139", "item": "rice", "quantity": 20, "reason": "Khu cách ly"}
    first = post(client, "/distributions", body, key="dist-1")
    again = post(client, "/distributions", body, key="dist-1")
    assert (first.status_code, again.status_code) == (201, 200) and again.json()["id"] == first.json()["id"]
    fixed = post(client, "/adjustments", {**body, "quantity": -4}, key="adj-1")
    fixed_again = post(client, "/adjustments", {**body, "quantity": -4}, key="adj-1")
    assert (fixed.status_code, fixed_again.status_code) == (201, 200)
    assert fixed_again.json()["balance_after"] == 26 and Stock.objects.get().quantity == 26
    too_long = post(client, "/distributions", body, key="k" * 61)
    assert too_long.status_code == 422 and too_long.json()["field"] == "Idempotency-Key"


def test_a_transfer_of_more_than_held_is_refused_when_proposed(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    body = {"from_unit": "00139", "to_unit": "00133", "item": "rice", "quantity": 10, "proposer": "district"}
    refused = post(client, "/transfers", body, key="tr-none")
    assert refused.status_code == 409 and refused.json()["code"] == "not_enough_stock"
    assert "Only 0 kg of Rice held; 10 asked for." in refused.json()["message"]
