"""Reads of directives and tasks, always starting from the acting official's jurisdiction.

A document is seen by officials covering the unit that registered it and by units given tasks drawn
from it (a ward sees the district plan its tasks come from). A task is seen by officials covering the
assigning unit or an assignee unit. Anything else is 404, and the attempt is logged.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from phaodai.accounts.roles import PERMISSIONS, Perm
from phaodai.accounts.selectors import assignments_of, has_perm
from phaodai.command.models import Document, Office, Task, TaskAssignee, TaskUpdate
from phaodai.core.clock import now
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, scope_q
from phaodai.core.text import search_key
from phaodai.territory import selectors as territory

__all__ = [
    "PAGE_SIZE",
    "TaskFilter",
    "TaskPage",
    "acting_units",
    "assignee_choices",
    "can_manage_command",
    "document_choices",
    "document_for",
    "documents_visible_to",
    "is_assignee",
    "is_assigner",
    "is_overdue",
    "offices_of",
    "search_documents",
    "subtasks_of",
    "task_for",
    "task_list",
    "tasks_of_document",
    "tasks_visible_to",
    "update_for",
    "updates_of",
]

MANAGE = Perm.MANAGE_COMMAND
PAGE_SIZE = 50
ACTIVE = (Task.Status.OPEN, Task.Status.IN_PROGRESS)


def can_manage_command(user: Any) -> bool:
    return has_perm(user, MANAGE)


def acting_units(user: Any) -> list[Any]:
    """The units of the user's roles that grant MANAGE_COMMAND (exactly those units, not below)."""
    units = {a.unit.pk: a.unit for a in assignments_of(user) if MANAGE in PERMISSIONS[a.role]}
    return sorted(units.values(), key=lambda u: u.path)


# Documents -------------------------------------------------------------------------------------------


def _document_q(user: Any) -> Q:
    if not paths_of(user, MANAGE):
        return Q(pk__in=[])
    given = TaskAssignee.objects.filter(scope_q(user, "unit_path", MANAGE)).values("task__document_id")
    drawn = Task.objects.filter(scope_q(user, "assigned_by_path", MANAGE)).values("document_id")
    return scope_q(user, "unit_path", MANAGE) | Q(pk__in=given) | Q(pk__in=drawn) | Q(public=True)


def documents_visible_to(user: Any) -> QuerySet[Document]:
    return Document.objects.filter(_document_q(user)).select_related("unit")


def document_for(user: Any, pk: int) -> Document:
    """One document the user may read; 404 (logged) otherwise."""
    document = documents_visible_to(user).filter(pk=pk).first()
    if document is None:
        _missing(
            user, Document.objects.filter(pk=pk).values_list("pk", "unit_path").first(), "command.document"
        )
    assert document is not None
    return document


def _missing(user: Any, outside: tuple[Any, str] | None, object_type: str) -> None:
    if outside is not None:
        log_out_of_scope(user, object_type, outside[0], outside[1])
    raise Http404


def search_documents(user: Any, query: str = "", *, kind: str = "", limit: int = PAGE_SIZE) -> list[Document]:
    """Documents by number or title, diacritics ignored ("788-cv" or "phan cong nhiem vu")."""
    found = documents_visible_to(user)
    if kind:
        found = found.filter(kind=kind)
    key = search_key(query)
    if key:
        number = "".join(query.split()).upper()
        found = found.filter(Q(search_text__contains=key) | Q(number_key__contains=number))
    return list(found.order_by("-issued_on", "number")[:limit])


def document_choices(user: Any, assigning: Sequence[Any] = ()) -> list[Document]:
    """Documents a task may be drawn from: visible, of the assigning units or above them."""
    found = documents_visible_to(user).order_by("-issued_on", "number")
    if assigning:
        prefixes = {p for unit in assigning for p in _ancestor_paths(unit.path)}
        found = found.filter(unit_path__in=prefixes)
    return list(found[:200])


def _ancestor_paths(path: str) -> list[str]:
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


# Tasks -----------------------------------------------------------------------------------------------


def _task_q(user: Any) -> Q:
    if not paths_of(user, MANAGE):
        return Q(pk__in=[])
    given = TaskAssignee.objects.filter(scope_q(user, "unit_path", MANAGE), task=OuterRef("pk"))
    return scope_q(user, "assigned_by_path", MANAGE) | Q(Exists(given))


def _with_assignees(tasks: QuerySet[Task]) -> QuerySet[Task]:
    assignees = TaskAssignee.objects.select_related("unit", "office").order_by(
        "-role", "unit__code", "pk"
    )  # the lead first
    return tasks.select_related("assigned_by", "document").prefetch_related(Prefetch("assignees", assignees))


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    return _with_assignees(Task.objects.filter(_task_q(user)))


def task_for(user: Any, pk: int) -> Task:
    """One task the user may read (assigner or assignee side); 404 (logged) otherwise."""
    task = tasks_visible_to(user).select_related("parent").filter(pk=pk).first()
    if task is None:
        _missing(
            user, Task.objects.filter(pk=pk).values_list("pk", "assigned_by_path").first(), "command.task"
        )
    assert task is not None
    return task


def tasks_of_document(user: Any, document: Document) -> list[Task]:
    return list(tasks_visible_to(user).filter(document=document).order_by("parent_id", "due_at", "pk")[:500])


def subtasks_of(user: Any, task: Task) -> list[Task]:
    return list(tasks_visible_to(user).filter(parent=task).order_by("due_at", "pk")[:200])


def updates_of(task: Task) -> list[TaskUpdate]:
    return list(TaskUpdate.objects.filter(task=task).select_related("author", "unit").order_by("at", "pk"))


def update_for(user: Any, pk: int) -> TaskUpdate:
    """A progress report (for its attachment) on a task the user may read; 404 (logged) otherwise."""
    update = TaskUpdate.objects.filter(pk=pk).filter(task__in=Task.objects.filter(_task_q(user))).first()
    if update is None:
        found = TaskUpdate.objects.filter(pk=pk).values_list("pk", "task__assigned_by_path").first()
        _missing(user, found, "command.task_update")
    assert update is not None
    return update


def is_assigner(user: Any, task: Task) -> bool:
    return covers(user, task.assigned_by_path, MANAGE)


def is_assignee(user: Any, task: Task) -> bool:
    return any(covers(user, a.unit_path, MANAGE) for a in task.assignees.all())


def is_overdue(task: Task, at: datetime | None = None) -> bool:
    return task.status in ACTIVE and task.due_at < (at or now())


# Lists -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilter:
    """What a list shows: "ours" (given to our units) or "assigned" (given by them), and filters."""

    mine: str = "ours"
    status: str = ""  # a Task.Status, "active" (open or in progress), or "" for all
    overdue: bool = False
    priority: str = ""
    document: int | None = None
    # District and city: also the tasks of the units under ours.
    include_subordinate: bool = False


@dataclass(frozen=True)
class TaskPage:
    rows: list[Task]
    next_cursor: str


def _mine_q(units: Sequence[Any], flt: TaskFilter) -> Q:
    paths = [u.path for u in units]
    if not paths:
        return Q(pk__in=[])
    if flt.mine == "assigned":
        if flt.include_subordinate:
            return _prefix_q("assigned_by_path", paths)
        return Q(assigned_by_path__in=paths)
    given = TaskAssignee.objects.filter(task=OuterRef("pk"))
    if flt.include_subordinate:
        given = given.filter(_prefix_q("unit_path", paths))
    else:
        given = given.filter(unit_path__in=paths)
    return Q(Exists(given))


def _prefix_q(field: str, paths: Sequence[str]) -> Q:
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _filters_q(flt: TaskFilter, at: datetime) -> Q:
    condition = Q()
    if flt.status == "active":
        condition &= Q(status__in=ACTIVE)
    elif flt.status:
        condition &= Q(status=flt.status)
    if flt.overdue:
        condition &= Q(status__in=ACTIVE, due_at__lt=at)
    if flt.priority:
        condition &= Q(priority=flt.priority)
    if flt.document is not None:
        condition &= Q(document_id=flt.document)
    return condition


def _cursor(task: Any) -> str:
    return f"{task.overdue_rank}.{int(task.due_at.timestamp() * 1_000_000)}.{task.pk}"


def _after(cursor: str) -> Q:
    """Rows after the cursor in (overdue first, due time, id) order; a bad cursor starts again."""
    try:
        rank_text, micros_text, pk_text = cursor.split(".")
        rank, pk = int(rank_text), int(pk_text)
        due = datetime.fromtimestamp(int(micros_text) / 1_000_000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return Q()
    return (
        Q(overdue_rank__gt=rank)
        | Q(overdue_rank=rank, due_at__gt=due)
        | Q(overdue_rank=rank, due_at=due, pk__gt=pk)
    )


def task_list(
    user: Any, flt: TaskFilter, *, cursor: str = "", limit: int = PAGE_SIZE, at: datetime | None = None
) -> TaskPage:
    """One page of "our tasks" or "tasks we assigned": overdue first, then by due time (keyset)."""
    moment = at or now()
    units = acting_units(user)
    rank = Case(
        When(status__in=ACTIVE, due_at__lt=moment, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    tasks = (
        Task.objects.filter(_task_q(user))
        .filter(_mine_q(units, flt))
        .filter(_filters_q(flt, moment))
        .annotate(overdue_rank=rank)
    )
    if cursor:
        tasks = tasks.filter(_after(cursor))
    rows = list(_with_assignees(tasks).order_by("overdue_rank", "due_at", "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return TaskPage(rows, _cursor(rows[-1]) if more and rows else "")


# Choices for the forms -------------------------------------------------------------------------------


def offices_of(units: Sequence[Any]) -> list[Office]:
    return list(Office.objects.filter(unit__in=units).select_related("unit").order_by("unit__code", "name"))


def assignee_choices(user: Any) -> list[tuple[str, str]]:
    """Units within the user's acting units ("004"), and offices in them ("01:SYT"), as form choices."""
    units: dict[str, Any] = {}
    for top in acting_units(user):
        units.update((u.code, u) for u in territory.within(top).order_by("path"))
    choices = [
        (f"{o.unit.code}:{o.code}", f"{o.name} ({o.unit.full_name})")
        for o in offices_of(list(units.values()))
    ]
    ordered = sorted(units.values(), key=lambda u: u.path)
    choices += [(u.code, f"{u.full_name} ({u.code})") for u in ordered]
    return choices
