"""A permit carries the holder's vaccine doses from the registry, which a gateway's rules read (S23)."""

from datetime import date, timedelta

import pytest

from phaodai.passes import selectors as passes
from phaodai.permits import services
from phaodai.permits.tests.conftest import CCCD_BINH, staff_row, today
from phaodai.vaccination import selectors as vaccination
from phaodai.vaccination import services as vaccinations

pytestmark = pytest.mark.django_db


def give(health_worker, person, number: int, on: date) -> None:
    vaccinations.record_dose(
        by=health_worker, person=person, product=vaccination.product_by_code("astrazeneca"),
        dose_number=number, given_on=on, lot="LOT1", site="Trạm Y tế phường Bồ Đề", vaccinator="Lê Thị Hoa",
    )  # fmt: skip


def doses_on(permit) -> int | None:
    verified = passes.verify_code(permit.code)
    assert verified.ok and verified.pass_payload is not None
    return verified.pass_payload.doses


def test_a_staff_member_known_to_the_registry_carries_their_doses(
    org, resident, health_worker_bo_de, ward_officer_bo_de, pass_key
):
    give(health_worker_bo_de, resident, 1, today() - timedelta(days=90))
    give(health_worker_bo_de, resident, 2, today() - timedelta(days=20))
    row = staff_row(full_name="Trần Thị Bình", cccd=CCCD_BINH, birth_year=1990)
    entry = services.submit_entry(by=ward_officer_bo_de, organisation=org, row=row).entry
    decision = services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=True)
    assert decision.permit is not None and doses_on(decision.permit) == 2


def test_someone_the_registry_does_not_know_carries_none(entry, ward_officer_bo_de, pass_key):
    decision = services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=True)
    assert decision.permit is not None and doses_on(decision.permit) == 0
