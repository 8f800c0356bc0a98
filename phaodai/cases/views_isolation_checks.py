"""Pages of the daily follow-up: record a check, the day's worklist by area (and its printable sheets,
one page per area), and the people lost to follow-up."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from phaodai.accounts.roles import Perm
from phaodai.cases import isolation
from phaodai.cases import isolation_selectors as selectors
from phaodai.cases.forms_isolation import FollowUpForm, WorklistForm
from phaodai.cases.views_isolation import order_page
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.core.jurisdiction import covers, log_out_of_scope
from phaodai.territory import selectors as territory

RETURN_TO_WORKLIST = "worklist"


def _day_and_area(request: HttpRequest) -> tuple[date, Any]:
    """The worklist's day (default today) and area (any, or one within the user's units: else 404)."""
    form = WorklistForm(request.GET)
    if not form.is_valid():
        raise InvalidInput(_("Give the day as dd/mm/yyyy."), field="day")
    day = form.cleaned_data["day"] or local_date(now())
    code = form.cleaned_data["area"].strip()
    if not code:
        return day, None
    area = territory.area_by_code(code)
    if area is None:
        raise Http404
    if not covers(request.user, area.path, Perm.ORDER_ISOLATION):
        log_out_of_scope(request.user, "territory.area", area.code, area.path)
        raise Http404
    return day, area


def worklist_url(day: date, area_code: str = "") -> str:
    query = {"day": day.isoformat(), **({"area": area_code} if area_code else {})}
    return f"{reverse('cases:isolation_worklist')}?{urlencode(query)}"


def _worklist_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    selectors.require_isolator(user)
    day, area = _day_and_area(request)
    areas = selectors.worklist_areas(user, day)
    total = sum(row.people for row in areas)
    # A district's or the city's list is long: then each area is opened on its own.
    shown = area is not None or total <= selectors.WORKLIST_MAX
    return {
        "day": day,
        "area": area,
        "areas": areas,
        "total": total,
        "groups": selectors.worklist(user, day, area) if shown else [],
        "too_many": not shown,
        "max": selectors.WORKLIST_MAX,
        "missed_days": selectors.LOST_AFTER_MISSED_DAYS,
        "unreachable_times": selectors.LOST_AFTER_UNREACHABLE,
    }


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """The people to check on a day, by residential area."""
    return render(request, "cases/isolation/worklist.html", _worklist_context(request))


@login_required
@require_GET
def worklist_print(request: HttpRequest) -> HttpResponse:
    """The same, printable: one page per area, with blank columns to fill in on the round."""
    return render(request, "cases/isolation/worklist_print.html", _worklist_context(request))


@login_required
@require_GET
def lost(request: HttpRequest) -> HttpResponse:
    """Open orders whose person was not checked for days running, or could not be reached twice."""
    selectors.require_isolator(request.user)
    day, _area = _day_and_area(request)
    context = {
        "day": day,
        "items": selectors.lost_to_follow_up(request.user, day),
        "missed_days": selectors.LOST_AFTER_MISSED_DAYS,
        "unreachable_times": selectors.LOST_AFTER_UNREACHABLE,
    }
    return render(request, "cases/isolation/lost.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a day's check of a person (from the worklist, or the order's page)."""
    user = request.user
    selectors.require_isolator(user)
    order = selectors.order_for(user, pk)
    back = request.POST.get("back") or request.GET.get("back") or ""
    if request.method == "GET":
        day = WorklistForm(request.GET)
        initial_day = (
            day.cleaned_data["day"] if day.is_valid() and day.cleaned_data["day"] else local_date(now())
        )
        context = {"order": order, "form": FollowUpForm(initial={"day": initial_day}), "back": back}
        return render(request, "cases/isolation/follow_up.html", context)
    form = FollowUpForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            check, created = isolation.record_follow_up(by=user, order=order, **data)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            status = error.status
        else:
            if created:
                messages.success(request, _("Check of %(day)s recorded.") % {"day": f"{check.day:%d/%m/%Y}"})
            else:
                messages.info(request, _("This check was already recorded; nothing changed."))
            if back == RETURN_TO_WORKLIST:
                return redirect(worklist_url(check.day, order.area.code))
            return redirect("cases:isolation_order", pk=order.pk)
    if back == RETURN_TO_WORKLIST:
        context = {"order": order, "form": form, "back": back}
        return render(request, "cases/isolation/follow_up.html", context, status=status)
    return order_page(request, order, status=status, follow_up_form=form)
