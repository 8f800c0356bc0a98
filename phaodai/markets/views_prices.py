"""Pages of prices and supply (S26): the ward's or district's board, a market's day of prices, shortages.

Readers of the board: whoever manages markets or reports prices there; a market's prices and
shortages: whoever reports prices over its ward (market keepers, officials).
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.core.clock import local_date, now, read_local_date
from phaodai.core.errors import DomainError, InvalidInput, NotPermitted
from phaodai.markets import prices
from phaodai.markets.forms_prices import BoardForm, PricesForm, ShortageForm
from phaodai.markets.models import Market, PriceReport, Shortage


@login_required
@require_GET
def prices_board(request: HttpRequest) -> HttpResponse:
    """Today's (or a chosen day's) prices per market and good, alerts, shortages, markets not reported."""
    user = request.user
    if not prices.is_price_reader(user):
        raise NotPermitted()
    form = BoardForm(request.GET or None)
    unit_code = request.GET.get("unit", "")[:5]
    context: dict[str, Any] = {"form": form, "board": None}
    try:
        context["board"] = prices.board(user, unit_code=unit_code, day=form.day_value())
    except InvalidInput as error:
        # A city-wide official picks a ward or district first.
        context["choose"] = str(error.detail)
    return render(request, "markets/board.html", context)


def _day(request: HttpRequest) -> date:
    return read_local_date(request.GET.get("day", "")) or local_date(now())


def _market_page(
    request: HttpRequest, market: Market, form: PricesForm, day: date, status: int = 200
) -> HttpResponse:
    rows = list(PriceReport.objects.filter(market=market, day=day).select_related("market"))
    shortages = Shortage.objects.filter(market=market, resolved_on__isnull=True).order_by("reported_on")
    context = {
        "market": market,
        "form": form,
        "day": day,
        "cells": prices.assess(rows, [market], day),
        "shortages": [(row, prices.good_label(row.good)) for row in shortages],
        "shortage_form": ShortageForm(),
        "source": prices.catalogue().source,
    }
    return render(request, "markets/prices_report.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def prices_report(request: HttpRequest, code: str) -> HttpResponse:
    """One form with a row per good for a market's day; re-submitting corrects (nothing half-written)."""
    market = prices.price_market_for(request.user, code)
    day = _day(request)
    if request.method == "GET":
        current = dict(PriceReport.objects.filter(market=market, day=day).values_list("good", "price"))
        initial = {PricesForm.price_field(good): str(price) for good, price in current.items()}
        return _market_page(request, market, PricesForm(initial={"day": day.isoformat(), **initial}), day)
    form = PricesForm(request.POST)
    form.is_valid()  # every field is optional text: the service checks the values
    chosen = form.day_value()
    try:
        outcome = prices.report_prices(
            by=request.user, market=market, day=chosen or form.cleaned_data.get("day"), prices=form.given()
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return _market_page(request, market, form, chosen or day, status=error.status)
    messages.success(
        request,
        _("Prices saved: %(new)d new, %(fixed)d corrected, %(same)d unchanged.")
        % {"new": len(outcome.created), "fixed": len(outcome.updated), "same": len(outcome.unchanged)},
    )
    for cell in outcome.alerts:
        messages.warning(
            request,
            _("%(good)s: %(price)s đồng is %(jump)s%% above its recent level (%(level)s).")
            % {"good": cell.good.label, "price": cell.price, "jump": cell.jump_percent, "level": cell.level},
        )
    return redirect(f"{reverse('markets:prices_report', args=[market.code])}?day={chosen or day}")


@login_required
@require_POST
def shortage_report(request: HttpRequest, code: str) -> HttpResponse:
    market = prices.price_market_for(request.user, code)
    form = ShortageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a good from the list."))
        return redirect("markets:prices_report", code=market.code)
    try:
        _row, created = prices.report_shortage(
            by=request.user, market=market, good=form.cleaned_data["good"], note=form.cleaned_data["note"]
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Shortage reported.") if created else _("This shortage is already open."))
    return redirect("markets:prices_report", code=market.code)


@login_required
@require_POST
def shortage_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    shortage = prices.shortage_for(request.user, pk)
    try:
        prices.resolve_shortage(by=request.user, shortage=shortage)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Shortage resolved."))
    return redirect("markets:prices_report", code=shortage.market.code)
