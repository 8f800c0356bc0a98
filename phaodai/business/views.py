"""Pages of the business register: search, registration, a business with its verdict, "my businesses".

Officials read the businesses of their units; a representative only those they represent. Plans have
their own pages (views_plans.py).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm, user_by_username
from phaodai.business import selectors, services
from phaodai.business.errors import NotARepresentative
from phaodai.business.forms import BusinessForm, RepresentativeForm, SearchForm
from phaodai.core.clock import now
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.inspections import selectors as inspections
from phaodai.territory import selectors as territory


@login_required
@require_GET
def businesses(request: HttpRequest) -> HttpResponse:
    """The officials' register, searched by name (diacritics optional) or tax code."""
    user = request.user
    if not selectors.is_official(user) and has_perm(user, Perm.REPRESENT_BUSINESS):
        return redirect("business:mine")
    selectors.require_reader(user)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "rows": selectors.search_businesses(user, query),
        "q": query,
        "can_register": has_perm(user, Perm.MANAGE_BUSINESSES),
        "can_decide": has_perm(user, Perm.APPROVE_PLANS),
    }
    if getattr(request, "htmx", False):
        return render(request, "business/_business_rows.html", context)
    return render(request, "business/businesses.html", context)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A representative's home: the businesses they act for, with what they may do now."""
    require_perm(request.user, Perm.REPRESENT_BUSINESS)
    moment = now()
    rows = [
        (business, selectors.operating_answer(business, moment))
        for business in selectors.represented_by(request.user)
    ]
    return render(request, "business/mine.html", {"rows": rows, "now": moment})


def _business_form(user: Any, data: Any = None) -> BusinessForm:
    wards = [(w.code, w.full_name) for w in selectors.registration_wards(user)]
    return BusinessForm(data, wards=wards, sectors=selectors.sector_names())


@login_required
@require_http_methods(["GET", "POST"])
def business_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_BUSINESSES)
    posted = request.method == "POST"
    form = _business_form(user, request.POST if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            business = services.register_business(
                by=user,
                tax_code=data["tax_code"],
                name=data["name"],
                kind=data["kind"],
                sector=data["sector"],
                address=data["address"],
                unit=territory.unit_by_code(data["unit"]),
                area=_area(data["area"]),
                workforce=data["workforce"],
            )
        except DomainError as error:
            if error.status == 404:
                raise
            form.add_domain_error(error)
        else:
            messages.success(request, _("Business %(name)s registered.") % {"name": business.name})
            return redirect("business:detail", pk=business.pk)
    return render(request, "business/business_add.html", {"form": form}, status=422 if posted else 200)


def _area(code: str) -> Any:
    if not code:
        return None
    area = territory.area_by_code(code.strip())
    if area is None:
        raise InvalidInput(_("No residential area has this code."), field="area")
    return area


def _detail(request: HttpRequest, business: Any, *, rep_form: Any = None, status: int = 200) -> HttpResponse:
    user = request.user
    plans = selectors.plans_with_events(business)
    live = next((p for p in plans if p.status in selectors.LIVE_PLAN), None)
    manages = selectors.may_manage(user, business)
    context = {
        "business": business,
        "sector": dict(selectors.sector_names()).get(business.sector, business.sector),
        "answer": selectors.operating_answer(business, now()),
        "plans": plans,
        "live": live,
        "representatives": selectors.representatives_of(business),
        "can_draft": live is None and (manages or selectors.represents(user, business)),
        "rep_form": rep_form or (RepresentativeForm() if manages else None),
        "inspections_section": inspections.business_record(user, business),
    }
    return render(request, "business/business.html", context, status=status)


@login_required
@require_GET
def business_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_reader(request.user)
    return _detail(request, selectors.business_for(request.user, pk))


@login_required
@require_POST
def representative_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a user with the business-representative role to the business (by user name)."""
    user = request.user
    require_perm(user, Perm.MANAGE_BUSINESSES)
    business = selectors.business_for(user, pk)
    form = RepresentativeForm(request.POST)
    if form.is_valid():
        found = user_by_username(form.cleaned_data["username"].strip())
        try:
            if found is None:
                raise NotARepresentative(field="username")
            services.add_representative(by=user, business=business, user=found)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_error("username", str(error.detail))
        else:
            messages.success(request, _("%(user)s now represents this business.") % {"user": found.username})
            return redirect("business:detail", pk=pk)
    return _detail(request, business, rep_form=form, status=422)
