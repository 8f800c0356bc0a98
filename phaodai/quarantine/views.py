"""Pages of quarantine facilities: the occupancy board, the list, a facility, registering and editing it,
and its readiness. Admissions have their own pages (views_admissions.py).

Readers are managers and admitters (decision 0019); everyone else gets 403, a facility out of reach 404.
"""

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm
from phaodai.core.clock import at_local, local_date, now, read_local_date
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.quarantine import selectors, services
from phaodai.quarantine.forms import AdmitForm, FacilityForm, ReadinessForm, SearchForm
from phaodai.quarantine.models import Facility
from phaodai.territory import selectors as territory

END_OF_DAY = time(23, 59, 59)


def require_reader(user: Any) -> None:
    if not selectors.is_reader(user):
        raise NotPermitted()


def _as_of(raw: str) -> tuple[datetime | None, str]:
    """The end of a past day typed dd/mm/yyyy (or picked), for the board as it stood; None for now."""
    day = read_local_date(raw) if raw else None
    if day is None or day >= local_date(now()):
        return None, ""
    return at_local(day, END_OF_DAY), day.isoformat()


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Free beds per room kind and readiness, district by district; schools to hand back stand out."""
    user = request.user
    require_reader(user)
    at, day = _as_of(request.GET.get("day", "")[:20])
    today = local_date(now())
    groups = selectors.occupancy_by_district(user, at, today=today)
    schools = sorted(
        (row for group in groups for row in group.schools_to_return),
        key=lambda row: (row.facility.return_due is None, row.facility.return_due or today),
    )
    context = {
        "groups": groups,
        "schools": schools,
        "at": at,
        "day": day,
        "can_register": has_perm(user, Perm.MANAGE_FACILITIES),
    }
    return render(request, "quarantine/board.html", context)


@login_required
@require_GET
def facilities(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    form = SearchForm(request.GET)
    query, readiness = ("", "")
    if form.is_valid():
        query, readiness = form.cleaned_data["q"], form.cleaned_data["readiness"]
    context = {
        "rows": selectors.search_facilities(user, query, readiness),
        "form": form,
        "q": query,
        "can_register": has_perm(user, Perm.MANAGE_FACILITIES),
    }
    if getattr(request, "htmx", False):
        return render(request, "quarantine/_facility_rows.html", context)
    return render(request, "quarantine/facilities.html", context)


def facility_page(
    request: HttpRequest,
    facility: Facility,
    *,
    readiness_form: ReadinessForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """A facility with its beds, its people (those the user may read) and what the user may do."""
    user = request.user
    manages = selectors.may_manage(user, facility)
    context = {
        "facility": facility,
        "occupancy": selectors.occupancy(facility, today=local_date(now())),
        "stays": selectors.open_admissions(user, facility),
        "manages": manages,
        "admits": selectors.reaches(user, facility),
        "readiness_form": readiness_form
        or (
            ReadinessForm(initial={"readiness": facility.state, "version": facility.version})
            if manages
            else None
        ),
        "admit_form": AdmitForm(),
    }
    return render(request, "quarantine/facility.html", context, status=status)


@login_required
@require_GET
def facility(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request.user)
    return facility_page(request, selectors.facility_for(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def facility_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_FACILITIES)
    units = [(u.code, u.full_name) for u in selectors.managing_units(user)]
    posted = request.method == "POST"
    form = FacilityForm(request.POST if posted else None, units=units)
    if posted and form.is_valid():
        try:
            created = services.register_facility(
                by=user, unit=territory.unit_by_code(form.cleaned_data["unit"]), **form.details()
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
        else:
            messages.success(request, _("Facility %(name)s registered, preparing.") % {"name": created.name})
            return redirect("quarantine:facility", pk=created.pk)
    return render(request, "quarantine/facility_form.html", {"form": form}, status=422 if posted else 200)


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_FACILITIES)
    current = selectors.facility_for(user, pk)
    services.require_manager(user, current)
    posted = request.method == "POST"
    initial = {
        name: getattr(current, name)
        for name in ("name", "name_en", "address", "kind", "is_school", "return_due", "notes", "version")
    }
    initial.update(
        beds_male=current.beds_male, beds_female=current.beds_female, beds_family=current.beds_family
    )
    form = FacilityForm(request.POST if posted else None, initial=initial, editing=True)
    status = 200
    if posted and form.is_valid():
        try:
            services.update_facility(
                by=user, facility=current, version=form.cleaned_data["version"], **form.details()
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            status = error.status
        else:
            messages.success(request, _("Facility saved."))
            return redirect("quarantine:facility", pk=pk)
    elif posted:
        status = 422
    context = {"form": form, "facility": current}
    return render(request, "quarantine/facility_form.html", context, status=status)


@login_required
@require_POST
def facility_readiness(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.MANAGE_FACILITIES)
    current = selectors.facility_for(user, pk)
    form = ReadinessForm(request.POST)
    if not form.is_valid():
        return facility_page(request, current, readiness_form=form, status=422)
    try:
        changed = services.set_readiness(
            by=user,
            facility=current,
            readiness=form.cleaned_data["readiness"],
            version=form.cleaned_data["version"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return facility_page(
            request, selectors.facility_for(user, pk), readiness_form=form, status=error.status
        )
    messages.success(
        request,
        _("%(name)s is now %(readiness)s.")
        % {
            "name": changed.name,
            "readiness": changed.get_readiness_display().lower(),
        },
    )
    return redirect("quarantine:facility", pk=pk)
