"""Pages of the checkpoint registry: the list with filters, a checkpoint, registering and editing one.

Readers are managers (district officers, the city) and checkpoint officers; everyone else gets 403,
a checkpoint out of reach 404 (logged). Rosters and crossings have their own modules.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm
from phaodai.checkpoints import rules, selectors, services, stats
from phaodai.checkpoints.errors import CheckpointChanged
from phaodai.checkpoints.forms import CheckpointForm, SearchForm
from phaodai.checkpoints.models import Checkpoint
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError, InvalidInput, NotPermitted
from phaodai.territory import selectors as territory

EDITED_FIELDS = (
    "code",
    "name",
    "name_en",
    "kind",
    "road",
    "location",
    "latitude",
    "longitude",
    "neighbouring_province",
    "active_from",
    "active_until",
    "procedure",
    "status",
    "version",
)


def require_reader(user: Any) -> None:
    if not selectors.is_reader(user):
        raise NotPermitted()


@login_required
@require_GET
def checkpoint_list(request: HttpRequest) -> HttpResponse:
    """Checkpoints the user reads, filtered by kind, district and name, code or road."""
    user = request.user
    require_reader(user)
    form = SearchForm(request.GET)
    query = kind = district = ""
    if form.is_valid():
        query, kind, district = (form.cleaned_data[name] for name in ("q", "kind", "district"))
    context = {
        "rows": selectors.search_checkpoints(user, query=query, kind=kind, district=district),
        "form": form,
        "q": query,
        "kind": kind,
        "district": district,
        "kinds": Checkpoint.Kind.choices,
        "districts": selectors.districts_of(user),
        "can_register": has_perm(user, Perm.MANAGE_CHECKPOINTS),
    }
    if getattr(request, "htmx", False):
        return render(request, "checkpoints/_rows.html", context)
    return render(request, "checkpoints/list.html", context)


@login_required
@require_GET
def checkpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A checkpoint: its facts and procedure, who is on shift now, today's crossings by hour."""
    user = request.user
    require_reader(user)
    checkpoint = selectors.checkpoint_for(user, pk)
    moment = now()
    today = local_date(moment)
    context = {
        "checkpoint": checkpoint,
        "on_shift": selectors.shifts_at(checkpoint, moment),
        "today": stats.checkpoint_day(checkpoint, today),
        "day": today,
        "week": rules.week_start(today),
        "manages": selectors.may_manage(user, checkpoint),
        "in_operation": checkpoint.in_operation(moment),
    }
    return render(request, "checkpoints/detail.html", context)


def _other_side(code: str) -> Any:
    if not code:
        return None
    unit = territory.unit_by_code(code.strip())
    if unit is None:
        raise InvalidInput(_("No unit has this code."), field="other_side")
    return unit


def _save(request: HttpRequest, form: CheckpointForm, current: Checkpoint | None) -> Checkpoint | None:
    """Register or change through the service; a refusal goes beside its field (403/404 propagate)."""
    user = request.user
    try:
        other_side = _other_side(form.cleaned_data.get("other_side", ""))
        if current is None:
            unit = territory.unit_by_code(form.cleaned_data["unit"])
            return services.register_checkpoint(by=user, unit=unit, other_side=other_side, **form.details())
        return services.update_checkpoint(
            by=user,
            checkpoint=current,
            version=form.cleaned_data.get("version"),
            other_side=other_side,
            **form.details(),
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def checkpoint_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    units = [(u.code, f"{u.full_name} ({u.code})") for u in selectors.managing_units(user)]
    posted = request.method == "POST"
    form = CheckpointForm(request.POST if posted else None, units=units, initial={"status": "active"})
    if posted and form.is_valid():
        created = _save(request, form, None)
        if created is not None:
            messages.success(request, _("Checkpoint %(name)s registered.") % {"name": created.name})
            return redirect("checkpoints:detail", pk=created.pk)
    return render(request, "checkpoints/form.html", {"form": form}, status=422 if posted else 200)


@login_required
@require_http_methods(["GET", "POST"])
def checkpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    current = selectors.checkpoint_for(user, pk)
    services.require_manager(user, current)
    posted = request.method == "POST"
    initial = {name: getattr(current, name) for name in EDITED_FIELDS}
    initial["other_side"] = current.other_side.code if current.other_side else ""
    form = CheckpointForm(request.POST if posted else None, initial=initial, editing=True)
    if posted and form.is_valid():
        changed = _save(request, form, current)
        if changed is not None:
            messages.success(request, _("Checkpoint saved."))
            return redirect("checkpoints:detail", pk=pk)
    status = 200 if not posted else (409 if _stale(form) else 422)
    return render(request, "checkpoints/form.html", {"form": form, "checkpoint": current}, status=status)


def _stale(form: CheckpointForm) -> bool:
    stale = str(CheckpointChanged.message)
    return any(stale == str(error) for error in form.non_field_errors())
