"""Checkpoints of Hà Đông (268) and Long Biên (004), built through the services by the city commander.

The clock of these tests is 09:00 Tuesday 14/9/2021 (Hà Nội) unless a test says otherwise.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from phaodai.checkpoints import services
from phaodai.core.clock import hanoi

NOW = hanoi(2021, 9, 14, 9, 0)
OPENED = hanoi(2021, 8, 23, 6, 0)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


CLOCK = at(NOW)


def fields(**overrides: Any) -> dict[str, Any]:
    """A Hà Đông district checkpoint on QL6, as a manager would register it."""
    values: dict[str, Any] = {
        "code": "268-01",
        "name": "Chốt QL6 Yên Nghĩa",
        "kind": "district",
        "road": "QL6",
        "location": "Phường Yên Nghĩa, Quận Hà Đông",
        "active_from": OPENED,
        "procedure": "Kiểm tra giấy đi đường, khai báo y tế.",
    }
    values.update(overrides)
    return values


@pytest.fixture
def checkpoint_of(db: Any, unit: Any, city_commander: Any) -> Callable[..., Any]:
    """Register a checkpoint managed by the unit with `code` (Hà Đông unless told otherwise)."""

    def make(unit_code: str = "268", *, other_side: str | None = None, **overrides: Any) -> Any:
        return services.register_checkpoint(
            by=city_commander,
            unit=unit(unit_code),
            other_side=unit(other_side) if other_side else None,
            clock=CLOCK,
            **fields(**overrides),
        )

    return make


@pytest.fixture
def ql6(checkpoint_of: Callable[..., Any]) -> Any:
    """Hà Đông's QL6 Yên Nghĩa checkpoint, coordinated with Chương Mỹ across the boundary."""
    return checkpoint_of("268", other_side="277")


@pytest.fixture
def chuong_duong(checkpoint_of: Callable[..., Any]) -> Any:
    """Long Biên's Chương Dương bridge-head checkpoint."""
    return checkpoint_of(
        "004",
        code="004-01",
        name="Chốt đầu cầu Chương Dương",
        road="Nguyễn Văn Cừ",
        location="Phường Ngọc Lâm",
    )


def entry(checkpoint: Any, local_id: str = "r1", **overrides: Any) -> services.CrossingEntry:
    """A crossing at 08:30 on the tests' day, allowed, of a travel permit."""
    values: dict[str, Any] = {
        "checkpoint_id": checkpoint.pk,
        "at": hanoi(2021, 9, 14, 8, 30),
        "direction": "in",
        "decision": "allowed",
        "local_id": local_id,
        "pass_id": "GDD-00000001",
        "pass_type": "permit",
        "bundle_version": 3,
    }
    values.update(overrides)
    return services.CrossingEntry(**values)


def denied(checkpoint: Any, local_id: str, moment: datetime, *rule_ids: str) -> services.CrossingEntry:
    return entry(
        checkpoint,
        local_id,
        at=moment,
        decision="denied",
        failed_rules=[{"id": rule_id, "description": f"Rule {rule_id}"} for rule_id in rule_ids],
    )
