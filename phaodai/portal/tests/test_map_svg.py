"""With imported outlines the map is drawn as SVG; every shape names its place and level."""

import json
import re

import pytest

from phaodai.core.clock import hanoi
from phaodai.portal.tests import helpers
from phaodai.territory import services as territory_services
from phaodai.territory.boundaries import import_boundaries
from phaodai.territory.rules import AreaRow
from phaodai.zoning import services as zoning_services

pytestmark = pytest.mark.django_db


def square(lon, lat, size=0.01):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def outlined(unit, city_commander):
    area = territory_services.bulk_create_areas(
        ward=unit("00139"), rows=[AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310)]
    )[0]
    zoning_services.place_units_under_regime(
        by=city_commander, issuer=unit("01"), units=[unit("01")], regime=helpers.regime("CT17-HN"),
        number="17/CT-UBND", signatory="Chủ tịch UBND thành phố Hà Nội", title="Chỉ thị 17/CT-UBND",
        effective_at=hanoi(2021, 7, 24, 6), clock=lambda: hanoi(2021, 7, 23, 18),
    )  # fmt: skip
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
        for code, geometry in [
            ("004", square(105.86, 21.02, 0.08)),
            ("00139", square(105.87, 21.03, 0.02)),
            ("00001", square(105.82, 21.04)),
            (area.code, square(105.875, 21.035, 0.005)),
        ]
    ]
    import_boundaries(json.dumps({"type": "FeatureCollection", "features": features}), source="test (CC0)")
    return area


def test_outlines_are_drawn_linked_and_labelled(client, outlined, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/public/map/", {"at": "2021-09-10"})

    page = response.content.decode()
    assert '<svg class="svgmap" viewBox="0 0 1000 ' in page
    links = re.findall(
        r'<a href="([^"]+)" aria-label="([^"]+)"><path d="M[^"]+Z" fill="(#[0-9a-f]{6})">', page
    )
    ct17 = helpers.regime("CT17-HN").short_name_en
    # under the city's directive, without a level: the regime names the colour
    assert links == [
        ("/public/units/00001/?at=2021-09-10T12:00", f"Phường Phúc Xá: {ct17}", "#607d8b"),
        ("/public/units/00139/?at=2021-09-10T12:00", f"Phường Bồ Đề: {ct17}", "#607d8b"),
        (f"/public/areas/{outlined.code}/?at=2021-09-10T12:00", f"Tổ dân phố 1: {ct17}", "#607d8b"),
    ]
    assert page.count('<g class="district">') == 1  # the district is drawn as an outline only
    assert "test (CC0)" in page
    assert len(re.findall(r'<a class="wtile"', page)) == 579  # the tiles stay, as the full list


def test_a_map_without_outlines_is_schematic(client, db):
    response = client.get("/public/map/")

    page = response.content.decode()
    assert "<svg" not in page
    assert len(re.findall(r'<a class="wtile"', page)) == 579
    assert response.context["map"].legend[0].mark.key == "none"
