import pytest

from phaodai.accounts import selectors, services
from phaodai.accounts.roles import ALLOWED_LEVELS, PERMISSIONS, Perm, Role
from phaodai.core.errors import NotPermitted
from phaodai.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_every_role_has_levels_and_permissions():
    assert set(ALLOWED_LEVELS) == set(Role) == set(PERMISSIONS)


def test_a_ward_role_cannot_be_bound_to_a_district(unit):
    with pytest.raises(services.RoleNotAllowedAtLevel):
        services.create_user(username="x", password="pw-123456789", role=Role.WARD_OFFICER, unit=unit("004"))


def test_assigning_a_role_is_audited(unit, city_commander):
    user = services.create_user(
        username="ward-00133", password=None, role=Role.WARD_OFFICER, unit=unit("00133"), by=city_commander
    )
    entry = AuditEntry.objects.filter(action="accounts.assign_role", object_id=str(user.pk)).get()
    assert entry.actor_username == "city-01"
    assert entry.unit_path == "/01/004/00133/"


def test_jurisdiction_narrows_to_the_units_where_a_role_grants_the_permission(unit, ward_officer_bo_de):
    services.assign_role(user=ward_officer_bo_de, role=Role.CHECKPOINT_OFFICER, unit=unit("004"))
    assert ward_officer_bo_de.jurisdiction_paths() == ("/01/004/", "/01/004/00139/")
    assert ward_officer_bo_de.jurisdiction_paths(Perm.VIEW_PERSON) == ("/01/004/00139/",)


def test_require_perm_checks_the_unit(ward_officer_bo_de):
    selectors.require_perm(ward_officer_bo_de, Perm.CHANGE_AREA, within="/01/004/00139/")
    with pytest.raises(NotPermitted):
        selectors.require_perm(ward_officer_bo_de, Perm.CHANGE_AREA, within="/01/004/00133/")
    with pytest.raises(NotPermitted):
        selectors.require_perm(ward_officer_bo_de, Perm.VIEW_AUDIT)


def test_a_city_commander_acts_everywhere(city_commander):
    assert selectors.has_perm(city_commander, Perm.CHANGE_AREA, within="/01/268/09556/")


def test_inactive_assignments_grant_nothing(ward_officer_bo_de):
    ward_officer_bo_de.role_assignments.update(active=False)
    ward_officer_bo_de.__dict__.pop("assignment_list", None)
    assert not selectors.has_perm(ward_officer_bo_de, Perm.VIEW_PERSON)
