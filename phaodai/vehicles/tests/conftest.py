"""Vehicles in Hà Nội on Tuesday 14/9/2021: gateways of Hà Đông (QL6) and Long Biên, a pass signing key.

The clock of these tests is 09:00 Tuesday 14/9/2021 (Hà Nội) unless a test says otherwise.
"""

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from phaodai.checkpoints import services as checkpoints
from phaodai.core.clock import hanoi
from phaodai.passes import services as passes
from phaodai.vehicles import services

NOW = hanoi(2021, 9, 14, 9, 0)
OPENED = hanoi(2021, 8, 23, 6, 0)
_local_ids = itertools.count(1)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


CLOCK = at(NOW)


@pytest.fixture
def signing_key(db: Any, city_commander: Any) -> Any:
    """The city's active pass key, allowed to sign vehicle, transit and shipper passes."""
    return passes.rotate_key(
        by=city_commander, purpose="passes", label="Khóa ký thẻ luồng xanh 2021-09",
        pass_types=["vehicle", "transit", "shipper", "permit"], clock=at(hanoi(2021, 9, 1, 8)),
    )  # fmt: skip


@pytest.fixture
def gateway(db: Any, unit: Any, city_commander: Any) -> Any:
    """Hà Đông's city gateway on QL6 towards Hòa Bình."""
    return checkpoints.register_checkpoint(
        by=city_commander, unit=unit("268"), code="CN-06", name="Chốt cửa ngõ QL6 Yên Nghĩa",
        kind="city_gateway", road="QL6", location="Phường Yên Nghĩa, Quận Hà Đông",
        neighbouring_province="Hòa Bình", active_from=OPENED, clock=CLOCK,
    )  # fmt: skip


@pytest.fixture
def exit_gateway(db: Any, unit: Any, city_commander: Any) -> Any:
    """Long Biên's city gateway on QL5 (Cầu Thanh Trì) towards Hưng Yên."""
    return checkpoints.register_checkpoint(
        by=city_commander, unit=unit("004"), code="CN-05", name="Chốt cửa ngõ QL5 Cầu Thanh Trì",
        kind="city_gateway", road="QL5", location="Phường Thạch Bàn, Quận Long Biên",
        neighbouring_province="Hưng Yên", active_from=OPENED, clock=CLOCK,
    )  # fmt: skip


@pytest.fixture
def district_checkpoint(db: Any, unit: Any, city_commander: Any) -> Any:
    return checkpoints.register_checkpoint(
        by=city_commander, unit=unit("004"), code="004-01", name="Chốt đầu cầu Chương Dương",
        kind="district", road="Nguyễn Văn Cừ", location="Phường Ngọc Lâm, Quận Long Biên",
        active_from=OPENED, clock=CLOCK,
    )  # fmt: skip


@pytest.fixture
def cross(city_commander: Any) -> Callable[..., Any]:
    """Log a vehicle at a checkpoint (as the city, which verifies everywhere)."""

    def make(checkpoint: Any, plate: str, moment: datetime, direction: str, decision: str = "allowed") -> Any:
        entry = checkpoints.CrossingEntry(
            checkpoint_id=checkpoint.pk, at=moment, direction=direction, decision=decision,
            local_id=f"v{next(_local_ids)}", plate=plate,
            failed_rules=[] if decision == "allowed" else [{"id": "PD-VH-0001", "description": "x"}],
        )  # fmt: skip
        crossing, _created = checkpoints.record_crossing(
            by=city_commander, checkpoint=checkpoint, device_id="test-phone", entry=entry, clock=CLOCK
        )
        return crossing

    return make


def green_lane_fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "plate": "29C-123.45",
        "operator": "Công ty CP Vận tải Hà Nội",
        "cargo": "Rau củ, thực phẩm thiết yếu",
        "route": "QL6 Hòa Bình → chợ đầu mối Long Biên",
        "valid_from": hanoi(2021, 9, 10),
        "valid_to": hanoi(2021, 10, 10),
    }
    values.update(overrides)
    return values


@pytest.fixture
def register(district_officer_long_bien: Any, unit: Any) -> Callable[..., Any]:
    """Submit a green-lane registration in Long Biên (as its district officer)."""

    def make(**overrides: Any) -> Any:
        by = overrides.pop("by", district_officer_long_bien)
        where = overrides.pop("unit", unit("004"))
        registration, _created = services.register_green_lane(
            by=by, unit=where, clock=CLOCK, **green_lane_fields(**overrides)
        )
        return registration

    return make


def transit_fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "plate": "51D-678.90",
        "from_province": "Hòa Bình",
        "to_province": "Bắc Ninh",
        "valid_from": hanoi(2021, 9, 14, 6),
        "valid_to": hanoi(2021, 9, 15, 6),
        "expected_hours": 4,
        "cargo": "Thiết bị y tế",
    }
    values.update(overrides)
    return values


def shipper_fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": "Phạm Minh Tuấn",
        "company": "Công ty TNHH Giao hàng nhanh",
        "cccd": "001095012345",
        "plate": "29H1-234.56",
        "hours_start": "06:00",
        "hours_end": "18:00",
        "zones": "004, 00139",
        "valid_from": hanoi(2021, 9, 10),
        "valid_to": hanoi(2021, 10, 10),
    }
    values.update(overrides)
    return values
