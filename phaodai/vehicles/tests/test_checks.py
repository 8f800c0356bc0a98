"""The vehicle check at a checkpoint: green lane, transit (no stop), shipper hours, unknown."""

from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.vehicles import services
from phaodai.vehicles.tests.conftest import CLOCK, shipper_fields, transit_fields

pytestmark = pytest.mark.django_db


def codes(verdict: Any) -> list[str]:
    return [code for code, _values in verdict.reasons]


def test_an_approved_green_lane_truck_is_allowed_while_valid(
    register: Any, district_officer_long_bien: Any, signing_key: Any, gateway: Any
) -> None:
    registration = services.approve_green_lane(
        by=district_officer_long_bien, registration=register(), clock=CLOCK
    )
    verdict = services.check_vehicle("29c 123 45", gateway, hanoi(2021, 9, 14, 6, 30))
    assert verdict.allowed and verdict.basis == "green_lane" and verdict.subject_id == registration.pk
    expired = services.check_vehicle("29C-123.45", gateway, hanoi(2021, 10, 10, 0, 1))
    assert not expired.allowed and codes(expired) == ["green_lane_expired", "unknown_vehicle"]
    services.revoke_green_lane(by=district_officer_long_bien, registration=registration, clock=CLOCK)
    revoked = services.check_vehicle("29C-123.45", gateway, hanoi(2021, 9, 14, 10))
    assert not revoked.allowed and codes(revoked)[0] == "green_lane_revoked"


def test_a_submitted_registration_does_not_let_the_truck_through(register: Any, gateway: Any) -> None:
    register()
    verdict = services.check_vehicle("29C-123.45", gateway, hanoi(2021, 9, 14, 10))
    assert not verdict.allowed and codes(verdict)[0] == "green_lane_not_approved"


def test_a_transit_vehicle_passes_with_no_stop(
    district_officer_long_bien: Any, unit: Any, signing_key: Any, gateway: Any, district_checkpoint: Any
) -> None:
    services.register_transit(
        by=district_officer_long_bien, unit=unit("004"), clock=CLOCK, **transit_fields()
    )
    at_gate = services.check_vehicle("51D-678.90", gateway, hanoi(2021, 9, 14, 7))
    assert at_gate.allowed and at_gate.conditions == ("no_stop",) and at_gate.basis == "transit"
    inside = services.check_vehicle("51D-678.90", district_checkpoint, hanoi(2021, 9, 14, 8))
    assert inside.allowed and inside.conditions == ("no_stop",)
    # the window closed at 06:00 on the 15th; 4 hours more to leave, then the pass no longer holds
    assert services.check_vehicle("51D-678.90", gateway, hanoi(2021, 9, 15, 9, 59)).allowed
    assert not services.check_vehicle("51D-678.90", gateway, hanoi(2021, 9, 15, 10)).allowed


def test_a_shipper_plate_is_checked_by_the_hour(
    district_officer_long_bien: Any, unit: Any, signing_key: Any, district_checkpoint: Any
) -> None:
    services.register_shipper(
        by=district_officer_long_bien, unit=unit("004"), clock=CLOCK, **shipper_fields()
    )
    assert services.check_vehicle("29H1-234.56", district_checkpoint, hanoi(2021, 9, 14, 7)).allowed
    late = services.check_vehicle("29H1-234.56", district_checkpoint, hanoi(2021, 9, 14, 19))
    assert not late.allowed and codes(late) == ["after_hours"]
    assert "06:00" in services.reasons(late)[0]["message"]


def test_a_shipper_outside_their_zones_is_denied(
    district_officer_long_bien: Any, unit: Any, signing_key: Any, gateway: Any
) -> None:
    services.register_shipper(
        by=district_officer_long_bien, unit=unit("004"), clock=CLOCK, **shipper_fields()
    )
    # Hà Đông's gateway is not in Long Biên (004) or Bồ Đề (00139)
    verdict = services.check_vehicle("29H1-234.56", gateway, hanoi(2021, 9, 14, 7))
    assert not verdict.allowed and codes(verdict) == ["outside_zones"]
    assert "004, 00139" in services.reasons(verdict)[0]["message"]


def test_unknown_and_malformed_plates_are_denied_with_the_reason(gateway: Any) -> None:
    assert codes(services.check_vehicle("30A-999.99", gateway, hanoi(2021, 9, 14, 7))) == ["unknown_vehicle"]
    assert codes(services.check_vehicle("<script>", gateway, hanoi(2021, 9, 14, 7))) == ["invalid_plate"]
