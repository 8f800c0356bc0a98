"""The authoring API: criteria tables as JSON drafts, publishing, and indicator values."""

from typing import Any

import pytest
import time_machine
from django.test import Client

from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.territory.rules import AreaRow
from phaodai.territory.services import bulk_create_areas
from phaodai.zoning import selectors
from phaodai.zoning.models import CriteriaTable, IndicatorValue

pytestmark = pytest.mark.django_db
NOW = hanoi(2021, 9, 7, 12)
TABLES = "/api/v1/zoning/tables"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client):
    def as_user(user: Any) -> Client:
        client.force_login(user)
        return client

    return as_user


def table_json(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "LB-TEST",
        "name": "Bảng thử",
        "basis": "Công văn thử",
        "valid_from": "2021-09-20T06:00:00+07:00",
        "levels": [
            {"severity": 3, "code": "KV1", "name": "Khu vực 1", "colour": "#c62828", "regime": "CT17-HN"},
            {"severity": 2, "code": "KV2", "name": "Khu vực 2", "colour": "#ef6c00", "regime": "CT15+"},
            {"severity": 1, "code": "KV3", "name": "Khu vực 3", "colour": "#2e7d32", "regime": "CT15"},
        ],
        "rows": [
            {
                "label": "KV1-1",
                "level": "KV1",
                "conditions": [{"indicator": "lockdown_active", "op": "==", "value": True}],
            },
            {
                "label": "KV2-1",
                "level": "KV2",
                "conditions": [{"indicator": "community_cases_14d", "op": ">=", "value": 1}],
            },
        ],
    }
    body.update(changes)
    return body


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def test_a_draft_is_created_read_changed_and_published(api, district_officer_long_bien):
    client = api(district_officer_long_bien)
    created = post(client, TABLES, table_json())
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["code"], body["version"], body["status"], body["issued_by"]) == (
        "LB-TEST",
        1,
        "draft",
        "004",
    )
    assert body["rows"][0] == {
        "label": "KV1-1",
        "level": "KV1",
        "conditions": [{"indicator": "lockdown_active", "op": "==", "value": True}],
    }
    assert body["compiled"]["rows"][1]["logic"] == {"and": [{">=": [{"var": "community_cases_14d"}, 1]}]}
    url = f"{TABLES}/{body['id']}"
    assert client.get(url).json()["levels"][0]["regime"] == "CT17-HN"
    changed = client.put(
        url, table_json(name="Bảng sửa", valid_until="2021-10-01T00:00:00"), content_type="application/json"
    )
    assert changed.status_code == 200
    assert changed.json()["valid_until"] == "2021-10-01T00:00:00+07:00"  # no offset: Hà Nội time
    published = post(client, f"{url}/publish", {})
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = client.put(url, table_json(), content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "table_not_draft"


def test_the_list_holds_the_authors_tables(api, district_officer_long_bien, django_assert_max_num_queries):
    client = api(district_officer_long_bien)
    post(client, TABLES, table_json())
    with django_assert_max_num_queries(5):
        response = client.get(TABLES)
    assert [(t["code"], t["status"]) for t in response.json()] == [
        ("LB-2021-09", "published"),
        ("LB-TEST", "draft"),
    ]


def one_row(indicator: str, op: str, level: str = "KV1") -> dict[str, Any]:
    return {
        "rows": [
            {"label": "R", "level": level, "conditions": [{"indicator": indicator, "op": op, "value": 1}]}
        ]
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (one_row("r_number", ">"), "indicator"),
        (one_row("community_cases_7d", "≥"), "op"),
        (one_row("community_cases_7d", ">", level="KV0"), "level"),
        ({"valid_until": "2021-09-01T00:00:00+07:00"}, "valid_until"),
    ],
)
def test_bad_tables_are_refused_with_a_code_and_nothing_is_created(
    api, district_officer_long_bien, changes, field
):
    response = post(api(district_officer_long_bien), TABLES, table_json(**changes))
    assert response.status_code == 422
    assert response.json()["code"] == "criteria_invalid" and response.json()["field"] == field
    assert not CriteriaTable.objects.filter(code="LB-TEST").exists()


def test_a_body_that_does_not_fit_the_schema_is_refused(api, district_officer_long_bien):
    response = post(api(district_officer_long_bien), TABLES, table_json(colour="red"))
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


def test_an_overlapping_version_is_refused_on_publishing(api, district_officer_long_bien):
    client = api(district_officer_long_bien)
    first = post(client, TABLES, table_json(valid_until="2021-10-01T00:00:00+07:00")).json()
    post(client, f"{TABLES}/{first['id']}/publish", {})
    second = post(client, TABLES, table_json(valid_from="2021-09-25T00:00:00+07:00")).json()
    assert second["version"] == 2
    response = post(client, f"{TABLES}/{second['id']}/publish", {})
    assert response.status_code == 422 and response.json()["code"] == "validity_overlap"
    assert CriteriaTable.objects.get(pk=second["id"]).status == "draft"


def test_scope_and_roles(api, client, district_officer_ba_dinh, ward_officer_bo_de, city_commander):
    shipped = selectors.published_table("LB-2021-09")
    assert shipped is not None
    assert client.get(TABLES).status_code == 401
    assert api(ward_officer_bo_de).get(TABLES).status_code == 403
    ba_dinh = api(district_officer_ba_dinh)
    assert ba_dinh.get(f"{TABLES}/{shipped.pk}").status_code == 404
    assert post(ba_dinh, TABLES, table_json(issued_by="004")).status_code == 404
    assert AuditEntry.objects.filter(action="scope.denied", actor_username="district-001").count() == 2
    # The city issues in its own name unless it names another unit.
    city = api(city_commander)
    assert post(city, TABLES, table_json()).json()["issued_by"] == "01"
    assert post(city, TABLES, table_json(code="LB-2021-09", issued_by="004")).json()["version"] == 2


@pytest.fixture
def areas(unit):
    bo_de = bulk_create_areas(
        ward=unit("00139"), rows=[AreaRow(f"TDP{i:02}", f"Tổ {i}", "to_dan_pho", 900, 250) for i in (1, 2)]
    )
    phuc_xa = bulk_create_areas(ward=unit("00001"), rows=[AreaRow("TDP01", "Tổ 1", "to_dan_pho", 500, 120)])
    return bo_de + phuc_xa


def test_indicator_values_are_entered(api, ward_officer_bo_de, areas, django_assert_max_num_queries):
    body = {
        "as_of": "2021-09-07T06:00:00",
        "values": [
            {"area": "00139-TDP01", "indicator": "community_cases_7d", "value": 3},
            {"area": "00139-TDP01", "indicator": "lockdown_active", "value": "có"},
            {"area": "00139-TDP02", "indicator": "first_dose_18plus_pct", "value": 88.5},
        ],
    }
    client = api(ward_officer_bo_de)
    with django_assert_max_num_queries(15):  # session, roles, areas, write, audit
        response = post(client, "/api/v1/zoning/indicators", body)
    assert response.status_code == 201, response.json()
    assert response.json()["saved"] == 3
    assert {"area": "00139-TDP01", "indicator": "lockdown_active", "value": True} in response.json()["values"]
    assert {v.as_of for v in IndicatorValue.objects.all()} == {hanoi(2021, 9, 7, 6)}


def item(area: str, indicator: str = "community_cases_7d", value: Any = 1) -> dict[str, Any]:
    return {"area": area, "indicator": indicator, "value": value}


SEVEN, EIGHT = "2021-09-07T06:00:00", "2021-09-08T06:00:00"


@pytest.mark.parametrize(
    ("entry", "as_of", "status", "code"),
    [
        (item("00139-TDP01", "lockdown_active", "maybe"), SEVEN, 422, "indicator_invalid"),
        (item("00139-TDP01", "population", 5), SEVEN, 422, "indicator_invalid"),
        (item("00139-TDP01"), EIGHT, 422, "indicator_invalid"),  # observed in the future
        (item("00001-TDP01"), SEVEN, 404, "not_found"),  # another ward's area
        (item("00139-TDP99"), SEVEN, 404, "not_found"),
        (item("00139-TDP01"), "hôm qua", 422, "invalid_input"),
    ],
)
def test_bad_indicator_values_are_refused_and_nothing_is_written(
    api, ward_officer_bo_de, areas, entry, as_of, status, code
):
    body = {"as_of": as_of, "values": [item("00139-TDP02"), entry]}
    response = post(api(ward_officer_bo_de), "/api/v1/zoning/indicators", body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not IndicatorValue.objects.exists()


def test_roles_without_the_permission_get_403(api, welfare_officer_bo_de, areas):
    body = {
        "as_of": "2021-09-07T06:00:00",
        "values": [{"area": "00139-TDP01", "indicator": "community_cases_7d", "value": 1}],
    }
    assert post(api(welfare_officer_bo_de), "/api/v1/zoning/indicators", body).status_code == 403
