"""POST /people/status: a person's F-level, open isolation and quarantine stay, by CCCD in the body, for
officers who may trace them; everyone else gets the same 404 as for an unknown CCCD (logged)."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from phaodai.cases.models import IsolationOrder, IsolationRule
from phaodai.cases.tests.test_api import NOW, Api, cccd_of, local
from phaodai.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tenth_of_september():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client: Any, health_worker_bo_de: Any) -> Api:
    return Api(client).login(health_worker_bo_de)


@pytest.fixture
def traced(api: Api, resident: Any) -> dict[str, Any]:
    """Resident 0 is F0 (10/9), resident 1 their F1, resident 2 resident 1's F2; resident 3 untraced."""
    people = [resident(n) for n in range(4)]
    case = api.post(
        "/cases",
        {"cccd": cccd_of(0), "confirmed_at": "2021-09-10T09:00", "detected_in": "community",
         "source_known": False, "test_ref": "T-1"},
    ).json()  # fmt: skip
    link = {"exposed_on": "2021-09-10", "setting": "household"}
    api.post(f"/cases/{case['id']}/contacts", {"contacts": [{"cccd": cccd_of(1), **link}]})
    api.post("/people/contacts", {"cccd": cccd_of(1), "contacts": [{"cccd": cccd_of(2), **link}]})
    return {"case": case, "people": people}


def status_of(api: Api, n: int) -> Any:
    return api.post("/people/status", {"cccd": cccd_of(n)})


def test_each_persons_level(api, traced):
    levels = [status_of(api, n).json()["f_level"] for n in range(4)]
    assert levels == ["F0", "F1", "F2", None]


def test_no_isolation_nor_stay_reads_as_null(api, traced):
    answer = status_of(api, 1)
    assert answer.status_code == 200
    assert answer.json() == {"f_level": "F1", "isolation": None, "facility": None}
    assert cccd_of(1) not in answer.content.decode()


def test_the_open_isolation_order_and_the_stay_in_a_facility(api, traced, city_commander, unit):
    from phaodai.quarantine import services as quarantine

    person = traced["people"][0]
    rule = IsolationRule.objects.filter(subject="F0").first()
    assert rule is not None
    order = IsolationOrder.objects.create(
        person=person, subject="F0", setting="facility", rule=rule, starts_at=NOW,
        isolation_ends_at=NOW + timedelta(days=14), monitoring_ends_at=NOW + timedelta(days=21),
        area=person.residence_area, path=person.unit_path, ordered_by=city_commander,
    )  # fmt: skip
    dorm = quarantine.register_facility(
        by=city_commander, unit=unit("004"), name="Ký túc xá Long Biên", address="Long Biên",
        kind="dormitory", beds_male=5, beds_female=5,
    )  # fmt: skip
    dorm = quarantine.set_readiness(by=city_commander, facility=dorm, readiness="ready")
    stay, _created = quarantine.admit(by=city_commander, facility=dorm, person=person)
    body = status_of(api, 0).json()
    assert body["f_level"] == "F0"
    isolation = body["isolation"]
    assert (isolation["id"], isolation["subject"], isolation["setting"], isolation["status"]) == (
        order.pk,
        "F0",
        "facility",
        "active",
    )
    assert local(isolation["isolation_ends_at"]) == NOW + timedelta(days=14)
    facility = body["facility"]
    assert (facility["admission"], facility["facility"], facility["name"], facility["room_kind"]) == (
        stay.pk,
        dorm.pk,
        "Ký túc xá Long Biên",
        "male",
    )


def test_an_officer_who_may_not_trace_the_person_gets_the_same_404_as_for_no_one(
    api, client, traced, ward_officer_phuc_xa, ward_officer_ngoc_lam, district_officer_long_bien
):
    unknown = status_of(api, 99)
    assert (unknown.status_code, unknown.json()) == (404, {"code": "not_found", "message": "Not found."})
    for outsider in (ward_officer_phuc_xa, ward_officer_ngoc_lam):
        answer = status_of(Api(client).login(outsider), 0)
        assert (answer.status_code, answer.json()) == (404, unknown.json())
        assert AuditEntry.objects.filter(
            action="scope.denied", actor_id=outsider.pk, object_type="people.person"
        ).exists()
    assert status_of(Api(client).login(district_officer_long_bien), 0).json()["f_level"] == "F0"


def test_the_ward_that_found_a_case_may_read_its_status(api, client, resident, ward_officer_ngoc_lam):
    resident(0)
    found = Api(client).login(ward_officer_ngoc_lam)
    found.post(
        "/cases",
        {"cccd": cccd_of(0), "confirmed_at": "2021-09-10T09:00", "detected_in": "screening",
         "source_known": False, "test_ref": "T-2", "detected_unit": "00133"},
    )  # fmt: skip
    assert status_of(found, 0).json()["f_level"] == "F0"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cccd": "0010"}, "cccd"),
        ({}, "cccd"),
        ({"cccd": cccd_of(0), "id": 1}, "id"),
        ({"cccd": 1080100000}, "cccd"),
    ],
)
def test_bad_input_is_422(api, traced, body, field):
    answer = api.post("/people/status", body)
    assert answer.status_code == 422
    payload = answer.json()
    assert payload.get("field") == field or payload["errors"][0]["field"] == field


def test_who_may_ask(client, traced, welfare_officer_bo_de):
    client.logout()
    body = {"cccd": cccd_of(0)}
    assert client.post("/api/v1/people/status", body, content_type="application/json").status_code == 401
    assert status_of(Api(client).login(welfare_officer_bo_de), 0).status_code == 403


def test_the_status_path_is_not_taken_for_a_person_id(client, city_commander):
    # The registry's GET /people/{id} sits beside it; a GET here is not a person look-up.
    answer = Api(client).login(city_commander).get("/people/status")
    assert answer.status_code == 405
