"""The market gate (issue #8, point 4) in Chromium: installed once, then checking passes with the network cut.

Bồ Đề's ward officer opens the gate page of chợ Bồ Đề; the page registers its service worker, which
caches the page, its scripts and the signed "markets" bundle. With the browser offline the page is
reloaded from the cache and decides on its own: a single-use pass of this hour is let in (name and
masked CCCD shown for the ID check); the same pass shown again is refused as already used, with the
time of its first use; a pass for another market is refused for the market. Back online, the
device's log reaches the server's gate log, once.
"""

from typing import Any

import pytest
from playwright.sync_api import expect

from phaodai.core.clock import to_local
from phaodai.markets.models import GateEntry
from phaodai.markets.tests.gate_world import GateWorld, build_gate_world, this_hour

READY = "body[data-gate-ready=true]"
NETWORK_PROBE = "() => fetch('/markets/').then(() => 'reachable', () => 'unreachable')"
PAGE = "/markets/market/CHO-00139-01/gate/"


@pytest.fixture
def world(city_commander: Any, ward_officer_bo_de: Any) -> GateWorld:
    return build_gate_world(city=city_commander, ward_officer=ward_officer_bo_de, households=3)


def scan(page: Any, code: str) -> None:
    if page.locator("#result").is_visible():
        page.locator("#next").click()
    page.locator("#code").fill(code)
    page.locator("#check").click()
    expect(page.locator("#result")).to_be_visible()


def test_a_gate_check_with_the_network_cut(
    page: Any, sign_in: Any, ward_officer_bo_de: Any, world: GateWorld
) -> None:
    valid = world.issue(0, start_at=this_hour())
    elsewhere = world.issue(1, start_at=this_hour(), market=world.supermarket)
    sign_in(ward_officer_bo_de)

    # online once: the page pins the bundle signers, takes the markets bundle, installs its worker
    page.goto(PAGE)
    page.wait_for_selector(READY, state="attached")
    expect(page.locator("#bundle-status")).to_have_attribute("data-version", "1")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    worker = page.request.get("/markets/gate/sw.js")
    assert worker.headers["service-worker-allowed"] == "/markets/"

    # the network is cut: the page comes back from the worker's cache, the bundle from the device
    page.context.set_offline(True)
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    page.wait_for_selector(READY, state="attached")
    assert page.evaluate(NETWORK_PROBE) == "unreachable"
    expect(page.locator("#network-status")).to_have_attribute("data-online", "false")

    # a valid single-use pass of this hour: let in, with what the ID check needs
    scan(page, valid)
    expect(page.locator("#verdict")).to_have_attribute("data-decision", "allowed")
    expect(page.locator("#holder-name")).to_have_text("Nguyễn Văn An")
    expect(page.locator("#holder-cccd")).to_have_text("001******000")
    expect(page.locator("#reasons li")).to_have_count(0)

    # the same pass again: refused as already used, with the time of its first use
    scan(page, valid)
    expect(page.locator("#verdict")).to_have_attribute("data-decision", "denied")
    expect(page.locator("#reasons li[data-rule='already_used']")).to_be_visible()
    expect(page.locator("#first-use")).to_contain_text(f"{to_local(world.passes[0].slot_start):%d/%m/%Y}")

    # a pass for the supermarket: refused for the market
    scan(page, elsewhere)
    expect(page.locator("#verdict")).to_have_attribute("data-decision", "denied")
    expect(page.locator("#reasons li[data-rule='PD-MKT-0002']")).to_be_visible()
    expect(page.locator("#sync-status")).to_have_attribute("data-pending", "3")
    assert not GateEntry.objects.exists()

    # back online: the device's log reaches the server's gate log, once
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator("#sync-status")).to_have_attribute("data-pending", "0", timeout=20_000)
    entries = GateEntry.objects.order_by("scanned_at")
    assert [(e.pass_id, e.allowed, e.reason, e.synced) for e in entries] == [
        (world.passes[0].pass_id, True, "", True),
        (world.passes[0].pass_id, False, "already_used", True),
        (world.passes[1].pass_id, False, "PD-MKT-0002", True),
    ]
    assert entries[0].household == world.households[0]
    assert entries[0].recorded_by == ward_officer_bo_de
