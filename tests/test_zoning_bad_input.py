"""Bad input to zoning and the public look-up gets a clear refusal, never a server error."""

import json
from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.demo.scenarios import long_bien_2021_09
from phaodai.portal.answer_cache import DIRECTORY
from phaodai.territory import selectors as territory
from phaodai.territory import services as territory_services
from phaodai.zoning import services

pytestmark = pytest.mark.django_db
HUGE = int("9" * 400)  # a float cannot hold it


def post_json(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body).replace('"HUGE"', str(HUGE)), content_type="application/json")


def test_a_number_too_large_for_a_float_is_refused_by_the_public_dry_run(client) -> None:
    body = {"indicators": {"community_cases_7d": "HUGE"}}
    response = post_json(client, "/api/v1/public/criteria/NQ128-4800/evaluate", body)
    assert response.status_code == 422


def test_a_number_too_large_for_a_float_is_refused_as_an_indicator(client, ward_officer_bo_de, unit) -> None:
    from phaodai.territory.rules import AreaRow

    territory_services.bulk_create_areas(
        ward=unit("00139"), rows=[AreaRow("TDP01", "Tổ 1", "to_dan_pho", 100, 20)]
    )
    client.force_login(ward_officer_bo_de)
    body = {
        "as_of": "2021-09-07T06:00:00+07:00",
        "values": [{"area": "00139-TDP01", "indicator": "community_cases_7d", "value": "HUGE"}],
    }
    assert post_json(client, "/api/v1/zoning/indicators", body).status_code == 422


@pytest.mark.parametrize("url", ["/public/areas/00139-NOPE/", "/public/units/00139/", "/public/map/"])
def test_year_one_in_the_public_date_picker_is_refused_on_the_page(client, url) -> None:
    response = client.get(url, {"date": "0001-01-01", "time": "00:00"})
    assert response.status_code in (400, 404)


def test_year_one_as_an_observation_time_is_refused(client, ward_officer_bo_de) -> None:
    client.force_login(ward_officer_bo_de)
    body = {"as_of": "0001-01-01T00:00:00", "values": []}
    assert post_json(client, "/api/v1/zoning/indicators", body).status_code == 422


def test_year_one_as_a_round_deadline_is_refused(client, district_officer_long_bien) -> None:
    client.force_login(district_officer_long_bien)
    body = {"district": "004", "table": "LB-2021-09", "deadline": "0001-01-01T00:00:00+07:00"}
    assert post_json(client, "/api/v1/zoning/rounds", body).status_code == 422


def test_year_one_as_a_validity_start_is_refused(client, district_officer_long_bien) -> None:
    from phaodai.zoning.tests.test_authoring_api import table_json

    client.force_login(district_officer_long_bien)
    response = post_json(
        client, "/api/v1/zoning/tables", table_json(code="T-YEAR1", valid_from="0001-01-01T00:00:00")
    )
    assert response.status_code == 422


def test_a_form_count_that_is_not_a_number_does_not_break_the_table_form(
    client, district_officer_long_bien
) -> None:
    client.force_login(district_officer_long_bien)
    response = client.post("/zoning/tables/new/", {"add": "levels", "levels-TOTAL_FORMS": "abc"})
    assert response.status_code == 200


def test_entering_the_same_values_twice_changes_nothing(ward_officer_bo_de, unit) -> None:
    from phaodai.territory.rules import AreaRow

    area = territory_services.bulk_create_areas(
        ward=unit("00139"), rows=[AreaRow("TDP01", "Tổ 1", "to_dan_pho", 100, 20)]
    )[0]
    entries = [services.IndicatorEntry(area, "community_cases_7d", 2)]
    at = hanoi(2021, 9, 7, 6)
    first = services.enter_indicators(by=ward_officer_bo_de, entries=entries, as_of=at)
    second = services.enter_indicators(by=ward_officer_bo_de, entries=entries, as_of=at)
    assert [v.pk for v in first] == [v.pk for v in second]


def test_a_deactivated_area_stops_answering_within_a_second(
    client, monkeypatch, city_commander, unit
) -> None:
    long_bien_2021_09(write=lambda _line: None)
    now = [1000.0]
    monkeypatch.setattr(DIRECTORY, "_clock", lambda: now[0])
    area = territory.areas_of(unit("00139")).first()
    assert area is not None
    assert client.get(f"/api/v1/public/areas/{area.code}/regime").status_code == 200
    territory_services.deactivate_area(area=area, by=city_commander)
    now[0] += 1.1
    assert client.get(f"/api/v1/public/areas/{area.code}/regime").status_code == 404
