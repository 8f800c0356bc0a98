"""The registry writes: markets and their status, representatives, schemes."""

from datetime import time, timedelta
from typing import Any

import pytest

from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.markets import services
from phaodai.markets.errors import SchemeLocked
from phaodai.markets.models import Market, MarketPass, Representative, Scheme
from phaodai.markets.tests.registry_world import build_registry_world, tomorrow
from phaodai.territory.models import Unit

pytestmark = pytest.mark.django_db

MARKET: dict[str, Any] = {
    "name": "Chợ Ngọc Lâm",
    "kind": "local_market",
    "address": "Phố Ngọc Lâm, Long Biên",
    "opens_at": time(6),
    "closes_at": time(12),
    "capacity": 60,
}


@pytest.fixture
def world(city_commander, ward_officer_bo_de):
    return build_registry_world(city=city_commander, ward_officer=ward_officer_bo_de)


def ward(code: str) -> Unit:
    return Unit.objects.get(code=code)


def actions(prefix: str) -> list[str]:
    return list(AuditEntry.objects.filter(action__startswith=prefix).values_list("action", flat=True))


# Markets -------------------------------------------------------------------------------------------


def test_a_ward_officer_registers_a_market_numbered_in_the_ward(ward_officer_bo_de):
    first, created = services.create_market(by=ward_officer_bo_de, unit=ward("00139"), **MARKET)
    second, _ = services.create_market(
        by=ward_officer_bo_de,
        unit=ward("00139"),
        **{**MARKET, "name": "Siêu thị Bồ Đề", "kind": "supermarket"},
    )
    assert created
    assert (first.code, second.code) == ("CHO-00139-01", "CHO-00139-02")
    assert first.unit_path == ward("00139").path
    assert actions("markets.market_created") == ["markets.market_created"] * 2


def test_a_retried_registration_returns_the_same_market(ward_officer_bo_de):
    first, _ = services.create_market(by=ward_officer_bo_de, unit=ward("00139"), **MARKET)
    again, created = services.create_market(by=ward_officer_bo_de, unit=ward("00139"), **MARKET)
    assert again.pk == first.pk and not created
    assert Market.objects.count() == 1


def test_another_market_of_the_same_name_in_the_ward_is_a_duplicate(ward_officer_bo_de):
    services.create_market(by=ward_officer_bo_de, unit=ward("00139"), **MARKET)
    with pytest.raises(Duplicate) as error:
        services.create_market(by=ward_officer_bo_de, unit=ward("00139"), **{**MARKET, "capacity": 10})
    assert error.value.field == "name"


def test_a_given_code_is_kept_and_must_be_well_formed(ward_officer_bo_de):
    market, _ = services.create_market(by=ward_officer_bo_de, unit=ward("00139"), code="st-bd-1", **MARKET)
    assert market.code == "ST-BD-1"
    with pytest.raises(InvalidInput) as error:
        services.create_market(by=ward_officer_bo_de, unit=ward("00139"), code="chợ 1", **MARKET)
    assert error.value.field == "code"


@pytest.mark.parametrize("capacity", [0, -5, "0", "mười", None, True])
def test_a_market_with_zero_or_no_capacity_is_refused_and_nothing_is_written(ward_officer_bo_de, capacity):
    with pytest.raises(InvalidInput) as error:
        services.create_market(by=ward_officer_bo_de, unit=ward("00139"), **{**MARKET, "capacity": capacity})
    assert error.value.field == "capacity"
    assert "above zero" in str(error.value.detail)
    assert not Market.objects.exists()
    assert not actions("markets.")


def test_a_market_must_close_after_it_opens(ward_officer_bo_de):
    with pytest.raises(InvalidInput) as error:
        services.create_market(
            by=ward_officer_bo_de,
            unit=ward("00139"),
            **{**MARKET, "opens_at": time(12), "closes_at": time(6)},
        )
    assert error.value.field == "closes_at"


def test_markets_are_registered_only_within_the_officer_s_ward(ward_officer_bo_de, health_worker_bo_de):
    with pytest.raises(OutOfScope):
        services.create_market(by=ward_officer_bo_de, unit=ward("00001"), **MARKET)
    with pytest.raises(NotPermitted):
        services.create_market(by=health_worker_bo_de, unit=ward("00139"), **MARKET)
    with pytest.raises(InvalidInput):  # a market belongs to a ward, not a district
        services.create_market(by=ward_officer_bo_de, unit=ward("004"), **MARKET)


def test_a_market_s_area_must_be_of_its_ward(world, ward_officer_phuc_xa, district_officer_long_bien):
    market, _ = services.create_market(
        by=district_officer_long_bien, unit=ward("00139"), area=world.area, **MARKET
    )
    assert market.area == world.area
    with pytest.raises(InvalidInput) as error:
        services.create_market(by=district_officer_long_bien, unit=ward("00133"), area=world.area, **MARKET)
    assert error.value.field == "area"


def test_editing_a_market_is_compare_and_set(world, ward_officer_bo_de):
    market = world.market
    details = {**MARKET, "name": "Chợ Bồ Đề (mới)", "capacity": 80}
    edited = services.edit_market(by=ward_officer_bo_de, market=market, version=market.version, **details)
    assert (edited.name, edited.capacity, edited.version) == ("Chợ Bồ Đề (mới)", 80, 2)
    with pytest.raises(Conflict):  # the page was loaded before that change
        services.edit_market(by=ward_officer_bo_de, market=market, version=1, **{**details, "capacity": 90})
    assert Market.objects.get(pk=market.pk).capacity == 80
    with pytest.raises(InvalidInput):
        services.edit_market(by=ward_officer_bo_de, market=edited, version=2, **{**details, "capacity": 0})


def test_closing_a_market_by_an_order_needs_a_note_and_one_of_two_officers_wins(world, ward_officer_bo_de):
    market = world.market
    with pytest.raises(InvalidInput) as error:
        services.set_market_status(by=ward_officer_bo_de, market=market, status="closed_order", version=1)
    assert error.value.field == "status_note"
    closed = services.set_market_status(
        by=ward_officer_bo_de, market=market, status="closed_order", note="QĐ 12/QĐ-UBND: có ca F0", version=1
    )
    assert (closed.status, closed.status_note, closed.version) == (
        "closed_order",
        "QĐ 12/QĐ-UBND: có ca F0",
        2,
    )
    with pytest.raises(Conflict):  # the second officer saw version 1
        services.set_market_status(by=ward_officer_bo_de, market=market, status="closed_regime", version=1)
    again = services.set_market_status(
        by=ward_officer_bo_de, market=closed, status="closed_order", note="QĐ 12/QĐ-UBND: có ca F0", version=2
    )
    assert again.version == 2  # a retry changes nothing
    assert actions("markets.market_status") == ["markets.market_status"]


def test_an_unknown_status_is_refused(world, ward_officer_bo_de):
    with pytest.raises(InvalidInput):
        services.set_market_status(by=ward_officer_bo_de, market=world.market, status="half_open")


# Representatives -----------------------------------------------------------------------------------


def test_designating_the_representative_of_a_household(world, ward_officer_bo_de):
    home, (first, second) = world.households[2], world.members[2]
    row, changed = services.designate_representative(
        by=ward_officer_bo_de, household=home, person_id=str(second.pk)
    )
    assert changed and row.person_id == second.pk
    retry, changed_again = services.designate_representative(
        by=ward_officer_bo_de, household=home, person_id=str(second.pk)
    )
    assert retry.pk == row.pk and not changed_again
    services.designate_representative(by=ward_officer_bo_de, household=home, person_id=str(first.pk))
    assert Representative.objects.get(household=home).person_id == first.pk
    assert Representative.objects.filter(household=home).count() == 1
    assert actions("markets.representative") == ["markets.representative_designated"] * 2


def test_the_representative_must_live_in_that_household(world, ward_officer_bo_de):
    outsider = world.members[0][1]
    with pytest.raises(InvalidInput) as error:
        services.designate_representative(
            by=ward_officer_bo_de, household=world.households[2], person_id=outsider.pk
        )
    assert error.value.field == "person"
    with pytest.raises(InvalidInput):
        services.designate_representative(
            by=ward_officer_bo_de, household=world.households[2], person_id="nobody"
        )
    assert not Representative.objects.filter(household=world.households[2]).exists()


def test_another_ward_cannot_designate(world, ward_officer_phuc_xa):
    with pytest.raises(OutOfScope):
        services.designate_representative(
            by=ward_officer_phuc_xa, household=world.households[2], person_id=world.members[2][0].pk
        )


# Schemes -------------------------------------------------------------------------------------------


def scheme_details(**changes):
    day = tomorrow()
    return {
        "name": "Phiếu đi chợ đợt 2",
        "starts_on": day,
        "ends_on": day + timedelta(days=14),
        "pattern": {"kind": "every_n_days", "n": 3},
        "slot_minutes": 60,
        "market_choice": "nearest",
        "single_use": True,
        "tolerance_minutes": 15,
        **changes,
    }


def test_a_scheme_is_created_once_as_a_draft(ward_officer_bo_de):
    scheme, created = services.create_scheme(by=ward_officer_bo_de, unit=ward("00139"), **scheme_details())
    again, created_again = services.create_scheme(
        by=ward_officer_bo_de, unit=ward("00139"), **scheme_details()
    )
    assert created and not created_again and again.pk == scheme.pk
    assert scheme.status == Scheme.Status.DRAFT
    assert actions("markets.scheme") == ["markets.scheme_created"]
    with pytest.raises(Duplicate):
        services.create_scheme(by=ward_officer_bo_de, unit=ward("00139"), **scheme_details(slot_minutes=30))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pattern": {"kind": "weekly"}}, "pattern"),
        ({"pattern": {"kind": "every_n_days", "n": 0}}, "pattern"),
        ({"ends_on": tomorrow() - timedelta(days=1)}, "ends_on"),
        ({"slot_minutes": 5}, "slot_minutes"),
        ({"market_choice": "farthest"}, "market_choice"),
        ({"tolerance_minutes": 500}, "tolerance_minutes"),
        ({"name": "  "}, "name"),
    ],
)
def test_a_scheme_that_cannot_be_used_is_refused_naming_the_field(ward_officer_bo_de, changes, field):
    with pytest.raises(InvalidInput) as error:
        services.create_scheme(by=ward_officer_bo_de, unit=ward("00139"), **scheme_details(**changes))
    assert error.value.field == field
    assert not Scheme.objects.exists()


def test_editing_a_scheme_stops_once_passes_are_printed(world, ward_officer_bo_de):
    scheme = world.scheme
    edited = services.edit_scheme(
        by=ward_officer_bo_de, scheme=scheme, version=1, **scheme_details(slot_minutes=30)
    )
    assert edited.slot_minutes == 30
    printed = world.add_pass(0)
    MarketPass.objects.filter(pk=printed.pk).update(pass_code="PD1:x", printed_at=printed.slot_start)
    with pytest.raises(Conflict) as error:
        services.edit_scheme(by=ward_officer_bo_de, scheme=edited, version=2, **scheme_details())
    assert error.value.code == "scheme_printed"


def test_withdrawing_a_scheme_revokes_its_passes_once(world, ward_officer_bo_de):
    world.add_pass(0)
    world.add_pass(1)
    withdrawn = services.withdraw_scheme(by=ward_officer_bo_de, scheme=world.scheme, version=1)
    assert withdrawn.status == Scheme.Status.WITHDRAWN
    assert not MarketPass.objects.filter(scheme=world.scheme, revoked_at__isnull=True).exists()
    assert services.withdraw_scheme(by=ward_officer_bo_de, scheme=withdrawn).version == withdrawn.version
    with pytest.raises(SchemeLocked):
        services.edit_scheme(
            by=ward_officer_bo_de, scheme=withdrawn, version=withdrawn.version, **scheme_details()
        )
    assert actions("markets.scheme_withdrawn") == ["markets.scheme_withdrawn"]


def test_another_ward_cannot_touch_the_scheme(world, ward_officer_phuc_xa, health_worker_bo_de):
    with pytest.raises(OutOfScope):
        services.withdraw_scheme(by=ward_officer_phuc_xa, scheme=world.scheme)
    with pytest.raises(NotPermitted):
        services.withdraw_scheme(by=health_worker_bo_de, scheme=world.scheme)


def period(start, **changes):
    return scheme_details(starts_on=start, ends_on=start + timedelta(days=14), **changes)


def test_a_ward_has_one_scheme_in_force_a_day(world, ward_officer_bo_de):
    # Two schemes over the same days would each fill every market-hour to capacity.
    start = world.scheme.starts_on
    with pytest.raises(Conflict) as error:
        services.create_scheme(by=ward_officer_bo_de, unit=world.ward, **period(start + timedelta(days=14)))
    assert (error.value.code, error.value.field) == ("schemes_overlap", "starts_on")
    after, created = services.create_scheme(
        by=ward_officer_bo_de, unit=world.ward, **period(start + timedelta(days=15))
    )
    assert created
    services.withdraw_scheme(by=ward_officer_bo_de, scheme=world.scheme)
    again, created = services.create_scheme(
        by=ward_officer_bo_de, unit=world.ward, **period(start, name="Đợt thay thế")
    )
    assert created and again.pk != after.pk


def test_editing_an_allocated_scheme_drops_its_unprinted_passes_for_a_new_allocation(
    world, ward_officer_bo_de
):
    world.add_pass(0)
    world.add_pass(1)
    Scheme.objects.filter(pk=world.scheme.pk).update(status=Scheme.Status.ALLOCATED)
    world.scheme.refresh_from_db()

    edited = services.edit_scheme(
        by=ward_officer_bo_de, scheme=world.scheme, version=1, **scheme_details(slot_minutes=30)
    )

    assert edited.status == Scheme.Status.DRAFT
    assert not MarketPass.objects.filter(scheme=world.scheme).exists()
