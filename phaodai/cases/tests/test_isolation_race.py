"""Two officers at the same moment (PostgreSQL): one order per person, one check per day, one transition,
and the last facility bed taken once with nothing half-written for the other."""

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection

from phaodai.cases import isolation
from phaodai.cases.isolation_errors import FollowUpRecorded, OpenOrderExists, OrderChanged, OrderClosed
from phaodai.cases.models import FollowUp, IsolationOrder
from phaodai.cases.tests.conftest import at
from phaodai.cases.tests.isolation_support import day, facility, order
from phaodai.quarantine.errors import FacilityFull
from phaodai.quarantine.models import Admission

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


def test_two_orders_for_the_same_person_at_once_give_one_order(
    resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any
) -> None:
    person = resident(1)

    def issue(by: Any, subject: str) -> Callable[[], Any]:
        return lambda: isolation.order_isolation(
            by=by, person=person, subject=subject, setting="home", starts_at=day(10), clock=at(day(10))
        )

    outcomes = at_once(issue(health_worker_bo_de, "F1"), issue(ward_officer_bo_de, "F2"))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], OpenOrderExists), outcomes
    assert IsolationOrder.objects.filter(person=person).count() == 1


def test_two_different_checks_of_the_same_day_at_once_keep_one(
    resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))

    def record(by: Any, result: str) -> Callable[[], Any]:
        return lambda: isolation.record_follow_up(
            by=by, order=made, day=date(2021, 9, 11), result=result, clock=at(day(11, 18))
        )

    outcomes = at_once(record(health_worker_bo_de, "well"), record(ward_officer_bo_de, "unreachable"))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], FollowUpRecorded), outcomes
    assert FollowUp.objects.count() == 1


def test_a_release_and_a_cancel_at_once_have_one_winner(
    resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    outcomes = at_once(
        lambda: isolation.release(
            by=health_worker_bo_de, order=made, decision="1/QĐ", version=1, clock=at(day(25))
        ),
        lambda: isolation.cancel(
            by=ward_officer_bo_de, order=made, reason="Duplicate", version=1, clock=at(day(25))
        ),
    )
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], OrderClosed | OrderChanged), outcomes
    assert IsolationOrder.objects.get(pk=made.pk).version == 2


def test_two_facility_orders_for_the_last_bed_give_one_order_and_one_full_with_nothing_written(
    resident: Any, health_worker_bo_de: Any, district_officer_long_bien: Any, city_commander: Any, unit: Any
) -> None:
    last_bed = facility(city_commander, unit, "Trường THCS Ngọc Lâm", beds=(1, 0, 0))
    people = [resident(1), resident(2)]

    def issue(by: Any, person: Any) -> Callable[[], Any]:
        return lambda: isolation.order_isolation(
            by=by, person=person, subject="F1", setting="facility", facility=last_bed, starts_at=day(10),
            clock=at(day(10)),
        )  # fmt: skip

    outcomes = at_once(issue(health_worker_bo_de, people[0]), issue(district_officer_long_bien, people[1]))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], FacilityFull), outcomes
    assert IsolationOrder.objects.count() == Admission.objects.count() == 1
    assert IsolationOrder.objects.get().facility_ref == str(Admission.objects.get().pk)
