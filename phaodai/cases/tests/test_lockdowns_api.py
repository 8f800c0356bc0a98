"""The lockdowns API: declare (201, 200 on retry, 409 in force, 422 bad input), read, extend, lift."""

from typing import Any

import pytest
import time_machine

from phaodai.cases.models import Cluster, Lockdown
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db

NOW = hanoi(2021, 9, 12, 9, 0)


@pytest.fixture(autouse=True)
def _september() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


class Api:
    def __init__(self, client: Any) -> None:
        self.client = client

    def login(self, user: Any) -> "Api":
        self.client.force_login(user)
        return self

    def get(self, url: str) -> Any:
        return self.client.get(f"/api/v1/lockdowns{url}")

    def post(self, url: str, body: Any) -> Any:
        return self.client.post(f"/api/v1/lockdowns{url}", body, content_type="application/json")


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


def body(where: Any, **overrides: Any) -> dict[str, Any]:
    fields = {
        "area": where.code,
        "scope": "lane",
        "place": "Ngõ 66 phố Bồ Đề",
        "reason": "Ổ dịch trong ngõ",
        "decision_number": "125/QĐ-UBND",
        "starts_at": "2021-09-10T12:00:00+07:00",
        "planned_end_at": "2021-09-24T12:00:00+07:00",
        "people_inside": 420,
        "checkpoints": ["Đầu ngõ 66", "Cuối ngõ 66"],
    }
    fields.update(overrides)
    return fields


def test_declaring_answers_201_then_200_for_the_same_lockdown(
    api: Api, ward_officer_bo_de: Any, bo_de_area: Any
) -> None:
    api.login(ward_officer_bo_de)
    first = api.post("", body(bo_de_area))
    assert first.status_code == 201, first.json()
    made = first.json()
    assert (made["status"], made["scope"], made["version"], made["area"]["ward"]) == (
        "in_force",
        "lane",
        1,
        "00139",
    )
    assert made["checkpoints"] == ["Đầu ngõ 66", "Cuối ngõ 66"]
    again = api.post("", body(bo_de_area))
    assert (again.status_code, again.json()["id"]) == (200, made["id"])
    other = api.post("", body(bo_de_area, decision_number="130/QĐ-UBND"))
    assert other.status_code == 409
    assert (other.json()["code"], other.json()["existing_lockdown"]) == ("lockdown_in_force", made["id"])


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"planned_end_at": "2021-09-09T12:00:00+07:00"}, "lockdown_ends_before_start", "planned_end_at"),
        ({"starts_at": "2021-09-10T12:00:00"}, "invalid_input", "starts_at"),
        ({"area": "00139-NOPE"}, "invalid_input", "area"),
        ({"scope": "street"}, "invalid_input", "scope"),
        ({"cluster": 999999}, "invalid_input", "cluster"),
        ({"people_inside": -5}, "invalid_input", "people_inside"),
        ({"surprise": 1}, "invalid_input", "surprise"),
    ],
    ids=[
        "ends before start",
        "no offset",
        "unknown area",
        "bad scope",
        "unknown cluster",
        "negative people",
        "unknown field",
    ],
)
def test_bad_input_is_422_and_nothing_is_written(
    api: Api, ward_officer_bo_de: Any, bo_de_area: Any, overrides: dict[str, Any], code: str, field: str
) -> None:
    api.login(ward_officer_bo_de)
    response = api.post("", body(bo_de_area, **overrides))
    assert response.status_code == 422, response.json()
    answer = response.json()
    assert answer["code"] == code
    assert answer.get("field") == field or any(e["field"] == field for e in answer.get("errors", []))
    assert not Lockdown.objects.exists()


def test_a_cluster_outside_the_users_units_is_not_found_in_the_body(
    api: Api, ward_officer_bo_de: Any, bo_de_area: Any, unit: Any
) -> None:
    elsewhere = Cluster.objects.create(
        code="BD-01", name="Ổ dịch Phúc Xá", unit=unit("00001"), path="/01/001/00001/",
        first_case_at=NOW, last_case_at=NOW,
    )  # fmt: skip
    api.login(ward_officer_bo_de)
    response = api.post("", body(bo_de_area, cluster=elsewhere.pk))
    assert (response.status_code, response.json()["field"]) == (422, "cluster")


def test_outside_their_units_declaring_and_reading_are_404(
    api: Api, ward_officer_bo_de: Any, ward_officer_phuc_xa: Any, bo_de_area: Any, client: Any
) -> None:
    made = api.login(ward_officer_bo_de).post("", body(bo_de_area)).json()
    api.login(ward_officer_phuc_xa)
    assert api.post("", body(bo_de_area, place="Ngõ 1")).status_code == 404
    assert api.get(f"/{made['id']}").status_code == 404
    assert api.post(f"/{made['id']}/lift", {"ended_at": "2021-09-11T08:00:00+07:00"}).status_code == 404
    assert api.get("").json() == []


def test_extend_then_lift_once(api: Api, ward_officer_bo_de: Any, bo_de_area: Any) -> None:
    api.login(ward_officer_bo_de)
    made = api.post("", body(bo_de_area)).json()
    stale = api.post(f"/{made['id']}/extend", {"planned_end_at": "2021-10-01T12:00:00+07:00", "version": 9})
    assert (stale.status_code, stale.json()["code"]) == (409, "lockdown_changed")
    extended = api.post(
        f"/{made['id']}/extend", {"planned_end_at": "2021-10-01T12:00:00+07:00", "version": 1}
    )
    assert extended.status_code == 200
    assert (extended.json()["version"], extended.json()["planned_end_at"]) == (2, "2021-10-01T05:00:00Z")
    before = api.post(f"/{made['id']}/lift", {"ended_at": "2021-09-10T11:00:00+07:00", "version": 2})
    assert (before.status_code, before.json()["code"]) == (422, "lockdown_ends_before_start")
    lifted = api.post(f"/{made['id']}/lift", {"ended_at": "2021-09-12T08:00:00+07:00", "version": 2})
    assert (lifted.status_code, lifted.json()["status"]) == (200, "lifted")
    twice = api.post(f"/{made['id']}/lift", {"ended_at": "2021-09-12T08:00:00+07:00"})
    assert (twice.status_code, twice.json()["code"]) == (409, "lockdown_lifted")
    listed = api.get("?status=lifted").json()
    assert [row["id"] for row in listed] == [made["id"]]


def test_roles_that_cannot_declare_get_403(
    api: Api, health_worker_bo_de: Any, welfare_officer_bo_de: Any, bo_de_area: Any
) -> None:
    api.login(health_worker_bo_de)
    assert api.post("", body(bo_de_area)).status_code == 403
    assert api.get("").status_code == 200  # health workers read lockdowns
    api.login(welfare_officer_bo_de)
    assert api.get("").status_code == 403
