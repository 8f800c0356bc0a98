"""Shared test fixtures: named personas built through the real write paths (STYLE §8)."""

import os

import pytest

from phaodai.accounts.roles import Role

PASSWORD = "correct horse battery staple"

os.environ.setdefault("PHAODAI_FAST_PASSWORD_HASHER", "1")

# (fixture name, username, role, unit code)
PERSONAS = [
    ("city_commander", "city-01", Role.CITY_COMMANDER, "01"),
    ("district_officer_long_bien", "district-004", Role.DISTRICT_OFFICER, "004"),
    ("district_officer_ba_dinh", "district-001", Role.DISTRICT_OFFICER, "001"),
    ("ward_officer_bo_de", "ward-00139", Role.WARD_OFFICER, "00139"),
    ("ward_officer_ngoc_lam", "ward-00133", Role.WARD_OFFICER, "00133"),
    ("ward_officer_phuc_xa", "ward-00001", Role.WARD_OFFICER, "00001"),
    ("health_worker_bo_de", "health-00139", Role.HEALTH_WORKER, "00139"),
    ("welfare_officer_bo_de", "welfare-00139", Role.WELFARE_OFFICER, "00139"),
    ("lab_tech_cdc", "lab-01", Role.LAB_TECHNICIAN, "01"),
    ("checkpoint_officer_ql6", "checkpoint-268", Role.CHECKPOINT_OFFICER, "268"),
    ("inspector_team_3", "inspector-004", Role.INSPECTOR, "004"),
    ("business_rep_bo_de", "business-00139", Role.BUSINESS_REPRESENTATIVE, "00139"),
]


def make_persona(username: str, role: str, unit_code: str):
    from phaodai.accounts import services
    from phaodai.territory.models import Unit

    return services.create_user(
        username=username, password=PASSWORD, role=role, unit=Unit.objects.get(code=unit_code)
    )


def _persona_fixture(username: str, role: str, unit_code: str):
    @pytest.fixture
    def persona(db):
        return make_persona(username, role, unit_code)

    return persona


for _name, _username, _role, _unit in PERSONAS:
    globals()[_name] = _persona_fixture(_username, _role, _unit)


@pytest.fixture
def persona_password() -> str:
    return PASSWORD


@pytest.fixture
def unit(db):
    """Look up a real administrative unit by its GSO code."""
    from phaodai.territory.models import Unit

    return lambda code: Unit.objects.get(code=code)
