"""Pages of the markets registry: the list (htmx filter), a market with its status, registering and
editing one, the representatives of a tổ dân phố, and the household's phone page of one pass.

Readers: whoever manages markets, checks a gate or reports prices within the market's ward; changes:
Perm.MANAGE_MARKETS over the ward. Without a markets permission 403; out of reach 404 (logged).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.core.clock import now
from phaodai.core.errors import DomainError, InvalidInput, NotPermitted
from phaodai.core.jurisdiction import covers, paths_of, require_within
from phaodai.core.qr import qr_svg
from phaodai.markets import printing, selectors, services
from phaodai.markets.forms import MarketForm, RepresentativeForm, StatusForm
from phaodai.markets.models import Market, Representative
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory

LIST_LIMIT = 200
AREA_LIMIT = 200
HOUSEHOLD_LIMIT = 500


def require_reader(user: Any) -> None:
    if not selectors.is_reader(user):
        raise NotPermitted()


def require_manager(user: Any) -> None:
    if not selectors.is_manager(user):
        raise NotPermitted()


def managed_wards(user: Any) -> list[Any]:
    """The wards where the user manages markets, in path order (a district's or the city's wards)."""
    wards: list[Any] = []
    for path in paths_of(user, Perm.MANAGE_MARKETS):
        unit = territory.unit_by_path(path)
        if unit is None:
            continue
        if unit.level == "ward":
            wards.append(unit)
        else:
            wards.extend(territory.within(unit).filter(level="ward").order_by("path")[:1000])
    return wards


def ward_choices(user: Any) -> list[tuple[str, str]]:
    return [(ward.code, ward.full_name) for ward in managed_wards(user)]


def chosen_ward(code: str) -> Any:
    return territory.unit_by_code(code)


def area_in_reach(user: Any, code: str) -> Any:
    """An area by code where the user manages markets: 403 without the permission, 404 (logged) outside."""
    area = territory.area_by_code(code)
    if area is None:
        raise Http404
    require_within(user, Perm.MANAGE_MARKETS, path=area.path, object_type="territory.area", object_id=area.pk)
    return area


def area_of_form(user: Any, code: str) -> Any:
    """The market's area from a form: empty is none; one outside the user's reach is not named."""
    code = code.strip()
    if not code:
        return None
    area = territory.area_by_code(code)
    if area is None or not covers(user, area.path, Perm.MANAGE_MARKETS):
        raise InvalidInput(_("There is no residential area with this code in your wards."), field="area")
    return area


# The registry --------------------------------------------------------------------------------------


@login_required
@require_GET
def market_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    ward = request.GET.get("ward", "")[:5]
    status = request.GET.get("status", "")[:16]
    markets = selectors.markets_visible_to(user)
    if ward:
        markets = markets.filter(unit__code=ward)
    if status in Market.Status.values:
        markets = markets.filter(status=status)
    rows = list(markets[: LIST_LIMIT + 1])
    context = {
        "markets": rows[:LIST_LIMIT],
        "more": len(rows) > LIST_LIMIT,
        "limit": LIST_LIMIT,
        "ward": ward,
        "status": status,
        "statuses": Market.Status.choices,
        "can_manage": selectors.is_manager(user),
    }
    if getattr(request, "htmx", False):
        return render(request, "markets/_market_rows.html", context)
    return render(request, "markets/markets.html", context)


def _market_page(
    request: HttpRequest, market: Market, status_form: StatusForm | None = None, code: int = 200
) -> HttpResponse:
    user = request.user
    manages = covers(user, market.unit_path, Perm.MANAGE_MARKETS)
    form = status_form or StatusForm(
        initial={"status": market.status, "status_note": market.status_note, "version": market.version}
    )
    return render(
        request,
        "markets/market.html",
        {
            "market": market,
            "manages": manages,
            "form": form,
            "can_gate": covers(user, market.unit_path, Perm.CHECK_MARKET_GATE),
            "can_price": covers(user, market.unit_path, Perm.REPORT_PRICES),
        },
        status=code,
    )


@login_required
@require_GET
def market_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    require_reader(user)
    return _market_page(request, selectors.market_for(user, code))


@login_required
@require_http_methods(["GET", "POST"])
def market_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager(user)
    posted = request.method == "POST"
    form = MarketForm(request.POST if posted else None, wards=ward_choices(user))
    if posted and form.is_valid():
        try:
            market, created = services.create_market(
                by=user,
                unit=chosen_ward(form.cleaned_data["unit"]),
                code=form.cleaned_data["code"],
                area=area_of_form(user, form.cleaned_data["area"]),
                **form.details(),
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
        else:
            if created:
                messages.success(request, _("Market %(code)s registered.") % {"code": market.code})
            return redirect("markets:market", code=market.code)
    context = {"form": form, "title": _("Register a market")}
    return render(request, "markets/registry_form.html", context, status=422 if posted else 200)


@login_required
@require_http_methods(["GET", "POST"])
def market_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    require_manager(user)
    market = selectors.market_for(user, code, perm=Perm.MANAGE_MARKETS)
    posted = request.method == "POST"
    initial = {
        "name": market.name, "kind": market.kind, "address": market.address, "opens_at": market.opens_at,
        "closes_at": market.closes_at, "capacity": market.capacity, "version": market.version,
        "area": market.area.code if market.area else "",
    }  # fmt: skip
    form = MarketForm(request.POST if posted else None, initial=initial, editing=True)
    status = 200
    if posted and form.is_valid():
        try:
            services.edit_market(
                by=user,
                market=market,
                version=form.cleaned_data["version"],
                area=area_of_form(user, form.cleaned_data["area"]),
                **form.details(),
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            status = error.status
        else:
            messages.success(request, _("Market saved."))
            return redirect("markets:market", code=market.code)
    elif posted:
        status = 422
    context = {"form": form, "title": _("Edit %(name)s") % {"name": market.name}, "market": market}
    return render(request, "markets/registry_form.html", context, status=status)


@login_required
@require_POST
def market_status(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    require_manager(user)
    market = selectors.market_for(user, code, perm=Perm.MANAGE_MARKETS)
    form = StatusForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.set_market_status(
                by=user, market=market, status=form.cleaned_data["status"],
                note=form.cleaned_data["status_note"], version=form.cleaned_data["version"],
            )  # fmt: skip
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            status = error.status
        else:
            messages.success(request, _("Market status saved."))
            return redirect("markets:market", code=market.code)
    return _market_page(request, market, form, status)


# Representatives -----------------------------------------------------------------------------------


@login_required
@require_GET
def representative_areas(request: HttpRequest) -> HttpResponse:
    """The tổ dân phố of the user's wards, to choose one and name its households' representatives."""
    user = request.user
    require_manager(user)
    areas: list[Any] = []
    for ward in managed_wards(user)[:50]:
        areas.extend(territory.areas_of(ward).select_related("ward").order_by("local_code")[:AREA_LIMIT])
        if len(areas) >= AREA_LIMIT:
            break
    return render(request, "markets/representative_areas.html", {"areas": areas[:AREA_LIMIT]})


def _households_page(user: Any, area: Any) -> dict[str, Any]:
    households = list(territory.households_of(area).order_by("code")[: HOUSEHOLD_LIMIT + 1])
    more = len(households) > HOUSEHOLD_LIMIT
    households = households[:HOUSEHOLD_LIMIT]
    ids = [household.pk for household in households]
    members: dict[int, list[Any]] = {pk: [] for pk in ids}
    persons = (
        people.persons_visible_to(user)
        .filter(household_id__in=ids)
        .defer("cccd_ciphertext", "cccd_index")
        .order_by("household_id", "name_key")
    )
    for person in persons:
        members.setdefault(person.household_id or 0, []).append(person)
    chosen = dict(
        Representative.objects.filter(household_id__in=ids).values_list("household_id", "person_id")
    )
    rows = [
        {"household": household, "members": members[household.pk], "representative": chosen.get(household.pk)}
        for household in households
    ]
    missing = sum(1 for row in rows if row["representative"] is None)
    return {"area": area, "rows": rows, "more": more, "missing": missing}


@login_required
@require_http_methods(["GET", "POST"])
def representatives(request: HttpRequest, area_code: str) -> HttpResponse:
    """The households of a tổ dân phố with their members; pick each one's representative."""
    user = request.user
    require_manager(user)
    area = area_in_reach(user, area_code)
    status = 200
    if request.method == "POST":
        form = RepresentativeForm(request.POST)
        household = None
        if form.is_valid():
            household = territory.households_of(area).filter(pk=form.cleaned_data["household"]).first()
        if household is None:
            messages.error(request, _("Choose a household of this area and one of its members."))
            status = 422
        else:
            try:
                _row, changed = services.designate_representative(
                    by=user, household=household, person_id=form.cleaned_data["person"]
                )
            except DomainError as error:
                if error.status in (403, 404):
                    raise
                messages.error(request, str(error.detail))
                status = error.status
            else:
                if changed:
                    messages.success(
                        request,
                        _("Representative of %(household)s saved.") % {"household": household.address},
                    )
                if not getattr(request, "htmx", False):
                    return redirect("markets:representatives", area_code=area.code)
    context = _households_page(user, area)
    return render(request, "markets/representatives.html", context, status=status)


# The household's phone -----------------------------------------------------------------------------


@never_cache
@require_GET
def pass_phone(request: HttpRequest, pass_id: str, token: str) -> HttpResponse:
    """One pass on the household's phone, through its unguessable link: the QR to show at the gate."""
    market_pass = printing.pass_by_link(pass_id, token)
    usable = bool(market_pass.pass_code) and market_pass.revoked_at is None
    context = {
        "market_pass": market_pass,
        "market": printing.market_label(market_pass),
        "slot": printing.slot_text(market_pass),
        "qr": qr_svg(market_pass.pass_code, scale=5, title=market_pass.pass_id) if usable else "",
        "revoked": market_pass.revoked_at is not None,
        "ended": market_pass.slot_end <= now(),
    }
    response = render(request, "markets/pass_phone.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
