"""Writes of directives and tasks (S8, S9, S13): the document register, assigning, progress, recurrence.

Every change of a task's state is a compare-and-set on Task.version, so of two concurrent updates one
wins and the other gets a conflict (409); progress reports are idempotent by their key.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any
from uuid import uuid4

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.command.models import Document, Office, Task, TaskAssignee, TaskUpdate
from phaodai.core import audit
from phaodai.core.clock import FIRST_YEAR, Clock, local_date, now, plausible
from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, require_within
from phaodai.core.text import nfc, search_key
from phaodai.core.uploads import FileTooLarge, UnsupportedFile, check_upload, stored_name
from phaodai.notifications.services import notify
from phaodai.territory import selectors as territory

__all__ = [
    "AssigneeInput",
    "AssigneeOutsideSubtree",
    "DocumentNumberTaken",
    "DueTimeInvalid",
    "FileTooLarge",
    "OfficeNotInUnit",
    "ProgressOutOfRange",
    "StatusNotAllowed",
    "TaskChanged",
    "TaskClosed",
    "TaskNotClosed",
    "UnsupportedFile",
    "assignee",
    "cancel_task",
    "check_upload",
    "create_task",
    "normalise_number",
    "post_progress",
    "register_document",
    "reopen_task",
    "roll_recurring",
]

DOCUMENT_TYPE, TASK_TYPE = "command.document", "command.task"
OPEN_STATES = (Task.Status.OPEN, Task.Status.IN_PROGRESS)
CLOSED_STATES = (Task.Status.DONE, Task.Status.CANCELLED)
PERIOD = {Task.Recurrence.DAILY: timedelta(days=1), Task.Recurrence.WEEKLY: timedelta(days=7)}
TEXT_MAX = 4000


# Errors ----------------------------------------------------------------------------------------------


class DocumentNumberTaken(Duplicate):
    code = "document_registered"
    message = _("This unit has already registered a document with this number and date.")


class AssigneeOutsideSubtree(InvalidInput):
    code = "assignee_outside"
    message = _("A unit can only give tasks to itself, its offices and the units under it.")


class OfficeNotInUnit(InvalidInput):
    code = "office_not_in_unit"
    message = _("This office does not belong to the chosen unit.")


class DueTimeInvalid(InvalidInput):
    code = "due_time_invalid"
    message = _("Give a due time in the future (Hà Nội time).")


class ProgressOutOfRange(InvalidInput):
    code = "progress_out_of_range"
    message = _("Progress is a percentage from 0 to 100.")


class StatusNotAllowed(InvalidInput):
    code = "status_not_allowed"
    message = _("A progress report moves a task to 'in progress' or 'done' only.")


class TaskClosed(Conflict):
    code = "task_closed"
    message = _("This task is done or cancelled; the assigning unit must reopen it first.")


class TaskNotClosed(Conflict):
    code = "task_not_closed"
    message = _("Only a done or cancelled task can be reopened; an open one can be cancelled.")


class TaskChanged(Conflict):
    code = "task_changed"
    message = _("Someone else updated this task first; reload it and try again.")


# Documents -------------------------------------------------------------------------------------------


def normalise_number(number: str) -> str:
    """The lookup form of a document number: "788 - CV/BCSD" and "788-cv/bcsđ" both give "788-CV/BCSĐ"."""
    return "".join(nfc(number).split()).upper()


def _original_name(upload: UploadedFile) -> str:
    return nfc(PurePath(upload.name or "").name)[-200:]


def _text(value: str, field: str, *, required: bool = True, limit: int = 500) -> str:
    cleaned = nfc(value or "")
    if required and not cleaned:
        raise InvalidInput(_("This field is required."), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return cleaned


def register_document(
    *,
    by: Any,
    unit: Any,
    number: str,
    kind: str,
    issuer: str,
    issued_on: date,
    title: str,
    summary: str = "",
    file: UploadedFile | None = None,
    public: bool = False,
    clock: Clock = now,
) -> Document:
    """Enter a directive in the unit's register, with its scan when there is one."""
    require_within(by, Perm.MANAGE_COMMAND, path=unit.path, object_type="territory.unit", object_id=unit.code)
    number = _text(number, "number", limit=40)
    if kind not in Document.Kind.values:
        raise InvalidInput(_("Choose the kind of document."), field="kind")
    issuer, title = _text(issuer, "issuer", limit=200), _text(title, "title")
    summary = _text(summary, "summary", required=False, limit=TEXT_MAX)
    if issued_on.year < FIRST_YEAR or issued_on > local_date(clock()):
        raise InvalidInput(_("Give the date the document was issued (not in the future)."), field="issued_on")
    extension = check_upload(file, field="file") if file is not None else ""
    document = Document(
        unit=unit,
        unit_path=unit.path,
        number=number,
        number_key=normalise_number(number),
        kind=kind,
        issuer=issuer,
        issued_on=issued_on,
        title=title,
        summary=summary,
        public=public,
        registered_by=by,
        search_text=search_key(f"{number} {title}")[:600],
    )
    try:
        with transaction.atomic():
            if file is not None:
                document.file_name = _original_name(file)
                document.file.save(stored_name(extension), file, save=False)
            document.save()
            audit.record(
                actor=by,
                action="command.register_document",
                object_type=DOCUMENT_TYPE,
                object_id=document.pk,
                unit_path=unit.path,
                after={"number": document.number_key, "issued_on": issued_on.isoformat(), "file": bool(file)},
                clock=clock,
            )
    except IntegrityError:
        _discard(document.file)
        raise DocumentNumberTaken(field="number") from None
    return document


def _discard(stored: Any) -> None:
    if stored:
        stored.storage.delete(stored.name)


# Assigning -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssigneeInput:
    """A unit given the task, optionally one office in it (a city department)."""

    unit: Any
    office: Office | None = None


def assignee(unit_code: str, office_code: str | None = None, *, field: str = "lead") -> AssigneeInput:
    """Resolve codes typed in a form or sent to the API ("01" + "SYT": the city's Department of Health)."""
    unit = territory.unit_by_code((unit_code or "").strip())
    if unit is None:
        raise InvalidInput(_("Unknown unit “%(code)s”.") % {"code": unit_code}, field=field)
    office = None
    if office_code:
        office = Office.objects.filter(unit=unit, code=office_code.strip()).first()
        if office is None:
            raise OfficeNotInUnit(field=field)
    return AssigneeInput(unit, office)


def _check_assignees(assigned_by: Any, lead: AssigneeInput, cooperating: Sequence[AssigneeInput]) -> None:
    seen: set[tuple[int, int | None]] = set()
    for field, given in [("lead", lead), *(("cooperating", c) for c in cooperating)]:
        if not given.unit.path.startswith(assigned_by.path):
            raise AssigneeOutsideSubtree(field=field)
        if given.office is not None and given.office.unit_id != given.unit.pk:
            raise OfficeNotInUnit(field=field)
        key = (given.unit.pk, given.office.pk if given.office else None)
        if key in seen:
            raise InvalidInput(_("The same unit or office is listed twice."), field=field)
        seen.add(key)


def _check_due(due_at: datetime, clock: Clock) -> None:
    if timezone.is_naive(due_at) or not plausible(due_at) or due_at <= clock():
        raise DueTimeInvalid(field="due_at")


def _check_sources(assigned_by: Any, document: Document | None, parent: Task | None) -> None:
    # A unit draws tasks from its own register or from a directive of a unit above it (the city's plan).
    if document is not None and not assigned_by.path.startswith(document.unit_path):
        raise InvalidInput(_("Choose a document of this unit or of a unit above it."), field="document")
    if parent is not None:
        given_to = {a.unit_path for a in parent.assignees.all()}
        if parent.assigned_by_path != assigned_by.path and assigned_by.path not in given_to:
            raise InvalidInput(
                _("A sub-task belongs to the unit that gave or received the parent task."), field="parent"
            )


def create_task(
    *,
    by: Any,
    assigned_by: Any,
    title: str,
    due_at: datetime,
    lead: AssigneeInput,
    cooperating: Sequence[AssigneeInput] = (),
    document: Document | None = None,
    parent: Task | None = None,
    description: str = "",
    responsible_person: str = "",
    priority: str = Task.Priority.NORMAL,
    recurrence: str = Task.Recurrence.NONE,
    clock: Clock = now,
) -> Task:
    """Give a task to a lead unit (and cooperating ones) within the assigning unit; notify each of them."""
    require_within(
        by,
        Perm.MANAGE_COMMAND,
        path=assigned_by.path,
        object_type="territory.unit",
        object_id=assigned_by.code,
    )
    title = _text(title, "title")
    description = _text(description, "description", required=False, limit=TEXT_MAX)
    responsible_person = _text(responsible_person, "responsible_person", required=False, limit=200)
    if priority not in Task.Priority.values:
        raise InvalidInput(_("Choose a priority."), field="priority")
    if recurrence not in Task.Recurrence.values:
        raise InvalidInput(_("Choose once, every day or every week."), field="recurrence")
    _check_due(due_at, clock)
    _check_assignees(assigned_by, lead, cooperating)
    _check_sources(assigned_by, document, parent)
    if document is None and parent is not None:
        document = parent.document
    with transaction.atomic():
        task = Task.objects.create(
            document=document,
            parent=parent,
            assigned_by=assigned_by,
            assigned_by_path=assigned_by.path,
            title=title,
            description=description,
            responsible_person=responsible_person,
            due_at=due_at,
            priority=priority,
            recurrence=recurrence,
            series=uuid4().hex if recurrence else "",
            created_by=by,
        )
        rows = [_assignee_row(task, lead, TaskAssignee.Role.LEAD)]
        rows += [_assignee_row(task, c, TaskAssignee.Role.COOPERATING) for c in cooperating]
        TaskAssignee.objects.bulk_create(rows)
        audit.record(
            actor=by,
            action="command.create_task",
            object_type=TASK_TYPE,
            object_id=task.pk,
            unit_path=assigned_by.path,
            after={"title": title, "due_at": due_at.isoformat(), "assignees": [r.unit_path for r in rows]},
            clock=clock,
        )
        _notify_assignees(task, rows, clock)
    return task


def _assignee_row(task: Task, given: AssigneeInput, role: str) -> TaskAssignee:
    return TaskAssignee(task=task, unit=given.unit, unit_path=given.unit.path, office=given.office, role=role)


def _notify_assignees(task: Task, rows: Sequence[TaskAssignee], clock: Clock, *, email: bool = True) -> None:
    url = reverse("command:task", args=[task.pk])
    severity = "urgent" if task.priority == Task.Priority.URGENT else "info"
    for unit in {row.unit.pk: row.unit for row in rows}.values():
        notify(
            unit,
            kind="command.task_assigned",
            subject=str(_("New task: %(title)s") % {"title": task.title}),
            body=task.description,
            url=url,
            perm=Perm.MANAGE_COMMAND,
            severity=severity,
            dedupe_key=f"command.task:{task.pk}:{unit.pk}",
            email=email,
            clock=clock,
        )


# Who may act on a task -------------------------------------------------------------------------------


def _assignee_paths(task: Task) -> list[str]:
    return [a.unit_path for a in task.assignees.all()]


def _require_assignee(by: Any, task: Task) -> None:
    """Progress is reported by officials covering the lead or a cooperating unit (403/404 otherwise)."""
    if not paths_of(by, Perm.MANAGE_COMMAND):
        raise NotPermitted()
    if any(covers(by, path, Perm.MANAGE_COMMAND) for path in _assignee_paths(task)):
        return
    log_out_of_scope(by, TASK_TYPE, task.pk, task.assigned_by_path)
    raise OutOfScope()


def _require_assigner(by: Any, task: Task) -> None:
    """Cancelling and reopening belong to the assigning unit; an assignee may read but not do it."""
    if covers(by, task.assigned_by_path, Perm.MANAGE_COMMAND):
        return
    if paths_of(by, Perm.MANAGE_COMMAND) and any(
        covers(by, path, Perm.MANAGE_COMMAND) for path in _assignee_paths(task)
    ):
        raise NotPermitted(_("Only the assigning unit can cancel or reopen a task."))
    require_within(
        by, Perm.MANAGE_COMMAND, path=task.assigned_by_path, object_type=TASK_TYPE, object_id=task.pk
    )


def _acting_unit(by: Any, task: Task) -> Any:
    """The unit the official reports for: an assignee unit of their own role, else the lead (or another
    assignee) their role covers, else the assigning unit."""
    own = set(paths_of(by, Perm.MANAGE_COMMAND))
    assignees = sorted(task.assignees.all(), key=lambda a: a.role != TaskAssignee.Role.LEAD)
    for a in assignees:
        if a.unit_path in own:
            return a.unit
    for a in assignees:
        if covers(by, a.unit_path, Perm.MANAGE_COMMAND):
            return a.unit
    return task.assigned_by


def _compare_and_set(task: Task, statuses: Sequence[str], version: int | None, **changes: Any) -> Task:
    """Move the task only if nobody moved it since `version` (the one read when absent)."""
    expected = task.version if version is None else version
    guard = Q(pk=task.pk, status__in=statuses, version=expected)
    if not Task.objects.filter(guard).update(version=F("version") + 1, updated_at=timezone.now(), **changes):
        current = Task.objects.get(pk=task.pk)
        if current.status not in statuses:
            raise TaskClosed() if current.status in CLOSED_STATES else TaskNotClosed()
        raise TaskChanged()
    return Task.objects.select_related("assigned_by", "document").get(pk=task.pk)


# Progress --------------------------------------------------------------------------------------------


def post_progress(
    *,
    task: Task,
    by: Any,
    progress: int,
    status: str | None = None,
    note: str = "",
    attachment: UploadedFile | None = None,
    idempotency_key: str = "",
    version: int | None = None,
    clock: Clock = now,
) -> tuple[TaskUpdate, bool]:
    """An assignee reports progress (in progress or done); returns the update and whether it is new.

    A retry with the same idempotency key returns the first update, whatever happened since.
    """
    _require_assignee(by, task)
    key = (idempotency_key or "").strip()[:80]
    if key:
        existing = TaskUpdate.objects.filter(task=task, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ProgressOutOfRange(field="progress")
    status = status or Task.Status.IN_PROGRESS
    if status not in (Task.Status.IN_PROGRESS, Task.Status.DONE):
        raise StatusNotAllowed(field="status")
    note = _text(note, "note", required=False, limit=TEXT_MAX)
    extension = check_upload(attachment, field="attachment") if attachment is not None else ""
    if task.status in CLOSED_STATES:
        raise TaskClosed()
    moment = clock()
    done = status == Task.Status.DONE
    changes: dict[str, Any] = {"status": status, "progress": 100 if done else progress}
    changes["completed_at"] = moment if done else None
    update = TaskUpdate(
        task=task,
        unit=_acting_unit(by, task),
        author=by,
        at=moment,
        progress=changes["progress"],
        status=status,
        note=note,
        idempotency_key=key,
    )
    try:
        with transaction.atomic():
            updated = _compare_and_set(task, OPEN_STATES, version, **changes)
            if attachment is not None:
                update.attachment_name = _original_name(attachment)
                update.attachment.save(stored_name(extension), attachment, save=False)
            update.save()
            audit.record(
                actor=by,
                action="command.task_progress",
                object_type=TASK_TYPE,
                object_id=task.pk,
                unit_path=task.assigned_by_path,
                before={"status": task.status, "progress": task.progress},
                after={"status": status, "progress": changes["progress"], "update": update.pk},
                clock=clock,
            )
            if done:
                _notify_done(updated, clock)
    except (TaskChanged, TaskClosed, IntegrityError):
        _discard(update.attachment)
        # The same report sent twice at once: the first one stands.
        first = TaskUpdate.objects.filter(task=task, idempotency_key=key).first() if key else None
        if first is not None:
            return first, False
        raise
    if done and updated.recurrence:
        roll_recurring(clock=clock, series=updated.series)
    return update, True


def _notify_done(task: Task, clock: Clock) -> None:
    notify(
        task.assigned_by,
        kind="command.task_done",
        subject=str(_("Task done: %(title)s") % {"title": task.title}),
        url=reverse("command:task", args=[task.pk]),
        perm=Perm.MANAGE_COMMAND,
        dedupe_key=f"command.task_done:{task.pk}:{task.version}",
        email=False,
        clock=clock,
    )


def _assigner_update(
    task: Task, by: Any, status: str, reason: str, version: int | None, clock: Clock, **changes: Any
) -> Task:
    """Cancel or reopen: the assigning unit's compare-and-set, recorded in the task's timeline."""
    moment = clock()
    sources = OPEN_STATES if status == Task.Status.CANCELLED else CLOSED_STATES
    with transaction.atomic():
        updated = _compare_and_set(task, sources, version, status=status, **changes)
        TaskUpdate.objects.create(
            task=task,
            unit=task.assigned_by,
            author=by,
            at=moment,
            progress=updated.progress,
            status=status,
            note=reason,
        )
        audit.record(
            actor=by,
            action="command.cancel_task" if status == Task.Status.CANCELLED else "command.reopen_task",
            object_type=TASK_TYPE,
            object_id=task.pk,
            unit_path=task.assigned_by_path,
            before={"status": task.status},
            after={"status": status},
            clock=clock,
        )
    return updated


def cancel_task(*, task: Task, by: Any, reason: str, version: int | None = None, clock: Clock = now) -> Task:
    """The assigning unit withdraws an open task (a recurring series stops with it)."""
    _require_assigner(by, task)
    reason = _text(reason, "reason", limit=TEXT_MAX)
    return _assigner_update(task, by, Task.Status.CANCELLED, reason, version, clock)


def reopen_task(*, task: Task, by: Any, reason: str, version: int | None = None, clock: Clock = now) -> Task:
    """The assigning unit reopens a done or cancelled task, so its assignees can report again."""
    _require_assigner(by, task)
    reason = _text(reason, "reason", limit=TEXT_MAX)
    status = Task.Status.IN_PROGRESS if task.progress > 0 else Task.Status.OPEN
    return _assigner_update(task, by, status, reason, version, clock, completed_at=None)


# Recurrence ------------------------------------------------------------------------------------------


def roll_recurring(*, clock: Clock = now, series: str | None = None) -> list[Task]:
    """For each recurring series whose latest occurrence is done or past due, create the next one.

    The next due time steps by the period from the last one, skipping times already past, so a job
    that did not run for a week creates one occurrence, not seven. (series, due_at) is unique, so
    rolling twice, or from two workers, creates it once.
    """
    moment = clock()
    # The latest occurrence of a series is the one with no later occurrence (one anti-join query).
    later = Task.objects.filter(series=OuterRef("series"), due_at__gt=OuterRef("due_at"))
    due = Task.objects.exclude(series="").exclude(recurrence="").filter(~Exists(later))
    if series is not None:
        due = due.filter(series=series)
    due = due.exclude(status=Task.Status.CANCELLED).filter(Q(status=Task.Status.DONE) | Q(due_at__lte=moment))
    created = []
    for occurrence in due.select_related("assigned_by").prefetch_related(
        "assignees__unit", "assignees__office"
    ):
        following = _next_occurrence(occurrence, moment, clock)
        if following is not None:
            created.append(following)
    return created


def _next_occurrence(previous: Task, moment: datetime, clock: Clock) -> Task | None:
    period = PERIOD[Task.Recurrence(previous.recurrence)]
    due_at = previous.due_at + period
    if due_at <= moment:  # skip the occurrences missed while nobody rolled
        due_at += period * ((moment - due_at) // period + 1)
    try:
        with transaction.atomic():
            task = Task.objects.create(
                document_id=previous.document_id,
                parent_id=previous.parent_id,
                assigned_by=previous.assigned_by,
                assigned_by_path=previous.assigned_by_path,
                title=previous.title,
                description=previous.description,
                responsible_person=previous.responsible_person,
                due_at=due_at,
                priority=previous.priority,
                recurrence=previous.recurrence,
                series=previous.series,
                created_by_id=previous.created_by_id,
            )
            rows = [
                TaskAssignee(task=task, unit=a.unit, unit_path=a.unit_path, office=a.office, role=a.role)
                for a in previous.assignees.all()
            ]
            TaskAssignee.objects.bulk_create(rows)
            audit.record(
                actor=None,
                action="command.roll_task",
                object_type=TASK_TYPE,
                object_id=task.pk,
                unit_path=task.assigned_by_path,
                after={"series": task.series, "due_at": due_at.isoformat(), "after": previous.pk},
                clock=clock,
            )
            _notify_assignees(task, rows, clock, email=False)
    except IntegrityError:
        return None  # another worker rolled it first
    return task
