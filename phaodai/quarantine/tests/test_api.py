"""The quarantine API: facilities with occupancy, readiness, admissions (201, 200 on retry, 409, 422)."""

from typing import Any

import pytest
import time_machine

from phaodai.quarantine.models import Admission, Facility
from phaodai.quarantine.tests.conftest import NOW, admit, cccd_for

pytestmark = pytest.mark.django_db

AN_CCCD = cccd_for("M", 1985, 1)


@pytest.fixture(autouse=True)
def _tenth_of_september():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client: Any) -> Any:
    """POST and PUT JSON as the signed-in user."""

    class Api:
        def get(self, url: str) -> Any:
            return client.get(f"/api/v1/quarantine{url}")

        def post(self, url: str, body: dict[str, Any], **headers: str) -> Any:
            return client.post(
                f"/api/v1/quarantine{url}", body, content_type="application/json", headers=headers
            )

        def put(self, url: str, body: dict[str, Any]) -> Any:
            return client.put(f"/api/v1/quarantine{url}", body, content_type="application/json")

        def login(self, user: Any) -> "Api":
            client.force_login(user)
            return self

    return Api()


def facility_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Ký túc xá Trường Đại học Phenikaa",
        "address": "Phường Yên Nghĩa, Hà Đông",
        "unit": "268",
        "kind": "dormitory",
        "beds_male": 300,
        "beds_female": 250,
        "beds_family": 20,
        "is_school": True,
        "return_due": "2021-10-15",
    }
    body.update(overrides)
    return body


# Facilities ----------------------------------------------------------------------------------------


def test_register_then_make_ready_then_read_with_occupancy(api, city_commander):
    api.login(city_commander)
    created = api.post("/facilities", facility_body())
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["readiness"], body["managing_unit"]["code"], body["return_due"]) == (
        "preparing",
        "268",
        "2021-10-15",
    )
    ready = api.post(
        f"/facilities/{body['id']}/readiness", {"readiness": "ready", "version": body["version"]}
    )
    assert ready.status_code == 200 and ready.json()["readiness"] == "ready"
    read = api.get(f"/facilities/{body['id']}").json()
    assert read["occupancy"]["male"] == {"capacity": 300, "used": 0, "free": 300}
    assert read["occupancy"]["total"] == {"capacity": 570, "used": 0, "free": 570}
    assert [f["name"] for f in api.get("/facilities?q=phenikaa").json()] == [
        "Ký túc xá Trường Đại học Phenikaa"
    ]


def test_full_and_active_are_not_set_by_hand(api, district_officer_long_bien, dorm):
    response = api.login(district_officer_long_bien).post(
        f"/facilities/{dorm.pk}/readiness", {"readiness": "full"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "readiness_follows_occupancy")


def test_update_needs_the_version_read(api, district_officer_long_bien, dorm):
    api.login(district_officer_long_bien)
    body = {**facility_body(name=dorm.name, is_school=False, return_due=None), "version": dorm.version}
    del body["unit"]
    assert api.put(f"/facilities/{dorm.pk}", body).status_code == 200
    stale = api.put(f"/facilities/{dorm.pk}", body)
    assert (stale.status_code, stale.json()["code"]) == (409, "facility_changed")


def test_unknown_fields_and_bad_values_are_refused(api, district_officer_long_bien):
    api.login(district_officer_long_bien)
    extra = api.post("/facilities", facility_body(unit="004", floors=3))
    assert (extra.status_code, extra.json()["code"]) == (422, "invalid_input")
    negative = api.post("/facilities", facility_body(unit="004", beds_male=-1))
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "beds_male"
    ward = api.post("/facilities", facility_body(unit="00139"))
    assert ward.json()["code"] == "not_a_managing_unit"
    unknown = api.post("/facilities", facility_body(unit="999"))
    assert (unknown.json()["field"], unknown.json()["message"]) == (
        "unit",
        "No district or city has this code.",
    )
    assert not Facility.objects.exists()


def test_another_districts_facility_is_not_found(api, district_officer_ba_dinh, dorm):
    response = api.login(district_officer_ba_dinh).get(f"/facilities/{dorm.pk}")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


# Admissions ----------------------------------------------------------------------------------------


def test_admission_201_then_200_on_retry_with_the_same_idempotency_key(api, health_worker_bo_de, dorm, an):
    api.login(health_worker_bo_de)
    body = {"cccd": AN_CCCD, "order_ref": "QĐ 123", "planned_release": "2021-09-24"}
    first = api.post(f"/facilities/{dorm.pk}/admissions", body, **{"Idempotency-Key": "adm-1"})
    assert first.status_code == 201, first.json()
    again = api.post(f"/facilities/{dorm.pk}/admissions", body, **{"Idempotency-Key": "adm-1"})
    assert again.status_code == 200 and again.json() == first.json()
    stay = first.json()
    assert stay["person"] == {"id": str(an.pk), "name": "Nguyễn V. A."}
    assert (stay["room_kind"], stay["planned_release"], stay["admitted_by"]) == (
        "male",
        "2021-09-24",
        "health-00139",
    )
    assert AN_CCCD not in first.content.decode() and "Nguyễn Văn An" not in first.content.decode()
    assert Admission.objects.count() == 1


def test_an_overlong_idempotency_key_is_refused_not_cut_short(api, health_worker_bo_de, dorm, an):
    api.login(health_worker_bo_de)
    response = api.post(
        f"/facilities/{dorm.pk}/admissions", {"cccd": AN_CCCD}, **{"Idempotency-Key": "k" * 81}
    )
    assert (response.status_code, response.json()["field"]) == (422, "Idempotency-Key")
    assert not Admission.objects.exists()


def test_a_retry_without_a_key_and_the_same_fields_answers_200(api, health_worker_bo_de, dorm, an):
    api.login(health_worker_bo_de)
    first = api.post(f"/facilities/{dorm.pk}/admissions", {"cccd": AN_CCCD})
    again = api.post(f"/facilities/{dorm.pk}/admissions", {"cccd": AN_CCCD})
    assert (first.status_code, again.status_code, again.json()["id"]) == (201, 200, first.json()["id"])


def test_the_last_bed_taken_gives_409_facility_full_with_free_beds_elsewhere(
    api, district_officer_long_bien, facility_of, resident, an
):
    small = facility_of("Ký túc xá A", male=1)
    other = facility_of("Trường B", male=4)
    admit(district_officer_long_bien, small, resident(5))
    response = api.login(district_officer_long_bien).post(
        f"/facilities/{small.pk}/admissions", {"cccd": AN_CCCD}
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["room_kind"], body["free_elsewhere"]) == ("facility_full", "male", 4)
    assert body["alternatives"] == [{"id": other.pk, "name": "Trường B", "free": 4}]


@pytest.mark.parametrize(
    ("readiness", "code"), [("closed", "facility_closed"), ("preparing", "facility_not_ready")]
)
def test_a_facility_that_does_not_admit_answers_409(
    api, district_officer_long_bien, facility_of, an, readiness, code
):
    facility = facility_of("Khách sạn Long Biên", readiness=readiness)
    response = api.login(district_officer_long_bien).post(
        f"/facilities/{facility.pk}/admissions", {"cccd": AN_CCCD}
    )
    assert (response.status_code, response.json()["code"]) == (409, code)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"cccd": AN_CCCD, "room_kind": "female"}, "room_kind_mismatch", "room_kind"),
        ({"cccd": "001085"}, "invalid_cccd", "cccd"),
        ({"cccd": cccd_for("M", 1985, 77)}, "unknown_person", "cccd"),
        ({"cccd": AN_CCCD, "admitted_at": "2021-09-12T08:00:00"}, "in_the_future", "admitted_at"),
        ({"cccd": AN_CCCD, "planned_release": "2021-09-01"}, "release_before_admission", "planned_release"),
        ({"cccd": AN_CCCD, "room_kind": "attic"}, "invalid_input", "room_kind"),
        ({"cccd": AN_CCCD, "bed": 12}, "invalid_input", "bed"),
    ],
)
def test_bad_admissions_answer_422_naming_the_field(api, health_worker_bo_de, dorm, an, body, code, field):
    response = api.login(health_worker_bo_de).post(f"/facilities/{dorm.pk}/admissions", body)
    assert response.status_code == 422, response.json()
    answer = response.json()
    assert answer["code"] == code
    assert answer.get("field", answer.get("errors", [{}])[0].get("field")) == field
    assert not Admission.objects.exists()


def test_an_admission_of_someone_already_admitted_elsewhere_is_409(
    api, district_officer_long_bien, dorm, facility_of, an
):
    other = facility_of("Trường B")
    admit(district_officer_long_bien, dorm, an)
    response = api.login(district_officer_long_bien).post(
        f"/facilities/{other.pk}/admissions", {"cccd": AN_CCCD}
    )
    assert (response.status_code, response.json()["code"]) == (409, "already_admitted")


def test_discharge_then_again_409_and_before_admission_422(api, health_worker_bo_de, dorm, an, binh):
    stay = admit(health_worker_bo_de, dorm, an)
    api.login(health_worker_bo_de)
    early = api.post(
        f"/admissions/{stay.pk}/discharge", {"reason": "released", "discharged_at": "2021-09-09T09:00"}
    )
    assert (early.status_code, early.json()["code"]) == (422, "discharge_before_admission")
    done = api.post(f"/admissions/{stay.pk}/discharge", {"reason": "released"})
    assert done.status_code == 200 and done.json()["discharge_reason"] == "released"
    again = api.post(f"/admissions/{stay.pk}/discharge", {"reason": "released"})
    assert (again.status_code, again.json()["code"]) == (409, "already_discharged")


def test_transfer_and_the_list_of_people_inside(api, district_officer_long_bien, dorm, facility_of, an):
    other = facility_of("Trường B")
    stay = admit(district_officer_long_bien, dorm, an)
    api.login(district_officer_long_bien)
    assert [s["id"] for s in api.get(f"/facilities/{dorm.pk}/admissions").json()] == [stay.pk]
    moved = api.post(f"/admissions/{stay.pk}/transfer", {"facility": other.pk})
    assert moved.status_code == 201
    assert (moved.json()["facility"]["id"], moved.json()["transferred_from"]) == (other.pk, stay.pk)
    assert api.get(f"/facilities/{dorm.pk}/admissions").json() == []
    assert api.get(f"/admissions/{stay.pk}").json()["discharge_reason"] == "transferred"


def test_occupancy_by_district(api, district_officer_long_bien, dorm, facility_of, an):
    facility_of("Doanh trại Quân đoàn 1", "01", male=10, female=0)
    admit(district_officer_long_bien, dorm, an)
    groups = api.login(district_officer_long_bien).get("/occupancy").json()
    assert [g["unit"]["code"] for g in groups] == ["01", "004"]
    assert groups[1]["free"] == {"male": 1, "female": 2, "family": 2}
    assert groups[1]["facilities"][0]["readiness"] == "active"
    before = api.get("/occupancy?at=2021-09-09T12:00:00").json()
    assert before[1]["facilities"][0]["occupancy"]["male"]["used"] == 0


def test_the_openapi_document_lists_the_quarantine_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/quarantine/facilities/{pk}/admissions" in paths
    assert "/api/v1/quarantine/occupancy" in paths


def test_roles_without_a_quarantine_capability_get_403(api, ward_officer_bo_de, dorm):
    response = api.login(ward_officer_bo_de).get("/facilities")
    assert (response.status_code, response.json()["code"]) == (403, "not_permitted")
