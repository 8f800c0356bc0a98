"""The coverage map (issue #6 point 7): wards coloured by the share of adults fully vaccinated, with a
legend and a table; SVG where outlines are stored, tiles always."""

import json
import re
from datetime import date

import pytest
import time_machine

from phaodai.territory.boundaries import import_boundaries
from phaodai.vaccination import coverage_map
from phaodai.vaccination.tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def vaccinated(resident, give, city_commander):
    """Bồ Đề: two adults, one fully vaccinated (50 %); Phúc Xá: one adult, fully vaccinated (100 %)."""
    done, waiting = resident(1, born=date(1950, 1, 1)), resident(2)
    give(done, "pfizer", 1, date(2021, 8, 1))
    give(done, "pfizer", 2, date(2021, 8, 22))
    give(waiting, "pfizer", 1, date(2021, 10, 1))
    elsewhere = resident(3, area="phuc_xa")
    give(elsewhere, "moderna", 1, date(2021, 8, 1), by=city_commander)
    give(elsewhere, "moderna", 2, date(2021, 8, 29), by=city_commander)
    return done


def tiles(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-place="([^"]+)" data-step="([^"]+)"', page))


@pytest.mark.parametrize(
    ("pct", "key"),
    [(None, "none"), (0.0, "0"), (29.9, "0"), (30.0, "30"), (69.9, "50"), (70.0, "70"), (100, "85")],
)
def test_the_scale_puts_each_share_in_one_class(pct, key):
    assert coverage_map.step_of(pct).key == key


def test_the_city_map_colours_every_ward_by_district(
    client, city_commander, vaccinated, django_assert_max_num_queries
):
    client.force_login(city_commander)
    with django_assert_max_num_queries(14):
        page = client.get("/vaccination/?on=15/10/2021").content.decode()
    found = tiles(page)
    assert len(found) == 579  # every ward of Hà Nội, one tile each
    assert (found["00139"], found["00001"], found["00133"]) == ("50", "85", "none")
    assert 'aria-label="Phường Bồ Đề: 50.0 % of adults fully vaccinated (1 of 2)"' in page
    assert '<h3><a href="/vaccination/?unit=004&amp;on=15/10/2021">Long Biên</a></h3>' in page
    legend = dict(re.findall(r'<li data-step="([^"]+)">.*?\((\d+)\)</span></li>', page))
    assert (legend["85"], legend["50"], legend["none"]) == ("1", "1", "577")
    # the table says the same for screen readers
    row = re.search(r'<tr data-place="00139">(.*?)</tr>', page)
    assert row is not None and "Phường Bồ Đề" in row.group(1) and "50.0 %" in row.group(1)
    assert "<svg" not in page  # no outline stored: the schematic map only


def test_a_district_map_shows_its_wards_only(client, district_officer_long_bien, vaccinated):
    client.force_login(district_officer_long_bien)
    page = client.get("/vaccination/?unit=004&on=15/10/2021").content.decode()
    found = tiles(page)
    assert "00139" in found and "00001" not in found and len(found) == 14  # Long Biên's 14 wards


def test_a_ward_map_shows_its_areas(client, ward_officer_bo_de, vaccinated, areas):
    client.force_login(ward_officer_bo_de)
    page = client.get("/vaccination/?unit=00139&on=15/10/2021").content.decode()
    assert tiles(page) == {areas["bo_de"].code: "50", areas["bo_de_cc"].code: "none"}
    assert "by residential area" in page


def square(lon, lat, size=0.01):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_stored_outlines_are_drawn_coloured_and_labelled(client, city_commander, vaccinated):
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
        for code, geometry in [
            ("004", square(105.86, 21.02, 0.08)),
            ("00139", square(105.87, 21.03, 0.02)),
            ("00001", square(105.82, 21.04)),
        ]
    ]
    import_boundaries(json.dumps({"type": "FeatureCollection", "features": features}), source="test (CC0)")
    client.force_login(city_commander)
    page = client.get("/vaccination/?on=15/10/2021").content.decode()
    assert '<svg class="cmap-svg" viewBox="0 0 1000 ' in page
    shapes = re.findall(r'<a href="([^"]+)" aria-label="[^"]+"><path d="M[^"]+Z" fill="(#[0-9a-f]{6})"', page)
    assert shapes == [
        ("/vaccination/?unit=00001&amp;on=15/10/2021", "#006837"),
        ("/vaccination/?unit=00139&amp;on=15/10/2021", "#78c679"),
    ]
    assert page.count('<g class="border">') == 1 and "test (CC0)" in page
    assert len(tiles(page)) == 579  # the tiles stay, as the full list
