"""Pages of donations, stocks and transfers (S34, S37), for officers who manage relief in their units.

Thin: each page reads through `selectors` and writes through `services` (the same calls as the API);
a refusal goes beside its field with what was typed kept (403 and 404 are rendered by the middleware).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.core.errors import DomainError, InvalidInput
from phaodai.core.jurisdiction import paths_of
from phaodai.relief import money, selectors, services
from phaodai.relief.forms import (
    DonationForm,
    MovementForm,
    SpendingForm,
    StepForm,
    ThresholdForm,
    TransferForm,
    unit_choices,
)
from phaodai.territory import selectors as territory


def _refused(form: Any, error: DomainError) -> int:
    if error.status in (403, 404):
        raise error
    form.add_domain_error(error)
    return error.status


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Stocks of a ward, district or the city: balances, low-stock alerts, days of supply (up to now or
    to the end of a past `?day=`), in transit."""
    day = selectors.board_day(request.GET.get("day", ""))
    found = selectors.board(request.user, unit_code=request.GET.get("unit", "")[:5], day=day)
    return render(request, "relief/board.html", {"board": found, "day": day})


@login_required
@require_GET
def donations(request: HttpRequest) -> HttpResponse:
    unit = selectors.unit_in_reach(request.user, request.GET.get("unit", "")[:5])
    rows = selectors.donations_of(request.user, unit)
    return render(request, "relief/donations.html", {"unit": unit, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def donation_new(request: HttpRequest) -> HttpResponse:
    selectors.require_manager(request.user)
    posted = request.method == "POST"
    form = DonationForm(
        request.POST if posted else None, units=unit_choices(paths_of(request.user, services.PERM))
    )
    status = 200
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            unit = territory.unit_by_code(str(data["unit"]).strip())
            donation, created = services.record_donation(
                by=request.user, unit=services.require_unit(unit), kind=data["kind"],
                amount_vnd=data["amount_vnd"] or None, item=data["item"] or None,
                quantity=data["quantity"] or None, donor_name=data["donor_name"],
                donor_phone=data["donor_phone"], anonymous=data["anonymous"], note=data["note"],
                idempotency_key=data["token"],
            )  # fmt: skip
        except DomainError as error:
            status = _refused(form, error)
        else:
            if created:
                messages.success(request, _("Donation recorded."))
            return redirect(f"{_url('relief:donations')}?unit={donation.unit.code}")
    elif posted:
        status = 422
    return render(request, "relief/donation_form.html", {"form": form}, status=status)


@login_required
@require_GET
def money_page(request: HttpRequest) -> HttpResponse:
    """A unit's money: what its funds hold now, what was donated, and what was spent (newest first)."""
    unit = selectors.unit_in_reach(request.user, request.GET.get("unit", "")[:5])
    context = {
        "unit": unit,
        "held": selectors.money_held(unit),
        "rows": selectors.spendings_of(request.user, unit),
    }
    return render(request, "relief/money.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def money_spend(request: HttpRequest) -> HttpResponse:
    """Spend money of a fund: goods bought (booked into the stock) or cash handed out."""
    selectors.require_manager(request.user)
    posted = request.method == "POST"
    form = SpendingForm(
        request.POST if posted else None, units=unit_choices(paths_of(request.user, services.PERM))
    )
    status = 200
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.require_unit(territory.unit_by_code(str(data["unit"]).strip()))
            spending, created = money.spend(
                by=request.user, unit=unit, kind=data["kind"], amount_vnd=data["amount_vnd"] or None,
                payee=data["payee"], reason=data["reason"], item=data["item"] or None,
                quantity=data["quantity"] or None, idempotency_key=data["token"],
            )  # fmt: skip
        except DomainError as error:
            status = _refused(form, error)
        else:
            if created:
                messages.success(request, _("Money spent recorded."))
            return redirect(f"{_url('relief:money')}?unit={spending.unit.code}")
    elif posted:
        status = 422
    return render(request, "relief/money_form.html", {"form": form}, status=status)


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


def _unit_item(request: HttpRequest, unit_code: str, item_code: str) -> tuple[Any, Any]:
    unit = selectors.unit_in_reach(request.user, unit_code[:5])
    item = selectors.item_by_code(item_code)
    if item is None:
        raise InvalidInput(_("Choose an item from the list."), field="item")
    return unit, item


def _stock_page(
    request: HttpRequest, unit: Any, item: Any, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    stock = selectors.stock_for(request.user, unit, item)
    context = {
        "unit": unit, "item": item, "stock": stock,
        "movements": selectors.movements_of(request.user, unit, item),
        "distribute": MovementForm(prefix="distribute"), "adjust": MovementForm(prefix="adjust"),
        "threshold": ThresholdForm(prefix="threshold",
                                   initial={"threshold": stock.low_threshold if stock else 0}),
        **(forms or {}),
    }  # fmt: skip
    return render(request, "relief/stock.html", context, status=status)


@login_required
@require_GET
def stock(request: HttpRequest, unit_code: str, item_code: str) -> HttpResponse:
    unit, item = _unit_item(request, unit_code, item_code)
    return _stock_page(request, unit, item)


@login_required
@require_POST
def stock_action(request: HttpRequest, unit_code: str, item_code: str, action: str) -> HttpResponse:
    """Distribute, adjust or set the threshold; more than held is refused with what is held."""
    if action not in ("distribute", "adjust", "threshold"):
        raise Http404
    unit, item = _unit_item(request, unit_code, item_code)
    form: Any = (ThresholdForm if action == "threshold" else MovementForm)(request.POST, prefix=action)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "threshold":
                services.set_threshold(by=request.user, unit=unit, item=item, threshold=data["threshold"])
                created = True
            else:
                write = services.distribute if action == "distribute" else services.adjust
                _movement, created = write(
                    by=request.user, unit=unit, item=item, quantity=data["quantity"], reason=data["reason"],
                    idempotency_key=data["token"],
                )  # fmt: skip
        except DomainError as error:
            status = _refused(form, error)
        else:
            if created:
                messages.success(request, _("Stock updated."))
            return redirect("relief:stock", unit_code=unit.code, item_code=item.code)
    return _stock_page(request, unit, item, {action: form}, status=status)


@login_required
@require_GET
def transfers(request: HttpRequest) -> HttpResponse:
    unit = selectors.unit_in_reach(request.user, request.GET.get("unit", "")[:5])
    return render(
        request, "relief/transfers.html", {"unit": unit, "rows": selectors.transfers_of(request.user, unit)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request: HttpRequest) -> HttpResponse:
    """The district (for itself or the Fatherland Front) proposes moving goods between two of its wards."""
    selectors.require_manager(request.user)
    posted = request.method == "POST"
    wards = unit_choices(paths_of(request.user, services.PERM), wards_only=True)
    form = TransferForm(request.POST if posted else None, wards=wards)
    status = 200
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            transfer, created = services.propose_transfer(
                by=request.user, from_unit=territory.unit_by_code(data["from_unit"].strip()),
                to_unit=territory.unit_by_code(data["to_unit"].strip()), item=data["item"],
                quantity=data["quantity"], proposer=data["proposer"], reason=data["reason"],
                idempotency_key=data["token"],
            )  # fmt: skip
        except DomainError as error:
            status = _refused(form, error)
        else:
            if created:
                messages.success(request, _("Transfer proposed."))
            return redirect("relief:transfer", pk=transfer.pk)
    elif posted:
        status = 422
    return render(request, "relief/transfer_form.html", {"form": form}, status=status)


def _transfer_page(request: HttpRequest, transfer: Any, form: Any = None, status: int = 200) -> HttpResponse:
    context = {"transfer": transfer, "form": form or StepForm(initial={"version": transfer.version})}
    return render(request, "relief/transfer.html", context, status=status)


@login_required
@require_GET
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_page(request, selectors.transfer_for(request.user, pk))


@login_required
@require_POST
def transfer_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, reject, dispatch, receive or cancel; of two officers at once, the second gets 409."""
    row = selectors.transfer_for(request.user, pk)
    form = StepForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.move_transfer(
            by=request.user, transfer=row, step=data.get("step", ""), version=data.get("version"),
            note=data.get("note", ""),
        )  # fmt: skip
    except DomainError as error:
        status = _refused(form, error)
        return _transfer_page(request, selectors.transfer_for(request.user, pk), form, status)
    messages.success(request, _("Transfer updated."))
    return redirect("relief:transfer", pk=pk)
