"""On PostgreSQL, writers at once: the locked balance row gives one winner and never a negative stock."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from phaodai.core.errors import Conflict
from phaodai.relief import foodaid, selectors, services
from phaodai.relief.errors import NotEnoughStock
from phaodai.relief.models import Movement, Stock, Transfer
from phaodai.relief.tests.world import give

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    start = threading.Barrier(len(calls), timeout=10)
    outcomes: list[Any] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes.append(call())
        except Exception as error:  # the losers' refusals are the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_distributions_of_more_than_half_give_one_winner(
    ward_officer_bo_de, district_officer_long_bien, unit
):
    bo_de = unit("00139")
    give(ward_officer_bo_de, bo_de, "rice", 100)

    def take(by: Any) -> Any:
        return lambda: services.distribute(by=by, unit=bo_de, item="rice", quantity=60, reason="Tổ 4")[0]

    outcomes = at_once(take(ward_officer_bo_de), take(district_officer_long_bien))
    assert sum(isinstance(o, Movement) for o in outcomes) == 1
    assert sum(isinstance(o, NotEnoughStock) for o in outcomes) == 1
    assert Stock.objects.get(unit=bo_de).quantity == 40 and selectors.ledger_check().balanced


def test_many_writers_at_once_never_go_negative_and_the_ledger_balances(
    ward_officer_bo_de, district_officer_long_bien, city_commander, unit
):
    bo_de = unit("00139")
    give(ward_officer_bo_de, bo_de, "masks", 50)
    people = [ward_officer_bo_de, district_officer_long_bien, city_commander]
    calls = [
        (lambda by=by: services.distribute(by=by, unit=bo_de, item="masks", quantity=20, reason="F1")[0])
        for by in people
    ] + [lambda: give(city_commander, bo_de, "masks", 5)]
    outcomes = at_once(*calls)
    # whatever the order, 55 kg hold two distributions of 20 and not a third
    assert sum(isinstance(o, Movement) for o in outcomes) == 2
    assert sum(isinstance(o, NotEnoughStock) for o in outcomes) == 1
    assert Stock.objects.get(unit=bo_de).quantity == 15
    assert selectors.ledger_check().balanced


def test_two_dispatches_of_one_transfer_give_one_winner(ward_officer_bo_de, district_officer_long_bien, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 500)
    transfer, _ = services.propose_transfer(
        by=district_officer_long_bien, from_unit=unit("00139"), to_unit=unit("00133"), item="rice",
        quantity=200, proposer="fatherland_front",
    )  # fmt: skip
    transfer = services.move_transfer(by=district_officer_long_bien, transfer=transfer, step="approve")

    def dispatch(by: Any) -> Any:
        return lambda: services.move_transfer(by=by, transfer=transfer, step="dispatch")

    outcomes = at_once(dispatch(ward_officer_bo_de), dispatch(district_officer_long_bien))
    assert sum(isinstance(o, Transfer) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert Stock.objects.get(unit=unit("00139")).quantity == 300
    assert Movement.objects.filter(transfer=transfer).count() == 1


def test_two_deliveries_of_one_request_book_the_stock_once(ward_officer_bo_de, welfare_officer_bo_de, unit):
    give(ward_officer_bo_de, unit("00139"), "rice", 100)
    row, _ = foodaid.request_food_publicly(
        ward_code="00139", name="Trần Thị Hoa", phone="0987000111", address="Ngõ 5 Bồ Đề", people=4, token="c"
    )
    row = foodaid.assign_team(by=ward_officer_bo_de, request=row, team="Tổ 2")

    def deliver(by: Any) -> Any:
        return lambda: foodaid.deliver(by=by, request=row, goods={"rice": 20})

    outcomes = at_once(deliver(ward_officer_bo_de), deliver(welfare_officer_bo_de))
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert Stock.objects.get(unit=unit("00139")).quantity == 80


def test_a_distribution_sent_twice_at_once_with_one_key_is_booked_once(ward_officer_bo_de, unit):
    """A double-tapped or retried form: both requests answer with the same movement."""
    bo_de = unit("00139")
    give(ward_officer_bo_de, bo_de, "rice", 100)

    def send() -> Any:
        return services.distribute(
            by=ward_officer_bo_de, unit=bo_de, item="rice", quantity=30, reason="Tổ 4", idempotency_key="tap"
        )

    outcomes = at_once(send, send, send)
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert len({movement.pk for movement, _created in outcomes}) == 1
    assert sum(created for _movement, created in outcomes) == 1
    assert Stock.objects.get(unit=bo_de).quantity == 70
    assert Movement.objects.filter(kind="distribution_out").count() == 1 and selectors.ledger_check().balanced
