"""POST /api/v1/checkpoints/{pk}/verify: the server decides a scan with the S23 bundle and logs it once."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from phaodai.checkpoints.models import Crossing
from phaodai.passes import base45
from phaodai.passes import services as passes
from phaodai.passes.payload import PassType
from phaodai.passes.tests import s23
from phaodai.passes.tests.s23 import CLOCK

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _gateway_morning():
    with time_machine.travel(CLOCK, tick=False):  # 06:30 on 9/9/2021 in Hà Nội
        yield


@pytest.fixture
def bundle(city_commander: Any) -> Any:
    return s23.published(city_commander)


@pytest.fixture
def gateway(checkpoint_of: Any) -> Any:
    return checkpoint_of("268", code="CN-06", kind="city_gateway", name="Cửa ngõ QL6", other_side="277")


@pytest.fixture
def inner(checkpoint_of: Any) -> Any:
    return checkpoint_of("268", code="268-02", kind="district", name="Chốt Quang Trung")


@pytest.fixture
def officer(client: Any, checkpoint_officer_ql6: Any) -> Any:
    client.force_login(checkpoint_officer_ql6)
    return client


def post(
    client: Any, checkpoint: Any, code: str, declaration: str | None = None, local_id: str = "r1", **kw: Any
):
    body = {"code": code, "declaration": declaration, "direction": "in", "device_id": "phone-7",
            "local_id": local_id, **kw}  # fmt: skip
    return client.post(f"/api/v1/checkpoints/{checkpoint.pk}/verify", body, content_type="application/json")


def test_a_permit_with_two_doses_and_its_declaration_is_allowed_and_logged(officer, bundle, gateway):
    response = post(officer, gateway, s23.permit(), s23.declaration())
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["decision"], body["reasons"], body["error"], body["duplicate"]) == (
        "allowed",
        [],
        None,
        False,
    )
    assert body["holder"] == {"name": "Nguyễn Văn An", "birth_year": 1985, "cccd_masked": "001******234"}
    assert (body["pass_type"], body["pass_id"], body["bundle_version"]) == ("permit", "GDD-00139-000123", 1)
    crossing = Crossing.objects.get(pk=body["crossing_id"])
    assert (crossing.decision, crossing.pass_id, crossing.plate, crossing.at, crossing.bundle_version) == (
        "allowed", "GDD-00139-000123", "29C12345", CLOCK, 1,
    )  # fmt: skip


def test_one_dose_is_denied_with_the_reason_in_the_requests_language(
    vietnamese_client, checkpoint_officer_ql6, bundle, gateway
):
    vietnamese_client.force_login(checkpoint_officer_ql6)
    body = post(vietnamese_client, gateway, s23.permit(doses=1), s23.declaration()).json()
    assert body["decision"] == "denied"
    assert body["reasons"] == [
        {"rule": "PD-S23-PERMIT-0002", "description": "Ra, vào thành phố phải tiêm đủ 2 mũi vắc xin."}
    ]
    crossing = Crossing.objects.get(pk=body["crossing_id"])
    assert [item["id"] for item in crossing.failed_rules] == ["PD-S23-PERMIT-0002"]


@pytest.mark.parametrize(
    ("declaration", "failed", "declaration_error"),
    [
        (None, ["PD-S23-PERMIT-0003"], None),
        ("other", ["PD-S23-PERMIT-0004"], None),
        ("expired", ["PD-S23-PERMIT-0003"], "expired"),
    ],
)
def test_the_declaration_must_be_valid_and_the_holders_own(
    officer, bundle, gateway, declaration, failed, declaration_error
):
    shown = {
        None: None,
        "other": lambda: s23.declaration(holder="Trần Thị Bình", cccd_masked="001******876"),
        "expired": lambda: s23.declaration(
            valid_from=CLOCK - timedelta(hours=80), valid_to=CLOCK - timedelta(hours=8)
        ),
    }[declaration]
    body = post(officer, gateway, s23.permit(), shown() if shown else None).json()
    assert body["decision"] == "denied" and [r["rule"] for r in body["reasons"]] == failed
    assert (body["declaration_error"] or {}).get("code") == declaration_error


def test_vehicles_transit_and_inner_checkpoints(officer, bundle, gateway, inner):
    truck = post(officer, gateway, s23.vehicle(), local_id="a").json()
    assert (truck["decision"], truck["plate"], truck["holder"]["name"]) == ("allowed", "29C-123.45", None)
    transit = post(
        officer, gateway, s23.vehicle(PassType.TRANSIT, "QC-51C67890", plate="51C-678.90"), local_id="b"
    )
    body = transit.json()
    assert body["decision"] == "allowed"
    assert [n["rule"] for n in body["notes"]] == ["PD-S23-TRANSIT-0001"]
    assert "without stopping" in body["notes"][0]["description"]
    # inside the city the boundary rules (doses, declaration) do not apply
    assert post(officer, inner, s23.permit(doses=1), local_id="c").json()["decision"] == "allowed"


def test_a_revocation_reaches_the_server_verifier_at_once(officer, bundle, gateway, ward_officer_bo_de):
    code, declaration = s23.permit(), s23.declaration()
    assert post(officer, gateway, code, declaration, local_id="a").json()["decision"] == "allowed"
    passes.revoke_pass(
        by=ward_officer_bo_de, pass_id="GDD-00139-000123", pass_type="permit",
        expires_at=CLOCK + timedelta(days=6),
    )  # fmt: skip
    body = post(officer, gateway, code, declaration, local_id="b").json()
    assert (body["decision"], [r["rule"] for r in body["reasons"]]) == ("denied", ["PD-S23-GEN-0002"])
    assert body["bundle_version"] == 2  # re-published with the revocation


def _tampered(code: str) -> str:
    import zlib

    import cbor2

    tagged = cbor2.loads(zlib.decompress(base45.decode(code[4:])))
    protected, unprotected, payload, signature = tagged.value
    envelope = cbor2.dumps(
        cbor2.CBORTag(18, [protected, unprotected, payload, bytes([signature[0] ^ 1]) + signature[1:]])
    )
    return "PD1:" + base45.encode(zlib.compress(envelope))


def _bomb() -> str:
    import zlib

    return "PD1:" + base45.encode(zlib.compress(b"\0" * 1_000_000, 9))


def _unknown_kid() -> str:
    from phaodai.passes.codec import encode_pass
    from phaodai.passes.tests import builders as b

    return encode_pass(b.permit(), private_key=b.ec_key(9), kid=b"\x01" * 8, issuer="VN", issued_at=CLOCK)


@pytest.mark.parametrize(
    ("make", "code", "logged"),
    [
        (lambda: _tampered(s23.permit()), "bad_signature", False),
        (_unknown_kid, "unknown_kid", False),
        (
            lambda: s23.permit(valid_from=CLOCK - timedelta(days=5), valid_to=CLOCK - timedelta(minutes=1)),
            "expired",
            True,
        ),
        (lambda: "HC1:" + s23.permit()[4:], "unknown_kid", False),
        (lambda: "XX1:" + s23.permit()[4:], "bad_prefix", False),
        (lambda: "PD1:" + "a::" * 20, "bad_base45", False),
        (_bomb, "inflated_too_large", False),
        (lambda: "PD1:" + "A" * 9000, "too_long", False),
    ],
)
def test_adversarial_codes_are_denied_with_a_specific_code(officer, bundle, gateway, make, code, logged):
    text = make()
    response = post(officer, gateway, text)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["decision"], body["error"]["code"], body["reasons"][0]["rule"]) == ("denied", code, code)
    assert text[4:40] not in response.content.decode()  # the content is never echoed
    assert (body["crossing_id"] is not None) == logged


def test_scope_permission_and_input(
    client, officer, bundle, gateway, checkpoint_of, district_officer_long_bien, ward_officer_bo_de
):
    long_bien = checkpoint_of("004", code="004-09", kind="district", name="Chốt Long Biên")
    assert post(officer, long_bien, s23.permit()).status_code == 404
    client.logout()
    assert post(client, gateway, s23.permit()).status_code == 401
    client.force_login(ward_officer_bo_de)
    assert post(client, gateway, s23.permit()).status_code == 403
    client.force_login(district_officer_long_bien)
    assert post(client, gateway, s23.permit()).status_code == 404
    client.force_login(district_officer_long_bien)
    assert post(client, long_bien, s23.permit(), direction="up").json()["code"] == "invalid_input"
    assert Crossing.objects.count() == 0


def test_without_a_bundle_the_server_says_so(officer, city_commander, gateway):
    s23.keys(city_commander)
    response = post(officer, gateway, s23.permit())
    assert (response.status_code, response.json()["code"]) == (409, "no_bundle")


def test_a_retry_returns_the_logged_decision_and_logs_once(officer, bundle, gateway, ward_officer_bo_de):
    code, declaration = s23.permit(), s23.declaration()
    first = post(officer, gateway, code, declaration).json()
    # revoked in between: the retry still answers what was decided and logged the first time
    passes.revoke_pass(
        by=ward_officer_bo_de, pass_id="GDD-00139-000123", pass_type="permit",
        expires_at=CLOCK + timedelta(days=6),
    )  # fmt: skip
    again = post(officer, gateway, code, declaration).json()
    assert (again["decision"], again["crossing_id"], again["duplicate"]) == (
        "allowed",
        first["crossing_id"],
        True,
    )
    assert Crossing.objects.count() == 1
    other = post(officer, gateway, s23.vehicle())
    assert (other.status_code, other.json()["code"]) == (409, "local_id_reused")
