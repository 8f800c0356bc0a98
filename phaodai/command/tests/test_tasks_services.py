"""Directives and tasks: registering, assigning within the subtree, progress, cancel/reopen, recurrence."""

import io
import threading
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from phaodai.command import services
from phaodai.command.models import Document, Office, Task, TaskAssignee, TaskUpdate
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.notifications.models import Notification

pytestmark = pytest.mark.django_db

T0 = hanoi(2021, 9, 6, 8, 0)
DUE = hanoi(2021, 9, 7, 17, 0)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def at(moment: datetime) -> Any:
    return lambda: moment


def docx_bytes(*, word: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if word:
            archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str = "ke-hoach.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def register(by: Any, unit: Any, number: str = "…-KH/QU", **fields: Any) -> Document:
    values: dict[str, Any] = {
        "kind": Document.Kind.PLAN,
        "issuer": "Ban Thường vụ Quận ủy Long Biên",
        "issued_on": date(2021, 9, 5),
        "title": "Kế hoạch thực hiện Chỉ thị số 06-CT/TU",
        "clock": at(T0),
    }
    values.update(fields)
    return services.register_document(by=by, unit=unit, number=number, **values)


def ward_task(district: Any, unit: Any, **fields: Any) -> Task:
    """Long Biên gives Bồ Đề (lead) and Ngọc Lâm (cooperating) a task due 17:00 07/9."""
    values: dict[str, Any] = {
        "title": "Thành lập/kiện toàn Ban Chỉ đạo và Sở Chỉ huy phòng, chống dịch",
        "due_at": DUE,
        "lead": services.assignee("00139"),
        "cooperating": [services.assignee("00133", field="cooperating")],
        "clock": at(T0),
    }
    values.update(fields)
    return services.create_task(by=district, assigned_by=unit("004"), **values)


def later(hours: float) -> Any:
    return at(T0 + timedelta(hours=hours))


# Reference data --------------------------------------------------------------------------------------


def test_the_city_departments_are_shipped_after_migrate():
    names = set(Office.objects.filter(unit__code="01").values_list("name", flat=True))
    assert {"Sở Y tế", "Công an Thành phố", "Sở Công Thương", "Sở Giao thông vận tải"} <= names
    assert len(names) == 7


# Documents -------------------------------------------------------------------------------------------


def test_a_district_registers_its_plan_with_a_normalised_number_and_its_scan(
    district_officer_long_bien, unit
):
    document = register(district_officer_long_bien, unit("004"), number="51 - kh/qu", file=upload())
    assert document.number == "51 - kh/qu" and document.number_key == "51-KH/QU"
    assert document.file_name == "ke-hoach.pdf"
    assert (
        document.file.name.endswith(".pdf") and "ke-hoach" not in document.file.name
    )  # stored under a random name
    assert AuditEntry.objects.filter(action="command.register_document", object_id=str(document.pk)).exists()


def test_the_same_number_and_date_twice_in_one_unit_is_refused(district_officer_long_bien, unit):
    register(district_officer_long_bien, unit("004"), number="51-KH/QU")
    with pytest.raises(services.DocumentNumberTaken) as refused:
        register(district_officer_long_bien, unit("004"), number="51 -KH/QU")
    assert refused.value.status == 409 and refused.value.field == "number"


def test_a_ward_cannot_register_in_the_district_register(ward_officer_bo_de, unit):
    with pytest.raises(OutOfScope):
        register(ward_officer_bo_de, unit("004"))
    assert AuditEntry.objects.filter(action="scope.denied").exists()


def test_a_role_without_command_cannot_register(health_worker_bo_de, unit):
    with pytest.raises(NotPermitted):
        register(health_worker_bo_de, unit("00139"))


def test_a_document_dated_in_the_future_is_refused(district_officer_long_bien, unit):
    with pytest.raises(InvalidInput) as refused:
        register(district_officer_long_bien, unit("004"), issued_on=date(2021, 9, 30))
    assert refused.value.field == "issued_on"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ke-hoach.exe", PDF),  # wrong extension
        ("ke-hoach.pdf", PNG),  # a PNG dressed as a PDF
        ("ke-hoach.png", PDF),  # a PDF dressed as a PNG
        ("ke-hoach.docx", docx_bytes(word=False)),  # a ZIP that is no Word document
        ("ke-hoach.docx", b"PK\x03\x04 not really a zip"),
        ("ke-hoach", PDF),  # no extension
    ],
)
def test_files_that_are_not_pdf_image_or_docx_are_refused(district_officer_long_bien, unit, name, content):
    with pytest.raises(services.UnsupportedFile) as refused:
        register(district_officer_long_bien, unit("004"), file=upload(name, content))
    assert refused.value.field == "file"
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("scan.png", PNG), ("scan.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 16), ("ke-hoach.docx", docx_bytes())],
)
def test_images_and_word_documents_are_accepted(district_officer_long_bien, unit, name, content):
    assert register(district_officer_long_bien, unit("004"), file=upload(name, content)).file


def test_a_file_over_the_limit_is_refused(district_officer_long_bien, unit, settings):
    settings.PHAODAI_MAX_UPLOAD_BYTES = 100
    with pytest.raises(services.FileTooLarge):
        register(district_officer_long_bien, unit("004"), file=upload(content=PDF + b"x" * 100))


# Assigning -------------------------------------------------------------------------------------------


def test_a_district_assigns_a_task_to_its_wards_and_each_ward_is_notified(district_officer_long_bien, unit):
    task = ward_task(district_officer_long_bien, unit, priority=Task.Priority.URGENT)
    roles = dict(task.assignees.values_list("unit__code", "role"))
    assert roles == {"00139": "lead", "00133": "cooperating"}
    assert (task.status, task.progress, task.version, task.assigned_by_path) == ("open", 0, 1, "/01/004/")
    notified = Notification.objects.filter(kind="command.task_assigned")
    assert sorted(notified.values_list("unit__code", flat=True)) == ["00133", "00139"]
    assert {n.perm for n in notified} == {"command.manage"} and {n.severity for n in notified} == {"urgent"}
    assert AuditEntry.objects.filter(action="command.create_task", object_id=str(task.pk)).exists()


def test_the_city_assigns_to_its_departments_and_to_districts(city_commander, unit):
    task = services.create_task(
        by=city_commander,
        assigned_by=unit("01"),
        title="Xét nghiệm tầm soát 2-3 ngày/lần ở các điểm đang phong tỏa",
        due_at=DUE,
        lead=services.assignee("01", "SYT"),
        cooperating=[
            services.assignee("004", field="cooperating"),
            services.assignee("00139", field="cooperating"),
        ],
        clock=at(T0),
    )
    lead = task.assignees.get(role="lead")
    assert lead.office is not None and (lead.unit.code, lead.office.code) == ("01", "SYT")
    assert task.assignees.count() == 3


@pytest.mark.parametrize(
    ("lead", "cooperating", "error", "field"),
    [
        (("01", None), [], services.AssigneeOutsideSubtree, "lead"),  # a district cannot task the city
        (
            ("00139", None),
            [("00001", None)],
            services.AssigneeOutsideSubtree,
            "cooperating",
        ),  # a Ba Đình ward
        (("99999", None), [], InvalidInput, "lead"),  # unknown unit
        (("004", "SYT"), [], services.OfficeNotInUnit, "lead"),  # Sở Y tế is the city's
        (("00139", None), [("00139", None)], InvalidInput, "cooperating"),  # twice
    ],
)
def test_assignees_must_be_known_and_within_the_assigning_unit(
    district_officer_long_bien, unit, lead, cooperating, error, field
):
    with pytest.raises(error) as refused:
        ward_task(
            district_officer_long_bien,
            unit,
            lead=services.assignee(*lead, field="lead"),
            cooperating=[services.assignee(*c, field="cooperating") for c in cooperating],
        )
    assert refused.value.field == field
    assert not Task.objects.exists()


def test_a_ward_cannot_assign_to_its_district(ward_officer_bo_de, unit):
    with pytest.raises(services.AssigneeOutsideSubtree):
        services.create_task(
            by=ward_officer_bo_de,
            assigned_by=unit("00139"),
            title="x",
            due_at=DUE,
            lead=services.assignee("004"),
            clock=at(T0),
        )


def test_a_ward_cannot_assign_in_the_name_of_its_district(ward_officer_bo_de, unit):
    with pytest.raises(OutOfScope):
        ward_task(ward_officer_bo_de, unit)


@pytest.mark.parametrize(
    "due_at",
    [
        hanoi(2021, 9, 5, 17, 0),  # already past
        datetime(3021, 9, 7, 17, 0).replace(tzinfo=T0.tzinfo),  # not plausible
        datetime(2021, 9, 7, 17, 0),  # naive: ambiguous
    ],
)
def test_a_due_time_in_the_past_or_implausible_is_refused(district_officer_long_bien, unit, due_at):
    with pytest.raises(services.DueTimeInvalid) as refused:
        ward_task(district_officer_long_bien, unit, due_at=due_at)
    assert refused.value.field == "due_at"


def test_a_task_is_drawn_from_a_document_of_the_unit_or_above(
    district_officer_long_bien, district_officer_ba_dinh, city_commander, unit
):
    city_plan = register(city_commander, unit("01"), number="06-CT/TU", kind=Document.Kind.DIRECTIVE)
    ba_dinh_plan = register(district_officer_ba_dinh, unit("001"), number="414-CV/QU")
    assert ward_task(district_officer_long_bien, unit, document=city_plan).document == city_plan
    with pytest.raises(InvalidInput) as refused:
        ward_task(district_officer_long_bien, unit, document=ba_dinh_plan)
    assert refused.value.field == "document"


def test_a_sub_task_takes_its_direction_s_document(city_commander, unit):
    letter = register(city_commander, unit("01"), number="788-CV/BCSD", kind=Document.Kind.LETTER)
    direction = services.create_task(
        by=city_commander, assigned_by=unit("01"), title="Chỉ đạo Sở Y tế", due_at=DUE,
        lead=services.assignee("01"), responsible_person="đ/c Chử Xuân Dũng", document=letter, clock=at(T0),
    )  # fmt: skip
    sub = services.create_task(
        by=city_commander, assigned_by=unit("01"), title="Tham mưu ban hành Chỉ thị", due_at=DUE,
        lead=services.assignee("01", "SYT"), parent=direction, clock=at(T0),
    )  # fmt: skip
    assert (sub.parent, sub.document) == (direction, letter)


# Progress --------------------------------------------------------------------------------------------


def test_the_lead_ward_reports_progress_then_done(district_officer_long_bien, ward_officer_bo_de, unit):
    task = ward_task(district_officer_long_bien, unit)
    update, created = services.post_progress(
        task=task, by=ward_officer_bo_de, progress=40, note="Đã có quyết định thành lập BCĐ", clock=later(2)
    )
    task.refresh_from_db()
    assert created and (update.unit.code, update.progress, update.status) == ("00139", 40, "in_progress")
    assert (task.status, task.progress, task.version) == ("in_progress", 40, 2)
    services.post_progress(task=task, by=ward_officer_bo_de, progress=80, status="done", clock=later(5))
    task.refresh_from_db()
    assert (task.status, task.progress, task.completed_at) == ("done", 100, T0 + timedelta(hours=5))
    assert Notification.objects.filter(kind="command.task_done", unit__code="004").count() == 1


def test_a_cooperating_ward_may_report_too(district_officer_long_bien, ward_officer_ngoc_lam, unit):
    task = ward_task(district_officer_long_bien, unit)
    update, _ = services.post_progress(task=task, by=ward_officer_ngoc_lam, progress=10, clock=later(1))
    assert update.unit.code == "00133"


def test_a_report_on_a_done_task_is_refused_until_the_assigner_reopens_it(
    district_officer_long_bien, ward_officer_bo_de, unit
):
    task = ward_task(district_officer_long_bien, unit)
    services.post_progress(task=task, by=ward_officer_bo_de, progress=100, status="done", clock=later(1))
    task.refresh_from_db()
    with pytest.raises(services.TaskClosed) as refused:
        services.post_progress(task=task, by=ward_officer_bo_de, progress=90, clock=later(2))
    assert refused.value.status == 409
    with pytest.raises(NotPermitted):
        services.reopen_task(task=task, by=ward_officer_bo_de, reason="còn thiếu", clock=later(3))
    reopened = services.reopen_task(
        task=task, by=district_officer_long_bien, reason="Thiếu quyết định Sở Chỉ huy", clock=later(3)
    )
    assert (reopened.status, reopened.completed_at) == ("in_progress", None)
    services.post_progress(task=reopened, by=ward_officer_bo_de, progress=100, status="done", clock=later(4))
    assert list(TaskUpdate.objects.filter(task=task).values_list("status", flat=True)) == [
        "done", "in_progress", "done",
    ]  # fmt: skip


@pytest.mark.parametrize("progress", [101, -1, 1000])
def test_progress_outside_0_to_100_is_refused(district_officer_long_bien, ward_officer_bo_de, unit, progress):
    task = ward_task(district_officer_long_bien, unit)
    with pytest.raises(services.ProgressOutOfRange) as refused:
        services.post_progress(task=task, by=ward_officer_bo_de, progress=progress, clock=later(1))
    assert refused.value.field == "progress"
    assert not TaskUpdate.objects.exists()


def test_a_report_cannot_cancel_or_reopen(district_officer_long_bien, ward_officer_bo_de, unit):
    task = ward_task(district_officer_long_bien, unit)
    with pytest.raises(services.StatusNotAllowed):
        services.post_progress(
            task=task, by=ward_officer_bo_de, progress=0, status="cancelled", clock=later(1)
        )


def test_a_wrong_attachment_is_refused_and_a_good_one_kept(
    district_officer_long_bien, ward_officer_bo_de, unit
):
    task = ward_task(district_officer_long_bien, unit)
    with pytest.raises(services.UnsupportedFile):
        services.post_progress(
            task=task,
            by=ward_officer_bo_de,
            progress=10,
            attachment=upload("qd.pdf", b"MZ\x90"),
            clock=later(1),
        )
    update, _ = services.post_progress(
        task=task, by=ward_officer_bo_de, progress=10, attachment=upload("qd.pdf"), clock=later(1)
    )
    assert update.attachment_name == "qd.pdf" and update.attachment.read() == PDF


def test_only_officials_covering_an_assignee_may_report(
    district_officer_long_bien, ward_officer_phuc_xa, health_worker_bo_de, unit
):
    task = ward_task(district_officer_long_bien, unit)
    with pytest.raises(OutOfScope):
        services.post_progress(task=task, by=ward_officer_phuc_xa, progress=10, clock=later(1))
    with pytest.raises(NotPermitted):
        services.post_progress(task=task, by=health_worker_bo_de, progress=10, clock=later(1))
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(task.pk)).exists()


def test_a_retried_report_with_the_same_key_is_recorded_once(
    district_officer_long_bien, ward_officer_bo_de, unit
):
    task = ward_task(district_officer_long_bien, unit)
    first, created = services.post_progress(
        task=task, by=ward_officer_bo_de, progress=30, idempotency_key="k-1", clock=later(1)
    )
    again, created_again = services.post_progress(
        task=task, by=ward_officer_bo_de, progress=30, idempotency_key="k-1", clock=later(1.1)
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert TaskUpdate.objects.count() == 1 and Task.objects.get(pk=task.pk).version == 2


def test_a_retry_after_done_still_answers_with_the_first_report(
    district_officer_long_bien, ward_officer_bo_de, unit
):
    task = ward_task(district_officer_long_bien, unit)
    done, _ = services.post_progress(
        task=task, by=ward_officer_bo_de, progress=100, status="done", idempotency_key="k-2", clock=later(1)
    )
    again, created = services.post_progress(
        task=task, by=ward_officer_bo_de, progress=100, status="done", idempotency_key="k-2", clock=later(2)
    )
    assert (again.pk, created) == (done.pk, False)


def test_of_two_updates_from_the_same_version_one_wins_and_the_other_conflicts(
    district_officer_long_bien, ward_officer_bo_de, ward_officer_ngoc_lam, unit
):
    task = ward_task(district_officer_long_bien, unit)
    services.post_progress(task=task, by=ward_officer_bo_de, progress=50, version=1, clock=later(1))
    with pytest.raises(services.TaskChanged) as lost:
        services.post_progress(task=task, by=ward_officer_ngoc_lam, progress=20, version=1, clock=later(1))
    assert lost.value.status == 409
    assert TaskUpdate.objects.count() == 1 and Task.objects.get(pk=task.pk).progress == 50


def test_a_stale_page_cannot_cancel_after_an_update(district_officer_long_bien, ward_officer_bo_de, unit):
    task = ward_task(district_officer_long_bien, unit)
    services.post_progress(task=task, by=ward_officer_bo_de, progress=50, clock=later(1))
    with pytest.raises(services.TaskChanged):
        services.cancel_task(task=task, by=district_officer_long_bien, reason="x", version=1, clock=later(2))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reports_give_one_winner_and_one_conflict(
    district_officer_long_bien, ward_officer_bo_de, ward_officer_ngoc_lam, unit
):
    task = ward_task(district_officer_long_bien, unit)
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def report(by: Any, progress: int) -> None:
        try:
            start.wait(timeout=10)
            fresh = Task.objects.get(pk=task.pk)
            outcomes.append(
                services.post_progress(task=fresh, by=by, progress=progress, version=1, clock=later(1))[0]
            )
        except Exception as error:  # the loser's conflict is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=report, args=(ward_officer_bo_de, 40)),
        threading.Thread(target=report, args=(ward_officer_ngoc_lam, 60)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [o for o in outcomes if isinstance(o, TaskUpdate)]
    lost = [o for o in outcomes if not isinstance(o, TaskUpdate)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], services.TaskChanged)
    assert TaskUpdate.objects.filter(task=task).count() == 1
    assert Task.objects.get(pk=task.pk).version == 2


# Cancel and reopen -----------------------------------------------------------------------------------


def test_only_the_assigning_unit_cancels(
    district_officer_long_bien, ward_officer_bo_de, ward_officer_phuc_xa, unit
):
    task = ward_task(district_officer_long_bien, unit)
    with pytest.raises(NotPermitted):
        services.cancel_task(task=task, by=ward_officer_bo_de, reason="không cần", clock=later(1))
    with pytest.raises(OutOfScope):
        services.cancel_task(task=task, by=ward_officer_phuc_xa, reason="x", clock=later(1))
    with pytest.raises(InvalidInput) as refused:
        services.cancel_task(task=task, by=district_officer_long_bien, reason="  ", clock=later(1))
    assert refused.value.field == "reason"
    cancelled = services.cancel_task(
        task=task, by=district_officer_long_bien, reason="Trùng nhiệm vụ", clock=later(1)
    )
    assert cancelled.status == "cancelled"
    with pytest.raises(services.TaskClosed):
        services.post_progress(task=cancelled, by=ward_officer_bo_de, progress=10, clock=later(2))
    with pytest.raises(services.TaskClosed):
        services.cancel_task(task=cancelled, by=district_officer_long_bien, reason="again", clock=later(2))
    assert AuditEntry.objects.filter(action="command.cancel_task").count() == 1


def test_an_open_task_cannot_be_reopened(district_officer_long_bien, unit):
    task = ward_task(district_officer_long_bien, unit)
    with pytest.raises(services.TaskNotClosed):
        services.reopen_task(task=task, by=district_officer_long_bien, reason="x", clock=later(1))


# Recurrence ------------------------------------------------------------------------------------------


def daily(district: Any, unit: Any) -> Task:
    return ward_task(
        district, unit, title="Báo cáo về Thường trực Quận ủy trước 16h30", recurrence=Task.Recurrence.DAILY,
        due_at=hanoi(2021, 9, 6, 16, 30),
    )  # fmt: skip


def test_when_a_daily_occurrence_passes_its_due_time_the_next_one_exists_once(
    district_officer_long_bien, unit
):
    first = daily(district_officer_long_bien, unit)
    assert services.roll_recurring(clock=at(hanoi(2021, 9, 6, 16, 0))) == []  # not due yet
    created = services.roll_recurring(clock=at(hanoi(2021, 9, 6, 17, 0)))
    assert [t.due_at for t in created] == [hanoi(2021, 9, 7, 16, 30)]
    assert services.roll_recurring(clock=at(hanoi(2021, 9, 6, 17, 5))) == []  # idempotent
    nxt = created[0]
    assert (nxt.series, nxt.status, nxt.title) == (first.series, "open", first.title)
    assert sorted(nxt.assignees.values_list("unit__code", "role")) == [
        ("00133", "cooperating"),
        ("00139", "lead"),
    ]
    assert Task.objects.filter(series=first.series).count() == 2


def test_marking_an_occurrence_done_creates_the_next_one(
    district_officer_long_bien, ward_officer_bo_de, unit
):
    first = daily(district_officer_long_bien, unit)
    services.post_progress(task=first, by=ward_officer_bo_de, progress=100, status="done", clock=later(1))
    following = Task.objects.filter(series=first.series).exclude(pk=first.pk).get()
    assert following.due_at == hanoi(2021, 9, 7, 16, 30)
    assert services.roll_recurring(clock=later(2)) == []


def test_a_roll_after_a_long_pause_creates_one_occurrence_in_the_future(district_officer_long_bien, unit):
    first = daily(district_officer_long_bien, unit)
    created = services.roll_recurring(clock=at(hanoi(2021, 9, 10, 9, 0)))
    assert [t.due_at for t in created] == [hanoi(2021, 9, 10, 16, 30)]
    assert Task.objects.filter(series=first.series).count() == 2


def test_a_weekly_task_steps_by_seven_days_and_a_cancelled_series_stops(district_officer_long_bien, unit):
    weekly = ward_task(district_officer_long_bien, unit, recurrence=Task.Recurrence.WEEKLY)
    created = services.roll_recurring(clock=at(hanoi(2021, 9, 8, 9, 0)))
    assert [t.due_at for t in created] == [DUE + timedelta(days=7)]
    services.cancel_task(task=created[0], by=district_officer_long_bien, reason="Kết thúc", clock=later(30))
    assert services.roll_recurring(clock=at(hanoi(2021, 9, 20, 9, 0))) == []
    assert Task.objects.filter(series=weekly.series).count() == 2


def test_phaodai_tasks_roll_runs_the_roll(district_officer_long_bien, unit, capsys):
    daily(district_officer_long_bien, unit)
    call_command("tasks", "roll")
    assert "1 recurring task occurrence(s) created" in capsys.readouterr().out
    call_command("tasks", "roll")
    assert "0 recurring" in capsys.readouterr().out
    assert TaskAssignee.objects.filter(role="lead").count() == 2
