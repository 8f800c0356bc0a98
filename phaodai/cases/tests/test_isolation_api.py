"""The isolation API: orders (201, 200 on retry, 409 second order, 409 facility_full), transitions, daily
checks (201, 200 again, 409 different, 422 future day), the worklist, lost to follow-up and counts."""

from datetime import date
from typing import Any

import pytest
import time_machine

from phaodai.cases import isolation
from phaodai.cases.models import FollowUp, IsolationOrder
from phaodai.cases.tests.conftest import at
from phaodai.cases.tests.isolation_support import day, facility, order
from phaodai.people.tests.conftest import cccd_for
from phaodai.quarantine.models import Admission

pytestmark = pytest.mark.django_db
NOW = day(12, 10)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


class Api:
    """JSON requests to /api/v1/isolation as the signed-in user."""

    def __init__(self, client: Any, user: Any) -> None:
        client.force_login(user)
        self.client = client

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1/isolation{url}", params)

    def post(self, url: str, body: Any, *, key: str | None = None) -> Any:
        headers = {"Idempotency-Key": key} if key is not None else {}
        return self.client.post(
            f"/api/v1/isolation{url}", body, content_type="application/json", headers=headers
        )


@pytest.fixture
def api(client: Any, health_worker_bo_de: Any) -> Api:
    return Api(client, health_worker_bo_de)


def cccd_of(n: int) -> str:
    return cccd_for(1980, "M", serial=100000 + n)


# Orders ----------------------------------------------------------------------------------------------


def test_an_order_by_cccd_answers_201_then_200_on_a_retry(api: Api, resident: Any) -> None:
    person = resident(1)
    body = {"cccd": cccd_of(1), "subject": "F1", "setting": "home", "starts_at": "2021-09-12T08:00"}
    created = api.post("/orders", body, key="k-1")
    retried = api.post("/orders", body, key="k-1")
    assert (created.status_code, retried.status_code) == (201, 200), created.json()
    answer = created.json()
    assert answer["id"] == retried.json()["id"]
    assert answer["person"] == {"id": str(person.pk), "name": "Trần V. B."}
    assert (answer["isolation_ends_at"], answer["monitoring_ends_at"]) == (
        "2021-09-26T01:00:00Z",
        "2021-10-03T01:00:00Z",
    )
    assert answer["tests_due"] == ["2021-09-12", "2021-09-18", "2021-09-25"]
    assert answer["area"]["code"] == "00139-TDP05" and answer["version"] == 1
    assert cccd_of(1) not in created.content.decode()


def test_a_second_open_order_is_409_naming_the_first(
    api: Api, resident: Any, health_worker_bo_de: Any
) -> None:
    person = resident(1)
    first = order(health_worker_bo_de, person)
    refused = api.post("/orders", {"person_id": str(person.pk), "subject": "F2", "setting": "home"})
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["existing_order"]) == ("isolation_order_open", first.pk)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"subject": "F1", "setting": "home"}, 422, ""),  # nobody named
        ({"cccd": "123", "subject": "F1", "setting": "home"}, 422, "cccd"),
        ({"cccd": "001080100099", "subject": "F1", "setting": "home"}, 422, "cccd"),  # not registered
        ({"cccd": "001080100001", "subject": "F9", "setting": "home"}, 422, "subject"),
        (
            {"cccd": "001080100001", "subject": "F1", "setting": "home", "starts_at": "2021-09-20T08:00"},
            422,
            "starts_at",
        ),
        ({"cccd": "001080100001", "subject": "F1", "setting": "facility"}, 422, "facility"),
        ({"cccd": "001080100001", "subject": "F1", "setting": "home", "area": "00139-NOPE"}, 422, "area"),
        ({"cccd": "001080100001", "subject": "F1", "setting": "home", "extra": 1}, 422, "extra"),
    ],
)
def test_bad_orders_are_refused_with_the_field(
    api: Api, resident: Any, body: dict[str, Any], status: int, field: str
) -> None:
    resident(1)
    refused = api.post("/orders", body)
    assert refused.status_code == status, refused.json()
    assert refused.json().get("field", "") == field or refused.json()["errors"][0]["field"] == field
    assert not IsolationOrder.objects.exists()


def test_a_full_facility_is_409_with_free_beds_elsewhere_and_nothing_written(
    api: Api, resident: Any, health_worker_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    small = facility(city_commander, unit, "Trường THCS Ngọc Lâm", beds=(1, 0, 0))
    other = facility(city_commander, unit, "Ký túc xá Long Biên", beds=(4, 0, 0))
    order(health_worker_bo_de, resident(1), setting="facility", facility=small, starts=day(11), now=day(11))
    resident(2)
    refused = api.post(
        "/orders", {"cccd": cccd_of(2), "subject": "F1", "setting": "facility", "facility_id": small.pk}
    )
    assert refused.status_code == 409
    body = refused.json()
    assert (body["code"], body["free_elsewhere"]) == ("facility_full", 4)
    assert body["alternatives"] == [{"id": other.pk, "name": "Ký túc xá Long Biên", "free": 4}]
    assert IsolationOrder.objects.count() == Admission.objects.count() == 1


def test_a_facility_order_by_a_role_that_does_not_admit_is_403(
    client: Any, resident: Any, ward_officer_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    dorm = facility(city_commander, unit)
    resident(1)
    api = Api(client, ward_officer_bo_de)
    refused = api.post(
        "/orders", {"cccd": cccd_of(1), "subject": "F1", "setting": "facility", "facility_id": dorm.pk}
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "facility_needs_admitter")


def test_orders_are_listed_by_status_and_read_in_scope(
    api: Api, client: Any, resident: Any, health_worker_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    made = [order(health_worker_bo_de, resident(n), starts=day(9 + n), now=day(12)) for n in (1, 2)]
    listed = api.get("/orders", status="active", limit=1)
    assert [o["id"] for o in listed.json()["items"]] == [made[1].pk]
    rest = api.get("/orders", status="active", after=listed.json()["next_after"]).json()
    assert ([o["id"] for o in rest["items"]], rest["next_after"]) == ([made[0].pk], None)
    assert api.get(f"/orders/{made[0].pk}").json()["status"] == "active"
    outsider = Api(client, ward_officer_phuc_xa)
    assert outsider.get(f"/orders/{made[0].pk}").status_code == 404
    assert outsider.get("/orders").json()["items"] == []


# Transitions -----------------------------------------------------------------------------------------


def test_release_before_the_end_needs_a_reason_then_a_second_release_is_409(
    api: Api, resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    refused = api.post(f"/orders/{made.pk}/release", {"decision": "12/QĐ", "version": 1})
    assert (refused.status_code, refused.json()["code"]) == (422, "early_release_needs_reason")
    before = api.post(
        f"/orders/{made.pk}/release", {"decision": "12/QĐ", "released_at": "2021-09-09T08:00", "reason": "x"}
    )
    assert (before.status_code, before.json()["code"]) == (422, "release_before_start")
    done = api.post(
        f"/orders/{made.pk}/release", {"decision": "12/QĐ", "version": 1, "reason": "Wrong person"}
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["release_decision"], done.json()["version"]) == (
        "released",
        "12/QĐ",
        2,
    )
    again = api.post(f"/orders/{made.pk}/release", {"decision": "13/QĐ", "reason": "x"})
    assert (again.status_code, again.json()["code"]) == (409, "isolation_order_closed")


def test_monitoring_and_cancel_on_a_stale_version_are_409(
    api: Api, resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(
        health_worker_bo_de, resident(1), subject="F2", starts=day(4), now=day(4)
    )  # 7 days: over on 11/9
    moved = api.post(f"/orders/{made.pk}/monitoring", {"version": 1})
    assert (moved.status_code, moved.json()["status"]) == (200, "monitoring")
    stale = api.post(f"/orders/{made.pk}/cancel", {"reason": "Duplicate", "version": 1})
    assert (stale.status_code, stale.json()["code"]) == (409, "isolation_order_changed")
    assert (
        api.post(f"/orders/{made.pk}/cancel", {"reason": "Duplicate", "version": 2}).json()["status"]
        == "cancelled"
    )


# Checks ----------------------------------------------------------------------------------------------


def test_a_check_is_201_then_200_again_and_409_when_different(
    api: Api, resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    body = {"day": "2021-09-11", "result": "symptoms", "symptoms": ["cough", "fever"], "temperature": "38.4"}
    first = api.post(f"/orders/{made.pk}/follow-ups", body)
    again = api.post(f"/orders/{made.pk}/follow-ups", {**body, "symptoms": ["fever", "cough"]})
    assert (first.status_code, again.status_code) == (201, 200), first.json()
    assert first.json()["symptoms"] == ["cough", "fever"] and first.json()["temperature"] == "38.4"
    different = api.post(f"/orders/{made.pk}/follow-ups", {"day": "2021-09-11", "result": "well"})
    assert (different.status_code, different.json()["existing_follow_up"]) == (409, first.json()["id"])
    assert [c["day"] for c in api.get(f"/orders/{made.pk}/follow-ups").json()] == ["2021-09-11"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"day": "2021-09-13", "result": "well"}, "follow_up_day_outside"),
        ({"day": "2021-09-09", "result": "well"}, "follow_up_day_outside"),
        ({"day": "2021-09-11", "result": "well", "temperature": 45}, "invalid_input"),
        ({"day": "2021-09-11", "result": "symptoms", "symptoms": ["sneezing"]}, "invalid_input"),
        ({"day": "11/09/2021", "result": "well"}, "invalid_input"),
    ],
)
def test_bad_checks_are_422_and_nothing_is_written(
    api: Api, resident: Any, health_worker_bo_de: Any, body: dict[str, Any], code: str
) -> None:
    made = order(health_worker_bo_de, resident(1))
    refused = api.post(f"/orders/{made.pk}/follow-ups", body)
    assert (refused.status_code, refused.json()["code"]) == (422, code)
    assert not FollowUp.objects.exists()


# Worklist, lost, counts ------------------------------------------------------------------------------


def test_the_worklist_and_the_lost_as_json(api: Api, resident: Any, health_worker_bo_de: Any) -> None:
    seen, unseen = (order(health_worker_bo_de, resident(n)) for n in (1, 2))
    for n in (10, 11):
        isolation.record_follow_up(
            by=health_worker_bo_de, order=seen, day=date(2021, 9, n), result="well", clock=at(day(n, 18))
        )
    work = api.get("/worklist").json()
    assert (work["day"], work["too_many"]) == ("2021-09-12", False)
    assert work["area_counts"] == [
        {"code": "00139-TDP05", "name": "Tổ dân phố 5", "ward": work["areas"][0]["area"]["ward"], "people": 2}
    ]
    items = {item["order"]: item for item in work["areas"][0]["items"]}
    assert items[seen.pk]["lost"] is None and items[unseen.pk]["lost"] == "not_checked"
    assert items[seen.pk]["day_number"] == 3 and items[seen.pk]["phase"] == "isolation"
    assert [item["order"] for item in api.get("/lost").json()] == [unseen.pk]
    assert api.get("/worklist", area="00001-TDP01").status_code == 404
    assert api.get("/counts", day="2021-09-12").json()["counts"] == {
        "home": 2,
        "facility": 0,
        "hospital": 0,
        "monitoring": 0,
    }


def test_roles_that_do_not_isolate_are_403_and_anonymous_401(client: Any, welfare_officer_bo_de: Any) -> None:
    assert client.get("/api/v1/isolation/worklist").status_code == 401
    assert Api(client, welfare_officer_bo_de).get("/worklist").status_code == 403


# Implausible days: a clear 422, never a crash (API and pages alike) -------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
@pytest.mark.parametrize(
    "path", ["/api/v1/isolation/worklist", "/api/v1/isolation/lost", "/api/v1/isolation/counts"]
)
def test_an_implausible_day_is_refused_by_the_api(
    client: Any, health_worker_bo_de: Any, path: str, day: str
) -> None:
    client.force_login(health_worker_bo_de)
    answer = client.get(path, {"day": day})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_input" and "1900" in answer.json()["message"]


@pytest.mark.parametrize("day", ["0001-01-01", "31/12/9999"])
@pytest.mark.parametrize("path", ["/cases/isolation/worklist/", "/cases/isolation/lost/"])
def test_an_implausible_day_is_refused_by_the_pages(
    client: Any, health_worker_bo_de: Any, path: str, day: str
) -> None:
    client.force_login(health_worker_bo_de)
    assert client.get(path, {"day": day}).status_code == 422


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "2300-01-01T00:00:00+07:00"]
)
def test_an_implausible_occupancy_time_is_refused(client: Any, city_commander: Any, moment: str) -> None:
    client.force_login(city_commander)
    answer = client.get("/api/v1/quarantine/occupancy", {"at": moment})
    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["field"]) == ("invalid_input", "at")
    assert client.get("/api/v1/quarantine/occupancy", {"at": "2021-09-10T18:00:00"}).status_code == 200
