"""Food aid (S34): any household asks (foreigners too), the ward assigns, delivers (stock booked),
closes; requests waiting over 24 hours are escalated to the district once."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from phaodai.core.clock import hanoi
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.ratelimit import TooManyRequests
from phaodai.notifications.models import Notification
from phaodai.relief import foodaid, selectors
from phaodai.relief.errors import NotEnoughStock, ReliefInvalid, StaleVersion, WrongStep
from phaodai.relief.models import FoodRequest, Movement, Stock
from phaodai.relief.tests.world import give

pytestmark = pytest.mark.django_db
ASKED = hanoi(2021, 9, 10, 8, 0)


def ask(token: str = "t1", clock: Any = None, **changes: Any) -> tuple[FoodRequest, bool]:
    data = {
        "ward_code": "00139", "name": "John Smith", "phone": "0901234567",
        "address": "Phòng 302, nhà trọ số 8 ngõ 12 Nguyễn Văn Cừ", "nationality": "Vương quốc Anh",
        "people": 2, "needs": "Gạo, mì", "token": token, **changes,
    }  # fmt: skip
    return foodaid.request_food_publicly(**data, clock=clock or (lambda: ASKED))


def test_a_foreign_household_asks_without_an_identity_number_and_a_retry_books_once():
    row, created = ask()
    assert (
        created and row.nationality == "Vương quốc Anh" and row.status == "new" and row.unit.code == "00139"
    )
    again, created_again = ask()
    assert again.pk == row.pk and not created_again and FoodRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"ward_code": "004"}, "ward"), ({"phone": "12"}, "phone"), ({"people": 0}, "people"),
     ({"name": " "}, "name"), ({"address": ""}, "address")],
)  # fmt: skip
def test_a_bad_request_is_refused_beside_its_field(changes, field):
    with pytest.raises(ReliefInvalid) as refused:
        ask(**changes)
    assert refused.value.field == field and not FoodRequest.objects.exists()


def test_a_flood_from_one_device_gets_429(settings):
    settings.PHAODAI_FOOD_REQUESTS_PER_HOUR = 1
    foodaid.request_food_publicly(ward_code="00139", name="A", phone="0901234567", address="x", people=1,
                                  token="a", client="10.0.0.1")  # fmt: skip
    with pytest.raises(TooManyRequests):
        foodaid.request_food_publicly(ward_code="00139", name="B", phone="0901234568", address="y",
                                      people=1, token="b", client="10.0.0.1")  # fmt: skip
    assert FoodRequest.objects.count() == 1


def test_assign_deliver_close_books_the_stock_used(ward_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 100)
    give(ward_officer_bo_de, unit("00139"), "instant_noodles", 10)
    row, _ = ask()
    row = foodaid.assign_team(by=ward_officer_bo_de, request=row, team="Tổ Covid cộng đồng số 3", version=1)
    row = foodaid.deliver(by=ward_officer_bo_de, request=row, goods={"rice": "10", "instant_noodles": 1},
                          version=2)  # fmt: skip
    assert row.status == "delivered"
    used = dict(Movement.objects.filter(food_request=row).values_list("item__code", "quantity"))
    assert used == {"rice": -10, "instant_noodles": -1}
    row = foodaid.close(by=ward_officer_bo_de, request=row, version=3)
    assert row.status == "closed" and selectors.ledger_check().balanced


def test_delivering_more_than_held_writes_nothing(ward_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 100)
    row, _ = ask()
    row = foodaid.assign_team(by=ward_officer_bo_de, request=row, team="Tổ 3")
    with pytest.raises(NotEnoughStock) as refused:
        foodaid.deliver(by=ward_officer_bo_de, request=row, goods={"rice": 5, "masks": 1})
    assert refused.value.field == "goods.masks"
    assert Stock.objects.get(item__code="rice").quantity == 100
    row.refresh_from_db()
    assert row.status == "assigned" and not Movement.objects.filter(food_request=row).exists()


def test_steps_in_order_one_winner_and_only_the_wards_officers(ward_officer_bo_de, ward_officer_phuc_xa,
                                                              health_worker_bo_de):  # fmt: skip
    row, _ = ask()
    with pytest.raises(WrongStep):
        foodaid.deliver(by=ward_officer_bo_de, request=row, goods={"rice": 1})
    with pytest.raises(ReliefInvalid):  # closing undelivered needs a reason
        foodaid.close(by=ward_officer_bo_de, request=row)
    with pytest.raises(OutOfScope):
        foodaid.assign_team(by=ward_officer_phuc_xa, request=row, team="x")
    with pytest.raises(NotPermitted):
        foodaid.assign_team(by=health_worker_bo_de, request=row, team="x")
    foodaid.assign_team(by=ward_officer_bo_de, request=row, team="Tổ 1", version=1)
    with pytest.raises(StaleVersion):
        foodaid.assign_team(by=ward_officer_bo_de, request=row, team="Tổ 2", version=1)


def test_requests_over_24_hours_are_escalated_to_the_district_once(ward_officer_bo_de, unit):
    old, _ = ask(token="old")
    new, _ = ask(token="new", clock=lambda: ASKED + timedelta(hours=20))
    later = ASKED + timedelta(hours=25)
    assert list(foodaid.overdue(lambda: later)) == [old]
    assert foodaid.escalate_overdue(clock=lambda: later) == 1
    assert foodaid.escalate_overdue(clock=lambda: later) == 0
    note = Notification.objects.get(kind="relief.food_overdue")
    assert note.unit.code == "004" and f"#{old.pk}" in note.subject
    rows = foodaid.worklist(ward_officer_bo_de, clock=lambda: later)
    assert [(r.row.pk, r.overdue) for r in rows] == [(old.pk, True), (new.pk, False)]


def test_the_escalation_command(time_machine):
    ask(token="cmd")
    time_machine.move_to(ASKED + timedelta(hours=25))
    out = StringIO()
    call_command("relief_escalate", stdout=out)
    assert "1 food-aid request(s) escalated" in out.getvalue()
    assert FoodRequest.objects.get().escalated_at is not None


def test_the_escalation_task(time_machine):
    from phaodai.relief.tasks import escalate

    ask(token="task")
    time_machine.move_to(ASKED + timedelta(hours=25))
    assert escalate.call() == {"escalated": 1}
    assert escalate.call() == {"escalated": 0}
