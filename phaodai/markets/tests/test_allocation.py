"""Allocating a ward's scheme on the database: capacity per market-hour, the scheme's days, re-runs that
keep printed passes, households without a representative, shortfall, a withdrawn scheme, two runs.

Runs on SQLite and PostgreSQL (the acceptance: a ward's allocation respects every market-hour
capacity and the scheme). Bồ Đề (00139) with two tổ dân phố and two small markets.
"""

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.db import connection

from phaodai.core.audit import AuditEntry
from phaodai.core.clock import HANOI, to_local
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.text import search_key
from phaodai.markets.allocation import allocation_summary, run_allocation
from phaodai.markets.errors import SchemeLocked
from phaodai.markets.models import AllocationRun, Market, MarketPass, Representative, Scheme
from phaodai.territory.models import Area, Household, Unit

START = date(2021, 7, 26)
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang")
CLOCK_AT = datetime(2021, 7, 25, 9, 0, tzinfo=HANOI)


def clock() -> datetime:
    return CLOCK_AT


@dataclass
class Ward:
    unit: Unit
    areas: list[Area]
    markets: list[Market]
    households: list[Household]
    officer: Any

    def scheme(
        self, *, pattern: Any = None, days: int = 6, choice: str = "nearest", name: str = ""
    ) -> Scheme:
        return Scheme.objects.create(
            unit=self.unit, unit_path=self.unit.path, name=name or f"Phiếu đi chợ {days} ngày",
            starts_on=START, ends_on=START + timedelta(days=days - 1),
            pattern=pattern or {"kind": "every_n_days", "n": 3}, slot_minutes=60, market_choice=choice,
            created_by=self.officer,
        )  # fmt: skip


def make_area(ward: Unit, local_code: str) -> Area:
    name = f"Tổ dân phố {local_code}"
    return Area.objects.create(
        ward=ward, code=f"{ward.code}-A{local_code}", local_code=f"A{local_code}", name=name,
        name_key=search_key(name), kind="to_dan_pho", path=ward.path,
    )  # fmt: skip


def make_market(ward: Unit, area: Area, n: int, capacity: int, opens: int, closes: int) -> Market:
    name = f"Chợ thử {n}"
    return Market.objects.create(
        unit=ward, unit_path=ward.path, area=area, code=f"CHO-T-{n:02d}", name=name,
        name_key=search_key(name), kind="local_market", address=name, opens_at=time(opens),
        closes_at=time(closes), capacity=capacity,
    )  # fmt: skip


def populate(
    ward: Unit, officer: Any, *, per_area: tuple[int, ...], unrepresented: int = 0
) -> list[Household]:
    """Households in the ward's areas, each with a representative but the last `unrepresented`."""
    from phaodai.people import services as people

    areas = list(Area.objects.filter(ward=ward).order_by("local_code"))
    homes = []
    for area, count in zip(areas, per_area, strict=True):
        for n in range(count):
            homes.append(
                Household.objects.create(
                    area=area,
                    code=f"{area.code}-{n:03d}",
                    address=f"{n + 1} ngõ {area.local_code}",
                    path=area.path,
                )
            )
    for index, home in enumerate(homes[: len(homes) - unrepresented]):
        person = people.register_person(
            by=officer, cccd=f"001085{300000 + index:06d}", full_name=NAMES[index % len(NAMES)],
            birth_date=date(1985, 1, 1), sex="M", phone=None, residence_area=home.area, household=home,
        )  # fmt: skip
        Representative.objects.create(household=home, person=person, unit_path=ward.path)
    return homes


def build_ward(officer: Any, *, per_area=(9, 6), unrepresented=1, capacities=(2, 2)) -> Ward:
    """Two areas; market 1 in the first (07-10, three slots), market 2 in the second (07-09, two)."""
    unit = Unit.objects.get(code="00139")
    areas = [make_area(unit, "01"), make_area(unit, "02")]
    markets = [
        make_market(unit, areas[0], 1, capacities[0], 7, 10),
        make_market(unit, areas[1], 2, capacities[1], 7, 9),
    ]
    homes = populate(unit, officer, per_area=per_area, unrepresented=unrepresented)
    return Ward(unit, areas, markets, homes, officer)


@pytest.fixture
def ward(ward_officer_bo_de: Any) -> Ward:
    return build_ward(ward_officer_bo_de)


def load_per_market_hour(scheme: Scheme) -> Counter[tuple[Any, datetime]]:
    return Counter(MarketPass.objects.filter(scheme=scheme).values_list("market_id", "slot_start"))


def assert_respects_capacity_and_scheme(scheme: Scheme, ward: Ward) -> None:
    capacity = {market.pk: market.capacity for market in ward.markets}
    hours = {market.pk: (market.opens_at, market.closes_at) for market in ward.markets}
    for (market_id, _start), count in load_per_market_hour(scheme).items():
        assert count <= capacity[market_id]
    for market_pass in MarketPass.objects.filter(scheme=scheme).select_related("household"):
        start, end = to_local(market_pass.slot_start), to_local(market_pass.slot_end)
        assert market_pass.market_id is not None
        opens, closes = hours[market_pass.market_id]
        assert scheme.starts_on <= market_pass.day <= scheme.ends_on and start.date() == market_pass.day
        assert opens <= start.time() and end.time() <= closes and end - start == timedelta(hours=1)
        assert (
            market_pass.area_id == market_pass.household.area_id and market_pass.unit_path == ward.unit.path
        )
        # Every 3 days: a household's days are 3 apart.
    days_of: dict[int, list[date]] = {}
    for household, day in MarketPass.objects.filter(scheme=scheme).values_list("household_id", "day"):
        days_of.setdefault(household, []).append(day)
    for days in days_of.values():
        days.sort()
        assert all((later - earlier).days == 3 for earlier, later in pairwise(days))


@pytest.mark.django_db
def test_a_wards_allocation_respects_every_market_hour_capacity_and_the_scheme(ward: Ward) -> None:
    scheme = ward.scheme()
    run = run_allocation(by=ward.officer, scheme=scheme, clock=clock)

    assert_respects_capacity_and_scheme(scheme, ward)
    # 14 households with a representative, 2 passes each over 6 days, all fitting: 28 passes.
    assert (run.number, run.households, run.passes, run.kept, run.shortfall) == (1, 14, 28, 0, [])
    assert MarketPass.objects.filter(scheme=scheme).count() == 28
    # Households of the first area go to its market; the second area's to theirs while there is room.
    first_area = MarketPass.objects.filter(scheme=scheme, area=ward.areas[0])
    assert set(first_area.values_list("market_id", flat=True)) == {ward.markets[0].pk}
    # Each pass names the household's representative and a stable-looking id.
    sample = MarketPass.objects.filter(scheme=scheme).first()
    assert sample is not None and sample.pass_id.startswith(f"CHO-{scheme.pk}-") and len(sample.pass_id) > 10
    assert Representative.objects.get(household_id=sample.household_id).person_id == sample.representative_id
    scheme.refresh_from_db()
    assert scheme.status == Scheme.Status.ALLOCATED
    assert AuditEntry.objects.filter(action="markets.scheme.allocated", object_id=str(scheme.pk)).exists()


@pytest.mark.django_db
def test_load_is_spread_over_the_opening_hours(ward: Ward) -> None:
    scheme = ward.scheme(pattern={"kind": "every_n_days", "n": 1}, days=1)
    run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    first_market = Counter(
        to_local(start).hour
        for start in MarketPass.objects.filter(market=ward.markets[0]).values_list("slot_start", flat=True)
    )
    # 9 households of the first area, 3 slots of 2: full (6), the other 3 to the next market.
    assert first_market == {7: 2, 8: 2, 9: 2}


@pytest.mark.django_db
def test_households_without_a_representative_are_reported_not_given_passes(ward: Ward) -> None:
    scheme = ward.scheme()
    run = run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    left = ward.households[-1]
    assert run.left_out == [{"household": left.code, "reason": "no_representative"}]
    assert run.left_out_count == 1
    assert not MarketPass.objects.filter(household=left).exists()


@pytest.mark.django_db
def test_demand_that_cannot_fit_is_reported_per_market_day_without_overfilling(
    ward_officer_bo_de: Any,
) -> None:
    ward = build_ward(ward_officer_bo_de, per_area=(12, 0), unrepresented=0, capacities=(1, 1))
    scheme = ward.scheme(pattern={"kind": "every_n_days", "n": 1}, days=2)
    run = run_allocation(by=ward.officer, scheme=scheme, clock=clock)

    assert_respects_capacity_and_scheme_capacity_only(scheme, ward)
    # Each day: 12 want to go, 3 + 2 seats in all: 7 short, reported against their nearest market.
    assert run.shortfall == [
        {"market": "CHO-T-01", "day": "2021-07-26", "short": 7},
        {"market": "CHO-T-01", "day": "2021-07-27", "short": 7},
    ]
    assert run.passes == 10 and MarketPass.objects.filter(scheme=scheme).count() == 10


def assert_respects_capacity_and_scheme_capacity_only(scheme: Scheme, ward: Ward) -> None:
    capacity = {market.pk: market.capacity for market in ward.markets}
    assert all(count <= capacity[market] for (market, _), count in load_per_market_hour(scheme).items())


@pytest.mark.django_db
def test_closed_markets_get_nothing(ward: Ward) -> None:
    Market.objects.filter(pk=ward.markets[1].pk).update(status=Market.Status.CLOSED_BY_ORDER)
    scheme = ward.scheme()
    run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    assert not MarketPass.objects.filter(market=ward.markets[1]).exists()


@pytest.mark.django_db
def test_any_in_ward_passes_name_no_market_and_fit_the_wards_total(ward: Ward) -> None:
    scheme = ward.scheme(pattern={"kind": "every_n_days", "n": 1}, days=1, choice="any_in_ward")
    run = run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    hours = Counter(
        to_local(start).hour
        for start in MarketPass.objects.filter(scheme=scheme).values_list("slot_start", flat=True)
    )
    assert set(MarketPass.objects.filter(scheme=scheme).values_list("market", flat=True)) == {None}
    # 07-08 and 08-09 hold both markets (4), 09-10 only the first (2): 10 of 14, 4 short.
    assert hours == {7: 4, 8: 4, 9: 2}
    assert run.shortfall == [{"market": "", "day": "2021-07-26", "short": 4}]


@pytest.mark.django_db
def test_a_re_run_keeps_printed_passes_exactly_and_places_the_rest_again(ward: Ward) -> None:
    scheme = ward.scheme()
    run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    printed_ids = list(
        MarketPass.objects.filter(scheme=scheme, area=ward.areas[0]).values_list("pk", flat=True)[:5]
    )
    MarketPass.objects.filter(pk__in=printed_ids).update(pass_code="PD1:TEST", printed_at=CLOCK_AT)
    before = {row["id"]: row for row in MarketPass.objects.filter(pk__in=printed_ids).values()}
    # Meanwhile the first market shrinks: the re-run must still keep what is printed.
    Market.objects.filter(pk=ward.markets[0].pk).update(capacity=1)

    second = run_allocation(by=ward.officer, scheme=scheme, clock=clock)

    after = {row["id"]: row for row in MarketPass.objects.filter(pk__in=printed_ids).values()}
    assert after == before
    assert (second.number, second.kept) == (2, 5)
    households_with_a_rep = 14
    total = MarketPass.objects.filter(scheme=scheme).count()
    short = sum(item["short"] for item in second.shortfall)
    assert total + short == households_with_a_rep * 2 and second.passes == total - 5
    # No household twice on a day; pass ids unique and the printed ones unchanged.
    assert MarketPass.objects.filter(scheme=scheme).values("household", "day").distinct().count() == total
    ward.markets[0].refresh_from_db()
    for (market_id, start), count in load_per_market_hour(scheme).items():
        printed_here = sum(
            1 for row in before.values() if (row["market_id"], row["slot_start"]) == (market_id, start)
        )
        capacity = Market.objects.get(pk=market_id).capacity
        assert count <= max(capacity, printed_here)


@pytest.mark.django_db
def test_a_second_run_numbers_on_and_replaces_the_unprinted_passes(ward: Ward) -> None:
    scheme = ward.scheme()
    first = run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    first_ids = set(MarketPass.objects.filter(scheme=scheme).values_list("pk", flat=True))
    second = run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    assert (first.number, second.number) == (1, 2)
    assert MarketPass.objects.filter(scheme=scheme).count() == 28
    assert first_ids.isdisjoint(MarketPass.objects.filter(scheme=scheme).values_list("pk", flat=True))
    assert AllocationRun.objects.filter(scheme=scheme).count() == 2


@pytest.mark.django_db
def test_a_withdrawn_scheme_refuses_and_nothing_is_written(ward: Ward) -> None:
    scheme = ward.scheme()
    Scheme.objects.filter(pk=scheme.pk).update(status=Scheme.Status.WITHDRAWN)
    with pytest.raises(SchemeLocked):
        run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    assert not MarketPass.objects.exists() and not AllocationRun.objects.exists()


@pytest.mark.django_db
def test_a_pattern_that_does_not_parse_is_invalid_input_on_its_field(ward: Ward) -> None:
    from phaodai.core.errors import InvalidInput

    scheme = ward.scheme(pattern={"kind": "every_n_days", "n": 0})
    with pytest.raises(InvalidInput) as refused:
        run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    assert refused.value.field == "pattern" and "1 to 31" in str(refused.value)
    assert not AllocationRun.objects.exists()


@pytest.mark.django_db
def test_only_market_managers_over_the_ward_may_run_it(
    ward: Ward, checkpoint_officer_ql6: Any, ward_officer_phuc_xa: Any
) -> None:
    scheme = ward.scheme()
    with pytest.raises(NotPermitted):
        run_allocation(by=checkpoint_officer_ql6, scheme=scheme, clock=clock)
    with pytest.raises(OutOfScope):
        run_allocation(by=ward_officer_phuc_xa, scheme=scheme, clock=clock)
    assert not AllocationRun.objects.exists()


@pytest.mark.django_db
def test_the_summary_shows_each_market_hours_load_against_its_capacity(ward: Ward) -> None:
    scheme = ward.scheme()
    run_allocation(by=ward.officer, scheme=scheme, clock=clock)
    rows = allocation_summary(scheme)
    assert sum(row.passes for row in rows) == 28
    assert all(row.passes <= row.capacity for row in rows)
    assert {row.market for row in rows} <= {"CHO-T-01", "CHO-T-02"}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_follow_one_another(ward_officer_bo_de: Any) -> None:
    ward = build_ward(ward_officer_bo_de)
    scheme = ward.scheme()
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def allocate() -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(run_allocation(by=ward.officer, scheme=scheme, clock=clock))
        except Exception as error:  # reported below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(run.number for run in outcomes) == [1, 2], outcomes
    assert MarketPass.objects.filter(scheme=scheme).count() == 28
    assert_respects_capacity_and_scheme(scheme, ward)
