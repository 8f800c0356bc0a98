"""The tracing link: an F0's market visit gives exactly the households inside in the same market-hours."""

from datetime import time, timedelta
from typing import Any

import pytest
from django.http import Http404

from phaodai.cases import services as cases
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.markets import gate, tracing
from phaodai.markets.tests.gate_world import GateWorld, at, build_gate_world, slot, tomorrow

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city_commander: Any, ward_officer_bo_de: Any) -> GateWorld:
    """Tomorrow at chợ Bồ Đề: the F0 (household 0) and household 1 in the 08:00 slot; household 2 at 09:00;
    household 3 at the supermarket at 08:00; household 4 refused at 08:00 (a used pass shown again);
    household 5 at chợ Bồ Đề at 08:00 the day after."""
    world = build_gate_world(city=city_commander, ward_officer=ward_officer_bo_de)
    day = tomorrow()

    def enter(code: str, market: Any, hour: int, minutes: int, day: Any = day) -> gate.GateResult:
        clock = at(slot(day, hour)[0] + timedelta(minutes=minutes))
        return gate.check_at_gate(by=ward_officer_bo_de, market=market, code=code, clock=clock)

    assert enter(world.issue(0), world.bo_de, 8, 5).allowed
    assert enter(world.issue(1), world.bo_de, 8, 20).allowed
    assert enter(world.issue(2, hour=9), world.bo_de, 9, 2).allowed
    assert enter(world.issue(3, market=world.supermarket), world.supermarket, 8, 10).allowed
    code_4 = world.issue(4, any_in_ward=True)  # good at either market of Bồ Đề
    gate.sync_entries(
        by=ward_officer_bo_de, market=world.supermarket,
        entries=[gate.OfflineEntry("dev-4", slot(day, 8)[0], True, world.passes[-1].pass_id)],
        clock=at(slot(day, 8)[0] + timedelta(minutes=1)),
    )  # fmt: skip
    assert not enter(code_4, world.bo_de, 8, 30).allowed  # already used at the supermarket
    next_day = day + timedelta(days=1)
    assert enter(world.issue(5, day=next_day), world.bo_de, 8, 15, day=next_day).allowed
    return world


def codes(found: list[tracing.ExposedHousehold]) -> list[str]:
    return [household.household_code for household in found]


def visit(world: GateWorld, hours: tuple[time, time] | None = (time(8), time(9)), **kw: Any) -> tracing.Visit:
    return tracing.read_visit(kw.get("market", world.bo_de), kw.get("day", tomorrow()), hours)


def test_an_f0_visit_returns_exactly_the_households_in_the_same_market_hours(
    world: GateWorld, health_worker_bo_de: Any
) -> None:
    f0 = world.people[0]
    found = tracing.households_exposed(by=health_worker_bo_de, visits=[visit(world)], f0=f0)
    assert codes(found) == ["00139-TDP01-001"]
    household = found[0]
    assert (household.representative_name, household.area_code, household.market_code) == (
        "Trần Thị Bình", "00139-TDP01", "CHO-00139-01",
    )  # fmt: skip
    assert household.representative == world.people[1]
    assert household.slot == slot(tomorrow(), 8)


def test_a_visit_of_part_of_an_hour_still_meets_the_whole_slot(
    world: GateWorld, health_worker_bo_de: Any
) -> None:
    # the F0 was there 08:40-08:50; household 1 entered at 08:20 for the 08:00-09:00 slot
    found = tracing.households_exposed(
        by=health_worker_bo_de, visits=[visit(world, (time(8, 40), time(8, 50)))], f0=world.people[0]
    )
    assert codes(found) == ["00139-TDP01-001"]


def test_without_hours_the_whole_opening_day_counts(world: GateWorld, health_worker_bo_de: Any) -> None:
    found = tracing.households_exposed(
        by=health_worker_bo_de, visits=[visit(world, None)], f0=world.people[0]
    )
    assert codes(found) == ["00139-TDP01-001", "00139-TDP01-002"]
    everyone = tracing.households_exposed(by=health_worker_bo_de, visits=[visit(world, None)])
    assert codes(everyone) == ["00139-TDP01-000", "00139-TDP01-001", "00139-TDP01-002"]


def test_other_markets_and_days_are_separate_visits(world: GateWorld, health_worker_bo_de: Any) -> None:
    visits = [
        visit(world, market=world.supermarket),
        visit(world, day=tomorrow() + timedelta(days=1)),
    ]
    found = tracing.households_exposed(by=health_worker_bo_de, visits=visits, f0=world.people[0])
    assert codes(found) == ["00139-TDP01-003", "00139-TDP01-004", "00139-TDP01-005"]


def test_the_prefilled_visits_are_the_f0s_own_entries(world: GateWorld) -> None:
    visits = tracing.visits_of(world.people[0], tomorrow() - timedelta(days=1), tomorrow())
    assert visits == [("CHO-00139-01", tomorrow(), time(8), time(9))]


def test_who_may_trace_at_a_market(
    world: GateWorld, welfare_officer_bo_de: Any, ward_officer_phuc_xa: Any, city_commander: Any
) -> None:
    with pytest.raises(NotPermitted):
        tracing.households_exposed(by=welfare_officer_bo_de, visits=[visit(world)])
    with pytest.raises(Http404):
        tracing.households_exposed(by=ward_officer_phuc_xa, visits=[visit(world)])
    assert codes(tracing.households_exposed(by=city_commander, visits=[visit(world)])) == [
        "00139-TDP01-000", "00139-TDP01-001",
    ]  # fmt: skip
    with pytest.raises(InvalidInput):
        tracing.read_visit(world.bo_de, tomorrow(), (time(9), time(8)))
    with pytest.raises(InvalidInput):
        tracing.households_exposed(by=city_commander, visits=[])


def test_the_households_become_contacts_of_the_case(world: GateWorld, health_worker_bo_de: Any) -> None:
    f0 = world.people[0]
    evening = slot(tomorrow(), 19)[0]
    case, _created = cases.record_case(
        by=health_worker_bo_de, person=f0, confirmed_at=evening, detected_in="community",
        source_known=False, test_ref="LB-MKT-0001", clock=at(evening + timedelta(minutes=30)),
    )  # fmt: skip
    found = tracing.households_exposed(by=health_worker_bo_de, visits=[visit(world, None)], f0=f0)
    added = tracing.add_as_contacts(
        by=health_worker_bo_de, case=case, households=found, clock=at(evening + timedelta(hours=1))
    )
    assert added.added == 2
    assert set(added.persons) == {world.people[1], world.people[2]}
    again = tracing.add_as_contacts(
        by=health_worker_bo_de, case=case, households=found, clock=at(evening + timedelta(hours=2))
    )
    assert (again.added, again.already_known) == (0, 2)


def test_the_tracing_page_lists_and_adds_the_households(
    client: Any, world: GateWorld, health_worker_bo_de: Any
) -> None:
    from phaodai.cases.models import Exposure

    evening = slot(tomorrow(), 19)[0]
    case, _created = cases.record_case(
        by=health_worker_bo_de, person=world.people[0], confirmed_at=evening, detected_in="community",
        source_known=False, test_ref="LB-MKT-0003", clock=at(evening),
    )  # fmt: skip
    client.force_login(health_worker_bo_de)
    form = client.get(f"/markets/tracing/?case={case.pk}")
    assert form.status_code == 200
    assert form.context["rows"][0] == {
        "market": "CHO-00139-01", "day": f"{tomorrow():%d/%m/%Y}", "start": "08:00", "end": "09:00",
    }  # fmt: skip
    day = f"{tomorrow():%d/%m/%Y}"
    body = {"case": case.pk, "market_0": "CHO-00139-01", "day_0": day, "start_0": "08:00", "end_0": "09:00",
            "action": "list"}  # fmt: skip
    listed = client.post("/markets/tracing/", body)
    assert [h.household_code for h in listed.context["found"]] == ["00139-TDP01-001"]
    assert b'data-household="00139-TDP01-001"' in listed.content
    assert not Exposure.objects.exists()
    bad = client.post("/markets/tracing/", {**body, "day_0": "31/02/2021"})
    assert bad.status_code == 422 and bad.context["error"].field == "day_0"
