"""Pages of market-pass schemes: the list, a new scheme, one scheme with its latest allocation run and
its areas to print, editing, withdrawing, running the allocation, and a tổ dân phố's sheet (PDF).

Everything here needs Perm.MANAGE_MARKETS over the scheme's ward: 403 without it, 404 (logged) outside.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.core.errors import DomainError
from phaodai.markets import printing, selectors, services
from phaodai.markets.forms import SchemeForm, VersionForm, pattern_key
from phaodai.markets.models import AllocationRun, MarketPass, Scheme
from phaodai.markets.views_registry import area_in_reach, chosen_ward, require_manager, ward_choices

LIST_LIMIT = 200
AREA_PASS_LIMIT = 2000


@login_required
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager(user)
    schemes = list(selectors.schemes_visible_to(user)[: LIST_LIMIT + 1])
    context = {"schemes": schemes[:LIST_LIMIT], "more": len(schemes) > LIST_LIMIT}
    return render(request, "markets/schemes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager(user)
    posted = request.method == "POST"
    form = SchemeForm(request.POST if posted else None, wards=ward_choices(user))
    if posted and form.is_valid():
        try:
            scheme, created = services.create_scheme(
                by=user, unit=chosen_ward(form.cleaned_data["unit"]), **form.details()
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
        else:
            if created:
                messages.success(request, _("Scheme “%(name)s” created.") % {"name": scheme.name})
            return redirect("markets:scheme", pk=scheme.pk)
    context = {"form": form, "title": _("New market-pass scheme")}
    return render(request, "markets/registry_form.html", context, status=422 if posted else 200)


def _areas_of_run(scheme: Scheme) -> list[dict[str, Any]]:
    """Each area of the scheme's passes: how many, how many printed (one row per area of the ward)."""
    return list(
        MarketPass.objects.filter(scheme=scheme, revoked_at__isnull=True)
        .values("area__code", "area__name")
        .annotate(passes=Count("pk"), printed=Count("pk", filter=Q(printed_at__isnull=False)))
        .order_by("area__code")
    )


def _shortfall_rows(run: AllocationRun | None) -> list[dict[str, Any]]:
    """The run's shortfall with its days as dates (stored as ISO text in JSON), for dd/mm/yyyy."""
    if run is None:
        return []
    return [{**row, "day": date.fromisoformat(row["day"])} for row in run.shortfall]


def _scheme_page(request: HttpRequest, scheme: Scheme, status: int = 200) -> HttpResponse:
    run = AllocationRun.objects.filter(scheme=scheme).order_by("-number").first()
    context = {
        "scheme": scheme,
        "run": run,
        "shortfall": _shortfall_rows(run),
        "areas": _areas_of_run(scheme) if run is not None else [],
        "form": VersionForm(initial={"version": scheme.version}),
        "withdrawn": scheme.status == Scheme.Status.WITHDRAWN,
    }
    return render(request, "markets/scheme.html", context, status=status)


@login_required
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_manager(user)
    return _scheme_page(request, selectors.scheme_for(user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_manager(user)
    scheme = selectors.scheme_for(user, pk)
    posted = request.method == "POST"
    initial = {
        "name": scheme.name, "starts_on": scheme.starts_on, "ends_on": scheme.ends_on,
        "pattern": pattern_key(scheme.pattern), "slot_minutes": scheme.slot_minutes,
        "market_choice": scheme.market_choice, "single_use": scheme.single_use,
        "tolerance_minutes": scheme.tolerance_minutes, "version": scheme.version,
    }  # fmt: skip
    form = SchemeForm(request.POST if posted else None, initial=initial, editing=True)
    status = 422 if posted else 200
    if posted and form.is_valid():
        try:
            services.edit_scheme(
                by=user, scheme=scheme, version=form.cleaned_data["version"], **form.details()
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            status = error.status
        else:
            messages.success(request, _("Scheme saved."))
            return redirect("markets:scheme", pk=scheme.pk)
    context = {"form": form, "title": _("Edit %(name)s") % {"name": scheme.name}}
    return render(request, "markets/registry_form.html", context, status=status)


@login_required
@require_POST
def scheme_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_manager(user)
    scheme = selectors.scheme_for(user, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.withdraw_scheme(by=user, scheme=scheme, version=version)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
        return _scheme_page(request, scheme, error.status)
    messages.success(request, _("Scheme withdrawn: its passes are no longer valid."))
    return redirect("markets:scheme", pk=scheme.pk)


@login_required
@require_POST
def scheme_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the allocation (part of the markets app that places households into market-hours)."""
    from phaodai.markets.allocation import run_allocation  # the allocation module is heavy: load on use

    user = request.user
    require_manager(user)
    scheme = selectors.scheme_for(user, pk)
    try:
        run = run_allocation(by=user, scheme=scheme)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
        return _scheme_page(request, scheme, error.status)
    messages.success(
        request,
        _("Allocation run %(number)s: %(passes)s passes.") % {"number": run.number, "passes": run.passes},
    )
    return redirect("markets:scheme", pk=scheme.pk)


@login_required
@require_POST
def scheme_sheet(request: HttpRequest, pk: int, area_code: str) -> HttpResponse:
    """The tổ dân phố's sheet as a PDF download; printing signs the passes not yet signed."""
    user = request.user
    require_manager(user)
    scheme = selectors.scheme_for(user, pk)
    area = area_in_reach(user, area_code)
    content = printing.sheet_pdf(by=user, scheme=scheme, area=area)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="phieu-di-cho-{scheme.pk}-{area.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def scheme_area(request: HttpRequest, pk: int, area_code: str) -> HttpResponse:
    """The passes of one tổ dân phố, with each printed pass's phone link to send to the household."""
    user = request.user
    require_manager(user)
    scheme = selectors.scheme_for(user, pk)
    area = area_in_reach(user, area_code)
    rows = list(
        MarketPass.objects.filter(scheme=scheme, area=area)
        .select_related("household", "market", "representative", "scheme__unit")
        .order_by("household__code", "day", "slot_start")[:AREA_PASS_LIMIT]
    )
    passes = [
        {
            "pass": row,
            "market": printing.market_label(row),
            "slot": printing.slot_text(row),
            "link": reverse("markets:pass_phone", args=[row.pass_id, printing.pass_link_token(row)])
            if row.pass_code and row.revoked_at is None
            else "",
        }
        for row in rows
    ]
    context = {"scheme": scheme, "area": area, "passes": passes, "limit": AREA_PASS_LIMIT}
    return render(request, "markets/scheme_area.html", context)
