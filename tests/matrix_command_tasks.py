"""The directives-and-tasks rows of the authorization matrix.

Objects (built lazily by `build_command_tasks`): Long Biên's plan with its scan, a task Long Biên gave
Bồ Đề (lead) from it with a report and attachment, and a second task already done. Officials with
command.manage act within their units: the city and Long Biên cover Bồ Đề, Bồ Đề is the assignee,
Phúc Xá (Ba Đình) is outside (404); roles without command.manage get 403; anonymous pages redirect
to sign-in, the API answers 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

MANAGERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "ward_officer_phuc_xa"}
ASSIGNER_SIDE = {"city_commander", "district_officer_long_bien"}
ASSIGNEE = {"ward_officer_bo_de"}
OUTSIDE = {"ward_officer_phuc_xa"}
PDF = b"%PDF-1.4\n%%EOF\n"


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`, `other` (403: no command.manage) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class CommandTaskObjects:
    document: Any
    task: Any
    done_task: Any
    update: Any


def build_command_tasks(request: Any) -> CommandTaskObjects:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from phaodai.command import services

    unit = request.getfixturevalue("unit")
    district = request.getfixturevalue("district_officer_long_bien")
    ward = request.getfixturevalue("ward_officer_bo_de")
    document = services.register_document(
        by=district,
        unit=unit("004"),
        number="…-KH/QU",
        kind="ke_hoach",
        issuer="Ban Thường vụ Quận ủy Long Biên",
        issued_on=date(2021, 9, 5),
        title="Kế hoạch thực hiện Chỉ thị số 06-CT/TU",
        file=SimpleUploadedFile("ke-hoach.pdf", PDF),
    )

    def give(title: str) -> Any:
        return services.create_task(
            by=district,
            assigned_by=unit("004"),
            title=title,
            due_at=timezone.now() + timedelta(days=2),
            lead=services.assignee("00139"),
            document=document,
        )

    task = give("Thành lập/kiện toàn Ban Chỉ đạo và Sở Chỉ huy phòng, chống dịch")
    update, _ = services.post_progress(
        task=task, by=ward, progress=40, attachment=SimpleUploadedFile("bien-ban.pdf", PDF)
    )
    done_task = give("UBND phường xây dựng kế hoạch, trình UBND Quận phê duyệt")
    services.post_progress(task=done_task, by=ward, progress=100, status="done")
    return CommandTaskObjects(document, task, done_task, update)


def command_tasks_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            objects = world.lazy("command_tasks")
            return path.format(
                document=objects.document.pk,
                task=objects.task.pk,
                done=objects.done_task.pk,
                update=objects.update.pk,
            )

        return url

    managers = statuses(each(MANAGERS, 200), anon=302)
    readers = statuses({**each(ASSIGNER_SIDE | ASSIGNEE, 200), **each(OUTSIDE, 404)}, anon=302)
    reporting = statuses({**each(ASSIGNER_SIDE | ASSIGNEE, 302), **each(OUTSIDE, 404)}, anon=302)
    assigner_only = statuses(
        {**each(ASSIGNER_SIDE, 302), **each(ASSIGNEE, 403), **each(OUTSIDE, 404)}, anon=302
    )
    # A document form names a unit: each official may register only in the register of their own unit.
    document_form = {
        "unit": "004",
        "number": "51-KH/QU",
        "kind": "ke_hoach",
        "issuer": "Ban Thường vụ Quận ủy",
        "issued_on": "05/09/2021",
        "title": "Kế hoạch thực hiện Chỉ thị 06-CT/TU",
    }
    document_add = statuses({**each(MANAGERS, 422), "district_officer_long_bien": 302}, anon=302)
    api_managers = statuses(each(MANAGERS, 200), anon=401)
    api_readers = statuses({**each(ASSIGNER_SIDE | ASSIGNEE, 200), **each(OUTSIDE, 404)}, anon=401)
    api_progress = statuses({**each(ASSIGNER_SIDE | ASSIGNEE, 201), **each(OUTSIDE, 404)}, anon=401)
    # Each official assigns as their own unit; Phúc Xá cannot give Bồ Đề a task (outside its subtree).
    api_create = statuses({**each(ASSIGNER_SIDE | ASSIGNEE, 201), **each(OUTSIDE, 422)}, anon=401)
    task_json = {
        "title": "Rà soát, kiện toàn lực lượng làm nhiệm vụ phòng, chống dịch",
        "due_at": f"{date.today().year + 1}-01-10T17:00:00",
        "lead": {"unit": "00139"},
    }
    document_json = {
        "number": "12-KH/ĐU",
        "kind": "ke_hoach",
        "issuer": "Đảng ủy",
        "issued_on": "2021-09-06",
        "title": "Kế hoạch",
    }
    return {
        "command:documents": [
            req("/command/documents/", managers),
            req("/command/documents/?q=06-ct", managers),
        ],
        "command:document_add": [
            req("/command/documents/add/", managers),
            req("/command/documents/add/", document_add, method="post", data=document_form),
        ],
        "command:document": [req(w("/command/documents/{document}/"), readers)],
        "command:document_file": [req(w("/command/documents/{document}/file/"), readers)],
        "command:tasks": [
            req("/command/tasks/", managers),
            req("/command/tasks/?tab=assigned&overdue=on", managers),
        ],
        "command:task_add": [req("/command/tasks/add/", managers)],
        "command:task": [req(w("/command/tasks/{task}/"), readers)],
        "command:task_update": [
            req(
                w("/command/tasks/{task}/progress/"),
                reporting,
                method="post",
                data={"progress": "60", "status": "in_progress", "token": "matrix-1"},
            ),
        ],
        "command:task_cancel": [
            req(
                w("/command/tasks/{task}/cancel/"),
                assigner_only,
                method="post",
                data={"reason": "Trùng nhiệm vụ"},
            ),
        ],
        "command:task_reopen": [
            req(
                w("/command/tasks/{done}/reopen/"),
                assigner_only,
                method="post",
                data={"reason": "Cần bổ sung"},
            ),
        ],
        "command:update_attachment": [req(w("/command/updates/{update}/attachment/"), readers)],
        "api-v1:command_tasks": [
            req("/api/v1/command/tasks", api_managers),
            req("/api/v1/command/tasks?mine=assigned&overdue=true", api_managers),
            req("/api/v1/command/tasks", api_create, method="post", json=True, data=task_json),
        ],
        "api-v1:command_task": [req(w("/api/v1/command/tasks/{task}"), api_readers)],
        "api-v1:command_task_progress": [
            req(
                w("/api/v1/command/tasks/{task}/progress"),
                api_progress,
                method="post",
                json=True,
                data={"progress": 50},
                headers={"Idempotency-Key": "matrix-1"},
            ),
        ],
        "api-v1:command_documents": [
            req("/api/v1/command/documents", api_managers),
            req(
                "/api/v1/command/documents",
                statuses(each(MANAGERS, 201), anon=401),
                method="post",
                json=True,
                data=document_json,
            ),
        ],
    }
