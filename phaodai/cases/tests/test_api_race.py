"""Two POST /cases for the same person at the same moment record one case (PostgreSQL: real concurrency)."""

import threading
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from phaodai.cases.models import Case
from phaodai.cases.tests.test_api import NOW, case_body

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _tenth_of_september():
    with time_machine.travel(NOW, tick=False):
        yield


def post_together(users: list[Any], bodies: list[dict[str, Any]], keys: list[str | None]) -> list[int]:
    """Send each body as its user, all released at once; the statuses in no particular order."""
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)  # sessions written before the race, not during it
        clients.append(client)
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(client: Client, body: dict[str, Any], key: str | None) -> None:
        try:
            start.wait(timeout=10)
            headers = {"Idempotency-Key": key} if key else {}
            answer = client.post("/api/v1/cases", body, content_type="application/json", headers=headers)
            statuses.append(answer.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=args) for args in zip(clients, bodies, keys, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_the_same_case_sent_twice_at_once_is_recorded_once(resident, health_worker_bo_de, ward_officer_bo_de):
    resident(0)
    statuses = post_together([health_worker_bo_de, ward_officer_bo_de], [case_body(0)] * 2, [None, None])
    assert statuses == [200, 201]
    assert Case.objects.count() == 1


def test_a_retry_with_the_key_racing_the_first_send_is_recorded_once(resident, health_worker_bo_de):
    resident(0)
    statuses = post_together([health_worker_bo_de] * 2, [case_body(0)] * 2, ["lab-1", "lab-1"])
    assert statuses == [200, 201]
    assert Case.objects.count() == 1


def test_two_different_cases_for_the_same_person_at_once_give_one_case_and_one_409(
    resident, health_worker_bo_de, ward_officer_bo_de
):
    resident(0)
    bodies = [case_body(0), case_body(0, confirmed_at="2021-09-10T08:00", test_ref="OTHER-1")]
    statuses = post_together([health_worker_bo_de, ward_officer_bo_de], bodies, [None, None])
    assert statuses == [201, 409]
    assert Case.objects.count() == 1
