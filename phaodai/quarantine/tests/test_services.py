"""Facility writes: registration by the managing unit, details and beds, readiness."""

from datetime import date
from typing import Any

import pytest

from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.quarantine import services
from phaodai.quarantine.errors import (
    BedsBelowOccupancy,
    FacilityChanged,
    FacilityExists,
    FacilityNotEmpty,
    NoBeds,
    NotAManagingUnit,
    NotManagingHere,
    ReadinessFollowsOccupancy,
    ReturnDateNeedsSchool,
)
from phaodai.quarantine.models import Facility
from phaodai.quarantine.tests.conftest import CLOCK, admit

pytestmark = pytest.mark.django_db


def register(by: Any, unit: Any, **overrides: Any) -> Facility:
    fields: dict[str, Any] = {
        "name": "Ký túc xá Trường Đại học Phenikaa",
        "address": "Phường Yên Nghĩa, Hà Đông",
        "kind": "dormitory",
        "beds_male": 300,
        "beds_female": 250,
        "beds_family": 20,
        "is_school": True,
        "return_due": date(2021, 10, 15),
        "clock": CLOCK,
    }
    fields.update(overrides)
    return services.register_facility(by=by, unit=unit, **fields)


def details(facility: Facility, **overrides: Any) -> dict[str, Any]:
    fields = {
        name: getattr(facility, name)
        for name in ("name", "address", "kind", "beds_male", "beds_female", "beds_family", "is_school")
    }
    fields.update(return_due=facility.return_due, clock=CLOCK)
    fields.update(overrides)
    return fields


# Registration --------------------------------------------------------------------------------------


def test_a_district_registers_a_facility_that_starts_preparing(district_officer_long_bien, unit):
    facility = register(district_officer_long_bien, unit("004"), name="Trường THCS Ngọc Lâm", kind="school")
    assert (facility.readiness, facility.path, facility.version) == ("preparing", "/01/004/", 1)
    assert facility.capacity.total == 570
    entry = AuditEntry.objects.get(action="quarantine.register_facility")
    assert (entry.object_id, entry.unit_path) == (str(facility.pk), "/01/004/")


def test_the_city_registers_for_itself_or_any_district(city_commander, unit):
    assert register(city_commander, unit("01"), name="Doanh trại Quân đoàn 1").path == "/01/"
    assert register(city_commander, unit("268")).path == "/01/268/"


def test_a_ward_does_not_manage_facilities(city_commander, unit):
    with pytest.raises(NotAManagingUnit) as refused:
        register(city_commander, unit("00139"))
    assert refused.value.field == "unit"


def test_another_district_is_out_of_scope_and_the_attempt_is_logged(district_officer_long_bien, unit):
    with pytest.raises(OutOfScope):
        register(district_officer_long_bien, unit("268"))
    assert AuditEntry.objects.filter(action="scope.denied", object_id="268").exists()
    assert not Facility.objects.exists()


@pytest.mark.parametrize("persona", ["health_worker_bo_de", "ward_officer_bo_de", "inspector_team_3"])
def test_roles_without_the_capability_are_refused(request, unit, persona):
    with pytest.raises(NotPermitted):
        register(request.getfixturevalue(persona), unit("004"))


def test_the_same_name_twice_in_a_unit_is_refused_whatever_the_diacritics(district_officer_long_bien, unit):
    register(district_officer_long_bien, unit("004"), name="Ký túc xá Long Biên")
    with pytest.raises(FacilityExists) as refused:
        register(district_officer_long_bien, unit("004"), name="ky tuc xa long bien")
    assert "Ký túc xá Long Biên" in str(refused.value)
    assert Facility.objects.count() == 1


def test_only_a_school_has_a_date_to_be_handed_back(district_officer_long_bien, unit):
    with pytest.raises(ReturnDateNeedsSchool):
        register(district_officer_long_bien, unit("004"), is_school=False, return_due=date(2021, 10, 1))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "  "),
        ("address", ""),
        ("kind", "castle"),
        ("beds_male", -1),
        ("beds_female", 10**6),
        ("beds_family", True),
    ],
)
def test_bad_details_are_refused_naming_the_field(district_officer_long_bien, unit, field, value):
    with pytest.raises(InvalidInput) as refused:
        register(district_officer_long_bien, unit("004"), **{field: value})
    assert refused.value.field == field


# Readiness -----------------------------------------------------------------------------------------


def test_a_facility_becomes_ready_only_with_beds(district_officer_long_bien, unit):
    empty = register(district_officer_long_bien, unit("004"), beds_male=0, beds_female=0, beds_family=0)
    with pytest.raises(NoBeds):
        services.set_readiness(by=district_officer_long_bien, facility=empty, readiness="ready", clock=CLOCK)
    facility = register(district_officer_long_bien, unit("004"), name="Trường THPT Lý Thường Kiệt")
    ready = services.set_readiness(
        by=district_officer_long_bien, facility=facility, readiness="ready", clock=CLOCK
    )
    assert (ready.readiness, ready.version) == ("ready", 2)


@pytest.mark.parametrize("readiness", ["active", "full"])
def test_active_and_full_are_not_set_by_hand(district_officer_long_bien, dorm, readiness):
    with pytest.raises(ReadinessFollowsOccupancy):
        services.set_readiness(by=district_officer_long_bien, facility=dorm, readiness=readiness, clock=CLOCK)


def test_setting_the_same_readiness_again_changes_nothing(district_officer_long_bien, dorm):
    again = services.set_readiness(
        by=district_officer_long_bien, facility=dorm, readiness="ready", clock=CLOCK
    )
    assert again.version == dorm.version
    assert AuditEntry.objects.filter(action="quarantine.set_readiness").count() == 1  # the fixture's


def test_a_facility_with_people_inside_cannot_close(district_officer_long_bien, dorm, an):
    admit(district_officer_long_bien, dorm, an)
    with pytest.raises(FacilityNotEmpty) as refused:
        services.set_readiness(by=district_officer_long_bien, facility=dorm, readiness="closed", clock=CLOCK)
    assert refused.value.status == 409
    assert "1 person is still admitted" in str(refused.value)
    assert Facility.objects.get(pk=dorm.pk).state == "ready"


def test_a_stale_version_is_a_conflict(district_officer_long_bien, city_commander, dorm):
    services.set_readiness(
        by=city_commander, facility=dorm, readiness="closed", version=dorm.version, clock=CLOCK
    )
    with pytest.raises(FacilityChanged):
        services.set_readiness(
            by=district_officer_long_bien,
            facility=dorm,
            readiness="preparing",
            version=dorm.version,
            clock=CLOCK,
        )


def test_an_admitter_who_reaches_a_facility_does_not_manage_it(
    health_worker_bo_de, district_officer_long_bien, dorm
):
    with pytest.raises(NotPermitted):  # no managing capability at all
        services.set_readiness(by=health_worker_bo_de, facility=dorm, readiness="closed", clock=CLOCK)


def test_a_district_reaches_the_citys_facilities_to_admit_but_does_not_manage_them(
    district_officer_long_bien, facility_of
):
    barracks = facility_of("Doanh trại Quân đoàn 1", "01", kind="barracks")
    with pytest.raises(NotManagingHere) as refused:
        services.set_readiness(
            by=district_officer_long_bien, facility=barracks, readiness="closed", clock=CLOCK
        )
    assert refused.value.status == 403


def test_another_districts_facility_is_not_found(district_officer_ba_dinh, dorm):
    with pytest.raises(OutOfScope):
        services.set_readiness(by=district_officer_ba_dinh, facility=dorm, readiness="closed", clock=CLOCK)


# Details and beds ----------------------------------------------------------------------------------


def test_beds_are_changed_but_never_below_the_people_in_those_rooms(
    district_officer_long_bien, dorm, an, binh
):
    admit(district_officer_long_bien, dorm, an)
    admit(district_officer_long_bien, dorm, binh)
    more = services.update_facility(
        by=district_officer_long_bien, facility=dorm, version=dorm.version, **details(dorm, beds_male=10)
    )
    assert (more.beds_male, more.version) == (10, dorm.version + 1)
    with pytest.raises(BedsBelowOccupancy) as refused:
        services.update_facility(by=district_officer_long_bien, facility=more, **details(more, beds_female=0))
    assert refused.value.field == "beds_female"
    assert "1 person is in female rooms now: keep at least 1 bed" in str(refused.value)
    assert Facility.objects.get(pk=dorm.pk).beds_female == 2


def test_a_ready_facility_keeps_at_least_one_bed(district_officer_long_bien, dorm):
    with pytest.raises(NoBeds):
        services.update_facility(
            by=district_officer_long_bien,
            facility=dorm,
            **details(dorm, beds_male=0, beds_female=0, beds_family=0),
        )


def test_an_edit_from_a_stale_form_is_a_conflict(district_officer_long_bien, dorm):
    seen = dorm.version
    services.update_facility(
        by=district_officer_long_bien, facility=dorm, version=seen, **details(dorm, notes="A")
    )
    with pytest.raises(FacilityChanged):
        services.update_facility(
            by=district_officer_long_bien, facility=dorm, version=seen, **details(dorm, notes="B")
        )
    assert Facility.objects.get(pk=dorm.pk).notes == "A"
