"""The vehicles API: register (201, retry 200), list, get with code, decide, revoke, overdue, check."""

from typing import Any

import pytest
import time_machine

from phaodai.core.clock import hanoi
from phaodai.vehicles.models import GreenLane
from phaodai.vehicles.tests.conftest import NOW

pytestmark = pytest.mark.django_db

GREEN = {
    "plate": "29C-123.45",
    "operator": "Công ty CP Vận tải Hà Nội",
    "cargo": "Rau củ",
    "route": "QL6 → Long Biên",
    "valid_from": "2021-09-14T00:00:00+07:00",
    "valid_to": "2021-10-01T00:00:00+07:00",
}


@pytest.fixture(autouse=True)
def _tuesday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def post(client: Any, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


def test_register_list_get_approve_revoke(
    client: Any, district_officer_long_bien: Any, signing_key: Any, checkpoint_officer_ql6: Any
) -> None:
    assert post(client, "/api/v1/vehicles/green-lanes", GREEN).status_code == 401
    client.force_login(district_officer_long_bien)
    created = post(client, "/api/v1/vehicles/green-lanes", GREEN, **{"Idempotency-Key": "fleet-7"})
    assert created.status_code == 201 and created.json()["unit"]["code"] == "004"
    again = post(client, "/api/v1/vehicles/green-lanes", GREEN, **{"Idempotency-Key": "fleet-7"})
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    pk = created.json()["id"]
    assert [r["plate"] for r in client.get("/api/v1/vehicles/green-lanes?q=29C12345").json()] == [
        "29C-123.45"
    ]
    approved = post(client, f"/api/v1/vehicles/green-lanes/{pk}/approve", {"version": 1})
    assert approved.status_code == 200 and approved.json()["code"].startswith("PD1:")
    race = post(client, f"/api/v1/vehicles/green-lanes/{pk}/approve", {"version": 1})
    assert race.status_code == 409 and race.json()["code"] == "not_awaiting_decision"
    assert client.get(f"/api/v1/vehicles/green-lanes/{pk}").json()["status"] == "approved"
    revoked = post(client, f"/api/v1/vehicles/green-lanes/{pk}/revoke", {"version": 2, "note": "x"})
    assert revoked.json()["status"] == "revoked"
    client.force_login(checkpoint_officer_ql6)
    assert client.get(f"/api/v1/vehicles/green-lanes/{pk}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"plate": "khong-phai-bien"}, 422, "invalid_plate"),
        ({"valid_to": "2021-09-13T00:00:00+07:00"}, 422, "bad_period"),
        ({"valid_from": "2021-09-14T00:00:00"}, 422, "invalid_input"),
        ({"unexpected": 1}, 422, None),
        ({"operator": "A\x00B"}, 422, None),
        ({"unit": "001"}, 404, "not_found"),
        ({"unit": "abc"}, 422, "invalid_input"),
        (
            {"valid_from": "2021-12-14T00:00:00+07:00", "valid_to": "2022-01-10T00:00:00+07:00"},
            422,
            "starts_too_far_ahead",
        ),
    ],
)
def test_bad_registrations_are_refused(
    client: Any, district_officer_long_bien: Any, changes: dict[str, Any], status: int, code: str | None
) -> None:
    client.force_login(district_officer_long_bien)
    answer = post(client, "/api/v1/vehicles/green-lanes", {**GREEN, **changes})
    assert answer.status_code == status
    if code:
        assert answer.json()["code"] == code
    assert GreenLane.objects.count() == 0


def test_transits_overdue_and_the_check(
    client: Any,
    district_officer_long_bien: Any,
    signing_key: Any,
    gateway: Any,
    cross: Any,
    city_commander: Any,
) -> None:
    client.force_login(district_officer_long_bien)
    body = {
        "plate": "51D-678.90",
        "from_province": "Hòa Bình",
        "to_province": "Bắc Ninh",
        "entry_checkpoint": "CN-06",
        "valid_from": "2021-09-14T06:00:00+07:00",
        "valid_to": "2021-09-15T06:00:00+07:00",
        "expected_hours": 2,
    }
    created = post(client, "/api/v1/vehicles/transits", body)
    assert created.status_code == 201 and created.json()["state"] == "expected"
    cross(gateway, "51D-678.90", hanoi(2021, 9, 14, 6, 10), "in")
    overdue = client.get("/api/v1/vehicles/transits/overdue").json()
    assert [(t["plate"], t["entry"]["checkpoint_code"]) for t in overdue] == [("51D-678.90", "CN-06")]
    pk = created.json()["id"]
    assert client.get(f"/api/v1/vehicles/transits/{pk}").json()["state"] == "overdue"
    client.force_login(city_commander)
    answer = client.get(f"/api/v1/vehicles/check?plate=51D67890&checkpoint={gateway.pk}").json()
    assert answer["allowed"] and answer["conditions"] == ["no_stop"] and answer["basis"] == "transit"
    unknown = client.get(f"/api/v1/vehicles/check?plate=30A11111&checkpoint={gateway.pk}").json()
    assert not unknown["allowed"] and unknown["reasons"][0]["code"] == "unknown_vehicle"
    naive = client.get(
        f"/api/v1/vehicles/check?plate=30A11111&checkpoint={gateway.pk}&at=2021-09-14T08:00:00"
    )
    assert naive.status_code == 422


def test_shippers_api_never_returns_the_cccd(
    client: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    client.force_login(district_officer_long_bien)
    body = {
        "full_name": "Phạm Minh Tuấn",
        "company": "Giao hàng nhanh",
        "cccd": "001095012345",
        "plate": "29H1-234.56",
        "hours_start": "06:00",
        "hours_end": "18:00",
        "zones": ["004"],
        "valid_from": "2021-09-10T00:00:00+07:00",
        "valid_to": "2021-10-10T00:00:00+07:00",
    }
    created = post(client, "/api/v1/vehicles/shippers", body)
    assert created.status_code == 201 and "001095012345" not in created.content.decode()
    assert created.json()["cccd_masked"] == "*********345"
    assert post(client, "/api/v1/vehicles/shippers", body).status_code == 200
    pk = created.json()["id"]
    assert client.get("/api/v1/vehicles/shippers").json()[0]["hours"] == ["06:00", "18:00"]
    assert post(client, f"/api/v1/vehicles/shippers/{pk}/revoke", {}).json()["status"] == "revoked"


def test_approving_a_registration_starting_beyond_a_pass_lifetime_is_refused(
    client: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    client.force_login(district_officer_long_bien)
    pk = post(client, "/api/v1/vehicles/green-lanes", GREEN).json()["id"]
    # stored before registration refused it
    GreenLane.objects.filter(pk=pk).update(valid_from=hanoi(2022, 1, 1), valid_to=hanoi(2022, 1, 20))
    answer = post(client, f"/api/v1/vehicles/green-lanes/{pk}/approve", {"version": 1})
    assert answer.status_code == 422 and answer.json()["code"] == "starts_too_far_ahead"
    assert GreenLane.objects.get(pk=pk).status == "submitted"
