"""Pages of vaccination: coverage, vaccines, a person's doses, adverse events, due lists.

Thin: each calls the same selectors and services as the API. A CCCD is typed in a POST form, never in
an address; a person's page is reached by their opaque id.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import HANOI, local_date, now
from phaodai.core.errors import DomainError
from phaodai.core.text import mask_name
from phaodai.territory import selectors as territory
from phaodai.vaccination import coverage, coverage_map, selectors, services
from phaodai.vaccination.forms import (
    AdverseEventForm,
    CoverageForm,
    DoseForm,
    DueForm,
    FindForm,
    HomeVisitForm,
)


def _today() -> date:
    return local_date(now())


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Coverage of a unit and of each of its children, as of a day."""
    form = CoverageForm(request.GET or None)
    on = _today()
    unit = selectors.coverage_unit_for(request.user, request.GET.get("unit", "")[:5])
    if form.is_valid() and form.cleaned_data["on"]:
        try:
            on = selectors.require_plausible_day(form.cleaned_data["on"])
        except DomainError as error:
            form.add_error("on", str(error.detail))
    figures = coverage.of_unit(unit, on)
    context = {
        "figures": figures,
        "map": coverage_map.build(figures),
        "on": on,
        "form": form,
        "parents": [u for u in territory.ancestors_of(unit) if selectors.covers_unit(request.user, u)],
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "vaccination/coverage.html", context, status=status)


@login_required
@require_GET
def products(request: HttpRequest) -> HttpResponse:
    return render(request, "vaccination/products.html", {"products": selectors.products(active_only=False)})


@login_required
@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.VACCINATE)
    form = FindForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                person = selectors.person_by_cccd(request.user, form.cleaned_data["cccd"])
            except DomainError as error:
                form.add_domain_error(error)
            else:
                if person is not None:
                    return redirect("vaccination:person", person_id=person.pk)
                form.add_error("cccd", _("No person with this CCCD is registered where you work."))
                status = 404
    return render(request, "vaccination/find.html", {"form": form}, status=status)


def _person_page(request: HttpRequest, person: Any, form: DoseForm, status: int = 200) -> HttpResponse:
    context = {
        "person": person,
        "name": mask_name(person.full_name),
        "doses": selectors.doses_of(person),
        "form": form,
        "home_form": HomeVisitForm(),
    }
    return render(request, "vaccination/person.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, person_id: Any) -> HttpResponse:
    """A person's doses and the form recording the next one."""
    user = request.user
    found = selectors.person_for(user, person_id)
    choices = selectors.products()
    if request.method != "POST":
        return _person_page(request, found, DoseForm(products=choices))
    form = DoseForm(request.POST, products=choices)
    if not form.is_valid():
        return _person_page(request, found, form, status=422)
    data = form.cleaned_data
    try:
        dose, created = services.record_dose(
            by=user,
            person=found,
            product=selectors.product_by_code(data["product"]),
            dose_number=data["dose_number"],
            given_on=data["given_on"],
            lot=data["lot"],
            site=data["site"],
            vaccinator=data["vaccinator"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return _person_page(request, found, form, status=error.status)
    if created:
        messages.success(request, _("Dose %(number)s recorded.") % {"number": dose.dose_number})
    else:
        messages.info(
            request,
            _("Dose %(number)s was already recorded; nothing changed.") % {"number": dose.dose_number},
        )
    return redirect("vaccination:person", person_id=found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def dose(request: HttpRequest, pk: int) -> HttpResponse:
    """A dose, its adverse events, and the form reporting one."""
    user = request.user
    found = selectors.dose_for(user, pk)
    form = AdverseEventForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                _event, created = services.report_adverse_event(
                    by=user,
                    dose=found,
                    severity=data["severity"],
                    onset_at=data["onset_at"].astimezone(HANOI),
                    outcome=data["outcome"],
                    description=data["description"],
                    idempotency_key=data["token"],
                )
            except DomainError as error:
                if error.status in (403, 404):
                    raise
                form.add_domain_error(error)
                status = error.status
            else:
                if created:
                    messages.success(request, _("Adverse event recorded."))
                else:
                    messages.info(request, _("This adverse event was already recorded; nothing changed."))
                return redirect("vaccination:dose", pk=found.pk)
    context = {
        "dose": found,
        "name": mask_name(found.person.full_name),
        "events": list(selectors.adverse_events_of(found)),
        "form": form,
    }
    return render(request, "vaccination/dose.html", context, status=status)


@login_required
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    """Who in a ward is due or overdue for their next dose, as of a day (keyset pages)."""
    require_perm(request.user, Perm.VACCINATE)
    wards = selectors.wards_for(request.user)
    form = DueForm(request.GET or None, wards=wards)
    page, ward, on = None, None, _today()
    if form.is_valid():
        ward = selectors.ward_for(request.user, form.cleaned_data["ward"])
        on = form.cleaned_data["on"] or on
        try:
            selectors.require_plausible_day(on)
            page = selectors.due_list(ward, on, after=form.cleaned_data["after"] or None)
        except DomainError as error:
            form.add_error("on" if error.field == "on" else None, str(error.detail))
    elif request.GET.get("ward") and not any(w.code == request.GET["ward"] for w in wards):
        selectors.ward_for(request.user, request.GET["ward"])  # 404 (logged) for a ward elsewhere
    context = {"form": form, "page": page, "ward": ward, "on": on}
    return render(
        request, "vaccination/due.html", context, status=200 if form.is_valid() or not request.GET else 422
    )
