"""Pages of transit trips, shippers and the vehicle check.

Same readers as the green lane (managers of checkpoints, checkpoint officers, within the issuing
unit); registering and revoking: managers. The check: whoever verifies passes, at a checkpoint they
reach.
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
from phaodai.checkpoints import selectors as checkpoints
from phaodai.core.clock import now
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.core.qr import qr_svg
from phaodai.vehicles import rules, selectors, services
from phaodai.vehicles.forms import CheckForm, DecisionForm, ShipperForm, TransitForm
from phaodai.vehicles.views_green_lane import before_of, chosen_unit, require_reader, unit_choices

# Transit ------------------------------------------------------------------------------------------


@login_required
@require_GET
def transit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    query = request.GET.get("q", "")[:40]
    states, next_before = selectors.transit_page(user, now(), query=query, before=before_of(request))
    context = {
        "states": states,
        "next_before": next_before,
        "q": query,
        "can_register": selectors.is_registrar(user),
    }
    if getattr(request, "htmx", False):
        return render(request, "vehicles/_transit_rows.html", context)
    return render(request, "vehicles/transits.html", context)


@login_required
@require_GET
def transit_overdue(request: HttpRequest) -> HttpResponse:
    """Vehicles that entered and were not seen leaving in time, with where and when they entered."""
    user = request.user
    require_reader(user)
    moment = now()
    return render(
        request, "vehicles/overdue.html", {"states": selectors.overdue_transits(user, moment), "at": moment}
    )


@login_required
@require_http_methods(["GET", "POST"])
def transit_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    posted = request.method == "POST"
    form = TransitForm(request.POST if posted else None, units=unit_choices(user))
    if posted and form.is_valid():
        try:
            trip, created = services.register_transit(
                by=user,
                unit=chosen_unit(form.cleaned_data["unit"]),
                entry_checkpoint=selectors.entry_gateway(form.cleaned_data["entry_checkpoint"]),
                idempotency_key=form.cleaned_data["token"],
                **form.details(),
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
        else:
            if created:
                messages.success(request, _("Transit trip %(ref)s registered.") % {"ref": trip.reference})
            return redirect("vehicles:transit", pk=trip.pk)
    return render(request, "vehicles/form.html", {"form": form, "title": _("Register a transit trip")},
                  status=422 if posted else 200)  # fmt: skip


@login_required
@require_GET
def transit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_reader(user)
    trip = selectors.transit_for(user, pk)
    (state,) = selectors.transit_states([trip], now())
    context = {
        "state": state,
        "trip": trip,
        "plate": rules.shown_plate(trip.plate),
        "qr": qr_svg(trip.pass_code, title=trip.reference) if trip.pass_code else "",
        "manages": selectors.manages(user, trip),
        "form": DecisionForm(initial={"version": trip.version}),
    }
    return render(request, "vehicles/transit.html", context)


def _revoke(request: HttpRequest, pk: int, find: Any, revoke: Any, name: str, target: str) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    found = find(user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect(target, pk=pk)
    try:
        revoke(by=user, **{name: found}, version=form.cleaned_data["version"], note=form.cleaned_data["note"])
        messages.success(request, _("Revoked."))
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
    return redirect(target, pk=pk)


@login_required
@require_POST
def transit_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _revoke(request, pk, selectors.transit_for, services.revoke_transit, "trip", "vehicles:transit")


# Shippers -----------------------------------------------------------------------------------------


@login_required
@require_GET
def shipper_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    query = request.GET.get("q", "")[:100]
    page = selectors.search_shippers(user, query=query, before=before_of(request))
    context = {"page": page, "q": query, "can_register": selectors.is_registrar(user)}
    if getattr(request, "htmx", False):
        return render(request, "vehicles/_shipper_rows.html", context)
    return render(request, "vehicles/shippers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def shipper_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    posted = request.method == "POST"
    form = ShipperForm(request.POST if posted else None, units=unit_choices(user))
    if posted and form.is_valid():
        try:
            shipper, created = services.register_shipper(
                by=user, unit=chosen_unit(form.cleaned_data["unit"]), **form.details()
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
        else:
            if created:
                messages.success(request, _("Shipper %(ref)s registered.") % {"ref": shipper.reference})
            return redirect("vehicles:shipper", pk=shipper.pk)
    return render(request, "vehicles/form.html", {"form": form, "title": _("Register a shipper")},
                  status=422 if posted else 200)  # fmt: skip


@login_required
@require_GET
def shipper_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_reader(user)
    shipper = selectors.shipper_for(user, pk)
    verdict = services.shipper_allowed(shipper, now())
    context = {
        "shipper": shipper,
        "plate": rules.shown_plate(shipper.plate),
        "hours": f"{rules.hour_text(shipper.hours_start)}–{rules.hour_text(shipper.hours_end)}",
        "verdict": verdict,
        "reasons": services.reasons(verdict),
        "qr": qr_svg(shipper.pass_code, title=shipper.reference) if shipper.pass_code else "",
        "manages": selectors.manages(user, shipper),
        "form": DecisionForm(initial={"version": shipper.version}),
    }
    return render(request, "vehicles/shipper.html", context)


@login_required
@require_POST
def shipper_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _revoke(request, pk, selectors.shipper_for, services.revoke_shipper, "shipper", "vehicles:shipper")


# The check ----------------------------------------------------------------------------------------


@login_required
@require_GET
def check(request: HttpRequest) -> HttpResponse:
    """Check a plate at one of the user's checkpoints (htmx answers with the verdict only)."""
    user = request.user
    require_perm(user, Perm.VERIFY_PASSES)
    places = checkpoints.search_checkpoints(user, limit=200)
    asked = request.GET.get("checkpoint", "")
    number = asked.isascii() and asked.isdigit() and len(asked) < 12  # "²" is a digit, not an int()
    if number and all(str(place.pk) != asked for place in places):
        places.append(checkpoints.checkpoint_for(user, int(asked)))  # 404 (logged) when out of reach
    choices = [(str(place.pk), f"{place.code} {place.name}") for place in places]
    form = CheckForm(request.GET or None, checkpoints=choices)
    result = None
    if request.GET and form.is_valid():
        place = checkpoints.checkpoint_for(user, int(form.cleaned_data["checkpoint"]))
        moment = form.cleaned_data["at"] or now()
        verdict = services.check_vehicle(form.cleaned_data["plate"], place, moment)
        result = {"verdict": verdict, "reasons": services.reasons(verdict), "checkpoint": place, "at": moment}
    elif request.GET and not choices:
        form.add_error(None, str(InvalidInput(_("You verify at no checkpoint.")).detail))
    context = {"form": form, "result": result}
    if getattr(request, "htmx", False) and result is not None:
        return render(request, "vehicles/_verdict.html", context)
    return render(
        request, "vehicles/check.html", context, status=422 if request.GET and not form.is_valid() else 200
    )
