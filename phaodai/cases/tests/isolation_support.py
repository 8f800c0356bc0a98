"""Helpers of the isolation tests: orders, facilities and a fixed clock in September 2021."""

from datetime import datetime
from typing import Any

from phaodai.cases import isolation
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.core.clock import hanoi

CLOCK = at(SEPT_10_MORNING)


def clock_at(moment: datetime) -> Any:
    return at(moment)


def order(
    by: Any,
    person: Any,
    *,
    subject: str = "F1",
    setting: str = "home",
    starts: datetime = SEPT_10_MORNING,
    now: datetime | None = None,
    **kwargs: Any,
) -> Any:
    """Order `person` isolated (at home by default) starting `starts`, with the clock at `now`."""
    made, created = isolation.order_isolation(
        by=by,
        person=person,
        subject=subject,
        setting=setting,
        starts_at=starts,
        clock=at(now or starts),
        **kwargs,
    )
    assert created
    return made


def facility(
    by: Any,
    unit: Any,
    name: str = "Ký túc xá Long Biên",
    *,
    beds: tuple[int, int, int] = (5, 5, 0),
    code: str = "004",
) -> Any:
    """A ready quarantine facility managed by a district (Long Biên by default)."""
    from phaodai.quarantine import services

    male, female, family = beds
    made = services.register_facility(
        by=by, unit=unit(code), name=name, address=f"Địa chỉ {name}", kind="dormitory",
        beds_male=male, beds_female=female, beds_family=family,
    )  # fmt: skip
    return services.set_readiness(by=by, facility=made, readiness="ready")


def day(d: int, h: int = 9) -> datetime:
    """A moment of September 2021 in Hà Nội."""
    return hanoi(2021, 9, d, h)
