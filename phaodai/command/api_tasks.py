"""The tasks API: documents, tasks and progress reports, through the same services as the pages.

Errors are {"code", "message"}: 403 for a role without command.manage, 404 outside the user's units,
409 when the task is closed or someone updated it first, 422 for bad input. A due time without a
UTC offset is Hà Nội time. `POST /tasks/{id}/progress` with an `Idempotency-Key` header answers 201
the first time and 200 with the same report on a retry.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.command import selectors_tasks as selectors
from phaodai.command import services_tasks as services
from phaodai.command.models import Document, Task, TaskUpdate
from phaodai.core.clock import HANOI, now, to_local
from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict

router = Router(tags=["command"])
TEXT_MAX = 4000
StatusFilter = Literal["", "active", "open", "in_progress", "done", "cancelled"]


class UnitRef(Schema):
    code: str
    name: str


class OfficeRef(Schema):
    code: str
    name: str


class AssigneeOut(Schema):
    unit: UnitRef
    office: OfficeRef | None
    role: str


class DocumentRef(Schema):
    id: int
    number: str
    title: str


class TaskOut(Schema):
    id: int
    title: str
    description: str
    document: DocumentRef | None
    parent: int | None
    assigned_by: UnitRef
    assignees: list[AssigneeOut]
    responsible_person: str
    due_at: datetime
    due_local: str = Field(description="Hà Nội time, dd/mm/yyyy HH:MM")
    priority: str
    status: str
    progress: int
    overdue: bool
    completed_at: datetime | None
    recurrence: str
    version: int


class UpdateOut(Schema):
    id: int
    task: int
    at: datetime
    unit: UnitRef
    author: str
    progress: int
    status: str
    note: str
    has_attachment: bool


class TaskDetailOut(TaskOut):
    updates: list[UpdateOut]


class TaskListOut(Schema):
    items: list[TaskOut]
    next_cursor: str = Field(description="Pass as ?cursor= for the next page; empty on the last")


class ProgressOut(UpdateOut):
    task_status: str
    task_progress: int
    task_version: int


class AssigneeIn(Strict):
    unit: str = Field(max_length=5, description="Unit code, e.g. 004 or 00139")
    office: str | None = Field(
        None, max_length=30, description="An office of that unit, e.g. SYT for Sở Y tế"
    )


class TaskIn(Strict):
    document: int | None = Field(None, description="The document the task is drawn from")
    parent: int | None = Field(None, description="The direction this task belongs to")
    assigned_by: str | None = Field(None, max_length=5, description="Default: the unit of your role")
    title: str = Field(max_length=500)
    description: str = Field("", max_length=TEXT_MAX)
    due_at: datetime = Field(description="ISO 8601; without an offset it is Hà Nội time")
    priority: Literal["urgent", "high", "normal", "low"] = "normal"
    lead: AssigneeIn
    cooperating: list[AssigneeIn] = Field([], max_length=1000)
    responsible_person: str = Field("", max_length=200)
    recurrence: Literal["", "daily", "weekly"] = ""


class ProgressIn(Strict):
    progress: int = Field(description="Per cent done, 0–100")
    status: Literal["in_progress", "done"] | None = Field(None, description="Default: in_progress")
    note: str = Field("", max_length=TEXT_MAX)
    version: int | None = Field(None, ge=1, description="The version you read (compare-and-set)")


class DocumentIn(Strict):
    unit: str | None = Field(None, max_length=5, description="Default: the unit of your role")
    number: str = Field(max_length=40, description="e.g. 06-CT/TU")
    kind: Literal["chi_thi", "ke_hoach", "thong_bao", "cong_van", "quyet_dinh", "cong_dien"]
    issuer: str = Field(max_length=200)
    issued_on: date
    title: str = Field(max_length=500)
    summary: str = Field("", max_length=TEXT_MAX)
    public: bool = False


class DocumentOut(Schema):
    id: int
    number: str
    kind: str
    issuer: str
    issued_on: date
    title: str
    summary: str
    public: bool
    unit: UnitRef
    has_file: bool


class TaskQuery(Schema):
    mine: Literal["ours", "assigned"] = "ours"
    status: StatusFilter = ""
    overdue: bool = False
    priority: Literal["", "urgent", "high", "normal", "low"] = ""
    document: int | None = Field(None, ge=1, le=2**31 - 1)
    below: bool = Field(False, description="District/city: include the units under ours")
    cursor: str = Field("", max_length=80)


def _unit(unit: Any) -> dict[str, str]:
    return {"code": unit.code, "name": unit.full_name}


def _task(task: Task) -> dict[str, Any]:
    document = task.document
    return {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "document": {"id": document.pk, "number": document.number, "title": document.title}
        if document
        else None,
        "parent": task.parent_id,
        "assigned_by": _unit(task.assigned_by),
        "assignees": [
            {
                "unit": _unit(a.unit),
                "office": {"code": a.office.code, "name": a.office.name} if a.office else None,
                "role": a.role,
            }
            for a in task.assignees.all()
        ],
        "responsible_person": task.responsible_person,
        "due_at": task.due_at,
        "due_local": to_local(task.due_at).strftime("%d/%m/%Y %H:%M"),
        "priority": task.priority,
        "status": task.status,
        "progress": task.progress,
        "overdue": selectors.is_overdue(task),
        "completed_at": task.completed_at,
        "recurrence": task.recurrence,
        "version": task.version,
    }


def _update(update: TaskUpdate) -> dict[str, Any]:
    return {
        "id": update.pk,
        "task": update.task_id,
        "at": update.at,
        "unit": _unit(update.unit),
        "author": update.author.username,
        "progress": update.progress,
        "status": update.status,
        "note": update.note,
        "has_attachment": bool(update.attachment),
    }


def _document(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "number": document.number,
        "kind": document.kind,
        "issuer": document.issuer,
        "issued_on": document.issued_on,
        "title": document.title,
        "summary": document.summary,
        "public": document.public,
        "unit": _unit(document.unit),
        "has_file": bool(document.file),
    }


def _acting_unit(request: HttpRequest, code: str | None, field: str) -> Any:
    """The unit the user acts for: the one named (among their roles' units) or their first."""
    require_perm(request.user, Perm.MANAGE_COMMAND)
    units = selectors.acting_units(request.user)
    if code is None:
        return units[0]
    unit = next((u for u in units if u.code == code), None)
    if unit is None:
        raise InvalidInput(field=field)
    return unit


# Tasks -----------------------------------------------------------------------------------------------


@router.get(
    "/tasks", url_name="command_tasks", response=TaskListOut, summary="Our tasks, or tasks we assigned"
)
def list_tasks(request: HttpRequest, filters: Query[TaskQuery]) -> dict[str, Any]:
    require_perm(request.user, Perm.MANAGE_COMMAND)
    flt = selectors.TaskFilter(
        mine=filters.mine,
        status=filters.status,
        overdue=filters.overdue,
        priority=filters.priority,
        document=filters.document,
        include_subordinate=filters.below,
    )
    page = selectors.task_list(request.user, flt, cursor=filters.cursor)
    return {"items": [_task(t) for t in page.rows], "next_cursor": page.next_cursor}


@router.post("/tasks", url_name="command_tasks", response={201: TaskDetailOut}, summary="Assign a task")
def create_task(request: HttpRequest, payload: TaskIn) -> tuple[int, dict[str, Any]]:
    user = request.user
    assigned_by = _acting_unit(request, payload.assigned_by, "assigned_by")
    due_at = payload.due_at if timezone.is_aware(payload.due_at) else payload.due_at.replace(tzinfo=HANOI)
    task = services.create_task(
        by=user,
        assigned_by=assigned_by,
        title=payload.title,
        description=payload.description,
        due_at=due_at,
        lead=services.assignee(payload.lead.unit, payload.lead.office, field="lead"),
        cooperating=[services.assignee(c.unit, c.office, field="cooperating") for c in payload.cooperating],
        document=selectors.document_for(user, payload.document) if payload.document is not None else None,
        parent=selectors.task_for(user, payload.parent) if payload.parent is not None else None,
        responsible_person=payload.responsible_person,
        priority=payload.priority,
        recurrence=payload.recurrence,
    )
    return 201, _detail(request, task.pk)


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    task = selectors.task_for(request.user, pk)
    return {**_task(task), "updates": [_update(u) for u in selectors.updates_of(task)]}


@router.get(
    "/tasks/{pk}", url_name="command_task", response=TaskDetailOut, summary="A task with its progress reports"
)
def get_task(request: HttpRequest, pk: int) -> dict[str, Any]:
    require_perm(request.user, Perm.MANAGE_COMMAND)
    return _detail(request, pk)


@router.post(
    "/tasks/{pk}/progress",
    url_name="command_task_progress",
    response={200: ProgressOut, 201: ProgressOut},
    summary="Report progress (Idempotency-Key header: a retry returns the same report)",
)
def post_progress(request: HttpRequest, pk: int, payload: ProgressIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.MANAGE_COMMAND)
    task = selectors.task_for(request.user, pk)
    update, created = services.post_progress(
        task=task,
        by=request.user,
        progress=payload.progress,
        status=payload.status,
        note=payload.note,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        version=payload.version,
    )
    current = Task.objects.get(pk=pk)
    body = {
        **_update(update),
        "task_status": current.status,
        "task_progress": current.progress,
        "task_version": current.version,
    }
    return (201 if created else 200), body


# Documents -------------------------------------------------------------------------------------------


@router.get(
    "/documents", url_name="command_documents", response=list[DocumentOut], summary="The document register"
)
def list_documents(request: HttpRequest, q: str = "", kind: str = "") -> list[dict[str, Any]]:
    require_perm(request.user, Perm.MANAGE_COMMAND)
    kind = kind if kind in Document.Kind.values else ""
    return [_document(d) for d in selectors.search_documents(request.user, q[:200], kind=kind)]


@router.post(
    "/documents", url_name="command_documents", response={201: DocumentOut}, summary="Register a document"
)
def register_document(request: HttpRequest, payload: DocumentIn) -> tuple[int, dict[str, Any]]:
    unit = _acting_unit(request, payload.unit, "unit")
    document = services.register_document(
        by=request.user,
        unit=unit,
        number=payload.number,
        kind=payload.kind,
        issuer=payload.issuer,
        issued_on=payload.issued_on,
        title=payload.title,
        summary=payload.summary,
        public=payload.public,
        clock=now,
    )
    return 201, _document(document)
