"""Public downloads (bundle, anchors, trust list) and the command line: `passes verify`, `passes publish`."""

import io
import json
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from phaodai.checkpoints import services as checkpoints
from phaodai.core.clock import hanoi
from phaodai.passes import bundles
from phaodai.passes.models import Bundle
from phaodai.passes.tests import s23
from phaodai.passes.tests.s23 import CLOCK, KEYS_MADE
from phaodai.passes.trust import TrustList, Usage

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str = "") -> tuple[dict[str, Any], int]:
    out = io.StringIO()
    try:
        call_command(*args, stdin=io.StringIO(stdin), stdout=out)
    except CommandError as error:
        return json.loads(out.getvalue()), error.returncode
    return json.loads(out.getvalue()), 0


@pytest.fixture
def gateway(city_commander: Any, unit: Any) -> Any:
    return checkpoints.register_checkpoint(
        by=city_commander, unit=unit("268"), other_side=None, code="CN-06", name="Cửa ngõ QL6",
        kind="city_gateway", road="QL6", location="Yên Nghĩa, Hà Đông", active_from=hanoi(2021, 8, 23),
        procedure="", clock=lambda: KEYS_MADE,
    )  # fmt: skip


def test_the_bundle_is_public_revalidated_by_etag_and_verifies_against_the_anchors(client, city_commander):
    missing = client.get("/api/v1/passes/bundles/checkpoints")
    assert (missing.status_code, missing.json()["code"]) == (404, "no_bundle")
    bundle = s23.published(city_commander)
    response = client.get("/api/v1/passes/bundles/checkpoints")
    assert response.status_code == 200
    assert (response["ETag"], response["Cache-Control"]) == ('"checkpoints-1"', "no-cache")
    assert response.content.decode() == bundle.document
    with time_machine.travel(KEYS_MADE, tick=False):
        anchors = client.get("/api/v1/passes/anchors").json()
        trust = client.get("/api/v1/passes/trust-list").json()
    assert {e["usage"] for e in anchors["entries"]} == {"bundle"}
    assert {e["usage"] for e in trust["entries"]} == {"PD1", "bundle"}
    opened = bundles.open_signed(response.json(), TrustList.from_json(anchors["entries"]))
    assert opened.version == 1 and TrustList.from_json(trust["entries"]).find(Usage.BUNDLE, opened.signed_by)
    again = client.get("/api/v1/passes/bundles/checkpoints", HTTP_IF_NONE_MATCH='"checkpoints-1"')
    assert (again.status_code, again.content) == (304, b"")


def test_publish_from_the_command_line(city_commander, checkpoint_officer_ql6):
    s23.keys(city_commander)
    with time_machine.travel(KEYS_MADE, tick=False):
        assert run("passes", "publish", "--scope", "checkpoints", "--user", city_commander.username) == (
            {"scope": "checkpoints", "version": 1, "published": True},
            0,
        )
        assert (
            run("passes", "publish", "--scope", "checkpoints", "--user", city_commander.username)[0][
                "published"
            ]
            is False
        )
    out, status = run(
        "passes", "publish", "--scope", "checkpoints", "--user", checkpoint_officer_ql6.username
    )
    assert (out["error"]["code"], status) == ("not_permitted", 1)
    out, status = run("passes", "publish", "--scope", "checkpoints", "--user", "nobody")
    assert (out["error"]["code"], status) == ("bad_input", 2)


def test_verify_from_the_command_line(city_commander, gateway, tmp_path):
    s23.published(city_commander)
    declaration = tmp_path / "kbyt.txt"
    declaration.write_text(s23.declaration() + "\n", encoding="utf-8")
    clock = "2021-09-09T06:30:00+07:00"
    args = ("passes", "verify", "--checkpoint", "CN-06", "--clock", clock)
    out, status = run(*args, "--declaration-file", str(declaration), stdin=s23.permit() + "\n")
    assert (out["decision"], out["holder"]["name"], out["checkpoint"]["units"], status) == (
        "allowed", "Nguyễn Văn An", ["01", "268"], 0,
    )  # fmt: skip
    out, status = run(*args, stdin=s23.permit(doses=1))
    assert (out["decision"], [r["rule"] for r in out["reasons"]], status) == (
        "denied", ["PD-S23-PERMIT-0002", "PD-S23-PERMIT-0003"], 1,
    )  # fmt: skip
    assert out["reasons"][0]["description"] == "Crossing the city boundary requires two vaccine doses."
    out, status = run(*args, stdin="PD1:" + "A" * 9000)
    assert (out["error"]["code"], status) == ("too_long", 1)
    out, status = run("passes", "verify", "--checkpoint", "NOPE", stdin=s23.permit())
    assert (out["error"]["code"], status) == ("bad_input", 2)
    assert Bundle.objects.get().version == 1
    assert CLOCK  # the pass's clock: 06:30 on 9/9/2021
