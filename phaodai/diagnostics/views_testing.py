"""Pages of testing rounds: the testing home, planning a round, a round with its sessions and coverage,
adding people to it, closing it, and a session with its targets. Thin over services and selectors."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm
from phaodai.cases import lockdown_selectors
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.jurisdiction import covers, paths_of
from phaodai.core.text import mask_name
from phaodai.diagnostics import selectors, services
from phaodai.diagnostics.forms_testing import RoundForm, TargetsForm, VersionForm, new_token
from phaodai.diagnostics.models import TestingRound
from phaodai.territory import selectors as territory

AREA_CHOICES = 1000
LOCKDOWN_CHOICES = 200
DEFAULT_DAYS = 14  # lockdowns last 14 days, and so do their screening rounds


def _cursor(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value > 0 else None


def _require_reader(user: Any) -> None:
    if not selectors.is_reader(user):
        raise NotPermitted()


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Rounds of my units, today's sampling sessions, and links to the worklists."""
    user = request.user
    if not (selectors.is_reader(user) or selectors.is_result_reader(user)):
        raise NotPermitted()
    status = request.GET.get("status", "")[:8]
    page = selectors.rounds_listed(user, status, _cursor(request.GET.get("after")))
    context = {
        "page": page,
        "status": status if status in TestingRound.Status.values else "",
        "statuses": TestingRound.Status.choices,
        "next_query": urlencode({"status": status, "after": page.next_after}) if page.next_after else "",
        "today": selectors.sessions_today(user, local_date(now())),
        "can_plan": has_perm(user, Perm.PLAN_TESTING),
        "can_sample": has_perm(user, Perm.SAMPLE),
        "can_trace": has_perm(user, Perm.TRACE),
    }
    return render(request, "diagnostics/home.html", context)


# Planning ----------------------------------------------------------------------------------------------


def _planning_units(user: Any) -> list[Any]:
    """The units the user may organise a round for: their own and every unit below them."""
    found: dict[str, Any] = {}
    for path in paths_of(user, Perm.PLAN_TESTING):
        unit = territory.unit_by_path(path)
        if unit is not None:
            found.update((below.code, below) for below in territory.within(unit).order_by("path"))
    return sorted(found.values(), key=lambda unit: unit.path)


def _chosen_unit(request: HttpRequest, units: list[Any]) -> Any:
    """The organising unit asked for (?unit= or the posted one), else the user's widest."""
    if not units:
        raise NotPermitted()
    code = (request.POST.get("unit") or request.GET.get("unit") or "")[:5]
    return next((unit for unit in units if unit.code == code), units[0])


def _round_form(request: HttpRequest, units: list[Any], unit: Any) -> RoundForm:
    user = request.user
    areas = [
        (area.code, f"{area.name} ({area.code}) — {area.ward.name}")
        for area in territory.areas_within(unit)
        .select_related("ward")
        .order_by("path", "code")[:AREA_CHOICES]
    ]
    lockdowns = (
        lockdown_selectors.lockdowns_visible_to(user)
        .filter(lockdown_selectors.in_force_q(now()), path__startswith=unit.path)
        .order_by("-starts_at")[:LOCKDOWN_CHOICES]
    )
    today = local_date(now())
    initial = {
        "token": new_token(),
        "unit": unit.code,
        "target": TestingRound.Target.AREAS,
        "method": "pcr",
        "cadence_days": services.FREQUENT_CADENCE_DAYS,
        "starts_on": today,
        "ends_on": today + timedelta(days=DEFAULT_DAYS - 1),
    }
    return RoundForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        units=[(u.code, u.full_name) for u in units],
        lockdowns=[
            (str(lockdown.pk), f"{lockdown.place + ' — ' if lockdown.place else ''}{lockdown.area.name}")
            for lockdown in lockdowns
        ],
        areas=areas,
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    """Plan a round: its sessions and their targets are made at once."""
    user = request.user
    require_perm(user, Perm.PLAN_TESTING)
    units = _planning_units(user)
    unit = _chosen_unit(request, units)
    form = _round_form(request, units, unit)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                testing_round, created = services.create_round(
                    by=user,
                    unit=unit,
                    plan=form.plan(),
                    idempotency_key=f"web:{user.pk}:{form.cleaned_data['token']}",
                )
            except DomainError as error:
                if error.status in (403, 404):
                    raise
                form.add_domain_error(error)
                status = error.status
            else:
                if created:
                    messages.success(request, _("Round planned with its sampling sessions."))
                else:
                    messages.info(request, _("This round was already planned."))
                return redirect("diagnostics:round", pk=testing_round.pk)
    # The confirmation shows once the cadence was refused as too slow, and stays while it is ticked.
    slow = bool(form.errors.get("cadence_days")) or bool(form.data.get("accept_slow_cadence"))
    context = {"form": form, "slow": slow, "unit": unit, "units": units}
    return render(request, "diagnostics/round_new.html", context, status=status)


# A round -----------------------------------------------------------------------------------------------


def _round_page(request: HttpRequest, testing_round: TestingRound, **extra: Any) -> HttpResponse:
    user = request.user
    sessions = selectors.sessions_of(user, testing_round)
    plans = covers(user, testing_round.path, Perm.PLAN_TESTING)
    is_open = testing_round.status != TestingRound.Status.CLOSED
    context = {
        "round": testing_round,
        "sessions": [(s, selectors.coverage_pct(s.sampled, s.targeted)) for s in sessions],
        "totals": selectors.coverage_of(user, testing_round),
        "more_sessions": len(sessions) >= selectors.SESSIONS_SHOWN,
        "areas": list(testing_round.areas.order_by("code")),
        "may_change": plans and is_open,
        "close_form": extra.pop("close_form", None)
        or VersionForm(initial={"version": testing_round.version}),
        **extra,
    }
    return render(request, "diagnostics/round.html", context, status=extra.get("status", 200))


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    return _round_page(request, selectors.round_for(request.user, pk))


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_reader(user)
    testing_round = selectors.round_for(user, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _round_page(request, testing_round, close_form=form, status=422)
    try:
        services.close_round(by=user, testing_round=testing_round, version=form.cleaned_data["version"])
    except DomainError as error:
        if error.status in (403, 404):
            raise
        fresh = selectors.round_for(user, pk)
        return _round_page(request, fresh, conflict=error, status=error.status)
    messages.success(request, _("Round closed; its later sessions are cancelled."))
    return redirect("diagnostics:round", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def round_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """Add people by CCCD to the round's sessions from today on (a risk group, a locked-down building)."""
    user = request.user
    _require_reader(user)
    testing_round = selectors.round_for(user, pk)
    require_perm(user, Perm.PLAN_TESTING, within=testing_round.path)
    form = TargetsForm(request.POST or None)
    status, added = 200, None
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                added = services.add_targets(
                    by=user, testing_round=testing_round, cccds=form.cleaned_data["cccds"].splitlines()
                )
            except DomainError as error:
                if error.status in (403, 404):
                    raise
                form.add_domain_error(error)
                status = error.status
            else:
                status = 200
                form = TargetsForm()
    context = {"round": testing_round, "form": form, "added": added}
    return render(request, "diagnostics/round_targets.html", context, status=status)


# A session ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's targets (names masked), who is sampled, keyset-paged; htmx loads the next rows."""
    user = request.user
    _require_reader(user)
    session = selectors.session_for(user, pk)
    page = selectors.session_targets(session, _cursor(request.GET.get("after")))
    rows = [(target, mask_name(target.person.full_name)) for target in page.items]
    context = {
        "session": session,
        "rows": rows,
        "page": page,
        "coverage": selectors.coverage_pct(session.sampled, session.targeted),
        "can_sample": covers(user, session.path, Perm.SAMPLE),
    }
    template = "diagnostics/_target_rows.html" if request.htmx else "diagnostics/session.html"  # type: ignore[attr-defined]
    return render(request, template, context)
