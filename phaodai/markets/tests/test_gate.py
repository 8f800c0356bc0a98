"""The market gate: signature, window, market, single use (one winner), every entry logged, offline sync."""

from datetime import timedelta
from typing import Any

import pytest

from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.markets import gate
from phaodai.markets.models import GateEntry, Market, MarketPass, PassUse
from phaodai.markets.tests.gate_world import GateWorld, at, build_gate_world, slot, tomorrow
from phaodai.passes import services as passes_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city_commander: Any, ward_officer_bo_de: Any) -> GateWorld:
    return build_gate_world(city=city_commander, ward_officer=ward_officer_bo_de)


def during_slot(minutes: int = 10) -> Any:
    """The gate's clock tomorrow at 08:00 plus `minutes` (the passes' slot is 08:00–09:00)."""
    return at(slot(tomorrow(), 8)[0] + timedelta(minutes=minutes))


def check(by: Any, market: Market, code: Any, minutes: int = 10, **options: Any) -> gate.GateResult:
    return gate.check_at_gate(by=by, market=market, code=code, clock=during_slot(minutes), **options)


def reason_codes(result: gate.GateResult) -> list[str]:
    return [reason.code for reason in result.reasons]


def test_a_valid_pass_is_allowed_logged_and_counted_inside(world: GateWorld, ward_officer_bo_de: Any) -> None:
    code = world.issue(0)
    result = check(ward_officer_bo_de, world.bo_de, code, device="gate-1", entry_key="k-1")
    assert result.allowed and result.reasons == ()
    assert result.holder == {"name": "Nguyễn Văn An", "birth_year": None, "cccd_masked": "001******000"}
    assert result.hours == ("08:00", "09:00")
    assert result.inside_now == 1
    entry = GateEntry.objects.get(entry_key="k-1")
    assert (entry.allowed, entry.pass_id, entry.household, entry.device) == (
        True, world.passes[0].pass_id, world.households[0], "gate-1",
    )  # fmt: skip
    assert PassUse.objects.get(pass_id=world.passes[0].pass_id).entry == entry


def test_a_reused_pass_is_refused_with_the_time_and_market_of_its_first_use(
    world: GateWorld, ward_officer_bo_de: Any
) -> None:
    code = world.issue(0)
    first = check(ward_officer_bo_de, world.bo_de, code, minutes=5)
    again = check(ward_officer_bo_de, world.bo_de, code, minutes=40)
    assert first.allowed
    assert not again.allowed
    assert reason_codes(again) == ["already_used"]
    assert again.first_used_at == slot(tomorrow(), 8)[0] + timedelta(minutes=5)
    assert again.first_used_market == "CHO-00139-01"
    assert again.reasons[0].en == "This single-use pass has already been used."
    refused = GateEntry.objects.get(pk=again.entry.pk)
    assert (refused.allowed, refused.reason, refused.first_used_at) == (
        False,
        "already_used",
        again.first_used_at,
    )
    assert GateEntry.objects.count() == 2  # every scan is logged
    assert again.inside_now == 1


def test_a_reusable_scheme_lets_the_same_pass_in_again(world: GateWorld, ward_officer_bo_de: Any) -> None:
    world.scheme.single_use = False
    world.scheme.save()
    code = world.issue(0)
    assert check(ward_officer_bo_de, world.bo_de, code, minutes=5).allowed
    assert check(ward_officer_bo_de, world.bo_de, code, minutes=30).allowed
    assert not PassUse.objects.exists()


def test_a_forged_pass_is_refused_and_names_nothing(world: GateWorld, ward_officer_bo_de: Any) -> None:
    code = world.issue(0)
    middle = len(code) // 2
    forged = code[:middle] + ("A" if code[middle] != "A" else "B") + code[middle + 1 :]
    result = check(ward_officer_bo_de, world.bo_de, forged)
    assert not result.allowed
    assert result.reasons[0].code in {"bad_signature", "bad_cose", "bad_zlib", "bad_base45"}
    assert result.holder is None
    entry = result.entry
    assert (entry.allowed, entry.pass_id, entry.household) == (False, "", None)
    assert not PassUse.objects.exists()


def test_a_pass_for_another_market_is_refused_but_any_market_of_the_ward_is_accepted(
    world: GateWorld, ward_officer_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    for_bo_de = world.issue(0)
    refused = check(ward_officer_bo_de, world.supermarket, for_bo_de)
    assert reason_codes(refused) == ["PD-MKT-0002"]
    assert "this market" in refused.reasons[0].en and refused.reasons[0].vi.startswith("Phiếu đi chợ")
    any_in_ward = world.issue(1, any_in_ward=True)
    assert check(ward_officer_bo_de, world.supermarket, any_in_ward).allowed
    # the same ward-wide pass at Phúc Xá's market: another ward
    other_ward = world.issue(2, any_in_ward=True)
    assert reason_codes(check(ward_officer_phuc_xa, world.phuc_xa, other_ward)) == ["PD-MKT-0002"]


def test_a_pass_for_another_hour_is_refused_within_the_tolerance_it_is_not(
    world: GateWorld, ward_officer_bo_de: Any
) -> None:
    code = world.issue(0, hour=10)  # 10:00-11:00, widened to 09:45-11:15
    early = check(ward_officer_bo_de, world.bo_de, code, minutes=60)  # 09:00
    assert reason_codes(early) == ["PD-MKT-0001"]
    assert check(ward_officer_bo_de, world.bo_de, code, minutes=105).allowed  # 09:45, within the margin
    late = world.issue(1, hour=7)  # 07:00-08:00, until 08:15
    assert reason_codes(check(ward_officer_bo_de, world.bo_de, late, minutes=20)) == ["expired"]


def test_a_closed_market_lets_nobody_in(world: GateWorld, ward_officer_bo_de: Any) -> None:
    Market.objects.filter(pk=world.bo_de.pk).update(status=Market.Status.CLOSED_BY_ORDER)
    world.bo_de.refresh_from_db()
    result = check(ward_officer_bo_de, world.bo_de, world.issue(0))
    assert reason_codes(result) == ["market_closed"]
    assert not PassUse.objects.exists()


def test_a_revoked_pass_is_refused(world: GateWorld, ward_officer_bo_de: Any) -> None:
    code = world.issue(0)
    MarketPass.objects.filter(pk=world.passes[0].pk).update(revoked_at=slot(tomorrow(), 6)[0])
    assert reason_codes(check(ward_officer_bo_de, world.bo_de, code)) == ["pass_revoked"]


def test_a_retry_with_the_same_entry_key_returns_the_same_answer_and_writes_nothing(
    world: GateWorld, ward_officer_bo_de: Any
) -> None:
    code = world.issue(0)
    first = check(ward_officer_bo_de, world.bo_de, code, entry_key="dev1-0001")
    retry = check(ward_officer_bo_de, world.bo_de, code, minutes=12, entry_key="dev1-0001")
    assert first.allowed and retry.allowed and retry.duplicate
    assert retry.entry.pk == first.entry.pk
    assert GateEntry.objects.count() == 1
    with pytest.raises(gate.EntryKeyReused):
        check(ward_officer_bo_de, world.supermarket, code, entry_key="dev1-0001")


def test_an_exit_scan_counts_the_person_out(world: GateWorld, ward_officer_bo_de: Any) -> None:
    code = world.issue(0)
    check(ward_officer_bo_de, world.bo_de, world.issue(1))
    assert check(ward_officer_bo_de, world.bo_de, code, minutes=11).inside_now == 2
    leaving = check(ward_officer_bo_de, world.bo_de, code, minutes=30, direction="out")
    assert leaving.allowed and leaving.inside_now == 1
    # people who entered longer ago than a slot and its margin count as gone
    assert gate.inside_now(world.bo_de, clock=during_slot(10 + 76)) == 0


def test_who_may_check_the_gate(
    world: GateWorld, welfare_officer_bo_de: Any, ward_officer_phuc_xa: Any, district_officer_long_bien: Any
) -> None:
    code = world.issue(0)
    with pytest.raises(NotPermitted):
        check(welfare_officer_bo_de, world.bo_de, code)
    with pytest.raises(OutOfScope):
        check(ward_officer_phuc_xa, world.bo_de, code)
    assert check(district_officer_long_bien, world.bo_de, code).allowed


def test_bad_input_is_refused_clearly(world: GateWorld, ward_officer_bo_de: Any) -> None:
    code = world.issue(0)
    with pytest.raises(InvalidInput) as bad_key:
        check(ward_officer_bo_de, world.bo_de, code, entry_key="with space")
    assert bad_key.value.field == "entry_key"
    future = slot(tomorrow(), 9)[0]
    with pytest.raises(InvalidInput) as bad_time:
        check(ward_officer_bo_de, world.bo_de, code, scanned_at=future)
    assert bad_time.value.field == "scanned_at"
    with pytest.raises(InvalidInput) as bad_code:
        check(ward_officer_bo_de, world.bo_de, 42)
    assert bad_code.value.field == "code"
    assert not GateEntry.objects.exists()


def offline(key: str, pass_id: str, minutes: int, *, allowed: bool = True, **extra: Any) -> gate.OfflineEntry:
    return gate.OfflineEntry(
        entry_key=key, pass_id=pass_id, scanned_at=slot(tomorrow(), 8)[0] + timedelta(minutes=minutes),
        allowed=allowed, **extra,
    )  # fmt: skip


def test_offline_sync_keeps_the_device_decisions_and_flags_double_use(
    world: GateWorld, ward_officer_bo_de: Any
) -> None:
    code = world.issue(0, any_in_ward=True)  # good at either market of Bồ Đề
    pass_id = world.passes[0].pass_id
    online = check(ward_officer_bo_de, world.bo_de, code, minutes=30)  # used at 08:30 at chợ Bồ Đề
    assert online.allowed
    world.issue(1, market=world.supermarket)
    other_id = world.passes[1].pass_id
    result = gate.sync_entries(
        by=ward_officer_bo_de,
        market=world.supermarket,
        entries=[
            offline("dev2-1", pass_id, 40, device="gate-2"),  # the same pass, later, elsewhere
            offline("dev2-2", other_id, 20),
            offline("dev2-3", "", 21, allowed=False, reason="bad_signature"),
        ],
        clock=during_slot(50),
    )
    assert set(result.created) == {"dev2-1", "dev2-2", "dev2-3"}
    assert [(f.entry_key, f.first_used_market) for f in result.flagged] == [("dev2-1", "CHO-00139-01")]
    assert result.flagged[0].first_used_at == slot(tomorrow(), 8)[0] + timedelta(minutes=30)
    flagged = GateEntry.objects.get(entry_key="dev2-1")
    assert (flagged.allowed, flagged.synced, flagged.double_use, flagged.device) == (
        True,
        True,
        True,
        "gate-2",
    )
    assert not GateEntry.objects.get(entry_key="dev2-2").double_use
    # the same batch again (a lost answer): nothing new, nothing flagged twice
    again = gate.sync_entries(
        by=ward_officer_bo_de, market=world.supermarket, entries=[offline("dev2-1", pass_id, 40)],
        clock=during_slot(50),
    )  # fmt: skip
    assert again.duplicates == ("dev2-1",) and again.flagged == ()
    assert GateEntry.objects.count() == 4


def test_an_earlier_offline_use_takes_the_first_use_and_the_later_online_entry_is_flagged(
    world: GateWorld, ward_officer_bo_de: Any
) -> None:
    code = world.issue(0, any_in_ward=True)
    pass_id = world.passes[0].pass_id
    online = check(ward_officer_bo_de, world.bo_de, code, minutes=30)
    result = gate.sync_entries(
        by=ward_officer_bo_de, market=world.supermarket, entries=[offline("dev3-1", pass_id, 10)],
        clock=during_slot(40),
    )  # fmt: skip
    early = slot(tomorrow(), 8)[0] + timedelta(minutes=10)
    assert [(f.entry_key, f.first_used_at, f.first_used_market) for f in result.flagged] == [
        (online.entry.entry_key, early, "CHO-00139-02")
    ]
    use = PassUse.objects.get(pass_id=pass_id)
    assert (use.entry.entry_key, use.used_at, use.market) == ("dev3-1", early, world.supermarket)
    assert GateEntry.objects.get(pk=online.entry.pk).double_use


def test_sync_rejects_bad_entries_without_losing_the_good_ones(
    world: GateWorld, ward_officer_bo_de: Any
) -> None:
    world.issue(0)
    result = gate.sync_entries(
        by=ward_officer_bo_de,
        market=world.bo_de,
        entries=[
            offline("ok-1", world.passes[0].pass_id, 5),
            offline("bad key", "MP-1", 6),
            offline("no-pass", "", 7),  # allowed without a pass id
            offline("ahead", "MP-2", 60 * 5),  # hours ahead of the server
            offline("dir", "MP-3", 8, direction="sideways"),
        ],
        clock=during_slot(10),
    )
    assert result.created == ("ok-1",)
    assert dict(result.rejected) == {
        "bad key": "entry_key", "no-pass": "pass_id", "ahead": "scanned_at", "dir": "direction",
    }  # fmt: skip


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_gates_at_the_same_moment_one_winner(world: GateWorld, ward_officer_bo_de: Any) -> None:
    import threading

    from django.db import connection

    code = world.issue(0)
    start = threading.Barrier(2)
    results: list[gate.GateResult] = []

    def scan(market: Market, key: str) -> None:
        try:
            start.wait()
            results.append(check(ward_officer_bo_de, market, code, entry_key=key))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=scan, args=(world.bo_de, "gate-a")),
        threading.Thread(target=scan, args=(world.bo_de, "gate-b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.decision for r in results) == ["allowed", "denied"]
    loser = next(r for r in results if not r.allowed)
    assert reason_codes(loser) == ["already_used"] and loser.first_used_at is not None
    assert PassUse.objects.filter(pass_id=world.passes[0].pass_id).count() == 1
    assert GateEntry.objects.filter(allowed=True).count() == 1


def test_the_markets_bundle_is_published_from_the_command_line(city_commander: Any, capsys: Any) -> None:
    import json

    from django.core.management import call_command

    passes_services.rotate_key(by=city_commander, purpose="bundles", label="Khóa ký bộ quy tắc")
    call_command("passes", "publish", "--scope", "markets", "--user", "city-01")
    first = json.loads(capsys.readouterr().out)
    call_command("passes", "publish", "--scope", "markets", "--user", "city-01")
    assert first == {"scope": "markets", "version": 1, "published": True}
    assert json.loads(capsys.readouterr().out)["published"] is False  # nothing changed


def test_the_gate_page_carries_the_market_facts_for_the_device(
    client: Any, world: GateWorld, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.get("/markets/market/CHO-00139-01/gate/")
    assert response.status_code == 200
    config = response.context["config"]
    assert config["market"]["facts"] == {
        "kind": "market", "code": "CHO-00139-01", "units": ["01", "004", "00139"], "ward_pass": "*00139",
    }  # fmt: skip
    assert config["market"]["single_use"] is True
    assert config["urls"]["sync"] == "/api/v1/markets/CHO-00139-01/gate/sync"
    assert config["urls"]["bundle"].endswith("/markets")
    worker = client.get("/markets/gate/sw.js")
    assert worker["Service-Worker-Allowed"] == "/markets/" and b"phaodai-market-gate-" in worker.content


def test_a_synced_entry_cannot_claim_a_pass_of_another_market_ward_or_hour(
    world: GateWorld, ward_officer_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    """A device's word is kept for what it saw, never to use up or trace someone else's pass."""
    world.issue(0)
    bo_de_pass = world.passes[0]
    result = gate.sync_entries(
        by=ward_officer_bo_de,
        market=world.supermarket,  # the pass is for chợ Bồ Đề
        entries=[
            offline("x-1", bo_de_pass.pass_id, 10),
            gate.OfflineEntry("x-2", slot(tomorrow(), 8)[0] - timedelta(hours=3), True, bo_de_pass.pass_id),
        ],
        clock=during_slot(20),
    )
    assert set(result.created) == {"x-1", "x-2"} and result.flagged == ()
    for entry in GateEntry.objects.filter(entry_key__in=["x-1", "x-2"]):
        assert (entry.allowed, entry.reason, entry.market_pass, entry.household) == (
            False, gate.PASS_MISMATCH, None, None,
        )  # fmt: skip
    assert not PassUse.objects.exists()
    # Phúc Xá's keeper cannot claim it either, and Bồ Đề's gate still lets its holder in.
    gate.sync_entries(
        by=ward_officer_phuc_xa, market=world.phuc_xa, entries=[offline("x-3", bo_de_pass.pass_id, 10)],
        clock=during_slot(20),
    )  # fmt: skip
    assert GateEntry.objects.get(entry_key="x-3").household is None
    assert check(ward_officer_bo_de, world.bo_de, world.codes[bo_de_pass.pass_id], minutes=25).allowed


def test_a_device_that_let_someone_into_a_closed_market_is_corrected_on_sync(
    world: GateWorld, ward_officer_bo_de: Any
) -> None:
    world.issue(0)
    Market.objects.filter(pk=world.bo_de.pk).update(status=Market.Status.CLOSED_BY_ORDER)
    world.bo_de.refresh_from_db()
    gate.sync_entries(
        by=ward_officer_bo_de, market=world.bo_de, entries=[offline("c-1", world.passes[0].pass_id, 10)],
        clock=during_slot(20),
    )  # fmt: skip
    entry = GateEntry.objects.get(entry_key="c-1")
    assert (entry.allowed, entry.reason) == (False, gate.MARKET_CLOSED)
    assert not PassUse.objects.exists()


def test_an_entry_key_sent_again_with_another_pass_is_refused(
    world: GateWorld, ward_officer_bo_de: Any
) -> None:
    first, second = world.issue(0), world.issue(1)
    assert check(ward_officer_bo_de, world.bo_de, first, entry_key="dev9-1").allowed
    with pytest.raises(gate.EntryKeyReused):
        check(ward_officer_bo_de, world.bo_de, second, minutes=11, entry_key="dev9-1")
    assert GateEntry.objects.count() == 1
