"""Pages of home visits, mobile teams and sites (S19); thin over vaccination.home and vaccination.sites."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import HANOI, local_date, now, read_local_date
from phaodai.core.errors import DomainError
from phaodai.core.jurisdiction import paths_of
from phaodai.territory import selectors as territory
from phaodai.vaccination import home, selectors, sites
from phaodai.vaccination.forms import (
    BookForm,
    DueForm,
    HomeVisitForm,
    InviteForm,
    ScheduleForm,
    SiteForm,
    TeamForm,
)


def _units(user: Any) -> list[Any]:
    """The units the user plans vaccination in, and their wards, for a chooser."""
    found: list[Any] = []
    for path in paths_of(user, Perm.PLAN_VACCINATION):
        unit = territory.unit_by_path(path)
        if unit is not None:
            found.extend(territory.within(unit).exclude(level="city").order_by("path"))
    return found


def _refuse_or_show(form: Any, error: DomainError) -> int:
    if error.status in (403, 404):
        raise error
    form.add_domain_error(error)
    return error.status


@login_required
@require_POST
def home_visit_request(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = selectors.person_for(request.user, person_id)
    form = HomeVisitForm(request.POST)
    if form.is_valid():
        try:
            _visit, created = home.request_home_visit(
                by=request.user, person=person, reason=form.cleaned_data["reason"] or None,
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except DomainError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, str(error.detail))
        else:
            messages.success(
                request, _("Home visit requested.") if created else _("A home visit was already requested.")
            )
    else:
        messages.error(request, _("Choose why the person is vaccinated at home."))
    return redirect("vaccination:person", person_id=person.pk)


def _visits_page(
    request: HttpRequest, ward: Any, form: ScheduleForm | None = None, status: int = 200
) -> HttpResponse:
    teams = [t for t in selectors.teams_for(request.user) if ward.path.startswith(t.path)] if ward else []
    context = {
        "ward": ward,
        "wards": DueForm(request.GET or None, wards=selectors.wards_for(request.user)),
        "visits": selectors.home_visits_of(ward) if ward else [],
        "teams": teams,
        "form": form,
        "today": local_date(now()),
    }
    return render(request, "vaccination/home_visits.html", context, status=status)


@login_required
@require_GET
def home_visits(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.VACCINATE)
    code = request.GET.get("ward", "")
    return _visits_page(request, selectors.ward_for(request.user, code) if code else None)


@login_required
@require_POST
def home_visit_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.home_visit_for(request.user, pk)
    require_perm(request.user, Perm.PLAN_VACCINATION, within=visit.path)
    ward = territory.unit_by_path(visit.path)
    teams = selectors.teams_for(request.user)
    form = ScheduleForm(request.POST, teams=teams)
    if not form.is_valid():
        return _visits_page(request, ward, form, status=422)
    chosen = form.cleaned_data["team"]
    try:
        home.schedule_home_visit(
            by=request.user,
            visit=visit,
            team=selectors.team_for(request.user, chosen) if chosen else None,
            day=form.cleaned_data["visit_on"],
            version=form.cleaned_data["version"],
        )
    except DomainError as error:
        return _visits_page(request, ward, form, status=_refuse_or_show(form, error))
    messages.success(request, _("Visit scheduled."))
    return redirect(f"{_url('vaccination:home_visits')}?ward={ward.code if ward else ''}")


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.PLAN_VACCINATION)
    units = _units(request.user)
    form = TeamForm(request.POST if request.method == "POST" else None, units=units)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                home.register_team(
                    by=request.user, unit=territory.unit_by_code(data["unit"]), name=data["name"],
                    daily_capacity=data["daily_capacity"],
                )  # fmt: skip
            except DomainError as error:
                status = _refuse_or_show(form, error)
            else:
                messages.success(request, _("Team registered."))
                return redirect("vaccination:teams")
    context = {"teams": selectors.teams_for(request.user, active_only=False), "form": form}
    return render(request, "vaccination/teams.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def site_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.VACCINATE)
    planner = bool(paths_of(request.user, Perm.PLAN_VACCINATION))
    form = SiteForm(request.POST if request.method == "POST" else None, units=_units(request.user))
    status = 200
    if request.method == "POST":
        require_perm(request.user, Perm.PLAN_VACCINATION)
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            unit = territory.unit_by_code(data.pop("unit"))
            try:
                site = sites.register_site(by=request.user, unit=unit, **data)
            except DomainError as error:
                status = _refuse_or_show(form, error)
            else:
                messages.success(request, _("Site registered."))
                return redirect("vaccination:site", pk=site.pk)
    context = {
        "sites": list(selectors.sites_visible_to(request.user).order_by("path", "name")),
        "form": form if planner else None,
    }
    return render(request, "vaccination/sites.html", context, status=status)


def _day(request: HttpRequest) -> date:
    """The day asked (dd/mm/yyyy or YYYY-MM-DD), within plausible years; today otherwise."""
    day = read_local_date(request.GET.get("day", ""))
    return day if day and day.year >= 1965 else local_date(now())


def _site_page(
    request: HttpRequest,
    site: Any,
    *,
    invite: InviteForm | None = None,
    book: BookForm | None = None,
    status: int = 200,
) -> HttpResponse:
    day = _day(request)
    context = {
        "site": site,
        "day": day,
        "hours": selectors.site_hours(site, day, request.user),
        "invitations": selectors.invitations_of(site, request.user),
        "plans": selectors.covers_unit(request.user, site)
        and bool(paths_of(request.user, Perm.PLAN_VACCINATION)),
        "invite": invite or InviteForm(initial={"day": day}),
        "book": book or BookForm(),
    }
    return render(request, "vaccination/site.html", context, status=status)


@login_required
@require_GET
def site(request: HttpRequest, pk: int) -> HttpResponse:
    return _site_page(request, selectors.site_for(request.user, pk))


@login_required
@require_POST
def site_invite(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.site_for(request.user, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _site_page(request, found, invite=form, status=422)
    try:
        count = sites.invite_priority_group(by=request.user, site=found, **form.cleaned_data)
    except DomainError as error:
        return _site_page(request, found, invite=form, status=_refuse_or_show(form, error))
    messages.success(request, _("%(count)s people invited.") % {"count": count})
    return redirect("vaccination:site", pk=found.pk)


@login_required
@require_POST
def site_book(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.site_for(request.user, pk)
    form = BookForm(request.POST)
    if not form.is_valid():
        return _site_page(request, found, book=form, status=422)
    try:
        person = selectors.person_by_cccd(request.user, form.cleaned_data["cccd"])
        if person is None:
            form.add_error("cccd", _("No person with this CCCD is registered where you work."))
            return _site_page(request, found, book=form, status=422)
        _booking, created = sites.book_hour(
            by=request.user,
            site=found,
            person=person,
            starts_at=form.cleaned_data["starts_at"].astimezone(HANOI),
        )
    except DomainError as error:
        return _site_page(request, found, book=form, status=_refuse_or_show(form, error))
    messages.success(
        request, _("Hour booked.") if created else _("This hour was already booked; nothing changed.")
    )
    day = form.cleaned_data["starts_at"].astimezone(HANOI)
    return redirect(f"{_url('vaccination:site', found.pk)}?day={day:%Y-%m-%d}")


@login_required
@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, pk)
    try:
        sites.check_in(by=request.user, booking=booking)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Checked in."))
    return redirect("vaccination:site", pk=booking.site_id)
