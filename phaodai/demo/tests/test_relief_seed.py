"""The demo's relief in Long Biên, September 2021: donations, Bồ Đề's stocks, a transfer received by
Ngọc Lâm, food-aid requests with the overdue ones escalated; the ledger balances and a rerun adds nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from phaodai.demo.context import DemoContext
from phaodai.demo.relief_seed import seed_relief
from phaodai.demo.scenarios import LONG_BIEN
from phaodai.notifications.models import Notification
from phaodai.relief.models import Donation, FoodRequest, Movement, Stock, Transfer
from phaodai.relief.selectors import ledger_check


class Interrupted(Exception):
    pass


@pytest.mark.django_db
def test_an_interrupted_first_run_is_completed_by_the_next_without_duplicates(monkeypatch):
    """The seed stops half-way through the distributions (a crash, ^C); the next run books the rest.

    First in the module: it seeds from nothing, before the module's shared run below.
    """
    from phaodai.relief import services

    real, calls = services.distribute, []

    def failing(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) == 5:
            raise Interrupted
        return real(**kwargs)

    ctx = DemoContext(districts=(LONG_BIEN,), write=lambda line: None)
    monkeypatch.setattr(services, "distribute", failing)
    with pytest.raises(Interrupted):
        seed_relief(ctx)
    assert Movement.objects.filter(kind="distribution_out").count() == 4
    monkeypatch.setattr(services, "distribute", real)
    summary = seed_relief(ctx)
    assert summary.startswith("0 donations") and "10 distributions" in summary
    assert summary.endswith("ledger balanced")
    assert Movement.objects.filter(kind="distribution_out").count() == 14
    assert (
        Donation.objects.count() == 10 and Transfer.objects.count() == 1 and FoodRequest.objects.count() == 5
    )
    held = dict(Stock.objects.filter(item__code="rice").values_list("unit__code", "quantity"))
    assert held == {"00139": 620, "00133": 800}
    assert seed_relief(ctx).startswith("0 donations, transfer")
    assert Movement.objects.filter(kind="distribution_out").count() == 14


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[str]]:
    """The relief phase twice, once for the module, rolled back at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            from phaodai.relief.catalogue import sync_items
            from phaodai.relief.models import Item

            sync_items(Item)
            ctx = DemoContext(districts=(LONG_BIEN,), write=lambda line: None)
            with transaction.atomic():
                yield [seed_relief(ctx), seed_relief(ctx)]
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
def test_donations_stocks_and_a_transfer_that_keeps_the_ledger_balanced(seeded):
    first, again = seeded
    assert first.startswith("10 donations") and "received" in first and first.endswith("ledger balanced")
    assert again.startswith("0 donations") and "0 distributions, 0 food-aid requests" in again
    assert "Bồ Đề's rice: 4.9 days of supply to 20/09" in first
    assert Donation.objects.count() == 10 and Donation.objects.filter(anonymous=True).count() == 2
    assert Transfer.objects.get().status == "received"
    held = dict(Stock.objects.filter(item__code="rice").values_list("unit__code", "quantity"))
    # Bồ Đề: 2,000 in − 500 sent − 7 × 120 handed out − 40 in food aid; Ngọc Lâm: 300 + 500
    assert held == {"00139": 620, "00133": 800}
    assert ledger_check().balanced
    assert Movement.objects.filter(kind="distribution_out").count() == 14


@pytest.mark.django_db
def test_events_are_booked_in_the_order_they_happened(seeded):
    """Each movement's balance follows the one before it in time: booked in time order."""
    for unit_code, item in (("00139", "rice"), ("00139", "instant_noodles"), ("00133", "rice")):
        rows = list(
            Movement.objects.filter(unit__code=unit_code, item__code=item)
            .order_by("pk")
            .values_list("at", "quantity", "balance_after")
        )
        assert [at for at, _q, _b in rows] == sorted(at for at, _q, _b in rows), (unit_code, item)
        running = 0
        for _at, quantity, balance in sorted(rows):
            running += quantity
            assert balance == running


@pytest.mark.django_db
def test_food_aid_requests_and_the_escalation(seeded):
    statuses = dict(FoodRequest.objects.values_list("idempotency_key", "status"))
    assert statuses == {
        "p:demo-relief-r1": "closed", "p:demo-relief-r2": "closed", "p:demo-relief-r3": "assigned",
        "p:demo-relief-r4": "new", "p:demo-relief-r5": "new",
    }  # fmt: skip
    assert FoodRequest.objects.filter(nationality="Hàn Quốc").exists()
    assert FoodRequest.objects.filter(escalated_at__isnull=False).count() == 3
    assert Notification.objects.filter(kind="relief.food_overdue", unit__code=LONG_BIEN).count() == 3
