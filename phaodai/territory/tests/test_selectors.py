"""Reads: path-prefix scoping, search without diacritics, and the scoped fetchers for changes."""

import unicodedata

import pytest
from django.http import Http404

from phaodai.core.errors import NotPermitted
from phaodai.core.models import AuditEntry
from phaodai.territory import selectors
from phaodai.territory.models import Unit

pytestmark = pytest.mark.django_db


def test_within_a_district_is_the_district_and_its_wards(unit):
    long_bien = unit("004")
    codes = set(selectors.within(long_bien).values_list("code", flat=True))
    assert len(codes) == 15
    assert {"004", "00139"} <= codes
    assert "00001" not in codes


def test_within_the_city_is_everything_and_within_a_ward_is_itself(unit):
    assert selectors.within(unit("01")).count() == 610
    assert list(selectors.within(unit("00139")).values_list("code", flat=True)) == ["00139"]


def test_within_does_not_leak_into_a_sibling_with_a_longer_code(unit):
    # "/01/001/" must not match "/01/0019.../": the trailing slash keeps prefixes exact.
    ba_dinh = unit("001")
    assert set(selectors.within(ba_dinh).values_list("parent__code", flat=True)) <= {"01", "001"}
    assert selectors.within(ba_dinh).count() == 15


def test_areas_within_a_district(bo_de_areas, phuc_xa_area, unit):
    assert {a.code for a in selectors.areas_within(unit("004"))} == {"00139-TDP01", "00139-CC01"}
    assert selectors.areas_within(unit("01")).count() == 3


def test_ancestors_read_off_the_path(unit):
    assert [u.code for u in selectors.ancestors_of(unit("00139"))] == ["01", "004"]
    assert selectors.ancestors_of(unit("01")) == []


@pytest.mark.parametrize("query", ["bo de", "Bồ Đề", "BO DE", unicodedata.normalize("NFD", "bồ đề"), "00139"])
def test_search_finds_bo_de_without_diacritics(query):
    assert "00139" in [u.code for u in selectors.search_units(query)]


def test_search_of_nothing_finds_nothing():
    assert selectors.search_units("   ") == []
    assert selectors.search_units("zzzz") == []


def test_district_ward_counts(unit):
    districts = {d.code: d.ward_count for d in selectors.districts_with_ward_counts(unit("01"))}
    assert len(districts) == 30
    assert sum(districts.values()) == 579
    assert districts["268"] == 17


def test_ward_area_totals(unit, bo_de_areas):
    wards = {w.code: w for w in selectors.wards_with_area_totals(unit("004"))}
    assert (wards["00139"].area_count, wards["00139"].population) == (2, 2000)
    assert (wards["00133"].area_count, wards["00133"].population) == (0, None)


def test_ward_for_change(
    ward_officer_bo_de, district_officer_long_bien, city_commander, ward_officer_phuc_xa
):
    for user in (ward_officer_bo_de, district_officer_long_bien, city_commander):
        assert selectors.ward_for_change(user, "00139").code == "00139"
    with pytest.raises(Http404):
        selectors.ward_for_change(ward_officer_phuc_xa, "00139")
    assert AuditEntry.objects.filter(action="scope.denied", unit_path="/01/004/00139/").exists()


def test_ward_for_change_refuses_districts_and_unknown_codes(district_officer_long_bien):
    for code in ("004", "99999"):
        with pytest.raises(Http404):
            selectors.ward_for_change(district_officer_long_bien, code)


def test_an_in_scope_role_without_the_permission_is_told_so(welfare_officer_bo_de, bo_de_areas):
    with pytest.raises(NotPermitted):
        selectors.ward_for_change(welfare_officer_bo_de, "00139")
    with pytest.raises(NotPermitted):
        selectors.area_for_change(welfare_officer_bo_de, "00139-TDP01")


def test_area_for_change_outside_jurisdiction_is_404(ward_officer_bo_de, phuc_xa_area):
    with pytest.raises(Http404):
        selectors.area_for_change(ward_officer_bo_de, phuc_xa_area.code)
    with pytest.raises(Http404):
        selectors.area_for_change(ward_officer_bo_de, "00139-NOPE")


def test_can_change_areas(ward_officer_bo_de, welfare_officer_bo_de, unit):
    assert selectors.can_change_areas(ward_officer_bo_de, unit("00139"))
    assert not selectors.can_change_areas(ward_officer_bo_de, unit("00001"))
    assert not selectors.can_change_areas(ward_officer_bo_de, unit("004"))
    assert not selectors.can_change_areas(welfare_officer_bo_de, unit("00139"))


def test_city_is_hanoi():
    assert selectors.city().level == Unit.Level.CITY
