"""Pages of food aid (S34): the public request form (anyone, foreigners too; limited per device), and
the ward's worklist, a request's page, assigning a team, delivering and closing."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.core.errors import DomainError
from phaodai.core.ratelimit import client_of
from phaodai.relief import foodaid, selectors
from phaodai.relief.forms import AssignForm, CloseForm, DeliverForm, FoodRequestForm, unit_choices


def _private(response: HttpResponse) -> HttpResponse:
    """A request carries a name, phone and address: never cached."""
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def food_public(request: HttpRequest) -> HttpResponse:
    """Any household asks its ward for food: no CCCD needed; a retry of the same form books once."""
    posted = request.method == "POST"
    form = FoodRequestForm(request.POST if posted else None, wards=unit_choices(wards_only=True))
    status = 422 if posted else 200
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            row, created = foodaid.request_food_publicly(
                ward_code=data["ward"], name=data["name"], phone=data["phone"], address=data["address"],
                nationality=data["nationality"], people=data["people"], needs=data["needs"],
                token=data["token"], client=client_of(request),
            )  # fmt: skip
        except DomainError as error:
            form.add_domain_error(error)
            status = error.status
        else:
            return _private(render(request, "relief/food_thanks.html", {"row": row, "created": created}))
    return _private(render(request, "relief/food_public.html", {"form": form}, status=status))


@login_required
@require_GET
def food_list(request: HttpRequest) -> HttpResponse:
    """The officer's worklist: open requests, those waiting over 24 hours first."""
    unit = selectors.unit_in_reach(request.user, request.GET.get("unit", "")[:5])
    rows = foodaid.worklist(request.user, unit_path=unit.path)
    return _private(render(request, "relief/food_list.html", {"unit": unit, "rows": rows}))


def _detail(
    request: HttpRequest, row: Any, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    version = {"version": row.version}
    context = {
        "row": row, "delivered": foodaid.delivered_goods(row),
        "assign": AssignForm(initial={**version, "team": row.team}), "deliver": DeliverForm(initial=version),
        "close": CloseForm(initial=version), **(forms or {}),
    }  # fmt: skip
    return _private(render(request, "relief/food_detail.html", context, status=status))


@login_required
@require_GET
def food_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, foodaid.request_for(request.user, pk))


@login_required
@require_POST
def food_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    row = foodaid.request_for(request.user, pk)
    if step not in ("assign", "deliver", "close"):
        raise Http404
    form: Any = {"assign": AssignForm, "deliver": DeliverForm, "close": CloseForm}[step](request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "assign":
                foodaid.assign_team(by=request.user, request=row, team=data["team"], version=data["version"])
            elif step == "deliver":
                foodaid.deliver(by=request.user, request=row, goods=form.goods(), version=data["version"],
                                note=data["note"])  # fmt: skip
            else:
                foodaid.close(by=request.user, request=row, note=data["note"], version=data["version"])
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            status = error.status
        else:
            messages.success(request, _("Request updated."))
            return redirect("relief:food_detail", pk=pk)
    return _detail(request, foodaid.request_for(request.user, pk), {step: form}, status)
