"""Pages: the stocks board, donations, a stock's ledger and actions, transfers, food aid."""

from datetime import datetime
from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.relief import foodaid, services
from phaodai.relief.models import Donation, FoodRequest, Movement, Stock, Transfer
from phaodai.relief.tests.world import give

pytestmark = pytest.mark.django_db


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def food_form(**changes: str) -> dict[str, str]:
    return {
        "ward": "00139", "name": "Kim Min-jun", "phone": "0901234567", "address": "Số 3 ngõ 40 Ngọc Lâm",
        "nationality": "Hàn Quốc", "people": "3", "needs": "", "token": "page-1", **changes,
    }  # fmt: skip


def test_anyone_asks_for_food_and_a_resubmission_books_once(client):
    page = client.get("/relief/food/")
    assert page.status_code == 200 and "Phường Bồ Đề" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    sent = client.post("/relief/food/", food_form())
    assert sent.status_code == 200 and "Request received" in sent.content.decode()
    assert client.post("/relief/food/", food_form()).status_code == 200
    assert FoodRequest.objects.get().nationality == "Hàn Quốc"


def test_a_mistake_keeps_what_was_typed(client):
    response = client.post("/relief/food/", food_form(people="0", token="page-2"))
    html = response.content.decode()
    assert response.status_code == 422 and "People in the household" in html
    assert 'value="Kim Min-jun"' in html and not FoodRequest.objects.exists()


def test_the_board_shows_stocks_alerts_and_money(
    client, ward_officer_bo_de, unit, django_assert_max_num_queries
):
    bo_de = unit("00139")
    give(ward_officer_bo_de, bo_de, "rice", 1200)
    services.set_threshold(by=ward_officer_bo_de, unit=bo_de, item="rice", threshold=2000)
    services.record_donation(
        by=ward_officer_bo_de, unit=bo_de, kind="money", amount_vnd=5_000_000, anonymous=True
    )
    login(client, ward_officer_bo_de)
    with django_assert_max_num_queries(20):
        page = client.get("/relief/")
    html = page.content.decode()
    assert page.status_code == 200 and "Rice" in html
    alerts = html.split('id="alerts"', 1)[1].split("</ul>", 1)[0]
    # the alert itself: Bồ Đề's rice, linked to its ledger, with what is held and the level
    assert 'href="/relief/stock/00139/rice/"' in alerts and "Phường Bồ Đề — Rice" in alerts
    assert ("1.200 kg" in alerts or "1,200 kg" in alerts) and ("2.000" in alerts or "2,000" in alerts)
    assert "5.000.000" in html or "5,000,000" in html


def test_the_board_lists_no_alert_when_stock_is_above_its_level(client, ward_officer_bo_de, unit):
    bo_de = unit("00139")
    give(ward_officer_bo_de, bo_de, "rice", 1200)
    services.set_threshold(by=ward_officer_bo_de, unit=bo_de, item="rice", threshold=1000)
    html = login(client, ward_officer_bo_de).get("/relief/").content.decode()
    alerts = html.split('id="alerts"', 1)[1].split("</ul>", 1)[0]
    assert "/relief/stock/" not in alerts and "alert-error" not in alerts


def test_items_are_named_in_the_language_of_the_page(client, vietnamese_client, ward_officer_bo_de, unit):
    bo_de = unit("00139")
    give(ward_officer_bo_de, bo_de, "instant_noodles", 30)
    login(client, ward_officer_bo_de)  # English chosen
    page = client.get("/relief/stock/00139/instant_noodles/").content.decode()
    assert "Instant noodles" in page and "30 box (30 packs)" in page and "Mì tôm" not in page
    refused = client.post(
        "/relief/stock/00139/instant_noodles/distribute/",
        {"distribute-quantity": "31", "distribute-reason": "Tổ 2"},
    )
    assert "Only 30 box (30 packs) of Instant noodles held; 31 asked for." in refused.content.decode()
    board = client.get("/relief/").content.decode()
    assert "Instant noodles" in board and "Mì tôm" not in board
    login(vietnamese_client, ward_officer_bo_de)  # Vietnamese first
    page = vietnamese_client.get("/relief/stock/00139/instant_noodles/").content.decode()
    assert "Mì tôm" in page and "30 thùng" in page and "Instant noodles" not in page
    board = vietnamese_client.get("/relief/").content.decode()
    assert "Mì tôm" in board and "Instant noodles" not in board


def test_odd_digits_on_the_public_form_are_refused_beside_the_field(client):
    for typed in ("²", "٣", "9" * 5000):
        response = client.post("/relief/food/", food_form(people=typed, token=f"odd-{len(typed)}"))
        html = response.content.decode()
        assert response.status_code == 422 and 'id="id_people-errors"' in html
    assert not FoodRequest.objects.exists()


def test_odd_digits_or_versions_on_the_officers_pages_are_refused_never_a_crash(
    client, ward_officer_bo_de, district_officer_long_bien, unit
):
    give(ward_officer_bo_de, unit("00139"), "rice", 100)
    login(client, ward_officer_bo_de)
    for action in ("distribute", "adjust", "threshold"):
        refused = client.post(
            f"/relief/stock/00139/rice/{action}/",
            {f"{action}-quantity": "²", f"{action}-threshold": "²", f"{action}-reason": "Tổ 2"},
        )
        assert refused.status_code == 422
        assert f'id="id_{action}-{"threshold" if action == "threshold" else "quantity"}-errors"' in (
            refused.content.decode()
        )
    row, _ = foodaid.request_food_publicly(
        ward_code="00139", name="Lê Văn Nam", phone="0911222333", address="Tổ 7 Bồ Đề", people=5, token="v"
    )
    stale = client.post(f"/relief/food-aid/{row.pk}/assign/", {"team": "Tổ 1", "version": "²"})
    assert stale.status_code == 409
    transfer, _ = services.propose_transfer(
        by=district_officer_long_bien, from_unit=unit("00139"), to_unit=unit("00133"), item="rice",
        quantity=50, proposer="district",
    )  # fmt: skip
    login(client, district_officer_long_bien)
    bad = client.post(f"/relief/transfers/{transfer.pk}/move/", {"step": "approve", "version": "9" * 5000})
    assert bad.status_code == 422
    transfer.refresh_from_db()
    assert transfer.status == "proposed" and Stock.objects.get().quantity == 100


def test_the_stock_forms_carry_a_token_and_a_resubmission_books_once(client, ward_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 100)
    login(client, ward_officer_bo_de)
    page = client.get("/relief/stock/00139/rice/").content.decode()
    assert 'name="distribute-token"' in page and 'name="adjust-token"' in page
    form = {"distribute-quantity": "10", "distribute-reason": "Tổ 2", "distribute-token": "s-1"}
    assert client.post("/relief/stock/00139/rice/distribute/", form).status_code == 302
    assert client.post("/relief/stock/00139/rice/distribute/", form).status_code == 302  # retry
    adjust = {"adjust-quantity": "-3", "adjust-reason": "Ẩm", "adjust-token": "s-1"}
    assert client.post("/relief/stock/00139/rice/adjust/", adjust).status_code == 302
    assert client.post("/relief/stock/00139/rice/adjust/", adjust).status_code == 302  # retry
    assert Stock.objects.get().quantity == 87
    assert Movement.objects.filter(kind__in=["distribution_out", "adjustment"]).count() == 2


def test_a_donation_through_the_form_and_a_refused_negative_one(client, ward_officer_bo_de):
    login(client, ward_officer_bo_de)
    form = {"unit": "00139", "kind": "goods", "item": "rice", "quantity": "300", "donor_name": "Chùa Bồ Đề",
            "token": "d-1"}  # fmt: skip
    assert client.post("/relief/donations/new/", form).status_code == 302
    assert client.post("/relief/donations/new/", form).status_code == 302  # retry
    assert Donation.objects.count() == 1 and Stock.objects.get().quantity == 300
    refused = client.post(
        "/relief/donations/new/", {**form, "kind": "money", "amount_vnd": "-5", "token": "d-2"}
    )
    assert refused.status_code == 422 and "greater than zero" in refused.content.decode()
    listed = client.get("/relief/donations/?unit=00139")
    assert "Chùa Bồ Đề" in listed.content.decode()


def test_distributing_more_than_held_shows_what_is_held(client, ward_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 30)
    login(client, ward_officer_bo_de)
    assert client.get("/relief/stock/00139/rice/").status_code == 200
    refused = client.post(
        "/relief/stock/00139/rice/distribute/", {"distribute-quantity": "31", "distribute-reason": "Tổ 2"}
    )
    assert refused.status_code == 409 and "Only 30 kg of Rice held" in refused.content.decode()
    done = client.post(
        "/relief/stock/00139/rice/distribute/", {"distribute-quantity": "10", "distribute-reason": "Tổ 2"}
    )
    assert done.status_code == 302 and Stock.objects.get().quantity == 20


def test_a_transfer_through_the_pages(client, district_officer_long_bien, ward_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 500)
    login(client, district_officer_long_bien)
    form = {"from_unit": "00139", "to_unit": "00133", "item": "rice", "quantity": "100",
            "proposer": "fatherland_front", "reason": "Cân đối", "token": "t-1"}  # fmt: skip
    assert client.post("/relief/transfers/new/", form).status_code == 302
    transfer = Transfer.objects.get()
    url = f"/relief/transfers/{transfer.pk}/move/"
    for step, version in (("approve", 1), ("dispatch", 2), ("receive", 3)):
        assert client.post(url, {"step": step, "version": str(version)}).status_code == 302
    stale = client.post(url, {"step": "cancel", "version": "1"})
    assert stale.status_code == 409
    assert client.get(f"/relief/transfers/{transfer.pk}/").status_code == 200
    assert Movement.objects.filter(transfer=transfer).count() == 2


def test_the_food_worklist_and_a_delivery(client, ward_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 50)
    row, _ = foodaid.request_food_publicly(
        ward_code="00139", name="Lê Văn Nam", phone="0911222333", address="Tổ 7 Bồ Đề", people=5, token="w"
    )
    login(client, ward_officer_bo_de)
    assert "Lê Văn Nam" in client.get("/relief/food-aid/").content.decode()
    base = f"/relief/food-aid/{row.pk}/"
    assert client.post(base + "assign/", {"team": "Tổ Covid số 7", "version": "1"}).status_code == 302
    assert client.post(base + "deliver/", {"goods_rice": "15", "version": "2"}).status_code == 302
    assert client.post(base + "close/", {"version": "3"}).status_code == 302
    row.refresh_from_db()
    assert row.status == "closed" and Stock.objects.get().quantity == 35
    assert client.get(base).status_code == 200


def test_the_board_reads_days_of_supply_back_to_a_past_day_and_offers_the_last_week_of_use(
    client, ward_officer_bo_de, unit
):
    # Goods went out in September 2021 only (the demo's story): now, the window is empty and the page
    # says so and links to the week up to the last use, where the figures are.
    bo_de = unit("00139")
    september = lambda: hanoi(2021, 9, 14, 9)  # noqa: E731
    services.record_donation(by=ward_officer_bo_de, unit=bo_de, kind="goods", item="rice", quantity=500,
                             donor_name="Chùa Bồ Đề", clock=september)  # fmt: skip
    services.distribute(
        by=ward_officer_bo_de, unit=bo_de, item="rice", quantity=140, reason="F1", clock=september
    )
    login(client, ward_officer_bo_de)
    html = client.get("/relief/").content.decode()
    supply = html.split('id="supply"', 1)[1].split("</table>", 1)[0]
    assert "—" in supply and 'href="?unit=00139&amp;day=2021-09-14"' in html and "14/09/2021" in html
    html = client.get("/relief/?unit=00139&day=2021-09-14").content.decode()
    supply = html.split('id="supply"', 1)[1].split("</table>", 1)[0]
    assert "18,0" in supply or "18.0" in supply  # 360 kg ÷ (140 kg ÷ 7 days)
    assert 'id="latest-use"' not in html and "00:00 15/09/2021" in html
    refused = client.get("/relief/?day=14.9")
    assert refused.status_code == 422 and "dd/mm/yyyy" in refused.content.decode()
    api = client.get("/api/v1/relief/board?unit=00139&day=14/09/2021").json()
    assert api["supply"][0]["days_of_supply"] == 18.0 and datetime.fromisoformat(
        api["supply_as_of"]
    ) == hanoi(2021, 9, 15)
    assert client.get("/api/v1/relief/board?day=x").json()["field"] == "day"
