"""Lockdown pages: the list, declaring one, a lockdown with its extension and lifting.

Thin over lockdowns.py: each action posts to its own URL; a refusal shows beside its field (422), a
conflict (someone acted first, 409) shows the lockdown as it now is with the reason. Readers are those who
declare, trace or isolate; declaring, extending and lifting need `cases.lockdown` where the lockdown is.
"""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.cases import lockdown_selectors as selectors
from phaodai.cases import lockdowns
from phaodai.cases import selectors as cases_selectors
from phaodai.cases.forms_lockdowns import DeclareForm, ExtendForm, LiftForm
from phaodai.cases.models import Lockdown
from phaodai.core.clock import now
from phaodai.core.errors import Conflict, DomainError, NotPermitted
from phaodai.core.jurisdiction import log_out_of_scope, paths_of
from phaodai.territory import selectors as territory

DETAIL = "cases/lockdowns/detail.html"
DEFAULT_DAYS = 14  # a lockdown is usually declared for 14 days, then extended or lifted
CLUSTER_CHOICES = 200


@login_required
@require_GET
def lockdowns_list(request: HttpRequest) -> HttpResponse:
    """Lockdowns within the user's units, those in force first."""
    user = request.user
    selectors.require_reader(user)
    status = request.GET.get("status", "")[:10]
    context = {
        "rows": selectors.lockdowns_listed(user, status),
        "status": status if status in Lockdown.Status.values else "",
        "statuses": Lockdown.Status.choices,
        "limit": selectors.LIST_LIMIT,
        "can_declare": selectors.may_declare(user),
    }
    return render(request, "cases/lockdowns/list.html", context)


# Declaring --------------------------------------------------------------------------------------------------


def _wards(user: Any) -> list[Any]:
    """The wards the user may declare lockdowns in."""
    found: dict[str, Any] = {}
    for path in paths_of(user, Perm.DECLARE_LOCKDOWN):
        unit = territory.unit_by_path(path)
        if unit is None:
            continue
        below = [unit] if unit.level == "ward" else territory.within(unit).filter(level="ward")
        found.update((ward.code, ward) for ward in below)
    return sorted(found.values(), key=lambda ward: ward.path)


def _chosen_ward(request: HttpRequest, wards: list[Any]) -> Any:
    if not wards:
        raise NotPermitted()
    code = (request.POST.get("ward") or request.GET.get("ward") or "")[:5]
    if not code:
        return wards[0]
    chosen = next((ward for ward in wards if ward.code == code), None)
    if chosen is None:
        unit = territory.unit_by_code(code)
        if unit is not None:
            log_out_of_scope(request.user, "territory.unit", code, unit.path)
        raise Http404
    return chosen


@login_required
@require_http_methods(["GET", "POST"])
def lockdown_new(request: HttpRequest) -> HttpResponse:
    """Declare a lockdown: the ward first (officers of a district or the city choose it), then the area."""
    user = request.user
    require_perm(user, Perm.DECLARE_LOCKDOWN)
    wards = _wards(user)
    ward = _chosen_ward(request, wards)
    areas = list(territory.areas_of(ward))
    clusters = list(cases_selectors.clusters_visible_to(user).filter(status="active")[:CLUSTER_CHOICES])
    moment = now().replace(second=0, microsecond=0)
    initial = {
        "ward": ward.code,
        "area": request.GET.get("area", ""),
        "scope": Lockdown.Scope.AREA,
        "starts_at": moment,
        "planned_end_at": moment + timedelta(days=DEFAULT_DAYS),
        "people_inside": 0,
    }
    posted = request.method == "POST"
    form = DeclareForm(
        request.POST if posted else None,
        initial=initial,
        areas=[(area.code, f"{area.name} ({area.code})") for area in areas],
        clusters=[(str(cluster.pk), f"{cluster.code} — {cluster.name}") for cluster in clusters],
    )
    status = 422 if posted else 200
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            lockdown, created = lockdowns.declare_lockdown(
                by=user,
                area=next(area for area in areas if area.code == data["area"]),
                scope=data["scope"],
                place=data["place"],
                reason=data["reason"],
                decision_number=data["decision_number"],
                starts_at=data["starts_at"],
                planned_end_at=data["planned_end_at"],
                cluster=next((c for c in clusters if str(c.pk) == data["cluster"]), None),
                people_inside=data["people_inside"],
                checkpoints=data["checkpoints"],
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            status = error.status
        else:
            if created:
                messages.success(request, _("Lockdown declared; the ward and the district are told."))
            else:
                messages.info(request, _("This lockdown was already recorded."))
            return redirect("cases:lockdown", pk=lockdown.pk)
    context = {"form": form, "ward": ward, "wards": wards, "has_areas": bool(areas)}
    return render(request, "cases/lockdowns/new.html", context, status=status)


# One lockdown -----------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    lockdown: Lockdown,
    *,
    extend_form: ExtendForm | None = None,
    lift_form: LiftForm | None = None,
    conflict: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    acts = lockdown.status == Lockdown.Status.IN_FORCE and selectors.may_declare(request.user, lockdown.path)
    context = {
        "lockdown": lockdown,
        "place": lockdowns.label(lockdown),
        "acts": acts,
        "conflict": conflict,
        "extend_form": extend_form
        or ExtendForm(
            initial={
                "planned_end_at": lockdown.planned_end_at + timedelta(days=7),
                "version": lockdown.version,
            }
        ),
        "lift_form": lift_form
        or LiftForm(
            initial={"ended_at": now().replace(second=0, microsecond=0), "version": lockdown.version}
        ),
    }
    return render(request, DETAIL, context, status=status)


@login_required
@require_GET
def lockdown_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_reader(request.user)
    return _detail(request, selectors.lockdown_for(request.user, pk))


def _acting_on(request: HttpRequest, pk: int) -> Lockdown:
    """403 for roles that cannot declare lockdowns; 404 (logged) for one outside the user's units."""
    require_perm(request.user, Perm.DECLARE_LOCKDOWN)
    return selectors.lockdown_for(request.user, pk)


def _refused(request: HttpRequest, pk: int, error: DomainError, **forms: Any) -> HttpResponse:
    """A conflict shows the lockdown as it now is; bad input shows beside the field."""
    if error.status in (403, 404):
        raise error
    if isinstance(error, Conflict):
        return _detail(request, selectors.lockdown_for(request.user, pk), conflict=error, status=error.status)
    for form in forms.values():
        form.add_domain_error(error)
    return _detail(request, selectors.lockdown_for(request.user, pk), status=error.status, **forms)


@login_required
@require_POST
def lockdown_extend(request: HttpRequest, pk: int) -> HttpResponse:
    lockdown = _acting_on(request, pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _detail(request, lockdown, extend_form=form, status=422)
    try:
        lockdowns.extend(
            by=request.user,
            lockdown=lockdown,
            planned_end_at=form.cleaned_data["planned_end_at"],
            version=form.cleaned_data["version"],
        )
    except DomainError as error:
        return _refused(request, pk, error, extend_form=form)
    messages.success(request, _("Lockdown extended; the ward and the district are told."))
    return redirect("cases:lockdown", pk=pk)


@login_required
@require_POST
def lockdown_lift(request: HttpRequest, pk: int) -> HttpResponse:
    lockdown = _acting_on(request, pk)
    form = LiftForm(request.POST)
    if not form.is_valid():
        return _detail(request, lockdown, lift_form=form, status=422)
    try:
        lockdowns.lift(
            by=request.user,
            lockdown=lockdown,
            ended_at=form.cleaned_data["ended_at"],
            version=form.cleaned_data["version"],
        )
    except DomainError as error:
        return _refused(request, pk, error, lift_form=form)
    messages.success(request, _("Lockdown lifted; the ward and the district are told."))
    return redirect("cases:lockdown", pk=pk)
