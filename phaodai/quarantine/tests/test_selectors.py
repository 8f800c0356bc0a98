"""Scoped reads: who reaches which facility, occupancy by district (now and at a past instant), free beds."""

from datetime import date
from typing import Any

import pytest
from django.http import Http404

from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.quarantine import selectors, services
from phaodai.quarantine.tests.conftest import CLOCK, admit, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(facility_of: Any) -> dict[str, Any]:
    """A Long Biên dormitory and school, the city's barracks, Hà Đông's Phenikaa and a Ba Đình hotel."""
    return {
        "dorm": facility_of("Ký túc xá Long Biên", male=4, female=4, family=2),
        "school": facility_of(
            "Trường THCS Ngọc Lâm", kind="school", is_school=True, return_due=date(2021, 9, 20), male=10
        ),
        "barracks": facility_of("Doanh trại Quân đoàn 1", "01", kind="barracks", male=50, female=0),
        "phenikaa": facility_of("Ký túc xá Trường Đại học Phenikaa", "268", male=300, female=250),
        "hotel": facility_of("Khách sạn Ba Đình", "001", kind="hotel", readiness="preparing"),
    }


def names(facilities: Any) -> set[str]:
    return {f.name for f in facilities}


def test_the_city_sees_every_facility(city_commander, sites):
    assert names(selectors.facilities_visible_to(city_commander)) == names(sites.values())


def test_a_district_sees_its_own_facilities_and_the_citys_not_another_districts(
    district_officer_long_bien, district_officer_ba_dinh, sites
):
    assert names(selectors.facilities_visible_to(district_officer_long_bien)) == {
        "Ký túc xá Long Biên",
        "Trường THCS Ngọc Lâm",
        "Doanh trại Quân đoàn 1",
    }
    assert names(selectors.facilities_visible_to(district_officer_ba_dinh)) == {
        "Khách sạn Ba Đình",
        "Doanh trại Quân đoàn 1",
    }


def test_a_ward_health_worker_reaches_the_facilities_of_their_district_and_the_city(
    health_worker_bo_de, sites
):
    assert names(selectors.facilities_visible_to(health_worker_bo_de)) == {
        "Ký túc xá Long Biên",
        "Trường THCS Ngọc Lâm",
        "Doanh trại Quân đoàn 1",
    }
    assert selectors.reaches(health_worker_bo_de, sites["barracks"])
    assert not selectors.reaches(health_worker_bo_de, sites["phenikaa"])
    assert not selectors.may_manage(health_worker_bo_de, sites["dorm"])


@pytest.mark.parametrize("persona", ["ward_officer_bo_de", "welfare_officer_bo_de", "checkpoint_officer_ql6"])
def test_roles_without_a_quarantine_capability_see_none(request, sites, persona):
    user = request.getfixturevalue(persona)
    assert not selectors.is_reader(user)
    assert not selectors.facilities_visible_to(user).exists()


def test_a_facility_out_of_reach_answers_404_and_is_logged(district_officer_long_bien, sites):
    assert selectors.facility_for(district_officer_long_bien, sites["dorm"].pk) == sites["dorm"]
    with pytest.raises(Http404):
        selectors.facility_for(district_officer_long_bien, sites["phenikaa"].pk)
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(sites["phenikaa"].pk)).exists()


def test_search_by_name_without_diacritics_and_by_readiness(district_officer_long_bien, sites, an):
    admit(district_officer_long_bien, sites["dorm"], an)
    assert names(selectors.search_facilities(district_officer_long_bien, "ky tuc xa")) == {
        "Ký túc xá Long Biên"
    }
    assert names(selectors.search_facilities(district_officer_long_bien, "", "active")) == {
        "Ký túc xá Long Biên"
    }
    assert names(selectors.search_facilities(district_officer_long_bien, "", "ready")) == {
        "Trường THCS Ngọc Lâm",
        "Doanh trại Quân đoàn 1",
    }


def test_managing_units_are_the_district_or_the_city_and_its_districts(
    district_officer_long_bien, city_commander
):
    assert [u.code for u in selectors.managing_units(district_officer_long_bien)] == ["004"]
    codes = [u.code for u in selectors.managing_units(city_commander)]
    assert codes[0] == "01" and "268" in codes and len(codes) == 31


# Occupancy -----------------------------------------------------------------------------------------


def test_occupancy_by_district_groups_facilities_by_managing_unit(
    district_officer_long_bien, sites, an, binh
):
    admit(district_officer_long_bien, sites["dorm"], an)
    admit(district_officer_long_bien, sites["dorm"], binh)
    groups = selectors.occupancy_by_district(district_officer_long_bien, today=date(2021, 9, 10))
    assert [g.unit.code for g in groups] == ["01", "004"]
    long_bien = groups[1]
    assert [k.free for k in long_bien.kinds] == [13, 5, 2]  # 4+10-1 male, 4+2-1 female, 2 family
    assert [row.facility.name for row in long_bien.schools_to_return] == ["Trường THCS Ngọc Lâm"]
    assert long_bien.schools_to_return[0].return_status == "soon"


def test_preparing_facilities_count_no_free_beds(city_commander, sites):
    ba_dinh = next(g for g in selectors.occupancy_by_district(city_commander) if g.unit.code == "001")
    assert ba_dinh.facilities[0].capacity.total == 4
    assert ba_dinh.free.total == 0


def test_occupancy_at_a_past_instant_counts_the_stays_of_that_moment(
    district_officer_long_bien, sites, an, binh
):
    dorm = sites["dorm"]
    first = admit(district_officer_long_bien, dorm, an, admitted_at=hanoi(2021, 9, 2, 8))
    services.discharge(
        by=district_officer_long_bien,
        admission=first,
        reason="released",
        discharged_at=hanoi(2021, 9, 6, 8),
        clock=CLOCK,
    )
    admit(district_officer_long_bien, dorm, binh, admitted_at=hanoi(2021, 9, 5, 8))

    def used_at(moment: Any) -> tuple[int, ...]:
        groups = selectors.occupancy_by_district(district_officer_long_bien, moment)
        row = next(r for g in groups for r in g.facilities if r.facility.pk == dorm.pk)
        return (row.used.male, row.used.female, row.used.family)

    assert used_at(hanoi(2021, 9, 1)) == (0, 0, 0)
    assert used_at(hanoi(2021, 9, 5, 12)) == (1, 1, 0)
    assert used_at(hanoi(2021, 9, 7)) == (0, 1, 0)
    assert used_at(None) == used_at(hanoi(2021, 9, 10, 9)) == (0, 1, 0)


def test_occupancy_by_district_reads_two_queries_whatever_the_facilities(
    district_officer_long_bien, sites, django_assert_max_num_queries
):
    district_officer_long_bien.assignment_list  # noqa: B018 — the user's roles, read once per request
    with django_assert_max_num_queries(2):
        groups = selectors.occupancy_by_district(district_officer_long_bien, hanoi(2021, 9, 9))
        assert sum(len(g.facilities) for g in groups) == 3


def test_free_beds_of_a_kind_in_a_district_most_first(unit, sites, district_officer_long_bien, an):
    admit(district_officer_long_bien, sites["dorm"], an)
    rows = selectors.free_beds(unit("004"), "male")
    assert [(r.facility.name, r.free) for r in rows] == [
        ("Trường THCS Ngọc Lâm", 10),
        ("Ký túc xá Long Biên", 3),
    ]
    assert [r.facility.name for r in selectors.free_beds(unit("004"), "family")] == ["Ký túc xá Long Biên"]
    assert selectors.free_beds(unit("001"), "male") == []  # Ba Đình's hotel is still preparing
    assert selectors.free_beds(unit("004"), "attic") == []


# Admissions ----------------------------------------------------------------------------------------


def test_current_admission_of_a_person(district_officer_long_bien, sites, an):
    assert selectors.current_admission(an) is None
    stay = admit(district_officer_long_bien, sites["dorm"], an)
    assert selectors.current_admission(an) == stay


def test_the_city_facilitys_people_are_seen_by_the_city_and_by_each_residents_own_units(
    city_commander, district_officer_long_bien, district_officer_ba_dinh, health_worker_bo_de, sites, resident
):
    barracks = sites["barracks"]
    bo_de_man = admit(city_commander, barracks, resident(1))
    phuc_xa_man = admit(city_commander, barracks, resident(2, area="phuc_xa"))

    def seen(user: Any) -> set[int]:
        return {s.pk for s in selectors.open_admissions(user, barracks)}

    assert seen(city_commander) == {bo_de_man.pk, phuc_xa_man.pk}
    assert seen(district_officer_long_bien) == seen(health_worker_bo_de) == {bo_de_man.pk}
    assert seen(district_officer_ba_dinh) == {phuc_xa_man.pk}
    with pytest.raises(Http404):
        selectors.admission_for(district_officer_long_bien, phuc_xa_man.pk)


def test_a_facilitys_managers_see_everyone_inside(
    city_commander, district_officer_long_bien, sites, resident
):
    from_phuc_xa = admit(
        city_commander, sites["dorm"], resident(2, area="phuc_xa"), clock=at(hanoi(2021, 9, 10))
    )
    assert [s.pk for s in selectors.open_admissions(district_officer_long_bien, sites["dorm"])] == [
        from_phuc_xa.pk
    ]
    assert from_phuc_xa.person_label == "Nguyễn V. A."
