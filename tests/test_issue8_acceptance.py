"""Issue #8 acceptance through the markets app's own services (the browser half — printing a tổ dân
phố's sheet, a gate check with the network cut — is tests/browser/test_market_sheet.py and
tests/browser/test_market_gate.py):

- a ward's allocation respects every market-hour capacity and the scheme;
- a reused pass is refused at the gate with the time of first use;
- an F0's visit returns exactly the households in the same market-hours.
"""

from collections import Counter
from datetime import date, time, timedelta
from itertools import pairwise
from typing import Any

import pytest

from phaodai.core.clock import at_local, local_date, now, to_local
from phaodai.core.text import search_key
from phaodai.markets import gate, printing, services
from phaodai.markets.allocation import run_allocation
from phaodai.markets.models import MarketPass
from phaodai.markets.tracing import Visit, households_exposed
from phaodai.passes import services as passes
from phaodai.passes.payload import PassType
from phaodai.territory.models import Area, Household, Unit

pytestmark = pytest.mark.django_db

HOUSEHOLDS = 40
# People inside at once: 2 a slot × 2 one-hour slots (06:00–08:00) × 2 markets = 8 a day, for
# the 13 or 14 households (of 40, every 3 days) who may go each day.
CAPACITY = 2


GIVEN = ("An", "Bình", "Cường", "Dũng", "Em", "Giang", "Hà", "Khánh", "Lâm", "Minh")


def at(moment: Any) -> Any:
    return lambda: moment


def bo_de_with_households(ward_officer: Any) -> tuple[Unit, list[Area]]:
    """Two tổ dân phố of Bồ Đề, 20 households each, every one with a registered representative."""
    from phaodai.people import services as people

    ward = Unit.objects.get(code="00139")
    areas = [
        Area.objects.create(
            ward=ward,
            code=f"00139-TDP0{n}",
            local_code=f"TDP0{n}",
            name=f"Tổ dân phố {n}",
            name_key=search_key(f"Tổ dân phố {n}"),
            kind="to_dan_pho",
            path=ward.path,
        )
        for n in (1, 2)
    ]
    for n in range(HOUSEHOLDS):
        area = areas[n % 2]
        home = Household.objects.create(
            area=area, code=f"{area.code}-{n:03d}", address=f"Số {n + 1} ngõ 8 Bồ Đề", path=area.path
        )
        person = people.register_person(
            by=ward_officer, cccd=f"001085{300000 + n:06d}", full_name=f"Nguyễn Văn {GIVEN[n % len(GIVEN)]}",
            birth_date=date(1985, 3, 1 + n % 28), sex="M", phone=None,
            residence_area=area, household=home,
        )  # fmt: skip
        services.designate_representative(by=ward_officer, household=home, person_id=person.pk)
    return ward, areas


@pytest.fixture
def allocated(city_commander: Any, ward_officer_bo_de: Any) -> Any:
    passes.rotate_key(by=city_commander, purpose="passes", label="Khóa ký phiếu", pass_types=list(PassType))
    passes.rotate_key(by=city_commander, purpose="bundles", label="Khóa ký bộ quy tắc")
    passes.publish_scope(by=city_commander, scope="markets")
    ward, areas = bo_de_with_households(ward_officer_bo_de)
    for n, area in enumerate(areas, start=1):
        services.create_market(
            by=ward_officer_bo_de, unit=ward, name=f"Chợ thử {n}", kind="local_market",
            address=f"Chợ thử {n}, Bồ Đề", opens_at=time(6), closes_at=time(8), capacity=CAPACITY, area=area,
        )  # fmt: skip
    first = local_date(now()) + timedelta(days=1)
    scheme, _ = services.create_scheme(
        by=ward_officer_bo_de, unit=ward, name="Phiếu đi chợ thử", starts_on=first,
        ends_on=first + timedelta(days=5), pattern={"kind": "every_n_days", "n": 3},
    )  # fmt: skip
    run = run_allocation(by=ward_officer_bo_de, scheme=scheme)
    return scheme, run, areas


def test_a_ward_s_allocation_respects_every_market_hour_capacity_and_the_scheme(allocated):
    scheme, run, _areas = allocated
    placed = list(MarketPass.objects.filter(scheme=scheme).select_related("market"))

    # Every market-hour holds at most the market's capacity...
    load = Counter((p.market_id, p.slot_start) for p in placed)
    assert load and max(load.values()) <= CAPACITY
    # ...so the 40 households × 2 days cannot all fit: the rest is reported, never squeezed in.
    assert len(placed) == run.passes < HOUSEHOLDS * 2
    assert sum(row["short"] for row in run.shortfall) == HOUSEHOLDS * 2 - len(placed)
    for market_pass in placed:
        start, end = to_local(market_pass.slot_start), to_local(market_pass.slot_end)
        # the scheme: its days, one-hour slots within the market's hours, one pass a household a day
        assert scheme.starts_on <= market_pass.day <= scheme.ends_on and start.date() == market_pass.day
        assert end - start == timedelta(minutes=scheme.slot_minutes)
        assert time(6) <= start.time() and end.time() <= time(8)
    days_of = Counter(p.household_id for p in placed)
    assert max(days_of.values()) <= 2  # every 3 days over 6 days: two trips at most
    days = {(p.household_id, p.day) for p in placed}
    assert len(days) == len(placed)
    for household in {p.household_id for p in placed}:
        mine = sorted(day for owner, day in days if owner == household)
        assert all((b - a).days % 3 == 0 for a, b in pairwise(mine))


def test_a_reused_pass_is_refused_at_the_gate_with_the_time_of_first_use(allocated, ward_officer_bo_de):
    scheme, _run, areas = allocated
    printing.sheet_pdf(by=ward_officer_bo_de, scheme=scheme, area=areas[0])
    market_pass = MarketPass.objects.filter(scheme=scheme, area=areas[0]).order_by("slot_start").first()
    assert market_pass is not None and market_pass.pass_code.startswith("PD1:")
    assert market_pass.market is not None  # "nearest" passes name their market
    first_scan = market_pass.slot_start + timedelta(minutes=10)

    first = gate.check_at_gate(
        by=ward_officer_bo_de, market=market_pass.market, code=market_pass.pass_code, clock=at(first_scan)
    )
    again = gate.check_at_gate(
        by=ward_officer_bo_de, market=market_pass.market, code=market_pass.pass_code,
        clock=at(first_scan + timedelta(minutes=20)),
    )  # fmt: skip

    assert first.allowed
    assert not again.allowed
    assert [reason.code for reason in again.reasons] == ["already_used"]
    assert again.first_used_at == first_scan


def test_an_f0_s_visit_returns_exactly_the_households_in_the_same_market_hours(allocated, ward_officer_bo_de):
    scheme, _run, areas = allocated
    for area in areas:
        printing.sheet_pdf(by=ward_officer_bo_de, scheme=scheme, area=area)
    printed = list(MarketPass.objects.filter(scheme=scheme).select_related("market", "representative"))
    # Everyone goes to market in their slot on the first day.
    day = min(p.day for p in printed)
    for market_pass in (p for p in printed if p.day == day):
        assert market_pass.market is not None
        gate.check_at_gate(
            by=ward_officer_bo_de, market=market_pass.market, code=market_pass.pass_code,
            clock=at(market_pass.slot_start + timedelta(minutes=5)),
        )  # fmt: skip
    f0_pass = next(p for p in printed if p.day == day)
    assert f0_pass.market is not None
    hour = to_local(f0_pass.slot_start).time()
    same_hour = {
        p.household_id
        for p in printed
        if p.day == day and p.market_id == f0_pass.market_id and p.slot_start == f0_pass.slot_start
    } - {f0_pass.household_id}

    exposed = households_exposed(
        by=ward_officer_bo_de,
        visits=[Visit(f0_pass.market, day, (hour, (at_local(day, hour) + timedelta(minutes=45)).time()))],
        f0=f0_pass.representative,
    )

    assert same_hour, "the F0's slot should hold other households in this allocation"
    assert {row.household_id for row in exposed} == same_hour
