"""Races on PostgreSQL: two officers approving one registration at once (one pass signed, one 409);
the same vehicle submitted twice at once (one registration, both answered with it)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from phaodai.core.errors import Conflict
from phaodai.vehicles import services
from phaodai.vehicles.models import GreenLane
from phaodai.vehicles.tests.conftest import CLOCK, green_lane_fields

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def at_once(*calls: Callable[[], Any]) -> list[Any]:
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


def test_two_approvals_at_once_give_one_winner(
    register: Any, district_officer_long_bien: Any, city_commander: Any, signing_key: Any
) -> None:
    registration = register()

    def approve(by: Any) -> Callable[[], Any]:
        return lambda: services.approve_green_lane(by=by, registration=registration, version=1, clock=CLOCK)

    outcomes = at_once(approve(district_officer_long_bien), approve(city_commander))
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    registration.refresh_from_db()
    assert registration.status == "approved" and registration.version == 2


def test_the_same_submission_twice_at_once_is_one_registration(
    district_officer_long_bien: Any, unit: Any
) -> None:
    def submit() -> Any:
        return services.register_green_lane(
            by=district_officer_long_bien, unit=unit("004"), clock=CLOCK, **green_lane_fields()
        )[0]

    outcomes = at_once(submit, submit)
    assert all(isinstance(o, GreenLane) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1 and GreenLane.objects.count() == 1
