"""The demo's directives and tasks: the seeds' documents, 788's directions, Long Biên's wards."""

import pytest

from phaodai.command import selectors
from phaodai.command.models import Document, Task, TaskAssignee
from phaodai.core.clock import hanoi
from phaodai.demo.command_seed import seed_directives_and_tasks

pytestmark = pytest.mark.django_db
DEMO_NOW = hanoi(2021, 9, 22, 18, 0)


@pytest.fixture
def seeded(city_commander, district_officer_long_bien):
    summary = seed_directives_and_tasks(
        by_city=city_commander, by_district=district_officer_long_bien, clock=lambda: DEMO_NOW
    )
    return summary


def test_the_demo_registers_the_four_directives(seeded):
    numbers = set(Document.objects.values_list("number_key", "issued_on__day"))
    assert numbers == {("06-CT/TU", 1), ("495-TB/TU", 20), ("788-CV/BCSD", 21), ("…-KH/QU", 5)}
    plan = Document.objects.get(number_key="…-KH/QU")
    assert "không đọc rõ" in plan.summary and plan.unit.code == "004"


def test_788_gives_each_vice_chair_a_direction_with_the_departments_tasks(seeded):
    letter = Document.objects.get(number_key="788-CV/BCSD")
    directions = Task.objects.filter(document=letter, parent=None).order_by("title")
    assert [d.title[:2] for d in directions] == ["1.", "2.", "3.", "4."]
    assert "Chử Xuân Dũng" in directions[1].responsible_person
    assert "Lê Hồng Sơn" in directions[2].responsible_person
    assert "Nguyễn Mạnh Quyền" in directions[3].responsible_person
    offices = set(
        TaskAssignee.objects.filter(task__parent__in=directions, role="lead").values_list(
            "office__code", flat=True
        )
    )
    assert offices >= {"SYT", "SLDTBXH", "SGDDT", "STTTT", "CATP", "SGTVT", "SCT"}
    markets = Task.objects.get(title__startswith="Kiên quyết xóa bỏ chợ tạm")
    assert markets.assignees.filter(role="cooperating", unit__level="district").count() == 30


def test_long_bien_s_wards_have_done_late_and_overdue_tasks(ward_officer_bo_de, seeded):
    committees = Task.objects.get(title__startswith="Thành lập/kiện toàn Ban Chỉ đạo", parent=None)
    per_ward = Task.objects.filter(parent=committees)
    assert per_ward.count() == 14
    assert per_ward.filter(status="done").count() == 13
    late = per_ward.get(assignees__unit__code="00136")
    assert late.status == "in_progress" and selectors.is_overdue(late, DEMO_NOW)
    ours = selectors.task_list(ward_officer_bo_de, selectors.TaskFilter(), at=DEMO_NOW).rows
    assert len(ours) == 2 and {t.status for t in ours} == {"done"}
    daily = Task.objects.filter(recurrence="daily").order_by("due_at")
    assert [t.due_at for t in daily][:2] == [hanoi(2021, 9, 6, 16, 30), hanoi(2021, 9, 7, 16, 30)]


def test_running_the_demo_again_changes_nothing(seeded, city_commander, district_officer_long_bien):
    tasks, documents = Task.objects.count(), Document.objects.count()
    seed_directives_and_tasks(
        by_city=city_commander, by_district=district_officer_long_bien, clock=lambda: DEMO_NOW
    )
    assert (Task.objects.count(), Document.objects.count()) == (tasks, documents)
