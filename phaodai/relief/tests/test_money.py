"""Money spent out of a unit's fund: goods bought into the stock or cash handed out; the money ledger
balances as the goods' does, and more than the fund holds is refused."""

import threading
from typing import Any

import pytest
from django.db import connection

from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.relief import money, selectors, services
from phaodai.relief.errors import NotEnoughMoney, ReliefInvalid
from phaodai.relief.models import Fund, Movement, Spending, Stock

pytestmark = pytest.mark.django_db
API = "/api/v1/relief"


def donate(by: Any, unit: Any, amount: int, key: str = "") -> Any:
    donation, _ = services.record_donation(
        by=by, unit=unit, kind="money", amount_vnd=amount, donor_name="Hội Doanh nghiệp", idempotency_key=key
    )
    return donation


def fund(unit: Any) -> int:
    row = Fund.objects.filter(unit=unit).first()
    return row.balance_vnd if row else 0


def test_money_donations_fill_the_units_fund_once(ward_officer_bo_de, unit):
    bo_de = unit("00139")
    donate(ward_officer_bo_de, bo_de, 5_000_000, key="d1")
    donate(ward_officer_bo_de, bo_de, 5_000_000, key="d1")  # a retry
    donate(ward_officer_bo_de, bo_de, 2_000_000)
    assert fund(bo_de) == 7_000_000 and selectors.money_check().balanced


def test_a_purchase_pays_from_the_fund_and_books_the_goods_into_the_stock(ward_officer_bo_de, unit):
    bo_de = unit("00139")
    donate(ward_officer_bo_de, bo_de, 5_000_000)
    spending, created = money.spend(
        by=ward_officer_bo_de, unit=bo_de, kind="purchase", amount_vnd="1.500.000", item="rice",
        quantity=100, payee="Đại lý gạo Minh Phát", reason="Gạo cho hộ F1", idempotency_key="p1",
    )  # fmt: skip
    assert created and (spending.amount_vnd, spending.balance_after_vnd) == (1_500_000, 3_500_000)
    assert fund(bo_de) == 3_500_000
    movement = Movement.objects.get(spending=spending)
    assert (movement.kind, movement.quantity, movement.balance_after) == ("purchase_in", 100, 100)
    assert Stock.objects.get(unit=bo_de, item__code="rice").quantity == 100
    assert AuditEntry.objects.filter(action="relief.money_spent", object_id=str(spending.pk)).exists()
    # both ledgers balance: the goods bought count as goods in
    assert selectors.ledger_check().balanced and selectors.ledger_check().purchased == 100
    assert selectors.money_check().balanced and selectors.money_check().spent == 1_500_000
    # Goods booked as bought without a spending of that quantity unbalance the goods ledger.
    Spending.objects.filter(pk=spending.pk).update(quantity=90)
    assert not selectors.ledger_check().balanced


def test_cash_handed_out_spends_money_only_and_a_retry_pays_once(ward_officer_bo_de, unit):
    bo_de = unit("00139")
    donate(ward_officer_bo_de, bo_de, 2_000_000)
    fields = {"by": ward_officer_bo_de, "unit": bo_de, "kind": "cash", "amount_vnd": 500_000,
              "payee": "Hộ bà Lê Thị Hạnh", "reason": "Hỗ trợ tiền ăn", "idempotency_key": "c1"}  # fmt: skip
    first, created = money.spend(**fields)
    again, created_again = money.spend(**fields)
    assert created and not created_again and again.pk == first.pk
    assert fund(bo_de) == 1_500_000 and Spending.objects.count() == 1 and not Movement.objects.exists()
    assert selectors.money_check().balanced


def test_spending_more_than_the_fund_holds_is_refused_with_what_it_holds(
    ward_officer_bo_de, district_officer_long_bien, unit
):
    bo_de = unit("00139")
    donate(ward_officer_bo_de, bo_de, 1_000_000)
    with pytest.raises(NotEnoughMoney) as refused:
        money.spend(by=ward_officer_bo_de, unit=bo_de, kind="purchase", amount_vnd=1_000_001, item="rice",
                    quantity=60, payee="Đại lý", reason="Gạo")  # fmt: skip
    assert refused.value.status == 409 and refused.value.field == "amount_vnd"
    assert "Only 1.000.000 đ held" in str(refused.value.detail) and refused.value.params["held"] == 1_000_000
    # nothing half-written: no spending, no goods, the fund unchanged
    assert not Spending.objects.exists() and not Movement.objects.exists() and fund(bo_de) == 1_000_000
    with pytest.raises(NotEnoughMoney) as empty:  # a unit that never received money holds nothing
        money.spend(by=district_officer_long_bien, unit=unit("00133"), kind="cash", amount_vnd=1, payee="A",
                    reason="B")  # fmt: skip
    assert empty.value.params["held"] == 0
    money.spend(by=ward_officer_bo_de, unit=bo_de, kind="cash", amount_vnd=1_000_000, payee="A", reason="B")
    assert fund(bo_de) == 0 and selectors.money_check().balanced


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "loan"}, "kind"),
        ({"amount_vnd": 0}, "amount_vnd"),
        ({"amount_vnd": -5}, "amount_vnd"),
        ({"amount_vnd": "²"}, "amount_vnd"),
        ({"payee": "  "}, "payee"),
        ({"reason": ""}, "reason"),
        ({"item": None}, "item"),
        ({"quantity": 0}, "quantity"),
    ],
)
def test_bad_spending_is_refused_beside_its_field(ward_officer_bo_de, unit, changes, field):
    bo_de = unit("00139")
    donate(ward_officer_bo_de, bo_de, 1_000_000)
    fields = {"by": ward_officer_bo_de, "unit": bo_de, "kind": "purchase", "amount_vnd": 100_000,
              "payee": "Đại lý", "reason": "Gạo", "item": "rice", "quantity": 5, **changes}  # fmt: skip
    with pytest.raises(ReliefInvalid) as refused:
        money.spend(**fields)
    assert refused.value.field == field and fund(bo_de) == 1_000_000 and not Spending.objects.exists()


def test_only_relief_managers_spend_and_only_in_their_units(
    ward_officer_bo_de, ward_officer_phuc_xa, district_officer_long_bien, health_worker_bo_de, unit
):
    bo_de = unit("00139")
    donate(district_officer_long_bien, bo_de, 1_000_000)
    with pytest.raises(OutOfScope):
        money.spend(by=ward_officer_phuc_xa, unit=bo_de, kind="cash", amount_vnd=1, payee="A", reason="B")
    with pytest.raises(NotPermitted):
        money.spend(by=health_worker_bo_de, unit=bo_de, kind="cash", amount_vnd=1, payee="A", reason="B")
    money.spend(by=district_officer_long_bien, unit=bo_de, kind="cash", amount_vnd=1, payee="A", reason="B")
    assert [row.amount_vnd for row in selectors.spendings_of(ward_officer_bo_de, bo_de)] == [1]
    assert selectors.spendings_of(ward_officer_phuc_xa, unit("00001")) == []


def test_the_api_spends_once_per_key_and_answers_409_with_what_is_held(client, ward_officer_bo_de, unit):
    donate(ward_officer_bo_de, unit("00139"), 3_000_000)
    client.force_login(ward_officer_bo_de)
    body = {"unit": "00139", "kind": "purchase", "amount_vnd": 1_200_000, "payee": "Đại lý gạo",
            "reason": "Gạo", "item": "rice", "quantity": 80}  # fmt: skip
    headers = {"HTTP_IDEMPOTENCY_KEY": "api-1"}
    first = client.post(f"{API}/spending", body, content_type="application/json", **headers)
    again = client.post(f"{API}/spending", body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    assert first.json()["balance_after_vnd"] == 1_800_000 and first.json()["quantity"] == 80
    refused = client.post(
        f"{API}/spending", {**body, "amount_vnd": 1_800_001}, content_type="application/json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "not_enough_money"
    assert refused.json()["field"] == "amount_vnd"
    assert [row["id"] for row in client.get(f"{API}/spending?unit=00139").json()] == [first.json()["id"]]
    assert client.get(f"{API}/board?unit=00139").json()["money_held_vnd"] == 1_800_000


def test_the_money_pages_spend_keep_what_was_typed_and_list_it(client, ward_officer_bo_de, unit):
    donate(ward_officer_bo_de, unit("00139"), 1_000_000)
    client.force_login(ward_officer_bo_de)
    form = client.get("/relief/money/spend/").content.decode()
    assert 'name="token"' in form and "Goods bought for the stock" in form
    body = {"unit": "00139", "kind": "cash", "amount_vnd": "1.500.000", "payee": "Hộ ông Trần Văn Bình",
            "reason": "Tiền ăn", "token": "page-1"}  # fmt: skip
    refused = client.post("/relief/money/spend/", body)
    html = refused.content.decode()
    assert refused.status_code == 409 and "Only 1.000.000 đ held" in html and "Hộ ông Trần Văn Bình" in html
    sent = client.post("/relief/money/spend/", {**body, "amount_vnd": "400.000"})
    assert sent.status_code == 302 and sent["Location"] == "/relief/money/?unit=00139"
    assert client.post("/relief/money/spend/", {**body, "amount_vnd": "400.000"}).status_code == 302
    page = client.get("/relief/money/?unit=00139").content.decode()
    assert "600.000 đ" in page or "600,000 đ" in page
    assert page.count("Hộ ông Trần Văn Bình") == 1 and Spending.objects.count() == 1
    assert "relief/money/" in client.get("/relief/").content.decode()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_officers_spending_the_last_money_at_once_never_overdraw(
    ward_officer_bo_de, district_officer_long_bien, unit
):
    bo_de = unit("00139")
    donate(ward_officer_bo_de, bo_de, 1_000_000)
    barrier, outcomes = threading.Barrier(2, timeout=10), []

    def spend(by: Any) -> None:
        try:
            barrier.wait()
            money.spend(by=by, unit=bo_de, kind="cash", amount_vnd=700_000, payee="Hộ tổ 5", reason="Tiền ăn")
            outcomes.append("paid")
        except NotEnoughMoney:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=spend, args=(by,)) for by in (ward_officer_bo_de, district_officer_long_bien)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["paid", "refused"]
    assert fund(bo_de) == 300_000 and selectors.money_check().balanced
