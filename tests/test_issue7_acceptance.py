"""Issue #7 acceptance through the apps' own services, pages and API (the offline page in the browser
is tests/browser/test_checkpoint_verifier.py, on the same rules and the same vectors):

- a travel permit issued by Bồ Đề for a driver with two doses in the registry, shown on his phone,
  scanned with his health declaration at Hà Đông's QL6 gateway at 06:30 and allowed;
- the same for a colleague with one dose: denied, with the dose rule as the reason;
- a green-lane truck allowed; a transit truck that entered and did not leave flagged as overdue;
- the adversarial codes denied, each with its own reason, none logged as someone's crossing.
"""

import zlib
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from phaodai.checkpoints import services as checkpoints
from phaodai.checkpoints.models import Crossing
from phaodai.core.clock import hanoi
from phaodai.passes import base45
from phaodai.passes.tests import s23
from phaodai.permits import services as permits
from phaodai.permits.tests.conftest import org_details, staff_row
from phaodai.vaccination import selectors as vaccination
from phaodai.vaccination import services as vaccinations
from phaodai.vehicles import selectors as vehicles
from phaodai.vehicles import services as vehicle_services

pytestmark = pytest.mark.django_db

ISSUED = hanoi(2021, 9, 8, 10, 0)
GATEWAY_MORNING = hanoi(2021, 9, 9, 6, 30)
DRIVER, COLLEAGUE = "001085012345", "001090054321"


def registered(by: Any, areas: Any, cccd: str, name: str, born: date) -> Any:
    from phaodai.people import services as people

    return people.register_person(
        by=by, cccd=cccd, full_name=name, birth_date=born, sex="M", phone="", residence_area=areas[0]
    )


def doses(health_worker: Any, person: Any, count: int) -> None:
    for number in range(1, count + 1):
        vaccinations.record_dose(
            by=health_worker, person=person, product=vaccination.product_by_code("astrazeneca"),
            dose_number=number, given_on=date(2021, 6, 1) + timedelta(days=60 * (number - 1)), lot="AZ1",
            site="Trạm Y tế phường Bồ Đề", vaccinator="Lê Thị Hoa",
        )  # fmt: skip


def declare(client: Any, cccd: str, name: str, born: int) -> str:
    from phaodai.declarations.tests.conftest import api_body

    body = api_body(full_name=name, id_number=cccd, birth_year=born)
    sent = client.post("/api/v1/declarations/", body, content_type="application/json")
    assert sent.status_code == 201, sent.content
    return str(sent.json()["code"])


@pytest.fixture
def world(city_commander, ward_officer_bo_de, health_worker_bo_de, unit, client):
    from phaodai.territory import services as territory
    from phaodai.territory.rules import AreaRow

    s23.published(city_commander, when=ISSUED - timedelta(days=1))
    gateway = checkpoints.register_checkpoint(
        by=city_commander, unit=unit("268"), code="CN-06", name="Chốt cửa ngõ QL6 Yên Nghĩa",
        kind="city_gateway", road="QL6", location="Phường Yên Nghĩa, Quận Hà Đông",
        neighbouring_province="Hòa Bình", active_from=ISSUED - timedelta(days=10),
    )  # fmt: skip
    areas = territory.bulk_create_areas(
        ward=unit("00139"), rows=[AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310)]
    )
    with time_machine.travel(ISSUED, tick=False):
        driver = registered(city_commander, areas, DRIVER, "Nguyễn Văn An", date(1985, 3, 2))
        colleague = registered(city_commander, areas, COLLEAGUE, "Trần Văn Bình", date(1990, 5, 6))
        doses(health_worker_bo_de, driver, 2)
        doses(health_worker_bo_de, colleague, 1)
        org, _ = permits.register_organisation(
            by=ward_officer_bo_de, ward=unit("00139"), details=org_details()
        )
        issued = {}
        for cccd, name, born in ((DRIVER, "Nguyễn Văn An", 1985), (COLLEAGUE, "Trần Văn Bình", 1990)):
            row = staff_row(full_name=name, cccd=cccd, birth_year=born, valid_from=date(2021, 9, 8),
                            valid_to=date(2021, 9, 14))  # fmt: skip
            entry = permits.submit_entry(by=ward_officer_bo_de, organisation=org, row=row).entry
            decision = permits.decide_entry(by=ward_officer_bo_de, entry=entry, approve=True)
            assert decision.permit is not None, decision.issue_error
            issued[cccd] = (decision.permit, declare(client, cccd, name, born))
    return {"gateway": gateway, "permits": issued}


def scan(client: Any, gateway: Any, code: str, declaration: str | None = None, local_id: str = "r1") -> Any:
    body = {"code": code, "declaration": declaration, "direction": "in", "device_id": "phone-ql6",
            "local_id": local_id}  # fmt: skip
    sent = client.post(f"/api/v1/checkpoints/{gateway.pk}/verify", body, content_type="application/json")
    assert sent.status_code == 200, sent.content
    return sent.json()


def test_a_permit_shown_on_a_phone_is_allowed_at_the_gateway_at_0630_and_one_dose_is_denied(
    world, client, checkpoint_officer_ql6
):
    permit, declaration = world["permits"][DRIVER]
    with time_machine.travel(GATEWAY_MORNING, tick=False):
        phone = client.get(f"/permits/p/{permit.token}/")  # shown at the gateway, no sign-in
        assert phone.status_code == 200 and "<svg" in phone.text and "Nguyễn Văn An" in phone.text
        client.force_login(checkpoint_officer_ql6)
        allowed = scan(client, world["gateway"], permit.code, declaration)
        one_dose, its_declaration = world["permits"][COLLEAGUE]
        denied = scan(client, world["gateway"], one_dose.code, its_declaration, local_id="r2")
        without_declaration = scan(client, world["gateway"], permit.code, None, local_id="r3")
    assert allowed["decision"] == "allowed", allowed
    assert allowed["holder"] == {"name": "Nguyễn Văn An", "birth_year": 1985, "cccd_masked": "001******345"}
    assert denied["decision"] == "denied"
    assert [reason["rule"] for reason in denied["reasons"]] == ["PD-S23-PERMIT-0002"]
    assert "dose" in denied["reasons"][0]["description"]
    assert without_declaration["decision"] == "denied"
    logged = Crossing.objects.order_by("pk")
    assert [(c.decision, c.at) for c in logged][:2] == [
        ("allowed", GATEWAY_MORNING),
        ("denied", GATEWAY_MORNING),
    ]


def test_a_green_lane_truck_is_allowed_and_a_transit_truck_that_did_not_leave_is_flagged(
    world, client, city_commander, unit, checkpoint_officer_ql6, district_officer_long_bien
):
    with time_machine.travel(ISSUED, tick=False):
        green, _ = vehicle_services.register_green_lane(
            by=city_commander, unit=unit("004"), plate="29C-222.22", operator="Công ty CP Vận tải Hà Nội",
            cargo="Rau củ", route="QL6 → Long Biên", valid_from=ISSUED, valid_to=ISSUED + timedelta(days=10),
        )  # fmt: skip
        green = vehicle_services.approve_green_lane(by=city_commander, registration=green)
        trip, _ = vehicle_services.register_transit(
            by=city_commander, unit=unit("004"), plate="51D-678.90", from_province="Hòa Bình",
            to_province="Bắc Ninh", valid_from=ISSUED, valid_to=ISSUED + timedelta(days=2),
            entry_checkpoint=world["gateway"], expected_hours=4,
        )  # fmt: skip
    client.force_login(checkpoint_officer_ql6)
    with time_machine.travel(GATEWAY_MORNING, tick=False):
        truck = scan(client, world["gateway"], green.pass_code, local_id="g1")
        transit = scan(client, world["gateway"], trip.pass_code, local_id="t1")
    assert truck["decision"] == "allowed" and truck["plate"] == "29C-222.22"
    assert transit["decision"] == "allowed"
    assert [note["rule"] for note in transit["notes"]] == ["PD-S23-TRANSIT-0001"]
    # Entered at 06:30 with 4 hours to cross the city: at 10:30 still in time, at 10:31 overdue.
    assert not vehicles.overdue_transits(district_officer_long_bien, hanoi(2021, 9, 9, 10, 30))
    (late,) = vehicles.overdue_transits(district_officer_long_bien, hanoi(2021, 9, 9, 10, 31))
    assert late.trip.plate == "51D67890" and late.match.entry is not None
    assert late.match.entry.checkpoint_code == "CN-06"


def _tampered(code: str) -> str:
    raw = bytearray(zlib.decompress(base45.decode(code[4:])))
    raw[-1] ^= 0x01  # the last byte of the signature
    return "PD1:" + base45.encode(zlib.compress(bytes(raw)))


def test_the_adversarial_codes_are_denied_each_with_its_reason(world, client, checkpoint_officer_ql6):
    permit, _declaration = world["permits"][DRIVER]
    bomb = "PD1:" + base45.encode(zlib.compress(b"\x00" * 2_000_000))
    codes = {
        "bad_signature": _tampered(permit.code),
        "bad_prefix": "HC9:" + permit.code[4:],
        "bad_base45": "PD1:" + "!!!!",
        "bad_zlib": "PD1:" + base45.encode(b"not zlib at all"),
        "inflated_too_large": bomb,
    }
    client.force_login(checkpoint_officer_ql6)
    with time_machine.travel(GATEWAY_MORNING, tick=False):
        answers = {name: scan(client, world["gateway"], code, local_id=name) for name, code in codes.items()}
    with time_machine.travel(GATEWAY_MORNING + timedelta(days=10), tick=False):
        expired = scan(client, world["gateway"], permit.code, local_id="late")
    for name, answer in answers.items():
        assert (answer["decision"], answer["error"]["code"]) == ("denied", name), answer
        assert answer["holder"] is None, name
    assert expired["decision"] == "denied" and expired["error"]["code"] == "expired"
    assert not Crossing.objects.filter(device_id="phone-ql6", local_id__in=list(codes)).exists()
