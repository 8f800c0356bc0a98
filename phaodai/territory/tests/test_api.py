"""The territory API: public reads, scoped writes, errors as {"code", "message"}."""

import json

import pytest
from django.test import Client

from phaodai.territory.models import Area

pytestmark = pytest.mark.django_db
BASE = "/api/v1/territory"


@pytest.fixture
def client_as():
    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


NEW_AREA = {
    "local_code": "TDP09",
    "name": "Tổ dân phố 9",
    "kind": "tổ dân phố",
    "population": 700,
    "households": 180,
}


def test_a_district_with_its_wards():
    response = Client().get(f"{BASE}/units/004")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("code", "name", "full_name", "name_en", "level", "unit_type", "parent")} == {
        "code": "004", "name": "Long Biên", "full_name": "Quận Long Biên", "name_en": "Long Bien",
        "level": "district", "unit_type": "Quận", "parent": "01",
    }  # fmt: skip
    assert len(body["children"]) == 14
    assert {
        "code": "00139",
        "name": "Bồ Đề",
        "full_name": "Phường Bồ Đề",
        "level": "ward",
        "unit_type": "Phường",
    } in (body["children"])


def test_the_city_has_no_parent_and_30_children():
    body = Client().get(f"{BASE}/units/01").json()
    assert (body["parent"], len(body["children"])) == (None, 30)


def test_a_ward_has_no_children():
    assert Client().get(f"{BASE}/units/00139").json()["children"] == []


def test_an_unknown_unit_is_not_found():
    response = Client().get(f"{BASE}/units/99999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_wards_areas_are_public(bo_de_areas, bo_de):
    Area.objects.filter(code="00139-CC01").update(active=False)
    response = Client().get(f"{BASE}/units/00139/areas")
    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "00139-TDP01",
            "name": "Tổ dân phố 1",
            "kind": "to_dan_pho",
            "population": 1200,
            "households": 310,
        }
    ]


def test_areas_of_an_unknown_unit_are_not_found():
    response = Client().get(f"{BASE}/units/99999/areas")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_areas_of_a_district_are_refused_clearly():
    response = Client().get(f"{BASE}/units/004/areas")
    assert response.status_code == 422
    assert response.json()["code"] == "not_a_ward"
    assert "Quận Long Biên" in response.json()["message"]


def test_writing_needs_a_signed_in_user():
    response = _post(Client(), f"{BASE}/units/00139/areas", NEW_AREA)
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_a_ward_officer_adds_an_area(client_as, ward_officer_bo_de):
    response = _post(client_as(ward_officer_bo_de), f"{BASE}/units/00139/areas", NEW_AREA)
    assert response.status_code == 201
    assert response.json() == {**{k: NEW_AREA[k] for k in ("name", "population", "households")},
        "code": "00139-TDP09", "kind": "to_dan_pho"}  # fmt: skip


def test_a_bearer_token_works_too(ward_officer_bo_de):
    from phaodai.accounts.services import issue_token

    token = issue_token(user=ward_officer_bo_de)
    response = Client().post(
        f"{BASE}/units/00139/areas",
        data=json.dumps(NEW_AREA),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201


def test_adding_to_a_ward_outside_the_jurisdiction_is_not_found(client_as, ward_officer_phuc_xa):
    response = _post(client_as(ward_officer_phuc_xa), f"{BASE}/units/00139/areas", NEW_AREA)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not Area.objects.exists()


def test_a_role_without_the_permission_is_refused(client_as, welfare_officer_bo_de):
    response = _post(client_as(welfare_officer_bo_de), f"{BASE}/units/00139/areas", NEW_AREA)
    assert (response.status_code, response.json()["code"]) == (403, "not_permitted")


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"kind": "lâu đài"}, 422, "invalid_input", "kind"),
        ({"population": -3}, 422, "invalid_input", "population"),
        ({"local_code": "Tổ 9"}, 422, "invalid_input", "local_code"),
        ({"name": "   "}, 422, "invalid_input", "name"),
        ({"local_code": "TDP01"}, 409, "duplicate_area", "local_code"),
        ({"name": "Chung cư Bồ Đề"}, 409, "duplicate_area", "name"),
    ],
)
def test_bad_areas_are_refused_with_a_code_and_field(
    client_as, ward_officer_bo_de, bo_de_areas, change, status, code, field
):
    response = _post(client_as(ward_officer_bo_de), f"{BASE}/units/00139/areas", {**NEW_AREA, **change})
    assert response.status_code == status
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert response.json()["message"]


def test_unknown_fields_are_refused(client_as, ward_officer_bo_de):
    response = _post(client_as(ward_officer_bo_de), f"{BASE}/units/00139/areas", {**NEW_AREA, "path": "/01/"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_adding_to_a_district_is_refused(client_as, district_officer_long_bien):
    response = _post(client_as(district_officer_long_bien), f"{BASE}/units/004/areas", NEW_AREA)
    assert response.status_code == 404


def test_patch_changes_only_what_is_sent(client_as, ward_officer_bo_de, bo_de_areas):
    response = _patch(client_as(ward_officer_bo_de), f"{BASE}/areas/00139-TDP01", {"population": 1350})
    assert response.status_code == 200
    assert response.json() == {"code": "00139-TDP01", "name": "Tổ dân phố 1", "kind": "to_dan_pho",
        "population": 1350, "households": 310}  # fmt: skip


def test_patch_cannot_change_the_code(client_as, ward_officer_bo_de, bo_de_areas):
    response = _patch(client_as(ward_officer_bo_de), f"{BASE}/areas/00139-TDP01", {"local_code": "X"})
    assert response.status_code == 422
    assert Area.objects.filter(code="00139-TDP01").exists()


def test_patch_outside_the_jurisdiction_is_not_found(client_as, ward_officer_bo_de, phuc_xa_area):
    response = _patch(client_as(ward_officer_bo_de), f"{BASE}/areas/{phuc_xa_area.code}", {"population": 1})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_patch_without_the_permission_is_refused(client_as, welfare_officer_bo_de, bo_de_areas):
    response = _patch(client_as(welfare_officer_bo_de), f"{BASE}/areas/00139-TDP01", {"population": 1})
    assert (response.status_code, response.json()["code"]) == (403, "not_permitted")


def test_patch_of_an_unknown_area_is_not_found(client_as, ward_officer_bo_de):
    assert (
        _patch(client_as(ward_officer_bo_de), f"{BASE}/areas/00139-NOPE", {"population": 1}).status_code
        == 404
    )
