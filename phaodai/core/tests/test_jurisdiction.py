"""Jurisdiction: a user sees only rows under the units of their role assignments; the rest is a logged 404."""

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, get_in_scope_or_404, require_within, scope
from phaodai.core.models import AuditEntry
from phaodai.core.text import search_key
from phaodai.territory.models import Area


def make_area(ward, local_code: str, name: str) -> Area:
    return Area.objects.create(
        ward=ward,
        code=f"{ward.code}-{local_code}",
        local_code=local_code,
        name=name,
        name_key=search_key(name),
        kind=Area.Kind.RESIDENTIAL_GROUP,
        path=ward.path,
    )


@pytest.fixture
def bo_de_area(unit) -> Area:
    return make_area(unit("00139"), "TDP01", "Tổ dân phố 1")


@pytest.fixture
def phuc_xa_area(unit) -> Area:
    return make_area(unit("00001"), "TDP01", "Tổ dân phố 1")


def test_personas_act_within_their_units(ward_officer_bo_de, district_officer_long_bien, city_commander):
    assert ward_officer_bo_de.jurisdiction_paths() == ("/01/004/00139/",)
    assert district_officer_long_bien.jurisdiction_paths() == ("/01/004/",)
    assert city_commander.jurisdiction_paths() == ("/01/",)


def test_a_ward_officer_sees_only_the_areas_of_their_ward(
    ward_officer_bo_de, ward_officer_phuc_xa, bo_de_area, phuc_xa_area
):
    assert list(scope(Area.objects.all(), ward_officer_bo_de)) == [bo_de_area]
    assert list(scope(Area.objects.all(), ward_officer_phuc_xa)) == [phuc_xa_area]


def test_a_district_officer_sees_their_wards_and_the_city_commander_everything(
    district_officer_long_bien, city_commander, bo_de_area, phuc_xa_area
):
    assert list(scope(Area.objects.all(), district_officer_long_bien)) == [bo_de_area]
    assert set(scope(Area.objects.all(), city_commander)) == {bo_de_area, phuc_xa_area}


def test_someone_signed_out_sees_nothing(bo_de_area):
    assert not scope(Area.objects.all(), AnonymousUser()).exists()


def test_scope_by_permission_only_counts_roles_that_grant_it(
    ward_officer_bo_de, district_officer_long_bien, bo_de_area
):
    # Reading the audit log is a district-level permission; the ward officer's role does not grant it.
    assert not scope(Area.objects.all(), ward_officer_bo_de, perm=Perm.VIEW_AUDIT).exists()
    assert list(scope(Area.objects.all(), district_officer_long_bien, perm=Perm.VIEW_AUDIT)) == [bo_de_area]


def test_covers_compares_whole_path_segments(district_officer_long_bien):
    assert covers(district_officer_long_bien, "/01/004/00139/")
    assert covers(district_officer_long_bien, "/01/004/")
    assert not covers(district_officer_long_bien, "/01/0041/")
    assert not covers(district_officer_long_bien, "/01/")


def test_an_object_in_scope_is_returned_without_an_audit_entry(ward_officer_bo_de, bo_de_area):
    count = AuditEntry.objects.count()
    assert get_in_scope_or_404(Area.objects.all(), ward_officer_bo_de, pk=bo_de_area.pk) == bo_de_area
    assert AuditEntry.objects.count() == count


def test_an_object_out_of_scope_is_a_404_and_the_attempt_is_audited(
    ward_officer_bo_de, ward_officer_phuc_xa, phuc_xa_area, caplog
):
    # given an officer of Bồ Đề who asks for an area of Phúc Xá by its id
    latest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with caplog.at_level(logging.WARNING, logger="phaodai.security"), pytest.raises(Http404):
        get_in_scope_or_404(Area.objects.all(), ward_officer_bo_de, pk=phuc_xa_area.pk)
    # then the answer is "not found", and the audit log names who tried to reach what, and where
    denied = AuditEntry.objects.get(id__gt=latest)
    assert denied.action == "scope.denied"
    assert (denied.actor_id, denied.actor_username) == (ward_officer_bo_de.pk, "ward-00139")
    assert (denied.object_type, denied.object_id) == ("territory.area", str(phuc_xa_area.pk))
    assert denied.unit_path == phuc_xa_area.path == "/01/001/00001/"
    assert "ward-00139" in caplog.text
    assert list(audit.verify_chain()) == []
    # and the area's own officer still gets it
    assert get_in_scope_or_404(Area.objects.all(), ward_officer_phuc_xa, pk=phuc_xa_area.pk) == phuc_xa_area


def test_an_object_that_does_not_exist_is_a_404_without_an_audit_entry(ward_officer_bo_de, bo_de_area):
    count = AuditEntry.objects.count()
    with pytest.raises(Http404):
        get_in_scope_or_404(Area.objects.all(), ward_officer_bo_de, pk=bo_de_area.pk + 1000)
    assert AuditEntry.objects.count() == count


def test_a_lookup_through_a_related_path_is_scoped_too(ward_officer_bo_de, phuc_xa_area):
    with pytest.raises(Http404):
        get_in_scope_or_404(
            Area.objects.all(), ward_officer_bo_de, path_field="ward__path", pk=phuc_xa_area.pk
        )
    assert AuditEntry.objects.order_by("-id").values_list("action", flat=True)[0] == "scope.denied"


def test_require_within_allows_inside_refuses_outside_and_logs(ward_officer_bo_de, welfare_officer_bo_de):
    bo_de, phuc_xa = "/01/004/00139/", "/01/001/00001/"
    require_within(
        ward_officer_bo_de, Perm.CHANGE_PERSON, path=bo_de, object_type="people.person", object_id=1
    )
    assert not AuditEntry.objects.filter(action="scope.denied").exists()

    # outside the units where the role grants it: 404, and the attempt is logged
    with pytest.raises(OutOfScope):
        require_within(
            ward_officer_bo_de, Perm.CHANGE_PERSON, path=phuc_xa, object_type="people.person", object_id=2
        )
    denied = AuditEntry.objects.get(action="scope.denied")
    assert (denied.object_id, denied.unit_path) == ("2", phuc_xa)

    # a role that grants the permission nowhere: 403, nothing to hide
    with pytest.raises(NotPermitted):
        require_within(
            welfare_officer_bo_de, Perm.CHANGE_PERSON, path=bo_de, object_type="people.person", object_id=1
        )


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ([], ""),
        (["/01/004/00139/"], "/01/004/00139/"),
        (["/01/004/00139/", "/01/004/00142/"], "/01/004/"),
        (["/01/004/00139/", "/01/005/00142/"], "/01/"),
        (["/01/004/", "/01/004/00139/"], "/01/004/"),
    ],
)
def test_common_path_is_the_deepest_unit_every_path_lies_under(paths, expected):
    from phaodai.core.jurisdiction import common_path

    assert common_path(paths) == expected
