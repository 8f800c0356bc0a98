"""Two officers adding contacts at the same moment that reach the same persons (PostgreSQL: real
concurrency): both are recorded, and the levels are those the full rebuild gives."""

import threading
from datetime import date
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from phaodai.cases import services
from phaodai.cases.models import TraceLevel
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.cases.tests.test_api import cccd_of
from phaodai.core.clock import hanoi

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
CONTACTS = 40


def derivation() -> dict[Any, tuple[Any, ...]]:
    fields = ("level", "via_id", "root_case_id", "exposed_on", "next_from", "next_until", "cluster_id")
    return {pid: tuple(rest) for pid, *rest in TraceLevel.objects.values_list("person_id", *fields)}


def test_two_cases_naming_the_same_contacts_at_once(
    resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any
) -> None:
    a, b = resident(0), resident(1)
    for n in range(CONTACTS):
        resident(10 + n)
    for person, ref in ((a, "A"), (b, "B")):
        services.record_case(by=health_worker_bo_de, person=person, confirmed_at=SEPT_10_MORNING,
                             detected_in="community", source_known=False, test_ref=ref,
                             clock=at(SEPT_10_MORNING))  # fmt: skip
    clients = []
    for user in (health_worker_bo_de, ward_officer_bo_de):
        client = Client()
        client.force_login(user)  # sessions written before the race, not during it
        clients.append(client)
    start = threading.Barrier(2)
    statuses: list[int] = []
    contacts = [
        {"cccd": cccd_of(10 + n), "exposed_on": "2021-09-09", "setting": "household"} for n in range(CONTACTS)
    ]

    def send(client: Client, source: int) -> None:
        try:
            start.wait(timeout=10)
            body = {"cccd": cccd_of(source), "contacts": contacts}
            statuses.append(
                client.post("/api/v1/people/contacts", body, content_type="application/json").status_code
            )
        finally:
            connection.close()

    with time_machine.travel(hanoi(2021, 9, 10, 12), tick=False):
        threads = [threading.Thread(target=send, args=(client, n)) for n, client in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(statuses) == [201, 201]
    assert TraceLevel.objects.filter(level=1).count() == CONTACTS
    # Every contact met both cases the same day: the lower case id wins, as in the rebuild.
    assert set(TraceLevel.objects.filter(level=1).values_list("via_id", flat=True)) == {min(a.pk, b.pk)}
    concurrent = derivation()
    services.rederive(as_of=date(2021, 9, 10))
    assert derivation() == concurrent
