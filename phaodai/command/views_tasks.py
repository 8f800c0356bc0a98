"""Pages of the document register and tasks: thin over the services, refusals shown beside the field.

Files are served only through `document_file` and `update_attachment`, after the same scope check as
the page they belong to; nothing under MEDIA_ROOT has a public URL.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.command import selectors_tasks as selectors
from phaodai.command import services_tasks as services
from phaodai.command.forms_tasks import (
    DocumentForm,
    ProgressForm,
    ReasonForm,
    TaskFilterForm,
    TaskForm,
    split_assignee,
)
from phaodai.command.models import Document, Task
from phaodai.core.clock import now
from phaodai.core.errors import Conflict, DomainError, NotPermitted
from phaodai.core.uploads import download

TASK_PAGE = "command/tasks/task.html"


def _manager(request: HttpRequest) -> Any:
    require_perm(request.user, Perm.MANAGE_COMMAND)
    return request.user


def _unit_choices(user: Any) -> list[tuple[str, str]]:
    return [(u.code, u.full_name) for u in selectors.acting_units(user)]


def _chosen_unit(user: Any, code: str) -> Any:
    unit = next((u for u in selectors.acting_units(user) if u.code == code), None)
    if unit is None:
        raise Http404
    return unit


# Documents -------------------------------------------------------------------------------------------


@login_required
@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    """The register: documents we registered or were given tasks from; search by number or title."""
    user = _manager(request)
    query, kind = request.GET.get("q", "")[:200], request.GET.get("kind", "")
    kind = kind if kind in Document.Kind.values else ""
    rows = selectors.search_documents(user, query, kind=kind)
    context = {"rows": rows, "q": query, "kind": kind, "kinds": Document.Kind.choices}
    if getattr(request, "htmx", False):
        return render(request, "command/tasks/_document_rows.html", context)
    return render(request, "command/tasks/documents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    units = _unit_choices(user)
    posted = request.method == "POST"
    form = DocumentForm(request.POST if posted else None, request.FILES if posted else None, units=units)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.register_document(
                by=user,
                unit=_chosen_unit(user, data["unit"]),
                number=data["number"],
                kind=data["kind"],
                issuer=data["issuer"],
                issued_on=data["issued_on"],
                title=data["title"],
                summary=data["summary"],
                file=data["file"],
                public=data["public"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Document %(number)s registered.") % {"number": document.number})
            return redirect("command:document", pk=document.pk)
    status = 422 if posted else 200
    return render(request, "command/tasks/document_add.html", {"form": form}, status=status)


@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    user = _manager(request)
    doc = selectors.document_for(user, pk)
    context = {"document": doc, "tasks": selectors.tasks_of_document(user, doc), "now": now()}
    return render(request, "command/tasks/document.html", context)


@login_required
@require_GET
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    doc = selectors.document_for(_manager(request), pk)
    if not doc.file:
        raise Http404
    return download(doc.file, doc.file_name)


# Task lists ------------------------------------------------------------------------------------------


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """Two tabs: our tasks, and tasks we assigned; overdue first, then by due time."""
    user = _manager(request)
    form = TaskFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    tab = data.get("tab") or "ours"
    flt = selectors.TaskFilter(
        mine=tab,
        status=data.get("status") or "",
        overdue=bool(data.get("overdue")),
        priority=data.get("priority") or "",
        document=data.get("document"),
        include_subordinate=bool(data.get("below")),
    )
    moment = now()
    page = selectors.task_list(user, flt, cursor=data.get("cursor") or "", at=moment)
    query = request.GET.copy()
    query["cursor"] = page.next_cursor
    context = {
        "form": form,
        "tab": tab,
        "page": page,
        "now": moment,
        "next_query": query.urlencode() if page.next_cursor else "",
        "can_include_below": any(u.level != "ward" for u in selectors.acting_units(user)),
    }
    if getattr(request, "htmx", False):
        return render(request, "command/tasks/_task_rows.html", context)
    return render(request, "command/tasks/tasks.html", context)


# Creating a task -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def task_add(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    units = selectors.acting_units(user)
    docs = selectors.document_choices(user, units)
    initial = {"document": request.GET.get("document", ""), "parent": request.GET.get("parent") or None}
    posted = request.method == "POST"
    form = TaskForm(
        request.POST if posted else None,
        initial=initial,
        units=[(u.code, u.full_name) for u in units],
        assignees=selectors.assignee_choices(user),
        documents=[(str(d.pk), f"{d.number} — {d.title[:80]}") for d in docs],
    )
    if posted and form.is_valid():
        try:
            task = _create(user, form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Task assigned; the units were notified."))
            return redirect("command:task", pk=task.pk)
    parent_pk = form.data.get("parent") if posted else initial["parent"]
    parent = _parent(user, parent_pk)
    status = 422 if posted else 200
    return render(request, "command/tasks/task_add.html", {"form": form, "parent": parent}, status=status)


def _parent(user: Any, pk: Any) -> Task | None:
    try:
        return selectors.task_for(user, int(pk)) if pk else None
    except (TypeError, ValueError):
        return None


def _create(user: Any, data: dict[str, Any]) -> Task:
    document = selectors.document_for(user, int(data["document"])) if data.get("document") else None
    parent = selectors.task_for(user, data["parent"]) if data.get("parent") else None
    lead = services.assignee(*split_assignee(data["lead"]), field="lead")
    cooperating = [services.assignee(*split_assignee(v), field="cooperating") for v in data["cooperating"]]
    return services.create_task(
        by=user,
        assigned_by=_chosen_unit(user, data["assigned_by"]),
        title=data["title"],
        description=data["description"],
        due_at=data["due_at"],
        lead=lead,
        cooperating=cooperating,
        document=document,
        parent=parent,
        responsible_person=data["responsible_person"],
        priority=data["priority"],
        recurrence=data["recurrence"] or "",
    )


# A task ----------------------------------------------------------------------------------------------


def _task_page(
    request: HttpRequest,
    task: Task,
    *,
    progress_form: ProgressForm | None = None,
    reason_form: ReasonForm | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    active = task.status in selectors.ACTIVE
    assignee, assigner = selectors.is_assignee(user, task), selectors.is_assigner(user, task)
    if progress_form is None and assignee and active:
        initial = {"progress": task.progress, "token": ProgressForm.fresh_token(), "version": task.version}
        progress_form = ProgressForm(initial=initial)
    if reason_form is None and assigner:
        reason_form = ReasonForm(initial={"version": task.version})
    context = {
        "task": task,
        "updates": selectors.updates_of(task),
        "subtasks": selectors.subtasks_of(user, task),
        "overdue": selectors.is_overdue(task),
        "progress_form": progress_form if assignee and active else None,
        "reason_form": reason_form if assigner else None,
        "can_cancel": assigner and active,
        "can_reopen": assigner and not active,
        "error": error,
    }
    return render(request, TASK_PAGE, context, status=status)


@login_required
@require_GET
def task(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, selectors.task_for(_manager(request), pk))


@login_required
@require_POST
def task_update(request: HttpRequest, pk: int) -> HttpResponse:
    """An assignee's progress report; the form's token makes a double submit record one report."""
    user = _manager(request)
    current = selectors.task_for(user, pk)
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        return _task_page(request, current, progress_form=form, status=422)
    data = form.cleaned_data
    try:
        _update, created = services.post_progress(
            task=current,
            by=user,
            progress=data["progress"],
            status=data["status"],
            note=data["note"],
            attachment=data["attachment"],
            idempotency_key=data["token"],
            version=data["version"],
        )
    except Conflict as error:
        return _task_page(request, selectors.task_for(user, pk), error=error, status=error.status)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return _task_page(request, current, progress_form=form, status=error.status)
    if created:
        messages.success(request, _("Progress recorded."))
    return redirect("command:task", pk=pk)


def _assigner_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    user = _manager(request)
    current = selectors.task_for(user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        if not selectors.is_assigner(user, current):
            raise NotPermitted(_("Only the assigning unit can cancel or reopen a task."))
        return _task_page(request, current, reason_form=form, status=422)
    try:
        action(
            task=current, by=user, reason=form.cleaned_data["reason"], version=form.cleaned_data["version"]
        )
    except Conflict as error:
        return _task_page(request, selectors.task_for(user, pk), error=error, status=error.status)
    messages.success(request, done)
    return redirect("command:task", pk=pk)


@login_required
@require_POST
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _assigner_action(request, pk, services.cancel_task, _("Task cancelled."))


@login_required
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _assigner_action(request, pk, services.reopen_task, _("Task reopened."))


@login_required
@require_GET
def update_attachment(request: HttpRequest, pk: int) -> FileResponse:
    update = selectors.update_for(_manager(request), pk)
    if not update.attachment:
        raise Http404
    return download(update.attachment, update.attachment_name)
