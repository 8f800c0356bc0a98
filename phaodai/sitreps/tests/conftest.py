"""Fixtures for situation reports: a ward officer for each of Long Biên's 14 wards, a sample report."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from conftest import make_persona
from phaodai.accounts.roles import Role
from phaodai.core.clock import hanoi
from phaodai.sitreps import selectors, services


@pytest.fixture
def long_bien_ward_officers(db, ward_officer_bo_de, ward_officer_ngoc_lam):
    """{ward code: officer} for every ward of Long Biên (Bồ Đề and Ngọc Lâm are the named personas)."""
    from phaodai.territory.models import Unit

    officers = {"00139": ward_officer_bo_de, "00133": ward_officer_ngoc_lam}
    for ward in Unit.objects.filter(parent__code="004").order_by("code"):
        if ward.code not in officers:
            officers[ward.code] = make_persona(f"ward-{ward.code}", Role.WARD_OFFICER, ward.code)
    return officers


def report(**overrides):
    """A complete, consistent set of values for the shipped form."""
    values = {
        "new_f0_community": 1, "new_f0_quarantine": 2, "f1_traced": 14, "quarantine_concentrated": 30,
        "quarantine_home": 55, "tests_taken": 1200, "tests_positive": 3, "results_pending": 150,
        "vaccinations": 800, "checkpoints_staffed": 4, "violations_found": 5, "violations_fined": 2,
        "fines_amount": 4_000_000, "welfare_recipients": 12, "welfare_paid": 18_000_000,
        "situation": "Ổn định", "proposals": "",
    }  # fmt: skip
    values.update(overrides)
    return values


WARD_SCHEDULE = "ward-daily-1630"
BO_DE, NGOC_LAM = "00139", "00133"


def at(hour: int, minute: int = 0, second: int = 0, day: int = 8) -> Callable[[], datetime]:
    """A fixed clock at a Hà Nội time of September 2021."""
    return lambda: hanoi(2021, 9, day, hour, minute, second)


@pytest.fixture
def schedule():
    return selectors.schedule_by_code(WARD_SCHEDULE)


@pytest.fixture
def slot(schedule):
    return selectors.parse_slot(schedule, "2021-09-08T16:30")


@pytest.fixture
def submit(schedule, slot, unit):
    """Submit a report for the 16:30 slot of 08/9/2021 (at 15:00 unless told)."""

    def submit(by: Any, code: str = BO_DE, values: dict[str, Any] | None = None, **kwargs: Any):
        kwargs.setdefault("clock", at(15))
        return services.submit_report(
            by=by, schedule=kwargs.pop("schedule", schedule), unit=unit(code),
            instance=kwargs.pop("instance", slot), values=report() if values is None else values, **kwargs,
        )  # fmt: skip

    return submit
