"""Concurrent writers on PostgreSQL: one winner, nobody told twice, a pool never over its size."""

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections

from phaodai.diagnostics import services
from phaodai.diagnostics.models import Retest, Sample
from phaodai.diagnostics.services import SampleInput
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING, at, first_session, resident_cccd
from phaodai.notifications.models import Notification

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

CLOCK = at(SEPT_10_MORNING + timedelta(hours=2))


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at once in threads; each outcome is the return value or the exception raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the test inspects what each thread got
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_announcements_of_the_same_positives_tell_the_ward_once(sampled_person):
    ids = [sampled_person(n, outcome="positive").pk for n in range(3)]
    counts = race(
        lambda: services.announce_positives(ids, clock=CLOCK),
        lambda: services.announce_positives(ids, clock=CLOCK),
    )
    assert sorted(counts) == [0, 3]
    assert Notification.objects.filter(kind="diagnostics.positive_to_confirm").count() == 1
    assert Sample.objects.filter(announced_at__isnull=True).count() == 0


def test_two_labs_reporting_a_pool_positive_at_once_request_each_retest_once(
    health_worker_bo_de, lab_tech_cdc, area_round, resident, lab_cdc
):
    session = first_session(area_round(method="pcr_pooled", pool_size=5))
    for n in range(5):
        resident(n)
        data = SampleInput(
            code=f"BD-{n:06d}", cccd=resident_cccd(n), collected_at=SEPT_10_MORNING, pool_code="P-0001"
        )
        services.register_sample(by=health_worker_bo_de, data=data, session=session, clock=CLOCK)
    pool = Sample.objects.get(code="BD-000000").pool
    assert pool is not None
    results = race(
        *[
            lambda: services.record_pool_result(
                by=lab_tech_cdc,
                pool=pool,
                outcome="positive",
                resulted_at=SEPT_10_MORNING + timedelta(hours=1),
            )
        ]
        * 2
    )
    assert sorted(r.change for r in results) == ["result", "unchanged"]
    assert Retest.objects.filter(status="open").count() == 5


def test_a_pool_never_takes_more_than_its_size(health_worker_bo_de, area_round, resident, lab_cdc):
    session = first_session(area_round(method="pcr_pooled", pool_size=5))
    for n in range(7):
        resident(n)
    for n in range(4):
        data = SampleInput(
            code=f"BD-{n:06d}", cccd=resident_cccd(n), collected_at=SEPT_10_MORNING, pool_code="P-0001"
        )
        services.register_sample(by=health_worker_bo_de, data=data, session=session, clock=CLOCK)

    def last_place(n: int) -> Callable[[], Any]:
        data = SampleInput(
            code=f"BD-{n:06d}", cccd=resident_cccd(n), collected_at=SEPT_10_MORNING, pool_code="P-0001"
        )
        return lambda: services.register_sample(
            by=health_worker_bo_de, data=data, session=session, clock=CLOCK
        )

    outcomes = race(last_place(5), last_place(6))
    assert sum(isinstance(outcome, services.PoolFull) for outcome in outcomes) == 1
    assert Sample.objects.filter(pool__code="P-0001").count() == 5
