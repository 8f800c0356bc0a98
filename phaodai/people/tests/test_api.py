import logging
from datetime import date

import pytest

from phaodai.accounts.services import issue_token
from phaodai.people.models import Person
from phaodai.people.tests.conftest import AN, cccd_for

URL = "/api/v1/people"


@pytest.fixture
def api(client):
    """Call the API as a persona with a bearer token."""

    def call(user, method, path="", body=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user)}"} if user else {}
        send = getattr(client, method)
        if body is None:
            return send(URL + path, **headers)
        return send(URL + path, body, content_type="application/json", **headers)

    return call


def _body(area, **changes):
    return {
        "cccd": AN["cccd"],
        "full_name": AN["full_name"],
        "birth_date": AN["birth_date"].isoformat(),
        "sex": AN["sex"],
        "phone": AN["phone"],
        "residence_area": area.code,
        **changes,
    }


def test_registering_answers_201_with_the_id_and_a_retry_200_with_the_same(
    api, ward_officer_bo_de, bo_de_area
):
    first = api(ward_officer_bo_de, "post", body=_body(bo_de_area))
    again = api(ward_officer_bo_de, "post", body=_body(bo_de_area))
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json() == {"id": str(Person.objects.get().pk)}


def test_a_conflicting_registration_is_409_without_the_number(api, ward_officer_bo_de, bo_de_area, an):
    response = api(ward_officer_bo_de, "post", body=_body(bo_de_area, full_name="Nguyễn Văn Bê"))
    assert response.status_code == 409
    assert response.json()["code"] == "person_exists"
    assert AN["cccd"] not in response.content.decode()


def test_a_cccd_registered_in_another_ward_is_refused_logged_and_shows_nothing(
    api, ward_officer_phuc_xa, phuc_xa_area, an
):
    from phaodai.core.models import AuditEntry

    # Phúc Xá's officer tries An's CCCD (An lives in Bồ Đề): a look-up says "not found"…
    assert api(ward_officer_phuc_xa, "post", "/lookup", {"cccd": AN["cccd"]}).status_code == 404
    # …and registering says only that the number is taken elsewhere, and the attempt is logged.
    response = api(ward_officer_phuc_xa, "post", body=_body(phuc_xa_area))
    assert response.status_code == 409
    assert response.json()["code"] == "person_registered_elsewhere"
    body = response.content.decode()
    assert AN["cccd"] not in body and "Nguyễn" not in body and "Bồ Đề" not in body
    denied = AuditEntry.objects.filter(action="scope.denied", object_type="people.person").get()
    assert denied.actor_username == ward_officer_phuc_xa.username
    assert denied.object_id == str(an.pk)
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"cccd": "00108512345"}, "invalid_cccd", "cccd"),
        ({"cccd": "0010851234AB"}, "invalid_cccd", "cccd"),
        ({"cccd": cccd_for(1986, "M")}, "invalid_cccd", "cccd"),
        ({"phone": "12345"}, "invalid_phone", "phone"),
        ({"residence_area": "99999-NOPE"}, "invalid_input", "residence_area"),
        ({"birth_date": "14/03/1985"}, "invalid_input", "birth_date"),
        ({"sex": "X"}, "invalid_input", "sex"),
        ({"full_name": ""}, "invalid_input", "full_name"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, ward_officer_bo_de, bo_de_area, changes, code, field):
    response = api(ward_officer_bo_de, "post", body=_body(bo_de_area, **changes))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and field in body.get("field", "") + str(body.get("errors", ""))
    assert not Person.objects.exists()


def test_registering_in_another_ward_is_404(api, ward_officer_phuc_xa, bo_de_area):
    response = api(ward_officer_phuc_xa, "post", body=_body(bo_de_area))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_reading_a_person_masks_the_cccd(api, ward_officer_bo_de, an):
    response = api(ward_officer_bo_de, "get", f"/{an.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["cccd_masked"] == "*********456" and AN["cccd"] not in response.content.decode()
    assert body["full_name"] == "Nguyễn Văn An" and body["residence_area"]["code"] == "00139-TDP01"
    assert body["priority_groups"] == []


def test_a_person_outside_scope_is_404_like_a_missing_one(api, ward_officer_phuc_xa, ward_officer_bo_de, an):
    outside = api(ward_officer_phuc_xa, "get", f"/{an.pk}")
    missing = api(ward_officer_bo_de, "get", "/00000000-0000-4000-8000-000000000000")
    malformed = api(ward_officer_bo_de, "get", "/nope")
    assert outside.status_code == missing.status_code == malformed.status_code == 404
    assert outside.json() == missing.json()


def test_the_district_reads_persons_of_its_wards(api, district_officer_long_bien, an):
    assert api(district_officer_long_bien, "get", f"/{an.pk}").status_code == 200


def test_roles_without_view_permission_get_403(api, checkpoint_officer_ql6, an, bo_de_area):
    assert api(checkpoint_officer_ql6, "get", f"/{an.pk}").status_code == 403
    assert api(checkpoint_officer_ql6, "get", "?q=nguyen").status_code == 403
    assert api(checkpoint_officer_ql6, "post", "/lookup", {"cccd": AN["cccd"]}).status_code == 403
    body = _body(bo_de_area, cccd=cccd_for(1970, "M"), birth_date="1970-01-01")
    assert api(checkpoint_officer_ql6, "post", body=body).status_code == 403


def test_anonymous_callers_get_401(api, an):
    assert api(None, "get", f"/{an.pk}").status_code == 401


def test_lookup_takes_the_cccd_in_the_body(api, ward_officer_bo_de, ward_officer_phuc_xa, an):
    found = api(ward_officer_bo_de, "post", "/lookup", {"cccd": AN["cccd"]})
    assert found.status_code == 200 and found.json()["id"] == str(an.pk)
    elsewhere = api(ward_officer_phuc_xa, "post", "/lookup", {"cccd": AN["cccd"]})
    nobody = api(ward_officer_phuc_xa, "post", "/lookup", {"cccd": cccd_for(1985, "M", 999999)})
    assert elsewhere.status_code == nobody.status_code == 404
    assert elsewhere.json() == nobody.json()


def test_search_pages_with_a_cursor(api, register_in, ward_officer_bo_de):
    for i in range(3):
        register_in(
            cccd=cccd_for(1990, "F", i),
            full_name=f"Nguyễn Thị {'ABC'[i]}",
            birth_date=date(1990, 1, 1),
            sex="F",
        )
    first = api(ward_officer_bo_de, "get", "?q=nguyen&limit=2").json()
    assert [p["full_name"] for p in first["items"]] == ["Nguyễn Thị A", "Nguyễn Thị B"]
    second = api(ward_officer_bo_de, "get", f"?q=nguyen&limit=2&after={first['next']}").json()
    assert [p["full_name"] for p in second["items"]] == ["Nguyễn Thị C"] and second["next"] is None


def test_no_personal_value_reaches_the_logs(
    api, ward_officer_bo_de, ward_officer_phuc_xa, bo_de_area, caplog
):
    with caplog.at_level(logging.DEBUG):
        api(ward_officer_bo_de, "post", body=_body(bo_de_area))
        api(ward_officer_bo_de, "post", body=_body(bo_de_area, full_name="Nguyễn Văn Bê"))
        api(ward_officer_bo_de, "post", body=_body(bo_de_area, cccd="00108512345"))
        api(ward_officer_phuc_xa, "post", "/lookup", {"cccd": AN["cccd"]})
        person = Person.objects.get()
        api(ward_officer_phuc_xa, "get", f"/{person.pk}")
    logged = caplog.text
    assert AN["cccd"] not in logged and "00108512345" not in logged
    assert "Nguyễn" not in logged and AN["phone"] not in logged
