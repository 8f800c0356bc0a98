"""Officials' pages: a unit's bodies and who is on duty, members, the duty roster, hotlines, commendations.

Reading is for any official covering the unit; writing needs MANAGE_COMMAND there. Every write goes
through the same service the API calls, and a refusal is shown beside the field it concerns.
"""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts import selectors as accounts
from phaodai.command import selectors, services
from phaodai.command.forms_bodies import (
    CommendationForm,
    CommitteeForm,
    DomainErrorForm,
    DutyShiftForm,
    HotlineForm,
    MemberForm,
    PublishForm,
)
from phaodai.command.rules import year_of
from phaodai.core.clock import local_date, local_day_bounds, now, read_local_date
from phaodai.core.errors import DomainError, InvalidInput

FORM_PAGE = "command/bodies/form.html"
ROSTER_DAYS = 7


def _unit(request: HttpRequest) -> Any:
    """The unit named by ?unit=, or the user's widest unit; 404 (logged) outside their units."""
    code = request.GET.get("unit", "").strip()
    return (
        selectors.unit_for_reading(request.user, code) if code else selectors.default_unit_for(request.user)
    )


def _managed_unit(request: HttpRequest) -> Any:
    code = request.GET.get("unit", "").strip()
    if not code:
        code = selectors.default_unit_for(request.user).code
    return selectors.unit_for_managing(request.user, code)


def _with_unit(name: str, unit: Any, **kwargs: Any) -> str:
    return f"{reverse(name, kwargs=kwargs or None)}?unit={unit.code}"


def _day(raw: str, default: date) -> tuple[date, str | None]:
    """A date typed dd/mm/yyyy (or yyyy-mm-dd); the default and an error for anything else."""
    day = read_local_date(raw)
    if day is not None:
        return day, None
    return default, (_("Give the date as dd/mm/yyyy.") if raw.strip() else None)


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render a page about `context["unit"]`, linking up to its parent when the user may read it."""
    parent = context["unit"].parent
    context["parent_readable"] = parent is not None and selectors.can_read(request.user, parent.path)
    return render(request, template, context, status=status)


def _form_page(
    request: HttpRequest, form: DomainErrorForm, *, title: str, unit: Any, back: str
) -> HttpResponse:
    status = 422 if request.method == "POST" and form.errors else 200
    context = {"form": form, "title": title, "unit": unit, "back": back}
    return _render(request, FORM_PAGE, context, status=status)


# A unit's bodies ---------------------------------------------------------------------------------


@login_required
@require_GET
def committees(request: HttpRequest) -> HttpResponse:
    """The unit's command page: its two bodies, who is on duty now, and (above a ward) which units
    below it had both bodies established by a date."""
    unit = _unit(request)
    moment = now()
    by, by_error = _day(request.GET.get("by", ""), local_date(moment))
    below = selectors.readiness_below(unit, by) if unit.level != "ward" else []
    context = {
        "unit": unit,
        "bodies": selectors.bodies_of(unit),
        "on_duty": selectors.on_duty(unit, moment),
        "can_manage": selectors.can_manage(request.user, unit.path),
        "by": by,
        "by_error": by_error,
        "below": below,
        "ready_count": sum(1 for row in below if row.readiness.ready),
        "not_ready": [row for row in below if not row.readiness.ready],
        "now": moment,
    }
    return _render(request, "command/bodies/unit.html", context)


@login_required
@require_GET
def committee(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.committee_for_reading(request.user, pk)
    context = {
        "body": body,
        "unit": body.committee.unit,
        "can_manage": selectors.can_manage(request.user, body.committee.unit_path),
    }
    return _render(request, "command/bodies/committee.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee_add(request: HttpRequest) -> HttpResponse:
    unit = _managed_unit(request)
    form = CommitteeForm(request.POST or None, documents=selectors.documents_for(unit, request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_committee(
                by=request.user,
                unit=unit,
                kind=data["kind"],
                name=data["name"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                decision=form.document(),
                established_on=data["established_on"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(name)s recorded.") % {"name": created.name})
            return redirect("command:committee", pk=created.pk)
    back = _with_unit("command:committees", unit)
    return _form_page(
        request, form, title=_("Record a steering committee or command center"), unit=unit, back=back
    )


# Members -----------------------------------------------------------------------------------------


def _linked_user(form: MemberForm) -> Any:
    username = form.cleaned_data.get("username", "").strip()
    if not username:
        return None
    user = accounts.user_by_username(username)
    if user is None:
        raise InvalidInput(_("No active user has this user name."), field="username")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    committee_ = selectors.committee_for_managing(request.user, pk)
    form = MemberForm(request.POST or None, kind=committee_.kind)
    if request.method == "POST" and form.is_valid():
        try:
            changes = form.changes(_linked_user(form))
            services.add_member(by=request.user, committee=committee_, changes=changes)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": changes.full_name})
            return redirect("command:committee", pk=pk)
    back = reverse("command:committee", args=[pk])
    return _form_page(request, form, title=_("Add a member to %(body)s") % {"body": committee_.name},
                      unit=committee_.unit, back=back)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_for_managing(request.user, pk)
    committee_ = member.committee
    initial = {
        "full_name": member.full_name,
        "title": member.title,
        "position": member.position,
        "phone": member.phone,
        "username": member.user.username if member.user else "",
        "order": member.order,
    }
    form = MemberForm(request.POST or None, kind=committee_.kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_member(by=request.user, member=member, changes=form.changes(_linked_user(form)))
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": member.full_name})
            return redirect("command:committee", pk=committee_.pk)
    back = reverse("command:committee", args=[committee_.pk])
    return _form_page(request, form, title=_("Edit %(name)s") % {"name": member.full_name},
                      unit=committee_.unit, back=back)  # fmt: skip


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_for_managing(request.user, pk)
    services.remove_member(by=request.user, member=member)
    messages.success(request, _("%(name)s is no longer a member.") % {"name": member.full_name})
    return redirect("command:committee", pk=member.committee.pk)


# Duty --------------------------------------------------------------------------------------------


@login_required
@require_GET
def duty(request: HttpRequest) -> HttpResponse:
    """The unit's roster for a week from a day (today by default), and who is on duty now."""
    unit = _unit(request)
    moment = now()
    first, day_error = _day(request.GET.get("day", ""), local_date(moment))
    start, _end = local_day_bounds(first)
    end = local_day_bounds(first + timedelta(days=ROSTER_DAYS - 1))[1]
    context = {
        "unit": unit,
        "shifts": selectors.shifts_between(unit, start, end),
        "on_duty": selectors.on_duty(unit, moment),
        "first": first,
        "last": first + timedelta(days=ROSTER_DAYS - 1),
        "previous": first - timedelta(days=ROSTER_DAYS),
        "next": first + timedelta(days=ROSTER_DAYS),
        "day_error": day_error,
        "can_manage": selectors.can_manage(request.user, unit.path),
        "now": moment,
    }
    return _render(request, "command/bodies/duty.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def duty_add(request: HttpRequest) -> HttpResponse:
    unit = _managed_unit(request)
    form = DutyShiftForm(request.POST or None, members=selectors.members_of(unit))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shift = services.add_duty_shift(
                by=request.user,
                unit=unit,
                member=form.chosen_member(),
                full_name=data["full_name"],
                phone=data["phone"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(name)s put on duty.") % {"name": shift.full_name})
            return redirect(f"{_with_unit('command:duty', unit)}&day={local_date(shift.starts_at):%d/%m/%Y}")
    back = _with_unit("command:duty", unit)
    return _form_page(request, form, title=_("Add a duty shift"), unit=unit, back=back)


# Hotlines ----------------------------------------------------------------------------------------


@login_required
@require_GET
def hotlines(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    context = {
        "unit": unit,
        "hotlines": selectors.hotlines_of(unit),
        "inherited": [h for h in selectors.published_hotlines_for(unit) if h.unit_id != unit.pk],
        "can_manage": selectors.can_manage(request.user, unit.path),
    }
    return _render(request, "command/bodies/hotlines.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def hotline_add(request: HttpRequest) -> HttpResponse:
    unit = _managed_unit(request)
    form = HotlineForm(request.POST or None, initial={"always_open": True, "published": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_hotline(by=request.user, unit=unit, changes=form.changes())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Hotline added."))
            return redirect(_with_unit("command:hotlines", unit))
    back = _with_unit("command:hotlines", unit)
    return _form_page(request, form, title=_("Add a hotline"), unit=unit, back=back)


@login_required
@require_http_methods(["GET", "POST"])
def hotline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hotline = selectors.hotline_for_managing(request.user, pk)
    initial = {
        "label": hotline.label,
        "label_en": hotline.label_en,
        "number": selectors.display_number(hotline.number),
        "always_open": hotline.always_open,
        "hours": hotline.hours,
        "published": hotline.published,
        "order": hotline.order,
    }
    form = HotlineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_hotline(by=request.user, hotline=hotline, changes=form.changes())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Hotline saved."))
            return redirect(_with_unit("command:hotlines", hotline.unit))
    back = _with_unit("command:hotlines", hotline.unit)
    return _form_page(request, form, title=_("Edit a hotline"), unit=hotline.unit, back=back)


# Commendations -----------------------------------------------------------------------------------


@login_required
@require_GET
def commendations(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    year = year_of(request.GET.get("year", ""))
    context = {
        "unit": unit,
        "commendations": selectors.commendations_within(unit, year=year),
        "year": year,
        "can_manage": selectors.can_manage(request.user, unit.path),
    }
    return _render(request, "command/bodies/commendations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def commendation_add(request: HttpRequest) -> HttpResponse:
    unit = _managed_unit(request)
    form = CommendationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_commendation(by=request.user, unit=unit, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Commendation registered."))
            return redirect(_with_unit("command:commendations", unit))
    back = _with_unit("command:commendations", unit)
    return _form_page(request, form, title=_("Register a commendation"), unit=unit, back=back)


@login_required
@require_POST
def commendation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a commendation on the public pages, or take it off (published=1 or 0)."""
    found = selectors.commendation_for_managing(request.user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Say whether to publish (1) or take it off (0)."), field="published")
    changed = services.set_commendation_published(
        by=request.user, commendation=found, published=form.cleaned_data["published"]
    )
    if changed.published:
        messages.success(request, _("Published on the public pages."))
    else:
        messages.success(request, _("Taken off the public pages."))
    return redirect(_with_unit("command:commendations", found.unit))
