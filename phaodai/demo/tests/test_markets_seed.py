"""The demo's markets as of 22/9/2021: Long Biên's markets, Bồ Đề's representatives, its 15-day scheme
allocated within every market-hour's capacity and one tổ dân phố's sheet signed; a rerun adds nothing."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from phaodai.demo.context import DemoContext
from phaodai.demo.markets_seed import seed_markets
from phaodai.demo.phases import PHASES, run_phases
from phaodai.demo.scenarios import BO_DE, LONG_BIEN
from phaodai.markets.models import AllocationRun, Market, MarketPass, Representative, Scheme
from phaodai.passes.selectors import verify_code

NEEDED = ("areas", "people", "logins", "checkpoints")


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[str]]:
    """Long Biên's registry, then the markets phase twice (it makes its own 2021 pass key), once."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = DemoContext(districts=(LONG_BIEN,), persons=1200, write=lambda line: None)
            run_phases(ctx, [phase for phase in PHASES if phase.name in NEEDED])
            with transaction.atomic():
                yield [seed_markets(ctx), seed_markets(ctx)]
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
def test_markets_representatives_and_an_allocation_within_capacity(seeded):
    markets = Market.objects.filter(unit_path__startswith="/01/004/")
    assert markets.count() == 7 and markets.filter(unit__code=BO_DE).count() == 3
    assert Representative.objects.filter(unit_path__contains=f"/{BO_DE}/").exists()
    scheme = Scheme.objects.get(unit__code=BO_DE)
    run = AllocationRun.objects.get(scheme=scheme)
    passes = list(MarketPass.objects.filter(scheme=scheme).select_related("market"))
    assert run.passes == len(passes) > 0
    capacity = {market.pk: market.capacity for market in markets}
    assert all(p.market_id is not None for p in passes)  # the "nearest market" scheme names one
    load = Counter((p.market_id, p.slot_start) for p in passes if p.market_id is not None)
    assert all(count <= capacity[market] for (market, _slot), count in load.items())


@pytest.mark.django_db
def test_one_sheet_is_printed_with_codes_that_verify(seeded):
    printed = MarketPass.objects.filter(printed_at__isnull=False)
    assert printed.exists() and len({p.area_id for p in printed}) == 1
    first = printed.first()
    assert first is not None
    verification = verify_code(first.pass_code, clock=lambda: first.slot_start)
    assert verification.ok and verification.payload is not None
    assert verification.payload["id"] == first.pass_id and verification.payload["t"] == "market"


@pytest.mark.django_db
def test_running_the_phase_again_adds_nothing(seeded):
    first, second = seeded
    assert "7 markets registered" in first
    assert second.startswith("0 markets registered, 0 representatives named")
    assert AllocationRun.objects.count() == 1
