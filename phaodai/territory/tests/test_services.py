"""Writes: who may change a ward's areas, what is stored, and what is audited."""

import unicodedata

import pytest
from django.http import Http404

from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.models import AuditEntry
from phaodai.territory import services
from phaodai.territory.models import Area, Household
from phaodai.territory.rules import AreaRow, HouseholdRow
from phaodai.territory.validation import NotAWard

pytestmark = pytest.mark.django_db


def _create(ward, by, **overrides):
    fields = {"local_code": "TDP07", "name": "Tổ dân phố 7", "kind": "to_dan_pho", "population": 900}
    return services.create_area(ward=ward, by=by, **{**fields, **overrides})


def test_a_ward_officer_adds_an_area_to_their_ward(bo_de, ward_officer_bo_de):
    area = _create(
        bo_de, ward_officer_bo_de, name=unicodedata.normalize("NFD", "Tổ  dân phố 7"), households=250
    )
    assert (area.code, area.local_code, area.path) == ("00139-TDP07", "TDP07", "/01/004/00139/")
    assert (area.name, area.name_key) == ("Tổ dân phố 7", "to dan pho 7")
    assert (area.population, area.households, area.active) == (900, 250, True)
    entry = AuditEntry.objects.get(action="territory.create_area")
    assert (entry.actor_username, entry.object_id, entry.unit_path) == (
        "ward-00139",
        str(area.pk),
        bo_de.path,
    )


def test_higher_levels_may_add_areas_below_them(bo_de, district_officer_long_bien, city_commander):
    _create(bo_de, district_officer_long_bien)
    _create(bo_de, city_commander, local_code="TDP08", name="Tổ 8")
    assert Area.objects.filter(ward=bo_de).count() == 2


def test_others_may_not_add_areas(
    bo_de, ward_officer_phuc_xa, welfare_officer_bo_de, district_officer_ba_dinh
):
    for user in (ward_officer_phuc_xa, welfare_officer_bo_de, district_officer_ba_dinh):
        with pytest.raises(NotPermitted):
            _create(bo_de, user)
    assert not Area.objects.exists()


def test_only_wards_have_areas(unit, district_officer_long_bien):
    with pytest.raises(NotAWard):
        _create(unit("004"), district_officer_long_bien)


def test_local_code_and_name_are_unique_in_the_ward(bo_de, ward_officer_bo_de, bo_de_areas):
    with pytest.raises(services.DuplicateArea) as by_code:
        _create(bo_de, ward_officer_bo_de, local_code="TDP01")
    assert by_code.value.field == "local_code"
    with pytest.raises(services.DuplicateArea) as by_name:
        _create(bo_de, ward_officer_bo_de, name="TO DAN PHO 1")
    assert by_name.value.field == "name"
    assert by_name.value.status == 409


def test_the_same_local_code_may_be_used_in_another_ward(phuc_xa, ward_officer_phuc_xa, bo_de_areas):
    assert _create(phuc_xa, ward_officer_phuc_xa, local_code="TDP01").code == "00001-TDP01"


def test_update_changes_fields_and_audits_before_and_after(ward_officer_bo_de, bo_de_areas):
    area = services.update_area(
        area=bo_de_areas[0], by=ward_officer_bo_de, population=1250, kind="khu lien gia"
    )
    area.refresh_from_db()
    assert (area.population, area.kind, area.households) == (1250, "khu_lien_gia", 310)
    entry = AuditEntry.objects.get(action="territory.update_area")
    assert entry.before_digest and entry.after_digest and entry.before_digest != entry.after_digest


def test_an_update_that_changes_nothing_writes_nothing(ward_officer_bo_de, bo_de_areas):
    services.update_area(area=bo_de_areas[0], by=ward_officer_bo_de, population=1200, name="Tổ dân phố 1")
    assert not AuditEntry.objects.filter(action="territory.update_area").exists()


def test_an_area_outside_the_actors_jurisdiction_answers_404(ward_officer_bo_de, phuc_xa_area):
    # The ward officer of Bồ Đề may not change an area of Phúc Xá, nor learn it exists.
    with pytest.raises(Http404):
        services.update_area(area=phuc_xa_area, by=ward_officer_bo_de, population=1)
    phuc_xa_area.refresh_from_db()
    assert phuc_xa_area.population == 500
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(phuc_xa_area.pk)).exists()


def test_a_role_without_the_permission_is_not_permitted(welfare_officer_bo_de, bo_de_areas):
    with pytest.raises(NotPermitted):
        services.update_area(area=bo_de_areas[0], by=welfare_officer_bo_de, population=1)
    with pytest.raises(NotPermitted):
        services.deactivate_area(area=bo_de_areas[0], by=welfare_officer_bo_de)


def test_a_rename_that_loses_a_race_is_a_clear_conflict(ward_officer_bo_de, bo_de_areas, monkeypatch):
    # Two officers rename two areas to the same name at once: both pass the pre-check, and the
    # database's unique constraint decides; the loser gets DuplicateArea, not a 500.
    monkeypatch.setattr(services, "_check_unique", lambda *args, **kwargs: None)
    first, second = bo_de_areas
    with pytest.raises(services.DuplicateArea):
        services.update_area(area=second, by=ward_officer_bo_de, name=first.name)
    second.refresh_from_db()
    assert second.name != first.name


def test_renaming_onto_another_areas_name_is_refused(ward_officer_bo_de, bo_de_areas):
    with pytest.raises(services.DuplicateArea):
        services.update_area(area=bo_de_areas[0], by=ward_officer_bo_de, name="Chung cư Bồ Đề")


def test_deactivate_hides_the_area_once(ward_officer_bo_de, bo_de_areas, bo_de):
    services.deactivate_area(area=bo_de_areas[1], by=ward_officer_bo_de)
    services.deactivate_area(area=bo_de_areas[1], by=ward_officer_bo_de)
    assert list(Area.objects.filter(ward=bo_de, active=True).values_list("local_code", flat=True)) == [
        "TDP01"
    ]
    assert AuditEntry.objects.filter(action="territory.deactivate_area").count() == 1


def test_bulk_create_areas_returns_stored_areas_in_row_order(bo_de):
    rows = [AreaRow(f"{n:02d}", f"Tổ {n}", "to_dan_pho", 100 * n, 30 * n) for n in range(1, 1201)]
    areas = services.bulk_create_areas(ward=bo_de, rows=iter(rows))
    assert [a.local_code for a in areas] == [r.local_code for r in rows]
    assert all(a.pk for a in areas)
    assert areas[0].code == "00139-01" and areas[0].path == bo_de.path
    entry = AuditEntry.objects.get(action="territory.bulk_create_areas")
    assert (entry.actor_id, entry.actor_username, entry.object_id) == (None, "", "00139")


def test_bulk_create_areas_checks_rows_and_wards(bo_de, unit):
    with pytest.raises(NotAWard):
        services.bulk_create_areas(ward=unit("004"), rows=[AreaRow("A", "A", "to_dan_pho", 1, 1)])
    with pytest.raises(InvalidInput):
        services.bulk_create_areas(ward=bo_de, rows=[AreaRow("A", "A", "castle", 1, 1)])
    assert not Area.objects.exists()


def test_bulk_create_households_streams_batches(bo_de_areas):
    area = bo_de_areas[0]
    rows = (HouseholdRow(f"{area.code}-{n:04d}", f"Số {n} ngõ 1 Bồ Đề") for n in range(1, 1235))
    assert services.bulk_create_households(area=area, rows=rows) == 1234
    stored = Household.objects.filter(area=area)
    assert stored.count() == 1234
    assert set(stored.values_list("path", flat=True)) == {area.path}
    assert stored.get(code="00139-TDP01-0001").address == "Số 1 ngõ 1 Bồ Đề"
    assert AuditEntry.objects.filter(action="territory.bulk_create_households").count() == 1
