"""The API of vending reports, prices, shortages and the board: statuses, retries, errors."""

from datetime import timedelta
from typing import Any

import pytest

from phaodai.core.clock import now
from phaodai.markets.models import PriceReport, VendingReport
from phaodai.markets.tests.test_prices import history, make_market, today

pytestmark = pytest.mark.django_db
API = "/api/v1/markets"


@pytest.fixture
def market(unit) -> Any:
    return make_market(unit("00139"), "CHO-00139-01", "Chợ Bồ Đề")


def post(client: Any, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json", headers=headers)


def vending_body(**changes: Any) -> dict[str, Any]:
    return {
        "ward": "00139",
        "kind": "temporary_market",
        "place": "Bãi đất trống cạnh cầu Chương Dương",
        "seen_at": (now() - timedelta(hours=3)).isoformat(),
        **changes,
    }


def test_recording_is_201_then_200_with_the_same_key(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    first = post(client, "/vending", vending_body(), **{"Idempotency-Key": "abc"})
    again = post(client, "/vending", vending_body(), **{"Idempotency-Key": "abc"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["status"] == "reported"
    assert VendingReport.objects.count() == 1


def test_bad_input_lists_every_field(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    response = post(client, "/vending", vending_body(kind="market", place=" "))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_report" and body["field"] == "kind"
    assert {error["field"] for error in body["errors"]} == {"kind", "place"}


def test_unknown_fields_are_refused(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    assert post(client, "/vending", vending_body(reporter="x")).status_code == 422


def test_moving_a_report_with_a_stale_version_is_409(client, ward_officer_bo_de, district_officer_long_bien):
    client.force_login(ward_officer_bo_de)
    report_id = post(client, "/vending", vending_body()).json()["id"]
    moved = post(client, f"/vending/{report_id}/move", {"status": "handling", "version": 1})
    assert moved.status_code == 200 and moved.json()["version"] == 2
    client.force_login(district_officer_long_bien)
    lost = post(client, f"/vending/{report_id}/move", {"status": "cleared", "version": 1, "note": "Đã dẹp"})
    assert lost.status_code == 409 and lost.json()["code"] == "report_changed"
    listed = client.get(f"{API}/vending?unit=00139").json()
    assert [row["id"] for row in listed] == [report_id] and listed[0]["age_hours"] == 3


def test_a_report_outside_is_404_and_the_public_cannot_use_the_api(
    client, ward_officer_bo_de, ward_officer_phuc_xa
):
    client.force_login(ward_officer_bo_de)
    report_id = post(client, "/vending", vending_body()).json()["id"]
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"{API}/vending/{report_id}").status_code == 404
    client.logout()
    assert client.get(f"{API}/vending/{report_id}").status_code == 401


def test_prices_of_a_market_day_go_in_as_a_list(client, market, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    history(market, ward_officer_bo_de, "rice", {1: 18000, 2: 18000, 3: 18000})
    body = {
        "market": market.code,
        "day": today().isoformat(),
        "prices": [{"good": "rice", "price": 23000}, {"good": "pork", "price": "140.000"}],
    }
    created = post(client, "/prices", body)
    assert created.status_code == 201
    answer = created.json()
    assert sorted(answer["created"]) == ["pork", "rice"]
    rice = next(cell for cell in answer["prices"] if cell["good"] == "rice")
    assert rice["alert"] and rice["recent_level"] == 18000 and rice["jump_percent"] == 28
    again = post(client, "/prices", body)
    assert again.status_code == 200 and sorted(again.json()["unchanged"]) == ["pork", "rice"]


def test_bad_prices_are_422_per_good_and_nothing_is_written(client, market, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    body = {
        "market": market.code,
        "day": today().isoformat(),
        "prices": [
            {"good": "rice", "price": 18000},
            {"good": "eggs", "price": -5},
            {"good": "rice", "price": 1},
        ],
    }
    response = post(client, "/prices", body)
    assert response.status_code == 422 and response.json()["field"] == "prices.rice"
    response = post(client, "/prices", {**body, "prices": body["prices"][:2]})
    assert response.status_code == 422 and response.json()["field"] == "prices.eggs"
    assert not PriceReport.objects.exists()


def test_shortages_and_the_board(client, market, ward_officer_bo_de, district_officer_long_bien):
    client.force_login(ward_officer_bo_de)
    opened = post(client, "/shortages", {"market": market.code, "good": "cooking_oil", "note": "Hết hàng"})
    assert opened.status_code == 201
    assert post(client, "/shortages", {"market": market.code, "good": "cooking_oil"}).status_code == 200
    client.force_login(district_officer_long_bien)
    board = client.get(f"{API}/board?unit=004").json()
    assert board["unit"] == "004" and [s["good"] for s in board["shortages"]] == ["cooking_oil"]
    assert [m["code"] for m in board["not_reported"]] == [market.code]
    shortage_id = opened.json()["id"]
    assert post(client, f"/shortages/{shortage_id}/resolve", {}).status_code == 200
    assert post(client, f"/shortages/{shortage_id}/resolve", {}).status_code == 409
    assert client.get(f"{API}/board?unit=00001").status_code == 404
