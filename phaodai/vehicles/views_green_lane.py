"""Pages of the green lane: the list (htmx search), registering one or a fleet, a registration with its
QR, approving, rejecting, revoking, and the printable green card (PDF).

Readers: managers of checkpoints and checkpoint officers within the issuing unit; everyone else 403,
a registration out of reach 404 (logged). Changes: managers of the issuing unit.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.qr import qr_svg
from phaodai.territory import selectors as territory
from phaodai.vehicles import cards, rules, selectors, services
from phaodai.vehicles.forms import DecisionForm, FleetForm, GreenLaneForm
from phaodai.vehicles.models import Status


def require_reader(user: Any) -> None:
    if not selectors.is_reader(user):
        raise NotPermitted()


def unit_choices(user: Any) -> list[tuple[str, str]]:
    return [(unit.code, unit.full_name) for unit in selectors.issuing_units(user)]


def chosen_unit(code: str) -> Any:
    return territory.unit_by_code(code)


def before_of(request: HttpRequest) -> int | None:
    raw = request.GET.get("before", "")
    # isascii: "²" is a digit to isdigit() but not to int()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


@login_required
@require_GET
def green_lane_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    query = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")[:10]
    page = selectors.search_green_lanes(user, query=query, status=status, before=before_of(request))
    context = {
        "page": page,
        "q": query,
        "status": status,
        "statuses": Status.choices,
        "can_register": selectors.is_registrar(user),
    }
    if getattr(request, "htmx", False):
        return render(request, "vehicles/_green_lane_rows.html", context)
    return render(request, "vehicles/green_lanes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def green_lane_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    posted = request.method == "POST"
    form = GreenLaneForm(request.POST if posted else None, units=unit_choices(user))
    if posted and form.is_valid():
        try:
            registration, created = services.register_green_lane(
                by=user,
                unit=chosen_unit(form.cleaned_data["unit"]),
                idempotency_key=form.cleaned_data["token"],
                **form.details(),
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
        else:
            if created:
                messages.success(
                    request, _("Registration %(ref)s submitted.") % {"ref": registration.reference}
                )
            return redirect("vehicles:green_lane", pk=registration.pk)
    return render(request, "vehicles/form.html", {"form": form, "title": _("Register a green-lane vehicle")},
                  status=422 if posted else 200)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def green_lane_import(request: HttpRequest) -> HttpResponse:
    """A fleet from a CSV file: the good rows registered, each bad one listed with its reason."""
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    posted = request.method == "POST"
    form = FleetForm(
        request.POST if posted else None, request.FILES if posted else None, units=unit_choices(user)
    )
    result = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_fleet(
                by=user,
                unit=chosen_unit(form.cleaned_data["unit"]),
                data=upload.read(services.FLEET_MAX_BYTES + 1),
                operator=form.cleaned_data["operator"],
                batch=(upload.name or "")[:40],
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
    status = 200 if not posted or result is not None else 422
    return render(request, "vehicles/fleet.html", {"form": form, "result": result}, status=status)


@login_required
@require_GET
def green_lane_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_reader(user)
    registration = selectors.green_lane_for(user, pk)
    context = {
        "registration": registration,
        "plate": rules.shown_plate(registration.plate),
        "qr": qr_svg(registration.pass_code, title=registration.reference) if registration.pass_code else "",
        "manages": selectors.manages(user, registration),
        "form": DecisionForm(initial={"version": registration.version}),
    }
    return render(request, "vehicles/green_lane.html", context)


def _decision(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    registration = selectors.green_lane_for(user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("vehicles:green_lane", pk=pk)
    version, note = form.cleaned_data["version"], form.cleaned_data["note"]
    try:
        if action == "approve":
            services.approve_green_lane(by=user, registration=registration, version=version)
            messages.success(request, _("Approved: the green card can be printed."))
        elif action == "reject":
            services.reject_green_lane(by=user, registration=registration, version=version, note=note)
            messages.success(request, _("Rejected."))
        else:
            services.revoke_green_lane(by=user, registration=registration, version=version, note=note)
            messages.success(request, _("Revoked: checks refuse this vehicle from now on."))
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
    return redirect("vehicles:green_lane", pk=pk)


@login_required
@require_POST
def green_lane_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (signing the pass) or reject, as the button pressed says."""
    return _decision(request, pk, "reject" if request.POST.get("action") == "reject" else "approve")


@login_required
@require_POST
def green_lane_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, "revoke")


@login_required
@require_GET
def green_lane_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable green card (thẻ luồng xanh) with its QR; only an approved registration has one."""
    user = request.user
    require_reader(user)
    registration = selectors.green_lane_for(user, pk)
    if registration.status != Status.APPROVED or not registration.pass_code:
        messages.error(request, _("Only an approved registration has a green card."))
        return redirect("vehicles:green_lane", pk=pk)
    response = HttpResponse(cards.green_card(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="the-luong-xanh-{registration.reference}.pdf"'
    return response
