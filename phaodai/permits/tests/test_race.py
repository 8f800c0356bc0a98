"""Two officers deciding, issuing or revoking at the same moment (PostgreSQL): one wins, the other is told."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from phaodai.permits import services
from phaodai.permits.errors import AlreadyDecided, AlreadyIssued, AlreadyRevoked
from phaodai.permits.models import Entry, Permit
from phaodai.permits.tests.conftest import staff_row

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


def test_two_officers_deciding_at_once_one_wins(
    entry, ward_officer_bo_de, district_officer_long_bien, pass_key
):
    outcomes = at_once(
        lambda: services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=True),
        lambda: services.decide_entry(
            by=district_officer_long_bien, entry=entry, approve=False, reason="Không"
        ),
    )
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], AlreadyDecided), outcomes
    entry.refresh_from_db()
    assert entry.version == 2
    expected_permits = 1 if entry.status == Entry.Status.APPROVED else 0
    assert Permit.objects.filter(entry=entry).count() == expected_permits


def test_issuing_twice_at_once_gives_one_valid_permit(
    entry, ward_officer_bo_de, district_officer_long_bien, pass_key
):
    services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=True, issue=False)
    outcomes = at_once(
        lambda: services.issue_permit(by=ward_officer_bo_de, entry=entry),
        lambda: services.issue_permit(by=district_officer_long_bien, entry=entry),
    )
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], AlreadyIssued), outcomes
    assert Permit.objects.filter(entry=entry, status="active").count() == 1


def test_revoking_twice_at_once_one_wins(issued, ward_officer_bo_de, district_officer_long_bien):
    outcomes = at_once(
        lambda: services.revoke_permit(by=ward_officer_bo_de, permit=issued, reason="a"),
        lambda: services.revoke_permit(by=district_officer_long_bien, permit=issued, reason="b"),
    )
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], AlreadyRevoked), outcomes


def test_the_same_row_submitted_twice_at_once_is_one_entry(org, ward_officer_bo_de):
    outcomes = at_once(
        lambda: services.submit_entry(by=ward_officer_bo_de, organisation=org, row=staff_row()),
        lambda: services.submit_entry(by=ward_officer_bo_de, organisation=org, row=staff_row()),
    )
    assert sorted(o.created for o in outcomes) == [False, True], outcomes
    assert Entry.objects.count() == 1
