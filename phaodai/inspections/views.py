"""Pages of inspections: the user's inspections, and one inspection with its steps.

Every step posts the version the user saw (where the service takes one): of two people acting on the
same inspection one wins; the other reads it again with a clear conflict, or, when their step was
already taken (a double click), a note saying so. Planning has its own page (views_plan.py).
"""

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from phaodai.core.errors import Conflict, DomainError, InvalidInput
from phaodai.core.language import english, localized
from phaodai.inspections import selectors, services
from phaodai.inspections.forms import (
    CancelForm,
    FilterForm,
    FindingsForm,
    FinishForm,
    ReinspectForm,
    VersionForm,
    ViolationForm,
)
from phaodai.inspections.models import Inspection
from phaodai.inspections.views_common import require_reader, team_choices

Status = Inspection.Status
PAGE_SIZE = 50
INSPECTION_PAGE = "inspections/inspection.html"


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The user's inspections, newest first, filtered by status and target; overdue re-inspections on top."""
    user = request.user
    require_reader(user)
    form = FilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.inspections_for(user)
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("kind"):
        rows = rows.filter(target_kind=filters["kind"])
    if filters.get("after"):
        # Keyset paging on the list's own order (newest scheduled first): no count, no offset.
        last = rows.filter(pk=filters["after"]).values_list("scheduled_at", flat=True).first()
        if last is not None:
            rows = rows.filter(Q(scheduled_at__lt=last) | Q(scheduled_at=last, pk__lt=filters["after"]))
    page = list(rows[: PAGE_SIZE + 1])
    overdue: list[Any] = selectors.overdue_reinspections(user)
    for violation in overdue:
        violation.kind_label = localized(violation.kind, "description")
    context = {
        "form": form,
        "rows": page[:PAGE_SIZE],
        "next_after": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None,
        "filters": {"status": filters.get("status", ""), "kind": filters.get("kind", "")},
        "overdue": overdue,
        "overdue_inspections": {v.inspection_id for v in overdue},
        "can_plan": bool(selectors.teams_acted_for(user)),
    }
    if getattr(request, "htmx", False):
        return render(request, "inspections/_inspection_rows.html", context)
    return render(request, "inspections/home.html", context)


# One inspection -------------------------------------------------------------------------------------


def _checklist(inspection: Inspection) -> list[dict[str, Any]]:
    found = {f.item_code: f for f in selectors.findings_of(inspection)}
    wanted_english = english()
    return [
        {
            "code": item["code"],
            "text": (item.get("text_en") if wanted_english else "") or item["text"],
            "finding": found.get(item["code"]),
        }
        for item in inspection.checklist.items
    ]


def _measure_names() -> dict[str, Any]:
    return dict(ViolationForm.base_fields["measures"].choices)  # type: ignore[attr-defined]


def _kinds() -> list[Any]:
    names = _measure_names()
    kinds: list[Any] = list(selectors.violation_kinds())
    for kind in kinds:
        kind.label = localized(kind, "description")
        kind.measure_labels = [str(names.get(m, m)) for m in kind.measures]
        kind.organisation_min = kind.fine_min * kind.organisation_multiplier
        kind.organisation_max = kind.fine_max * kind.organisation_multiplier
    return kinds


def _violations(inspection: Inspection) -> list[Any]:
    measure_names = _measure_names()
    rows: list[Any] = list(selectors.violations_of(inspection))
    for violation in rows:
        violation.kind_label = localized(violation.kind, "description")
        violation.measure_labels = [str(measure_names.get(m, m)) for m in violation.measures]
    return rows


def inspection_page(
    request: HttpRequest,
    inspection: Inspection,
    *,
    posted: dict[str, Any] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    """The inspection with the steps open to this user at its status; `posted` keeps a refused form."""
    user = request.user
    posted = posted or {}
    acts = selectors.may_act_for(user, inspection.team)
    version = {"version": inspection.version}
    forms: dict[str, Any] = {}
    kinds: list[Any] = []
    checklist = _checklist(inspection)
    if acts and inspection.status == Status.PLANNED:
        forms["start"] = posted.get("start") or VersionForm(initial=version, auto_id="id_start_%s")
        forms["cancel"] = posted.get("cancel") or CancelForm(initial=version, auto_id="id_cancel_%s")
    if acts and inspection.status == Status.IN_PROGRESS:
        kinds = _kinds()
        initial = {}
        for row in checklist:
            if row["finding"] is not None:
                initial[f"{row['code']}-ok"] = "yes" if row["finding"].ok else "no"
                initial[f"{row['code']}-note"] = row["finding"].note
        forms["findings"] = posted.get("findings") or FindingsForm(
            initial=initial, items=inspection.checklist.items, english=english()
        )
        forms["violation"] = posted.get("violation") or ViolationForm(
            kinds=[(k.code, k.label) for k in kinds], auto_id="id_violation_%s"
        )
        forms["finish"] = posted.get("finish") or FinishForm(initial=version, auto_id="id_finish_%s")
    if inspection.status == Status.DONE and inspection.result == Inspection.Result.FAIL:
        teams = selectors.teams_acted_for(user)
        if teams:
            forms["reinspect"] = posted.get("reinspect") or ReinspectForm(
                initial={"team": str(inspection.team_id)},
                teams=team_choices(teams),
                auto_id="id_reinspect_%s",
            )
    follow_ups = list(selectors.inspections_for(user).filter(follow_up_of=inspection.pk))
    context = {
        "inspection": inspection,
        "checklist": checklist,
        "violations": _violations(inspection),
        "kinds": kinds,
        "forms": forms,
        "acts": acts,
        "error": error,
        "follow_ups": follow_ups,
        "closure": selectors.open_closure(inspection.business) if inspection.business_id else None,
    }
    return render(request, INSPECTION_PAGE, context, status=status)


def _readable(request: HttpRequest, pk: int) -> Inspection:
    require_reader(request.user)
    return selectors.inspection_for(request.user, pk)


@login_required
@require_GET
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    return inspection_page(request, _readable(request, pk))


@login_required
@require_GET
def finding_photo(request: HttpRequest, pk: int, item: str) -> FileResponse:
    """A finding's photo, served only after the same scope check as the inspection."""
    found = next((f for f in selectors.findings_of(_readable(request, pk)) if f.item_code == item), None)
    if found is None or not found.photo:
        raise Http404
    try:
        handle = found.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    suffix = PurePath(found.photo.name).suffix.lower()
    kind = "image/png" if suffix == ".png" else "image/jpeg"
    response = FileResponse(handle, content_type=kind)
    response["Cache-Control"] = "private, no-store"
    return response


# Steps ----------------------------------------------------------------------------------------------


def _refused(
    request: HttpRequest, pk: int, error: DomainError, *, reached: str, already: str
) -> HttpResponse:
    """A conflict: when the step was already taken (a double click, a retry), say so; otherwise explain."""
    current = selectors.inspection_for(request.user, pk)
    if current.status == reached:
        messages.info(request, already)
        return redirect("inspections:inspection", pk=pk)
    return inspection_page(request, current, error=error, status=error.status)


def _version_missing(request: HttpRequest, inspection: Inspection, name: str, form: Any) -> HttpResponse:
    if "version" in form.errors:
        missing = InvalidInput(_("The form lacks the inspection's version; reload the page and try again."))
        return inspection_page(request, inspection, error=missing, status=422)
    return inspection_page(request, inspection, posted={name: form}, status=422)


def _step(
    request: HttpRequest,
    pk: int,
    name: str,
    form_class: type,
    step: Callable[..., Any],
    *,
    reached: str,
    done: str,
    already: str,
) -> HttpResponse:
    user = request.user
    current = _readable(request, pk)
    form = form_class(request.POST, auto_id=f"id_{name}_%s")
    if not form.is_valid():
        return _version_missing(request, current, name, form)
    try:
        step(by=user, inspection=current, **form.cleaned_data)
    except Conflict as error:
        return _refused(request, pk, error, reached=reached, already=already)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        if error.field in form.fields:
            form.add_domain_error(error)
            return inspection_page(request, current, posted={name: form}, status=error.status)
        return inspection_page(request, current, error=error, status=error.status)
    messages.success(request, done)
    return redirect("inspections:inspection", pk=pk)


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """The team arrives: the planned inspection is in progress from now."""
    return _step(
        request,
        pk,
        "start",
        VersionForm,
        services.start_inspection,
        reached=Status.IN_PROGRESS,
        done=_("Inspection started."),
        already=_("This inspection was already started."),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "cancel",
        CancelForm,
        services.cancel_inspection,
        reached=Status.CANCELLED,
        done=_("Inspection called off."),
        already=_("This inspection was already called off."),
    )


@login_required
@require_POST
def finish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "finish",
        FinishForm,
        services.finish_inspection,
        reached=Status.DONE,
        done=_("Inspection finished."),
        already=_("This inspection was already finished."),
    )


@login_required
@require_POST
def findings(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or correct checklist items; sending the same findings again changes nothing."""
    user = request.user
    current = _readable(request, pk)
    form = FindingsForm(request.POST, request.FILES, items=current.checklist.items, english=english())
    if not form.is_valid():
        return inspection_page(request, current, posted={"findings": form}, status=422)
    try:
        saved = services.record_findings(by=user, inspection=current, findings=form.entries())
    except Conflict as error:
        return inspection_page(request, selectors.inspection_for(user, pk), error=error, status=error.status)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return inspection_page(request, current, posted={"findings": form}, status=error.status)
    messages.success(request, _("%(count)s checklist items recorded.") % {"count": len(saved)})
    return redirect("inspections:inspection", pk=pk)


@login_required
@require_POST
def violation_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a violation; the same sanction decision sent twice is recorded once."""
    user = request.user
    current = _readable(request, pk)
    kinds = [(k.code, localized(k, "description")) for k in selectors.violation_kinds()]
    form = ViolationForm(request.POST, kinds=kinds, auto_id="id_violation_%s")
    if not form.is_valid():
        return inspection_page(request, current, posted={"violation": form}, status=422)
    try:
        recorded = services.record_violation(by=user, inspection=current, **form.violation_fields())
    except DomainError as error:
        if error.status in (403, 404):
            raise
        if error.field in form.fields:
            form.add_domain_error(error)
            return inspection_page(request, current, posted={"violation": form}, status=error.status)
        return inspection_page(request, selectors.inspection_for(user, pk), error=error, status=error.status)
    if recorded.created_now:
        messages.success(request, _("Violation recorded."))
    else:
        messages.info(request, _("This sanction decision was already recorded."))
    return redirect("inspections:inspection", pk=pk)
