"""The gate API: check, offline sync, who is inside, and the exposure candidates of an F0."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from phaodai.core.clock import local_date, now, to_local
from phaodai.markets.models import GateEntry
from phaodai.markets.tests.gate_world import GateWorld, build_gate_world, this_hour

pytestmark = pytest.mark.django_db

GATE = "/api/v1/markets/CHO-00139-01/gate"


@pytest.fixture
def market_hours() -> Iterator[None]:
    """The clock runs from the next 09:20 in Hà Nội: "this hour's" slot is a market hour, not 23:00–00:00."""
    local = to_local(now())
    morning = local.replace(hour=9, minute=20, second=0, microsecond=0)
    with time_machine.travel(morning if morning > local else morning + timedelta(days=1), tick=True):
        yield


@pytest.fixture
def world(market_hours: None, city_commander: Any, ward_officer_bo_de: Any) -> GateWorld:
    return build_gate_world(city=city_commander, ward_officer=ward_officer_bo_de)


@pytest.fixture
def world_now(world: GateWorld) -> GateWorld:
    """Passes of this hour, so the server decides them at its own clock."""
    original = world.issue
    world.issue = lambda n, **kw: original(n, start_at=this_hour(), **kw)  # type: ignore[method-assign]
    return world


def post(client: Any, user: Any, url: str, body: dict[str, Any]) -> Any:
    client.force_login(user)
    return client.post(url, body, content_type="application/json")


def test_a_reused_pass_is_refused_with_the_time_of_first_use(
    client: Any, world_now: GateWorld, ward_officer_bo_de: Any
) -> None:
    code = world_now.issue(0)
    first = post(client, ward_officer_bo_de, GATE, {"code": code, "device": "gate-1", "entry_key": "g1-1"})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["decision"] == "allowed" and body["reasons"] == []
    assert body["holder"] == {"name": "Nguyễn Văn An", "birth_year": None, "cccd_masked": "001******000"}
    start = to_local(world_now.passes[0].slot_start)
    assert body["hours"] == [f"{start:%H:%M}", f"{start + timedelta(hours=1):%H:%M}"]
    assert body["inside_now"] == 1
    again = post(client, ward_officer_bo_de, GATE, {"code": code, "entry_key": "g1-2"}).json()
    assert again["decision"] == "denied"
    assert [r["code"] for r in again["reasons"]] == ["already_used"]
    assert again["reasons"][0]["en"] == "This single-use pass has already been used."
    assert again["first_used_market"] == "CHO-00139-01"
    assert again["first_used_at"] is not None
    retry = post(client, ward_officer_bo_de, GATE, {"code": code, "entry_key": "g1-1"}).json()
    assert retry["decision"] == "allowed" and retry["duplicate"] and retry["entry_id"] == body["entry_id"]
    assert GateEntry.objects.count() == 2


def test_forged_and_wrong_market_passes_are_refused_with_both_languages(
    client: Any, world_now: GateWorld, ward_officer_bo_de: Any
) -> None:
    code = world_now.issue(0)
    forged = code[:-5] + ("A" if code[-5] != "A" else "B") + code[-4:]
    answer = post(client, ward_officer_bo_de, GATE, {"code": forged}).json()
    assert answer["decision"] == "denied" and answer["holder"] is None and answer["pass_id"] == ""
    elsewhere = post(client, ward_officer_bo_de, "/api/v1/markets/CHO-00139-02/gate", {"code": code}).json()
    assert [r["code"] for r in elsewhere["reasons"]] == ["PD-MKT-0002"]
    assert elsewhere["reasons"][0]["vi"] != elsewhere["reasons"][0]["en"]


def test_who_reaches_the_gate(
    client: Any, world_now: GateWorld, welfare_officer_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    code = world_now.issue(0)
    assert client.post(GATE, {"code": code}, content_type="application/json").status_code == 401
    assert post(client, welfare_officer_bo_de, GATE, {"code": code}).status_code == 403
    assert post(client, ward_officer_phuc_xa, GATE, {"code": code}).status_code == 404
    assert (
        post(client, ward_officer_phuc_xa, "/api/v1/markets/CHO-NONE/gate", {"code": code}).status_code == 404
    )
    assert not GateEntry.objects.exists()


def test_bad_input_is_a_clear_422(client: Any, world_now: GateWorld, ward_officer_bo_de: Any) -> None:
    bad = post(client, ward_officer_bo_de, GATE, {"code": world_now.issue(0), "entry_key": "has space"})
    assert bad.status_code == 422 and bad.json()["field"] == "entry_key"
    assert post(client, ward_officer_bo_de, GATE, {"code": "x", "colour": "red"}).status_code == 422


def test_sync_flags_double_use_and_inside_counts(
    client: Any, world_now: GateWorld, ward_officer_bo_de: Any
) -> None:
    code = world_now.issue(0, any_in_ward=True)  # good at either market of Bồ Đề
    pass_id = world_now.passes[0].pass_id
    post(client, ward_officer_bo_de, GATE, {"code": code, "entry_key": "online-1"})
    later = now().isoformat()
    body = {
        "device": "gate-2",
        "entries": [
            {"entry_key": "off-1", "scanned_at": later, "allowed": True, "pass_id": pass_id},
            {"entry_key": "off 2", "scanned_at": later, "allowed": True, "pass_id": pass_id},
        ],
    }
    answer = post(client, ward_officer_bo_de, "/api/v1/markets/CHO-00139-02/gate/sync", body)
    assert answer.status_code == 200, answer.content
    again = post(client, ward_officer_bo_de, "/api/v1/markets/CHO-00139-02/gate/sync", body).json()
    inside = client.get("/api/v1/markets/CHO-00139-01/inside").json()
    result = answer.json()
    assert (result["created"], result["rejected"], result["flagged"]) == (1, 1, 1)
    flagged = next(r for r in result["results"] if r["entry_key"] == "off-1")
    assert flagged["double_use"] and flagged["first_used_market"] == "CHO-00139-01"
    assert (again["created"], again["duplicate"], again["flagged"]) == (0, 1, 0)
    assert inside == {"market": "CHO-00139-01", "capacity": 50, "inside_now": 1}


def test_exposures_list_the_households_and_add_them_as_contacts(
    client: Any, world_now: GateWorld, ward_officer_bo_de: Any, health_worker_bo_de: Any
) -> None:
    from phaodai.cases import services as cases

    post(client, ward_officer_bo_de, GATE, {"code": world_now.issue(0)})
    post(client, ward_officer_bo_de, GATE, {"code": world_now.issue(1)})
    case, _ = cases.record_case(
        by=health_worker_bo_de, person=world_now.people[0], confirmed_at=now(), detected_in="community",
        source_known=False, test_ref="LB-MKT-0002",
    )  # fmt: skip
    start = to_local(world_now.passes[0].slot_start)
    end = start + timedelta(hours=1)
    visits = [{"market": "CHO-00139-01", "day": local_date(start).isoformat(), "start": f"{start:%H:%M}",
               "end": f"{end:%H:%M}"}]  # fmt: skip
    listed = post(
        client, health_worker_bo_de, "/api/v1/markets/exposures", {"case": case.pk, "visits": visits}
    )
    assert listed.status_code == 200, listed.content
    assert [h["household"] for h in listed.json()["households"]] == ["00139-TDP01-001"]
    assert listed.json()["contacts_added"] is None
    added = post(
        client, health_worker_bo_de, "/api/v1/markets/exposures",
        {"case": case.pk, "visits": visits, "add_as_contacts": True},
    ).json()  # fmt: skip
    assert added["contacts_added"] == 1
    without_case = {"visits": visits, "add_as_contacts": True}
    no_case = post(client, health_worker_bo_de, "/api/v1/markets/exposures", without_case)
    assert no_case.status_code == 422 and no_case.json()["field"] == "case"


def test_the_tracing_page_adds_the_representatives_as_contacts(
    client: Any, world_now: GateWorld, ward_officer_bo_de: Any, health_worker_bo_de: Any
) -> None:
    from phaodai.cases import services as cases
    from phaodai.cases.models import Exposure

    post(client, ward_officer_bo_de, GATE, {"code": world_now.issue(0)})
    post(client, ward_officer_bo_de, GATE, {"code": world_now.issue(1)})
    case, _ = cases.record_case(
        by=health_worker_bo_de, person=world_now.people[0], confirmed_at=now(), detected_in="community",
        source_known=False, test_ref="LB-MKT-0004",
    )  # fmt: skip
    start = to_local(world_now.passes[0].slot_start)
    client.force_login(health_worker_bo_de)
    end = start + timedelta(hours=1)
    day = f"{start:%d/%m/%Y}"
    body = {"case": case.pk, "market_0": "CHO-00139-01", "day_0": day, "start_0": f"{start:%H:%M}",
            "end_0": f"{end:%H:%M}", "action": "add"}  # fmt: skip
    answer = client.post("/markets/tracing/", body)
    assert answer.status_code == 200
    assert [h.household_code for h in answer.context["found"]] == ["00139-TDP01-001"]
    exposure = Exposure.objects.get()
    assert (exposure.setting, exposure.exposed_on) == ("market", local_date(start))
    assert {exposure.low_id, exposure.high_id} == {world_now.people[0].pk, world_now.people[1].pk}
