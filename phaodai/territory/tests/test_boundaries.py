"""Outlines of units and areas imported from GeoJSON: good files are stored, bad ones save nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

from phaodai.territory import boundaries
from phaodai.territory.boundaries import BoundaryImportError, import_boundaries
from phaodai.territory.models import Boundary

pytestmark = pytest.mark.django_db

SQUARE = [[105.88, 21.04], [105.89, 21.04], [105.89, 21.05], [105.88, 21.05], [105.88, 21.04]]
HOLE = [[105.884, 21.044], [105.886, 21.044], [105.886, 21.046], [105.884, 21.044]]


def feature(code, geometry=None, key="code", **properties):
    geometry = geometry if geometry is not None else {"type": "Polygon", "coordinates": [SQUARE]}
    return {"type": "Feature", "properties": {key: code, **properties}, "geometry": geometry}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def shifted(ring, by):
    return [[lon + by, lat] for lon, lat in ring]


def test_polygons_and_multipolygons_of_units_and_areas_are_stored(bo_de_areas):
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [shifted(SQUARE, 0.02)]]}
    data = collection(feature("00139", multi), feature("004"), feature(bo_de_areas[0].code, key="area_code"))

    result = import_boundaries(json.dumps(data), source="test outlines (CC0)")

    assert (result.created, result.replaced) == (3, 0)
    ward = Boundary.objects.get(unit__code="00139")
    assert ward.path == "/01/004/00139/"
    assert len(ward.polygons) == 2 and len(ward.polygons[0]) == 2
    assert (ward.min_lon, ward.min_lat, ward.max_lon, ward.max_lat) == (105.88, 21.04, 105.91, 21.05)
    assert ward.source == "test outlines (CC0)"
    area = Boundary.objects.get(area=bo_de_areas[0])
    assert area.polygons == [[SQUARE]]


def test_importing_again_replaces_the_outline():
    import_boundaries(collection(feature("00139")))
    result = import_boundaries(
        collection(feature("00139", {"type": "Polygon", "coordinates": [shifted(SQUARE, 1)]}))
    )

    assert (result.created, result.replaced) == (0, 1)
    assert Boundary.objects.get().min_lon == pytest.approx(106.88)


def test_codes_written_as_numbers_get_their_leading_zeros_back():
    import_boundaries(collection(feature(139), feature(250, key="unit_code")))

    assert set(Boundary.objects.values_list("unit__code", flat=True)) == {"00139", "250"}


def test_a_number_that_could_be_two_codes_is_refused():
    error = refused(collection(feature(4)))  # district 004 or ward 00004

    assert "ambiguous" in error.errors[0].reason


def test_outlines_are_read_broadest_first_and_by_prefix(bo_de_areas):
    import_boundaries(
        collection(feature(bo_de_areas[0].code), feature("00139"), feature("004"), feature("00001"))
    )

    assert [o.code for o in boundaries.outlines()] == ["004", "00001", "00139", bo_de_areas[0].code]
    assert [o.level for o in boundaries.outlines("/01/004/")] == ["district", "ward", "area"]
    assert boundaries.has_outlines()


def refused(raw, **options) -> BoundaryImportError:
    with pytest.raises(BoundaryImportError) as caught:
        import_boundaries(raw, **options)
    assert not Boundary.objects.exists()
    return caught.value


def test_a_file_that_is_not_json_says_where_it_breaks():
    error = refused('{"type": "FeatureCollection",\n "features": [}')

    assert error.code == "invalid_boundaries"
    assert "line 2" in str(error.detail)
    assert "not UTF-8" in str(refused(b"\xff\xfe{").detail)


def test_a_document_that_is_not_a_feature_collection_is_refused():
    assert "FeatureCollection" in str(refused(json.dumps(feature("00139"))).detail)
    assert "no features" in str(refused(json.dumps(collection())).detail)
    assert "FeatureCollection" in str(refused("[1, 2]").detail)


def test_every_bad_feature_is_reported_and_nothing_is_saved():
    data = collection(
        feature("00139"),  # good, but not saved because others are bad
        feature("99999"),
        feature("00001", {"type": "Point", "coordinates": [105.8, 21.0]}),
        feature("004", {"type": "Polygon", "coordinates": [SQUARE[:-1]]}),  # not closed
        feature("001", {"type": "Polygon", "coordinates": [[[200, 21], [201, 21], [201, 22], [200, 21]]]}),
        feature("00004", {"type": "Polygon", "coordinates": [[["a", 21], [1, 2], [1, 3], ["a", 21]]]}),
        {"type": "Feature", "properties": {"name": "Bồ Đề"}, "geometry": None},
        "not a feature",
        feature("00139"),  # a second outline for the same ward
        feature("00007", None),
    )
    data["features"][-1]["geometry"] = None

    error = refused(data)

    problems = {(e.feature, e.field) for e in error.errors}
    assert problems == {
        (2, "properties"),
        (3, "geometry.type"),
        (4, "geometry.coordinates[0]"),
        (5, "geometry.coordinates[0][0]"),
        (6, "geometry.coordinates[0][0]"),
        (7, "properties"),
        (8, "type"),
        (9, "properties"),
        (10, "geometry"),
    }
    reasons = {e.feature: e.reason for e in error.errors}
    assert "99999" in reasons[2]
    assert "Point" in reasons[3]
    assert "end where it starts" in reasons[4]
    assert "WGS 84" in reasons[5]
    assert "feature 1" in reasons[9]
    assert [e.feature for e in error.errors] == sorted(e.feature for e in error.errors)


def test_a_named_code_property_is_the_only_one_read():
    error = refused(collection(feature("00139", key="ma_xa")), code_property="ma")

    assert "“ma”" in error.errors[0].reason
    import_boundaries(collection(feature("00139", key="ma")), code_property="ma")
    assert Boundary.objects.count() == 1


def test_the_command_imports_a_file_and_reports_what_it_did(tmp_path, capsys):
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps(collection(feature("00139"), feature("00001"))), encoding="utf-8")

    call_command("import_boundaries", str(path), "--source", "OSM (ODbL)")

    assert "2 outlines created, 0 replaced" in capsys.readouterr().out
    assert set(Boundary.objects.values_list("source", flat=True)) == {"OSM (ODbL)"}


def test_the_command_lists_the_bad_features_and_saves_nothing(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(collection(feature("00139"), feature("99999"))), encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        call_command("import_boundaries", str(path))

    assert "feature 2, properties" in str(caught.value)
    assert not Boundary.objects.exists()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_boundaries", str(tmp_path / "missing.geojson"))


def test_area_centres_are_the_middle_of_their_outline_box_and_only_for_outlined_areas(bo_de_areas):
    from phaodai.territory import selectors

    import_boundaries(collection(feature(bo_de_areas[0].code, key="area_code")))

    centres = selectors.area_centres([area.pk for area in bo_de_areas])

    assert centres == {bo_de_areas[0].pk: (pytest.approx(21.045), pytest.approx(105.885))}
