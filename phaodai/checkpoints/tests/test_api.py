"""The checkpoints API: scoped reads, the idempotent crossing sync, and crossings by hour."""

from typing import Any

import pytest
import time_machine

from phaodai.checkpoints import services
from phaodai.checkpoints.models import Crossing
from phaodai.checkpoints.tests.conftest import CLOCK, NOW, denied, entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def sync_body(checkpoint: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "device_id": "phone-7",
        "entries": [
            {"local_id": "a", "checkpoint": checkpoint.pk, "at": "2021-09-14T08:30:00+07:00",
             "direction": "in", "decision": "allowed", "pass_id": "GDD-00000001", "pass_type": "permit",
             "bundle_version": 3},
            {"local_id": "b", "checkpoint": checkpoint.pk, "at": "2021-09-14T01:40:00Z", "direction": "out",
             "decision": "denied", "plate": "29C-123.45",
             "failed_rules": [{"id": "PD-ALL-0001", "description": "Giấy còn hiệu lực."}]},
            {"local_id": "c", "checkpoint": checkpoint.pk, "at": "2021-09-14T08:30:00", "direction": "in",
             "decision": "allowed", "pass_id": "GDD-2", "pass_type": "permit"},
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


def test_list_and_get_are_scoped(
    client: Any, district_officer_long_bien: Any, ql6: Any, chuong_duong: Any, ward_officer_bo_de: Any
) -> None:
    assert client.get("/api/v1/checkpoints").status_code == 401
    client.force_login(district_officer_long_bien)
    listed = client.get("/api/v1/checkpoints?kind=district").json()
    assert [c["code"] for c in listed] == ["004-01"]
    assert listed[0]["focal_unit"] == {"code": "004", "name": "Quận Long Biên"} and listed[0]["in_operation"]
    assert client.get(f"/api/v1/checkpoints/{chuong_duong.pk}").json()["road"] == "Nguyễn Văn Cừ"
    outside = client.get(f"/api/v1/checkpoints/{ql6.pk}")
    assert outside.status_code == 404 and outside.json()["code"] == "not_found"
    client.force_login(ward_officer_bo_de)
    assert client.get("/api/v1/checkpoints").json()["code"] == "not_permitted"


def test_the_sync_answers_per_entry_and_a_resend_is_harmless(
    client: Any, checkpoint_officer_ql6: Any, ql6: Any
) -> None:
    client.force_login(checkpoint_officer_ql6)
    url = "/api/v1/checkpoints/crossings/sync"
    first = client.post(url, sync_body(ql6), content_type="application/json")
    assert first.status_code == 200
    body = first.json()
    assert (body["created"], body["duplicate"], body["rejected"]) == (2, 0, 1)
    assert body["results"][2]["code"] == "invalid_input" and body["results"][2]["message"].startswith("at:")
    again = client.post(url, sync_body(ql6), content_type="application/json").json()
    assert (again["created"], again["duplicate"], again["rejected"]) == (0, 2, 1)
    assert Crossing.objects.count() == 2
    assert Crossing.objects.get(local_id="b").plate == "29C12345"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"device_id": "p", "entries": [], "extra": 1}, "extra"),
        ({"device_id": "p", "entries": [{"local_id": "a"}]}, "entries.0.checkpoint"),
        ({"device_id": "p", "entries": "nope"}, "entries"),
    ],
)
def test_a_malformed_sync_is_422(
    client: Any, checkpoint_officer_ql6: Any, body: dict[str, Any], field: str
) -> None:
    client.force_login(checkpoint_officer_ql6)
    response = client.post("/api/v1/checkpoints/crossings/sync", body, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


def test_the_sync_needs_the_verify_role(client: Any, ward_officer_bo_de: Any, ql6: Any) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post(
        "/api/v1/checkpoints/crossings/sync", sync_body(ql6), content_type="application/json"
    )
    assert response.status_code == 403


def test_stats_of_a_checkpoint_and_a_district(client: Any, checkpoint_officer_ql6: Any, ql6: Any) -> None:
    services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="p", clock=CLOCK,
        entries=[entry(ql6, "a"), denied(ql6, "b", NOW.replace(hour=8, minute=40), "PD-PERMIT-0001")],
    )  # fmt: skip
    client.force_login(checkpoint_officer_ql6)
    one = client.get(f"/api/v1/checkpoints/{ql6.pk}/stats?day=2021-09-14").json()
    assert (one["crossings"], one["denied"], one["peak_hour"], one["peak_crossings"]) == (2, 1, 8, 2)
    assert len(one["hours"]) == 24 and one["hours"][8] == {
        "hour": 8,
        "crossings": 2,
        "allowed": 1,
        "denied": 1,
    }
    assert one["reasons"] == [{"rule_id": "PD-PERMIT-0001", "description": "Rule PD-PERMIT-0001", "count": 1}]
    district = client.get("/api/v1/checkpoints/stats").json()
    assert district["district"]["code"] == "268" and district["day"] == "2021-09-14"
    assert district["checkpoints"] == [
        {"checkpoint": {"id": ql6.pk, "code": "268-01", "name": "Chốt QL6 Yên Nghĩa"},
         "crossings": 2, "denied": 1, "peak_hour": 8},
    ]  # fmt: skip
    assert client.get("/api/v1/checkpoints/stats?district=004").status_code == 404
    assert client.get(f"/api/v1/checkpoints/{ql6.pk}/stats?day=not-a-day").status_code == 422
    for day in ("9999-12-31", "0001-01-01"):  # would overflow on the way to UTC
        for url in (f"/api/v1/checkpoints/{ql6.pk}/stats", "/api/v1/checkpoints/stats"):
            refused = client.get(url, {"day": day})
            assert refused.status_code == 422 and refused.json()["code"] == "implausible_day"
