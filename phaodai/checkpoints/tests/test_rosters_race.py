"""Two managers putting the same person on two checkpoints at the same time (PostgreSQL): one wins,
the other is told where the person already is; the same device record synced twice at once is one row."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from phaodai.checkpoints import services
from phaodai.checkpoints.errors import StaffClash
from phaodai.checkpoints.models import Crossing, ShiftStaff
from phaodai.checkpoints.tests.conftest import CLOCK, entry
from phaodai.core.clock import hanoi

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each outcome is a result or the error raised."""
    start = threading.Barrier(len(calls))
    outcomes: list[Any] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(call())
        except Exception as error:  # the loser's refusal is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("person", ["user", "named"])
def test_the_same_person_on_two_checkpoints_at_once_gets_one_shift(
    ql6: Any, checkpoint_of: Any, city_commander: Any, district_officer_long_bien: Any,
    checkpoint_officer_ql6: Any, person: str,
) -> None:  # fmt: skip
    south = checkpoint_of("268", code="268-06", name="Chốt Trục phía Nam", road="Trục phía Nam")
    if person == "user":
        ref = services.StaffRef(user=checkpoint_officer_ql6)
    else:
        ref = services.StaffRef(full_name="Nguyễn Văn Hùng", organisation="police", phone="0912345678")

    def put(checkpoint: Any, hour: int) -> Callable[[], Any]:
        def call() -> Any:
            # A new thread speaks the default language (Vietnamese); the message is read in English.
            with translation.override("en"):
                return services.add_shift(
                    by=city_commander, checkpoint=checkpoint, starts_at=hanoi(2021, 9, 15, hour),
                    ends_at=hanoi(2021, 9, 15, hour + 8), staff=[ref], clock=CLOCK,
                )  # fmt: skip

        return call

    outcomes = at_once(put(ql6, 6), put(south, 10))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], StaffClash), outcomes
    assert "is already on shift at Chốt" in str(refused[0])
    assert ShiftStaff.objects.count() == 1


def test_the_same_record_synced_twice_at_once_is_one_row(ql6: Any, checkpoint_officer_ql6: Any) -> None:
    def sync() -> Any:
        return services.sync_crossings(
            by=checkpoint_officer_ql6, device_id="p", entries=[entry(ql6)], clock=CLOCK
        )

    outcomes = at_once(sync, sync)
    statuses = sorted(result[0].status for result in outcomes)
    assert statuses == ["created", "duplicate"], outcomes
    assert Crossing.objects.count() == 1
