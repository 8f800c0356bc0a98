"""Printing a tổ dân phố's sheet signs its passes; the signed content; the phone link."""

from datetime import timedelta

import pytest
from django.http import Http404

from phaodai.core.clock import now
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.markets import printing, services
from phaodai.markets.errors import SchemeLocked
from phaodai.markets.models import MarketPass
from phaodai.markets.tests.registry_world import build_registry_world, fixed, make_area, tomorrow
from phaodai.passes.payload import PassType
from phaodai.passes.selectors import verify_code
from phaodai.territory.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city_commander, ward_officer_bo_de):
    return build_registry_world(city=city_commander, ward_officer=ward_officer_bo_de)


def cards_in(pdf: bytes) -> int:
    """Each card carries its own QR image: the number of images is the number of cards."""
    return pdf.count(b"/Subtype /Image")


def test_the_signed_content_of_a_pass(world):
    market_pass = world.add_pass(0, hour=8)
    payload = printing.pass_payload(market_pass)
    assert payload.type == PassType.MARKET
    assert payload.pass_id == market_pass.pass_id
    # The signed window is the gate's acceptance window: the slot widened by the 15-minute tolerance.
    assert payload.valid_from == market_pass.slot_start - timedelta(minutes=15)
    assert payload.valid_to == market_pass.slot_end + timedelta(minutes=15)
    assert payload.hours == ("08:00", "09:00")
    assert payload.holder == "Nguyễn Văn An"
    assert payload.cccd_masked == "001******000"
    assert payload.market == "CHO-00139-01"
    assert payload.zones == ("00139", "00139-TDP01")


def test_a_pass_for_any_market_of_the_ward_names_the_ward(world):
    payload = printing.pass_payload(world.add_pass(1, any_in_ward=True))
    assert payload.market == "*00139"


def test_printing_a_sheet_signs_the_area_s_passes_once(world, ward_officer_bo_de):
    mine = [world.add_pass(0), world.add_pass(0, day=tomorrow() + timedelta(days=3)), world.add_pass(1)]
    elsewhere = MarketPass.objects.create(
        scheme=world.scheme, household=world.households[1], area=world.other_area, unit_path=world.ward.path,
        representative=world.members[1][0], market=world.market, day=tomorrow() + timedelta(days=1),
        slot_start=mine[0].slot_start + timedelta(days=1), slot_end=mine[0].slot_end + timedelta(days=1),
        pass_id="MP-T-OTHER",
    )  # fmt: skip
    pdf = printing.sheet_pdf(by=ward_officer_bo_de, scheme=world.scheme, area=world.area)
    assert pdf.startswith(b"%PDF")
    assert cards_in(pdf) == 3
    signed = MarketPass.objects.filter(pk__in=[p.pk for p in mine])
    assert all(p.pass_code.startswith("PD1:") and p.printed_at is not None for p in signed)
    verification = verify_code(signed.get(pk=mine[0].pk).pass_code)
    assert verification.error is None and verification.payload is not None
    assert verification.payload["id"] == mine[0].pass_id and verification.payload["mk"] == "CHO-00139-01"
    assert MarketPass.objects.get(pk=elsewhere.pk).pass_code == ""  # another tổ dân phố's sheet
    codes = dict(signed.values_list("pk", "pass_code"))
    again = printing.sheet_pdf(by=ward_officer_bo_de, scheme=world.scheme, area=world.area)
    assert cards_in(again) == 3
    assert dict(MarketPass.objects.filter(pk__in=codes).values_list("pk", "pass_code")) == codes
    audits = AuditEntry.objects.filter(action="markets.sheet_printed").count()
    assert audits == 2


def test_revoked_passes_and_passes_whose_time_has_passed_are_not_printed(world, ward_officer_bo_de):
    closed = world.add_pass(0)
    later = world.add_pass(0, day=tomorrow() + timedelta(days=3))
    revoked = world.add_pass(1)
    MarketPass.objects.filter(pk=revoked.pk).update(revoked_at=now())
    after_the_gate_closed = closed.slot_end + timedelta(minutes=16)
    pdf = printing.sheet_pdf(
        by=ward_officer_bo_de, scheme=world.scheme, area=world.area, clock=fixed(after_the_gate_closed)
    )
    assert cards_in(pdf) == 1
    printed = set(MarketPass.objects.exclude(pass_code="").values_list("pk", flat=True))
    assert printed == {later.pk}


def test_a_sheet_with_nothing_to_print_is_still_a_pdf(world, ward_officer_bo_de):
    pdf = printing.sheet_pdf(by=ward_officer_bo_de, scheme=world.scheme, area=world.other_area)
    assert pdf.startswith(b"%PDF") and cards_in(pdf) == 0


def test_only_the_ward_prints_its_sheets(
    world, ward_officer_phuc_xa, health_worker_bo_de, district_officer_long_bien
):
    world.add_pass(0)
    with pytest.raises(OutOfScope):
        printing.sheet_pdf(by=ward_officer_phuc_xa, scheme=world.scheme, area=world.area)
    with pytest.raises(NotPermitted):
        printing.sheet_pdf(by=health_worker_bo_de, scheme=world.scheme, area=world.area)
    phuc_xa_area = make_area(Unit.objects.get(code="00001"), "TDP01", "Tổ 1 Phúc Xá")
    with pytest.raises(InvalidInput):
        printing.sheet_pdf(by=district_officer_long_bien, scheme=world.scheme, area=phuc_xa_area)
    assert not MarketPass.objects.exclude(pass_code="").exists()


def test_a_withdrawn_scheme_prints_nothing(world, ward_officer_bo_de):
    world.add_pass(0)
    withdrawn = services.withdraw_scheme(by=ward_officer_bo_de, scheme=world.scheme)
    with pytest.raises(SchemeLocked):
        printing.sheet_pdf(by=ward_officer_bo_de, scheme=withdrawn, area=world.area)


def test_the_phone_link_opens_only_with_its_token(world):
    market_pass = world.add_pass(0)
    token = printing.pass_link_token(market_pass)
    assert printing.pass_by_link(market_pass.pass_id, token).pk == market_pass.pk
    for pass_id, wrong in ((market_pass.pass_id, "0" * 32), ("MP-T-NONE", token), (market_pass.pass_id, "")):
        with pytest.raises(Http404):
            printing.pass_by_link(pass_id, wrong)


def test_withdrawing_a_scheme_puts_its_printed_passes_on_the_markets_bundle_s_revocation_list(
    world, ward_officer_bo_de, city_commander
):
    from phaodai.passes import services as passes
    from phaodai.passes.models import RevokedPass
    from phaodai.passes.selectors import (
        CHECKPOINTS,
        MARKETS,
        REVOKED_PASSES,
        bundle_document,
        current_bundle,
    )

    printed = world.add_pass(0)
    printing.sheet_pdf(by=ward_officer_bo_de, scheme=world.scheme, area=world.area)
    unprinted = world.add_pass(1)  # allocated after the sheet was printed: never a code
    printed.refresh_from_db()
    assert printed.printed_at is not None
    passes.rotate_key(by=city_commander, purpose="bundles", label="Khóa ký bộ quy tắc")
    passes.publish_scope(by=city_commander, scope=MARKETS)
    passes.publish_scope(by=city_commander, scope=CHECKPOINTS)

    services.withdraw_scheme(by=ward_officer_bo_de, scheme=world.scheme)

    # Only the printed pass is out there as a code; the gate devices' next bundle names it.
    revoked = RevokedPass.objects.get()
    assert (revoked.pass_id, revoked.pass_type) == (printed.pass_id, "market")
    assert revoked.expires_at == printed.slot_end + timedelta(minutes=15)
    bundle = current_bundle(MARKETS)
    assert bundle is not None
    document = bundle_document(bundle)
    assert document["bundle"]["value_sets"][REVOKED_PASSES] == [printed.pass_id]
    assert unprinted.pass_id not in document["bundle"]["value_sets"][REVOKED_PASSES]
    # Road checkpoints are not sent a ward's market passes.
    checkpoints = current_bundle(CHECKPOINTS)
    assert checkpoints is not None
    assert printed.pass_id not in bundle_document(checkpoints)["bundle"]["value_sets"].get(REVOKED_PASSES, [])
