"""Pages that change what is planned (S19): cancel a booking or a home visit, edit a team or a site.

Thin over vaccination.sites and vaccination.home, like the API (api_changes.py).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from phaodai.core.clock import to_local
from phaodai.core.errors import DomainError
from phaodai.territory import selectors as territory
from phaodai.vaccination import home, selectors, sites
from phaodai.vaccination.forms import CancelForm, SiteEditForm, TeamEditForm
from phaodai.vaccination.models import Booking, Site

SITE_FIELDS = (
    "name",
    "address",
    "hourly_capacity",
    "opens_at",
    "closes_at",
    "incident_contact",
    "incident_phone",
    "nearest_hospital",
    "severe_reaction_plan",
    "version",
)


def _refuse_or_show(form: Any, error: DomainError) -> int:
    if error.status in (403, 404):
        raise error
    form.add_domain_error(error)
    return error.status


def _form_errors(form: CancelForm) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _site_day_url(booking: Booking) -> str:
    url = reverse("vaccination:site", args=[booking.site_id])
    return f"{url}?day={to_local(booking.hour.starts_at):%Y-%m-%d}" if booking.hour else url


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a booked hour or an invitation from the site's page; the message says what happened."""
    booking = selectors.booking_for(request.user, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_site_day_url(booking))
    try:
        sites.cancel_booking(by=request.user, booking=booking, reason=form.cleaned_data["reason"])
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Booking cancelled; its place is free again."))
    return redirect(_site_day_url(booking))


@login_required
@require_POST
def home_visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a requested or scheduled home visit from the ward's list."""
    visit = selectors.home_visit_for(request.user, pk)
    ward = territory.unit_by_path(visit.path)
    back = f"{reverse('vaccination:home_visits')}?ward={ward.code if ward else ''}"
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    try:
        home.cancel_home_visit(
            by=request.user,
            visit=visit,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Home visit cancelled."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_for(request.user, pk)
    initial = {f: getattr(team, f) for f in ("name", "daily_capacity", "active", "version")}
    form = TeamEditForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                home.update_team(by=request.user, team=team, **form.cleaned_data)
            except DomainError as error:
                status = _refuse_or_show(form, error)
            else:
                messages.success(request, _("Team changed."))
                return redirect("vaccination:teams")
    return render(request, "vaccination/team_edit.html", {"team": team, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site: Site = selectors.site_to_plan(request.user, pk)
    initial = {f: getattr(site, f) for f in SITE_FIELDS}
    form = SiteEditForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                sites.update_site(by=request.user, site=site, **form.cleaned_data)
            except DomainError as error:
                status = _refuse_or_show(form, error)
            else:
                messages.success(request, _("Site changed."))
                return redirect("vaccination:site", pk=site.pk)
    return render(request, "vaccination/site_edit.html", {"site": site, "form": form}, status=status)
