"""Pages of the register and tasks: forms refuse bad input beside the field, files only in scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phaodai.command import services
from phaodai.command.models import Document, Task, TaskUpdate
from phaodai.command.tests.test_tasks_services import PDF, PNG, register, upload, ward_task
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def future(days: int = 2) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def live_task(district, unit, **fields):
    """A Long Biên task due in the future of the real clock (the pages use it)."""
    fields.setdefault("due_at", timezone.now() + timedelta(days=1))
    fields.setdefault("clock", timezone.now)
    return ward_task(district, unit, **fields)


# Documents -------------------------------------------------------------------------------------------


def test_the_register_lists_and_searches_documents(client, city_commander, unit):
    register(city_commander, unit("01"), number="788-CV/BCSD", title="V/v phân công nhiệm vụ")
    register(city_commander, unit("01"), number="06-CT/TU", title="Nâng cao hiệu quả")
    client.force_login(city_commander)
    page = client.get("/command/documents/")
    assert page.status_code == 200 and "788-CV/BCSD" in page.text and "06-CT/TU" in page.text
    found = client.get("/command/documents/?q=phan+cong", headers={"HX-Request": "true"})
    assert "788-CV/BCSD" in found.text and "06-CT/TU" not in found.text and "<html" not in found.text


def test_a_district_registers_a_plan_with_its_scan_and_downloads_it(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    form = client.get("/command/documents/add/")
    assert form.status_code == 200
    response = client.post(
        "/command/documents/add/",
        {
            "unit": "004", "number": "51-KH/QU", "kind": "ke_hoach", "issuer": "Ban Thường vụ Quận ủy",
            "issued_on": "05/09/2021", "title": "Kế hoạch thực hiện Chỉ thị 06-CT/TU",
            "file": upload("kh.pdf"),
        },
    )  # fmt: skip
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/command/documents/{document.pk}/"
    detail = client.get(f"/command/documents/{document.pk}/")
    assert "51-KH/QU" in detail.text and "05/09/2021" in detail.text
    download = client.get(f"/command/documents/{document.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert 'filename="kh.pdf"' in download["Content-Disposition"]


def test_a_wrong_file_is_refused_beside_the_field(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    response = client.post(
        "/command/documents/add/",
        {
            "unit": "004", "number": "51-KH/QU", "kind": "ke_hoach", "issuer": "BTV Quận ủy",
            "issued_on": "05/09/2021", "title": "Kế hoạch", "file": upload("kh.pdf", PNG),
        },
    )  # fmt: skip
    assert response.status_code == 422
    assert "Attach a PDF" in response.text and not Document.objects.exists()


def test_a_document_file_out_of_scope_is_not_found(
    client, district_officer_long_bien, ward_officer_phuc_xa, unit
):
    document = register(district_officer_long_bien, unit("004"), file=upload())
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/command/documents/{document.pk}/").status_code == 404
    assert client.get(f"/command/documents/{document.pk}/file/").status_code == 404


def test_pages_need_the_command_permission(client, health_worker_bo_de):
    client.force_login(health_worker_bo_de)
    assert client.get("/command/tasks/").status_code == 403
    assert client.get("/command/documents/").status_code == 403


# Tasks -----------------------------------------------------------------------------------------------


def test_a_district_assigns_a_task_through_the_form(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    form = client.get("/command/tasks/add/")
    assert form.status_code == 200 and "Phường Bồ Đề" in form.text
    response = client.post(
        "/command/tasks/add/",
        {
            "assigned_by": "004", "title": "UBND phường xây dựng kế hoạch", "lead": "00139",
            "cooperating": ["00133", "00136"], "due_at": future(), "priority": "high", "recurrence": "",
        },
    )  # fmt: skip
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/command/tasks/{task.pk}/"
    assert task.assignees.count() == 3 and task.priority == "high"


def test_the_form_refuses_a_due_time_in_the_past_and_a_lead_also_cooperating(
    client, district_officer_long_bien
):
    client.force_login(district_officer_long_bien)
    base = {"assigned_by": "004", "title": "x", "lead": "00139", "priority": "normal"}
    past = client.post("/command/tasks/add/", {**base, "due_at": "2021-09-05T17:00"})
    assert past.status_code == 422 and "Give a due time in the future" in past.text
    twice = client.post("/command/tasks/add/", {**base, "due_at": future(), "cooperating": ["00139"]})
    assert twice.status_code == 422 and "not also a cooperating one" in twice.text
    garbled = client.post("/command/tasks/add/", {**base, "due_at": "tomorrow-ish"})
    assert garbled.status_code == 422 and not Task.objects.exists()


def test_a_ward_cannot_pick_a_unit_outside_its_own(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    response = client.post(
        "/command/tasks/add/",
        {"assigned_by": "00139", "title": "x", "lead": "004", "due_at": future(), "priority": "normal"},
    )
    assert response.status_code == 422 and not Task.objects.exists()


def test_the_two_tabs(client, district_officer_long_bien, ward_officer_bo_de, unit):
    task = live_task(district_officer_long_bien, unit, title="Kiện toàn Ban Chỉ đạo")
    client.force_login(ward_officer_bo_de)
    assert "Kiện toàn Ban Chỉ đạo" in client.get("/command/tasks/").text
    assert "Kiện toàn Ban Chỉ đạo" not in client.get("/command/tasks/?tab=assigned").text
    client.force_login(district_officer_long_bien)
    assigned = client.get("/command/tasks/?tab=assigned&status=active&overdue=")
    assert "Kiện toàn Ban Chỉ đạo" in assigned.text
    assert task.due_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y %H:%M") in assigned.text


def test_the_task_list_page_costs_a_bounded_number_of_queries(
    client, district_officer_long_bien, ward_officer_bo_de, unit, django_assert_max_num_queries
):
    for i in range(20):
        live_task(district_officer_long_bien, unit, title=f"t{i}")
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(12):
        response = client.get("/command/tasks/")
    assert response.text.count("/command/tasks/") >= 20


def test_a_ward_reports_progress_and_a_double_submit_records_one_report(
    client, district_officer_long_bien, ward_officer_bo_de, unit
):
    task = live_task(district_officer_long_bien, unit)
    client.force_login(ward_officer_bo_de)
    page = client.get(f"/command/tasks/{task.pk}/")
    token = page.context["progress_form"].initial["token"]
    data = {"progress": "60", "status": "in_progress", "note": "Đã họp", "token": token, "version": "1"}
    first = client.post(f"/command/tasks/{task.pk}/progress/", {**data, "attachment": upload("bb.pdf")})
    again = client.post(f"/command/tasks/{task.pk}/progress/", {**data, "attachment": upload("bb.pdf")})
    assert (first.status_code, again.status_code) == (302, 302)
    update = TaskUpdate.objects.get()
    assert update.progress == 60 and update.attachment_name == "bb.pdf"
    timeline = client.get(f"/command/tasks/{task.pk}/")
    assert "Đã họp" in timeline.text and f"/command/updates/{update.pk}/attachment/" in timeline.text
    download = client.get(f"/command/updates/{update.pk}/attachment/")
    assert b"".join(download.streaming_content) == PDF


def test_the_progress_form_refuses_bad_values(client, district_officer_long_bien, ward_officer_bo_de, unit):
    task = live_task(district_officer_long_bien, unit)
    client.force_login(ward_officer_bo_de)
    too_much = client.post(
        f"/command/tasks/{task.pk}/progress/", {"progress": "101", "status": "in_progress", "token": "t"}
    )
    assert too_much.status_code == 422 and "from 0 to 100" in too_much.text
    exe = client.post(
        f"/command/tasks/{task.pk}/progress/",
        {"progress": "10", "status": "in_progress", "token": "t2", "attachment": upload("virus.exe", b"MZ")},
    )
    assert exe.status_code == 422 and "Attach a PDF" in exe.text
    assert not TaskUpdate.objects.exists()


def test_a_stale_form_gets_a_conflict_and_the_current_task(
    client, district_officer_long_bien, ward_officer_bo_de, unit
):
    task = live_task(district_officer_long_bien, unit)
    services.post_progress(task=task, by=ward_officer_bo_de, progress=30)
    client.force_login(ward_officer_bo_de)
    stale = client.post(
        f"/command/tasks/{task.pk}/progress/",
        {"progress": "50", "status": "in_progress", "token": "t3", "version": "1"},
    )
    assert stale.status_code == 409 and "Someone else updated this task first" in stale.text


def test_an_update_of_a_done_task_is_a_conflict(client, district_officer_long_bien, ward_officer_bo_de, unit):
    task = live_task(district_officer_long_bien, unit)
    services.post_progress(task=task, by=ward_officer_bo_de, progress=100, status="done")
    client.force_login(ward_officer_bo_de)
    response = client.post(
        f"/command/tasks/{task.pk}/progress/", {"progress": "50", "status": "in_progress", "token": "t"}
    )
    assert response.status_code == 409 and "must reopen it first" in response.text


def test_the_assigner_cancels_and_reopens_and_an_assignee_may_not(
    client, district_officer_long_bien, ward_officer_bo_de, unit
):
    task = live_task(district_officer_long_bien, unit)
    client.force_login(ward_officer_bo_de)
    assert client.post(f"/command/tasks/{task.pk}/cancel/", {"reason": "x"}).status_code == 403
    client.force_login(district_officer_long_bien)
    assert client.post(f"/command/tasks/{task.pk}/cancel/", {"reason": ""}).status_code == 422
    assert client.post(f"/command/tasks/{task.pk}/cancel/", {"reason": "Trùng"}).status_code == 302
    assert Task.objects.get(pk=task.pk).status == "cancelled"
    assert client.post(f"/command/tasks/{task.pk}/cancel/", {"reason": "Trùng"}).status_code == 409
    assert client.post(f"/command/tasks/{task.pk}/reopen/", {"reason": "Cần làm lại"}).status_code == 302
    assert Task.objects.get(pk=task.pk).status == "open"


def test_an_attachment_out_of_scope_is_not_found(
    client, district_officer_long_bien, ward_officer_bo_de, ward_officer_phuc_xa, unit
):
    task = live_task(district_officer_long_bien, unit)
    update, _ = services.post_progress(task=task, by=ward_officer_bo_de, progress=10, attachment=upload())
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/command/updates/{update.pk}/attachment/").status_code == 404
    assert client.get(f"/command/tasks/{task.pk}/").status_code == 404


def test_due_times_are_shown_in_hanoi_time(client, district_officer_long_bien, ward_officer_bo_de, unit):
    task = ward_task(district_officer_long_bien, unit, due_at=hanoi(2031, 9, 7, 17, 0), clock=timezone.now)
    client.force_login(ward_officer_bo_de)
    assert "07/09/2031 17:00" in client.get(f"/command/tasks/{task.pk}/").text


def test_the_pages_render_vietnamese_first(vietnamese_client, district_officer_long_bien, unit):
    task = live_task(district_officer_long_bien, unit)
    document = register(district_officer_long_bien, unit("004"))
    vietnamese_client.force_login(district_officer_long_bien)
    for path in (
        "/command/tasks/",
        "/command/tasks/?tab=assigned",
        "/command/tasks/add/",
        f"/command/tasks/{task.pk}/",
        "/command/documents/",
        "/command/documents/add/",
        f"/command/documents/{document.pk}/",
    ):
        response = vietnamese_client.get(path)
        assert response.status_code == 200 and response["Content-Language"] == "vi", path
