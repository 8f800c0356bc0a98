"""The demo's support in Bồ Đề, September 2021: applications from filing to reconciliation through the
welfare services, a second batch waiting, the public list masked; a rerun adds nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from phaodai.demo.context import DemoContext
from phaodai.demo.phases import PHASES, run_phases
from phaodai.demo.scenarios import BO_DE, LONG_BIEN
from phaodai.demo.welfare_seed import seed_welfare
from phaodai.welfare import selectors
from phaodai.welfare.models import Application, Decision, Payment

NEEDED = ("areas", "people", "logins")


def to_pay() -> int:
    return Application.objects.filter(status="approved", decision__isnull=False).count()


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[Any]]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = DemoContext(districts=(LONG_BIEN,), persons=1200, write=lambda line: None)
            run_phases(ctx, [phase for phase in PHASES if phase.name in NEEDED])
            counts = []
            summaries = [seed_welfare(ctx)]
            counts.append((Application.objects.count(), to_pay()))
            summaries.append(seed_welfare(ctx))
            counts.append((Application.objects.count(), to_pay()))
            yield [*summaries, counts]
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
def test_bo_de_support_goes_from_filing_to_reconciliation(seeded):
    statuses = set(Application.objects.filter(unit__code=BO_DE).values_list("status", flat=True))
    assert {"filed", "rejected", "returned", "reconciled"} <= statuses
    assert Decision.objects.filter(number="2468/QĐ-UBND").exists()
    assert Payment.objects.filter(status="reconciled", method="cash").exclude(receipt="").exists()
    assert Payment.objects.filter(status="reconciled", method="bank").exists()
    assert to_pay()  # one left to pay


@pytest.mark.django_db
def test_the_public_list_masks_the_demo_names(seeded):
    public = selectors.public_ward_list(BO_DE)
    assert public.count > 5
    full_names = set(Application.objects.values_list("person__full_name", flat=True))
    assert all(row.masked_name not in full_names and "." in row.masked_name for row in public.rows)


@pytest.mark.django_db
def test_a_rerun_adds_nothing(seeded):
    first, _second, counts = seeded
    assert "applications" in first and counts[0] == counts[1]
