"""The offline checkpoint verifier (issue #7, 8a) in Chromium: installed once, then used with the network cut.

A checkpoint officer of Hà Đông opens the verifier of the city gateway on QL6; the page registers its
service worker, which caches the page, its scripts and the signed "checkpoints" bundle (the S23 rule
set as shipped). With the browser offline the page is reloaded from the cache and decides on its own:
a permit with two doses and the holder's own health declaration is allowed (name, birth year and
masked CCCD shown for the ID check); a permit with one dose is denied for the dose. Back online, the
two checks logged on the device reach the server's crossing log. A forged code is refused with the
codec's reason, shows nothing of its content and is not logged; with the phone's clock behind the
bundle's signing time the page refuses to decide ("device time invalid").
"""

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from phaodai.checkpoints import services as checkpoints
from phaodai.checkpoints.models import Crossing
from phaodai.core.clock import now
from phaodai.passes import selectors as passes_selectors
from phaodai.passes import services as passes
from phaodai.passes.payload import PassPayload, PassType

MANIFEST = "/checkpoints/verifier/manifest.webmanifest"
READY = "body[data-verifier-ready=true]"
# A page the worker does not keep: offline, only the network could answer it.
NETWORK_PROBE = "() => fetch('/checkpoints/').then(() => 'reachable', () => 'unreachable')"
HOLDER: dict[str, Any] = {"holder": "Nguyễn Văn An", "birth_year": 1985, "cccd_masked": "001******234"}


def permit(pass_id: str, doses: int) -> PassPayload:
    start = now() - timedelta(hours=1)
    return PassPayload(
        type=PassType.PERMIT, pass_id=pass_id, valid_from=start, valid_to=start + timedelta(days=3),
        purpose_group=2, purpose="Cung ứng lương thực", doses=doses, plate="29C-123.45", **HOLDER,
    )  # fmt: skip


def declaration() -> PassPayload:
    start = now() - timedelta(hours=2)
    return PassPayload(
        type=PassType.DECLARATION, pass_id="KBYT-268-0001", valid_from=start,
        valid_to=start + timedelta(hours=72), symptoms=False, exposure=False, **HOLDER,
    )  # fmt: skip


@pytest.fixture
def gateway(unit: Any, city_commander: Any) -> dict[str, Any]:
    """Keys, the published S23 bundle, the QL6 gateway of Hà Đông and three signed codes."""
    passes.rotate_key(by=city_commander, purpose="passes", label="Passes 2021", pass_types=list(PassType))
    passes.rotate_key(by=city_commander, purpose="bundles", label="Bundles 2021")
    passes.publish_scope(by=city_commander, scope="checkpoints")
    checkpoint = checkpoints.register_checkpoint(
        by=city_commander, unit=unit("268"), code="CN-05", name="Chốt cửa ngõ QL6 Yên Nghĩa",
        kind="city_gateway", road="QL6", location="Phường Yên Nghĩa, Quận Hà Đông",
        neighbouring_province="Hòa Bình", active_from=now() - timedelta(days=1),
    )  # fmt: skip
    return {
        "checkpoint": checkpoint,
        "two_doses": passes.sign_pass(payload=permit("GDD-268-000001", doses=2)),
        "one_dose": passes.sign_pass(payload=permit("GDD-268-000002", doses=1)),
        "declaration": passes.sign_pass(payload=declaration()),
    }


def check(page: Any, code: str, declaration_code: str) -> None:
    """Paste a pass; the gateway asks for the health declaration; paste it and check again."""
    page.locator("#code").fill(code)
    page.locator("#check").click()
    expect(page.locator("#declaration-step")).to_be_visible()
    page.locator("#declaration").fill(declaration_code)
    page.locator("#check").click()
    expect(page.locator("#result")).to_be_visible()


def test_the_verifier_installs_decides_offline_and_syncs_when_back_online(
    page, sign_in, checkpoint_officer_ql6, gateway
):
    checkpoint = gateway["checkpoint"]
    sign_in(checkpoint_officer_ql6)

    # online, the page pins the bundle signers, takes the bundle and installs its service worker
    page.goto(f"/checkpoints/{checkpoint.pk}/verify/")
    page.wait_for_selector(READY, state="attached")
    expect(page.locator("#bundle-status")).to_have_attribute("data-version", "1")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    worker = page.request.get("/checkpoints/verifier/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/checkpoints/"
    manifest = page.request.get(f"{MANIFEST}?checkpoint={checkpoint.pk}").json()
    assert manifest["start_url"] == manifest["scope"] == f"/checkpoints/{checkpoint.pk}/verify/"

    # the network is cut: the page comes back from the worker's cache and the bundle from the device
    page.context.set_offline(True)
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    page.wait_for_selector(READY, state="attached")
    assert page.evaluate(NETWORK_PROBE) == "unreachable"
    expect(page.locator("#network-status")).to_have_attribute("data-online", "false")
    expect(page.locator("#bundle-status")).to_have_attribute("data-version", "1")

    # a permit with two doses and the holder's own declaration: allowed, with what the ID check needs
    check(page, gateway["two_doses"], gateway["declaration"])
    expect(page.locator("#verdict")).to_have_attribute("data-decision", "allowed")
    expect(page.locator("#holder-name")).to_have_text("Nguyễn Văn An")
    expect(page.locator("#holder-birth-year")).to_have_text("1985")
    expect(page.locator("#holder-cccd")).to_have_text("001******234")
    expect(page.locator("#reasons li")).to_have_count(0)

    # a permit with one dose: denied, for the doses
    page.locator("#next").click()
    check(page, gateway["one_dose"], gateway["declaration"])
    expect(page.locator("#verdict")).to_have_attribute("data-decision", "denied")
    expect(page.locator("#reasons li")).to_have_count(1)
    expect(page.locator("#reasons li[data-rule='PD-S23-PERMIT-0002']")).to_be_visible()
    expect(page.locator("#holder-cccd")).to_have_text("001******234")
    expect(page.locator("#sync-status")).to_have_attribute("data-pending", "2")
    assert not Crossing.objects.filter(checkpoint=checkpoint).exists()

    # back online: the device's log reaches the crossing log, once
    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_attribute("data-pending", "0", timeout=20_000)
    crossings = Crossing.objects.filter(checkpoint=checkpoint).order_by("at")
    assert [(c.pass_id, c.decision) for c in crossings] == [
        ("GDD-268-000001", "allowed"),
        ("GDD-268-000002", "denied"),
    ]
    assert crossings[0].officer == checkpoint_officer_ql6
    assert crossings[1].failed_rules[0]["id"] == "PD-S23-PERMIT-0002"
    assert {c.bundle_version for c in crossings} == {1}


def test_a_forged_code_is_refused_unlogged_and_a_clock_behind_the_bundle_decides_nothing(
    page, sign_in, checkpoint_officer_ql6, gateway
):
    checkpoint = gateway["checkpoint"]
    sign_in(checkpoint_officer_ql6)
    page.goto(f"/checkpoints/{checkpoint.pk}/verify/")
    page.wait_for_selector(READY, state="attached")
    expect(page.locator("#bundle-status")).to_have_attribute("data-version", "1")

    # one character changed in the middle of a genuine permit: its signature no longer holds
    code = gateway["two_doses"]
    middle = len(code) // 2
    forged = code[:middle] + ("A" if code[middle] != "A" else "B") + code[middle + 1 :]
    page.locator("#code").fill(forged)
    page.locator("#check").click()
    expect(page.locator("#verdict")).to_have_attribute("data-decision", "denied")
    expect(page.locator("#reasons li")).to_have_count(1)
    refusal = passes_selectors.verify_code(forged).error  # what the server says of it
    assert refusal is not None
    expect(page.locator(f"#reasons li[data-rule='{refusal}']")).to_be_visible()
    expect(page.locator("#holder")).to_be_hidden()  # nothing of an unauthenticated code is shown
    expect(page.locator("#sync-status")).to_have_attribute("data-pending", "0")

    # the phone's clock two days behind the bundle's signing time: it refuses to decide at all
    page.clock.install(time=now() - timedelta(days=2))
    page.reload()
    page.wait_for_selector(READY, state="attached")
    expect(page.locator("#bundle-status")).to_have_class("warning")
    page.locator("#code").fill(gateway["two_doses"])
    page.locator("#check").click()
    expect(page.locator("#verdict")).to_have_attribute("data-decision", "none")
    expect(page.locator("#declaration-step")).to_be_hidden()
    assert not Crossing.objects.filter(checkpoint=checkpoint).exists()
