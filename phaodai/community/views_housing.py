"""Pages of special housing (S36): the list per ward with what each still lacks, registering one, its
plan (compare-and-set on the version) and its checklist. Perm.MANAGE_COMMUNITY over the ward."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.community import checklists, selectors, services
from phaodai.community.models import Housing
from phaodai.community.pages import field_errors, form_date, posted
from phaodai.core.errors import DomainError

FIELDS = (
    "area",
    "kind",
    "name",
    "address",
    "residents",
    "plan",
    "responsible_name",
    "responsible_phone",
    "plan_starts_on",
    "plan_ends_on",
)


def _dates(values: dict[str, str]) -> dict[str, Any]:
    return {
        name: form_date(values[name][:10]) if values[name].strip() else None
        for name in ("plan_starts_on", "plan_ends_on")
    }


@login_required
@require_http_methods(["GET", "POST"])
def housing_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_manager(user)
    code = request.GET.get("ward", "")[:5]
    ward = selectors.unit_in_reach(user, code) if code else None
    values = posted(request, *FIELDS)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            values = posted(request, *FIELDS)
            area = selectors.area_in_reach(user, values["area"][:40])
            row, created = services.register_housing(
                by=user,
                area=area,
                kind=values["kind"],
                name=values["name"],
                address=values["address"],
                residents=values["residents"],
                plan=values["plan"],
                responsible_name=values["responsible_name"],
                responsible_phone=values["responsible_phone"],
                **_dates(values),
            )
            if created:
                messages.success(request, _("The housing is registered."))
            return redirect("community:housing", pk=row.pk)
        except DomainError as error:
            errors, status = field_errors(error), error.status
    context = {
        "rows": selectors.housing_board(user, ward),
        "ward": ward,
        "values": values,
        "errors": errors,
        "kinds": Housing.Kind.choices,
    }
    return render(request, "community/housing_list.html", context, status=status)


def _housing_page(
    request: HttpRequest, housing: Any, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    ticks = selectors.ticks_of(housing)
    context = {
        "housing": housing,
        "items": [(key, label, ticks.get(key)) for key, label in checklists.items_of(housing.kind)],
        "gaps": selectors.HousingRow(housing, selectors.housing_gaps(housing, ticks.keys())),
        "errors": errors or {},
        # After a refusal the form keeps what was typed; otherwise it shows the stored plan.
        "plan_values": posted(request, *FIELDS) if errors else _stored(housing),
    }
    return render(request, "community/housing.html", context, status=status)


def _stored(housing: Any) -> dict[str, Any]:
    return {
        "plan": housing.plan,
        "responsible_name": housing.responsible_name,
        "responsible_phone": housing.responsible_phone,
        "plan_starts_on": housing.plan_starts_on.isoformat() if housing.plan_starts_on else "",
        "plan_ends_on": housing.plan_ends_on.isoformat() if housing.plan_ends_on else "",
    }


@login_required
@require_GET
def housing(request: HttpRequest, pk: int) -> HttpResponse:
    return _housing_page(request, selectors.housing_for(request.user, pk))


@login_required
@require_POST
def housing_plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.housing_for(request.user, pk)
    try:
        values = posted(request, *FIELDS, "version")
        services.update_plan(
            by=request.user,
            housing=found,
            version=values["version"][:10] or None,
            plan=values["plan"],
            responsible_name=values["responsible_name"],
            responsible_phone=values["responsible_phone"],
            **_dates(values),
        )
    except DomainError as error:
        return _housing_page(request, found, field_errors(error), error.status)
    messages.success(request, _("The plan is saved."))
    return redirect("community:housing", pk=found.pk)


@login_required
@require_POST
def housing_tick(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.housing_for(request.user, pk)
    try:
        services.tick(
            by=request.user,
            housing=found,
            key=request.POST.get("key", "")[:32],
            done=request.POST.get("done", "1") != "0",
        )
    except DomainError as error:
        return _housing_page(request, found, field_errors(error), error.status)
    return redirect("community:housing", pk=found.pk)
