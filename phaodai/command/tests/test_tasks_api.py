"""The tasks API: create, list, read, report progress (idempotent), documents; coded refusals."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from phaodai.command import services
from phaodai.command.models import Document, Task, TaskUpdate
from phaodai.command.tests.test_tasks_services import register, ward_task
from phaodai.core.clock import hanoi, to_local

pytestmark = pytest.mark.django_db
API = "/api/v1/command"


@pytest.fixture
def api(client):
    class Caller:
        def as_(self, user):
            client.force_login(user)
            return self

        def get(self, path):
            return client.get(f"{API}{path}")

        def post(self, path, data=None, **headers):
            return client.post(f"{API}{path}", data or {}, content_type="application/json", headers=headers)

    return Caller()


def next_year() -> int:
    return timezone.localtime().year + 1


def task_json(**fields):
    body = {
        "title": "Thành lập/kiện toàn Ban Chỉ đạo và Sở Chỉ huy phòng, chống dịch",
        "due_at": f"{next_year()}-09-07T17:00:00",
        "lead": {"unit": "00139"},
        "cooperating": [{"unit": "00133"}],
        "priority": "urgent",
    }
    body.update(fields)
    return body


def live_task(district, unit):
    return ward_task(district, unit, due_at=timezone.now() + timedelta(days=1), clock=timezone.now)


def test_a_district_assigns_a_task_and_a_naive_due_time_is_hanoi_time(api, district_officer_long_bien):
    response = api.as_(district_officer_long_bien).post("/tasks", task_json())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["due_local"] == f"07/09/{next_year()} 17:00"
    assert to_local(Task.objects.get().due_at) == hanoi(next_year(), 9, 7, 17, 0)
    assert body["assigned_by"]["code"] == "004" and body["status"] == "open" and body["updates"] == []
    assert [(a["unit"]["code"], a["role"]) for a in body["assignees"]] == [
        ("00139", "lead"),
        ("00133", "cooperating"),
    ]


def test_the_city_assigns_to_a_department(api, city_commander):
    body = task_json(
        lead={"unit": "01", "office": "SYT"},
        cooperating=[{"unit": "004"}],
        due_at=f"{next_year()}-09-25T10:00:00+07:00",
    )
    response = api.as_(city_commander).post("/tasks", body)
    assert response.status_code == 201
    lead, district = response.json()["assignees"]
    assert (lead["role"], lead["office"]) == ("lead", {"code": "SYT", "name": "Sở Y tế"})
    assert (district["unit"]["code"], district["office"]) == ("004", None)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"lead": {"unit": "01"}}, "assignee_outside", "lead"),
        ({"cooperating": [{"unit": "00001"}]}, "assignee_outside", "cooperating"),
        ({"lead": {"unit": "99999"}}, "invalid_input", "lead"),
        ({"lead": {"unit": "004", "office": "SYT"}}, "office_not_in_unit", "lead"),
        ({"due_at": "2021-09-05T17:00:00"}, "due_time_invalid", "due_at"),
        ({"due_at": "3021-09-05T17:00:00"}, "due_time_invalid", "due_at"),
    ],
)
def test_bad_tasks_are_refused_with_a_code_and_the_field(
    api, district_officer_long_bien, fields, code, field
):
    response = api.as_(district_officer_long_bien).post("/tasks", task_json(**fields))
    assert response.status_code == 422
    assert (response.json()["code"], response.json().get("field")) == (code, field)
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"due_at": "next tuesday"},
        {"priority": "whenever"},
        {"lead": "00139"},
        {"surprise": 1},
        {"recurrence": "hourly"},
    ],
)
def test_unparseable_tasks_are_refused(api, district_officer_long_bien, fields):
    response = api.as_(district_officer_long_bien).post("/tasks", task_json(**fields))
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


def test_a_unit_can_only_assign_as_its_own(api, ward_officer_bo_de, health_worker_bo_de):
    response = api.as_(ward_officer_bo_de).post("/tasks", task_json(assigned_by="004"))
    assert response.status_code == 422 and response.json()["field"] == "assigned_by"
    assert api.as_(health_worker_bo_de).post("/tasks", task_json()).status_code == 403


def test_lists_are_scoped_and_filtered(
    api, district_officer_long_bien, ward_officer_bo_de, ward_officer_phuc_xa, unit
):
    task = live_task(district_officer_long_bien, unit)
    ours = api.as_(ward_officer_bo_de).get("/tasks").json()
    assert [t["id"] for t in ours["items"]] == [task.pk] and ours["next_cursor"] == ""
    assert api.as_(ward_officer_bo_de).get("/tasks?overdue=true").json()["items"] == []
    assert api.as_(ward_officer_bo_de).get("/tasks?status=done").json()["items"] == []
    assert [
        t["id"] for t in api.as_(district_officer_long_bien).get("/tasks?mine=assigned").json()["items"]
    ] == [task.pk]
    assert api.as_(ward_officer_phuc_xa).get("/tasks").json()["items"] == []
    assert api.as_(ward_officer_bo_de).get("/tasks?status=sideways").status_code == 422


def test_overdue_filter_finds_a_task_past_due(api, district_officer_long_bien, ward_officer_bo_de, unit):
    task = ward_task(district_officer_long_bien, unit)  # due 07/9/2021: long past
    items = api.as_(ward_officer_bo_de).get("/tasks?overdue=true").json()["items"]
    assert [(t["id"], t["overdue"]) for t in items] == [(task.pk, True)]


def test_a_task_out_of_scope_is_not_found(api, district_officer_long_bien, ward_officer_phuc_xa, unit):
    task = live_task(district_officer_long_bien, unit)
    response = api.as_(ward_officer_phuc_xa).get(f"/tasks/{task.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert (
        api.as_(ward_officer_phuc_xa).post(f"/tasks/{task.pk}/progress", {"progress": 10}).status_code == 404
    )


def test_a_retried_report_returns_the_same_update_with_200(
    api, district_officer_long_bien, ward_officer_bo_de, unit
):
    task = live_task(district_officer_long_bien, unit)
    caller = api.as_(ward_officer_bo_de)
    first = caller.post(
        f"/tasks/{task.pk}/progress", {"progress": 40, "note": "Đã họp"}, **{"Idempotency-Key": "r-1"}
    )
    again = caller.post(
        f"/tasks/{task.pk}/progress", {"progress": 40, "note": "Đã họp"}, **{"Idempotency-Key": "r-1"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["task_status"] == "in_progress" and first.json()["task_version"] == 2
    assert TaskUpdate.objects.count() == 1
    detail = caller.get(f"/tasks/{task.pk}").json()
    assert [u["note"] for u in detail["updates"]] == ["Đã họp"] and detail["progress"] == 40


@pytest.mark.parametrize("progress", [101, -5])
def test_progress_out_of_range_is_refused(
    api, district_officer_long_bien, ward_officer_bo_de, unit, progress
):
    task = live_task(district_officer_long_bien, unit)
    response = api.as_(ward_officer_bo_de).post(f"/tasks/{task.pk}/progress", {"progress": progress})
    assert response.status_code == 422 and response.json()["code"] == "progress_out_of_range"


def test_a_report_on_a_done_task_is_a_conflict(api, district_officer_long_bien, ward_officer_bo_de, unit):
    task = live_task(district_officer_long_bien, unit)
    caller = api.as_(ward_officer_bo_de)
    assert caller.post(f"/tasks/{task.pk}/progress", {"progress": 100, "status": "done"}).status_code == 201
    response = caller.post(f"/tasks/{task.pk}/progress", {"progress": 50})
    assert response.status_code == 409 and response.json()["code"] == "task_closed"


def test_a_stale_version_is_a_conflict(api, district_officer_long_bien, ward_officer_bo_de, unit):
    task = live_task(district_officer_long_bien, unit)
    services.post_progress(task=task, by=ward_officer_bo_de, progress=10)
    response = api.as_(ward_officer_bo_de).post(f"/tasks/{task.pk}/progress", {"progress": 50, "version": 1})
    assert response.status_code == 409 and response.json()["code"] == "task_changed"


def test_documents_are_listed_and_registered(api, city_commander, district_officer_long_bien, unit):
    register(
        city_commander,
        unit("01"),
        number="06-CT/TU",
        public=True,
        kind=Document.Kind.DIRECTIVE,
        issued_on=date(2021, 9, 1),
    )
    caller = api.as_(district_officer_long_bien)
    body = {
        "number": "51-KH/QU", "kind": "ke_hoach", "issuer": "Ban Thường vụ Quận ủy Long Biên",
        "issued_on": "2021-09-05", "title": "Kế hoạch thực hiện Chỉ thị 06-CT/TU",
    }  # fmt: skip
    created = caller.post("/documents", body)
    assert created.status_code == 201 and created.json()["unit"]["code"] == "004"
    assert caller.post("/documents", body).json()["code"] == "document_registered"
    numbers = [d["number"] for d in caller.get("/documents").json()]
    assert numbers == ["51-KH/QU", "06-CT/TU"]
    assert [d["number"] for d in caller.get("/documents?q=51-kh").json()] == ["51-KH/QU"]
    bad = caller.post("/documents", {**body, "kind": "rumour"})
    assert bad.status_code == 422


def test_anonymous_callers_get_401(client):
    assert client.get(f"{API}/tasks").status_code == 401
