"""Pages of community COVID teams (S35): the teams of the user's wards, one team with its members, the
week's duty roster, today's isolation follow-ups of its area (from cases) and its log of visits.

The ward (Perm.MANAGE_COMMUNITY) sets up teams, members and duty; a team member with a linked login
reads their team and logs visits. 403 for other roles, 404 (logged) outside.
"""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts import selectors as accounts
from phaodai.community import selectors, services
from phaodai.community.models import TeamMember, Visit
from phaodai.community.pages import field_errors, form_date, form_moment, new_token, posted, sane_date
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError, InvalidInput

LIST_LIMIT = 300


@login_required
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = selectors.teams_visible_to(user)
    values = posted(request, "area", "name")
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        selectors.require_manager(user)
        try:
            values = posted(request, "area", "name")
            area = selectors.area_in_reach(user, values["area"][:40])
            team, _created = services.create_team(by=user, area=area, name=values["name"])
            return redirect("community:team", pk=team.pk)
        except DomainError as error:
            errors, status = field_errors(error), error.status
    ward = request.GET.get("ward", "")[:5]
    if ward:
        rows = rows.filter(unit_path__endswith=f"/{ward}/")
    context = {
        "teams": list(rows.order_by("unit_path", "area__code")[:LIST_LIMIT]),
        "values": values,
        "errors": errors,
        "can_manage": selectors.is_manager(user),
        "ward": ward,
    }
    return render(request, "community/teams.html", context, status=status)


def _team_page(
    request: HttpRequest, team: Any, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = local_date(now())
    start = sane_date(form_date(request.GET.get("start", "")[:10]), today)
    context = {
        "team": team,
        "members": selectors.team_members(team),
        "roster": selectors.roster(team, start),
        "start": start,
        "previous": (start - timedelta(days=7)).isoformat(),
        "next": (start + timedelta(days=7)).isoformat(),
        "visits": selectors.team_visits(team),
        "worklist": selectors.team_worklist(user, team, today),
        "households": selectors.households_of_area(None, team.area)[:300],
        "can_manage": selectors.covers(user, team.unit_path, selectors.MANAGE),
        "roles": TeamMember.Role.choices,
        "kinds": Visit.Kind.choices,
        "errors": errors or {},
        "values": posted(
            request,
            "full_name",
            "phone",
            "role",
            "username",
            "member",
            "day",
            "household",
            "kind",
            "note",
            "visited_at",
        ),
        "token": new_token(),
        "today": today.isoformat(),
    }
    return render(request, "community/team.html", context, status=status)


@login_required
@require_GET
def team(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_page(request, selectors.team_for(request.user, pk))


@login_required
@require_POST
def team_member(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.team_for(request.user, pk)
    try:
        values = posted(request, "full_name", "phone", "role", "username", limit=300)
        linked = None
        if values["username"].strip():
            linked = accounts.user_by_username(values["username"].strip()[:150])
            if linked is None:
                raise InvalidInput(_("There is no active login with this user name."), field="username")
        services.add_team_member(
            by=request.user,
            team=found,
            full_name=values["full_name"],
            phone=values["phone"],
            role=values["role"],
            user=linked,
        )
    except DomainError as error:
        return _team_page(request, found, field_errors(error), error.status)
    return redirect("community:team", pk=found.pk)


@login_required
@require_POST
def team_duty(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.team_for(request.user, pk)
    try:
        values = posted(request, "member", "day", limit=20)
        member = selectors.member_of_team(found, values["member"][:12])
        services.put_on_duty(by=request.user, member=member, day=form_date(values["day"][:10]))
    except DomainError as error:
        return _team_page(request, found, field_errors(error), error.status)
    return redirect("community:team", pk=found.pk)


@login_required
@require_POST
def team_visit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.team_for(request.user, pk)
    try:
        values = posted(request, "household", "kind", "note", "visited_at", "token", limit=2000)
        household = selectors.household_in_area(found.area, values["household"][:48])
        services.log_visit(
            by=request.user,
            household=household,
            team=found,
            kind=values["kind"][:16],
            note=values["note"],
            visited_at=form_moment(values["visited_at"][:20]),
            idempotency_key=values["token"][:80],
        )
    except DomainError as error:
        return _team_page(request, found, field_errors(error), error.status)
    messages.success(request, _("The visit is logged."))
    return redirect("community:team", pk=found.pk)
