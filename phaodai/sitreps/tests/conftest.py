"""Fixtures for situation reports: a ward officer for each of Long Biên's 14 wards, a sample report."""

import pytest

from conftest import make_persona
from phaodai.accounts.roles import Role


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
