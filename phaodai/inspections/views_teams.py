"""Team pages: the teams a user sees, one team with its members and inspections, setting one up, changing it.

Teams are set up by districts and the city (Perm.MANAGE_TEAMS) within their own units; the area of
work is chosen among the unit and the units directly below it (a district's wards, the city's districts).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm, user_by_username
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.jurisdiction import covers, paths_of
from phaodai.inspections import selectors, services
from phaodai.inspections.forms_teams import MemberFormSet, TeamForm
from phaodai.inspections.models import InspectionTeam
from phaodai.inspections.views_common import require_reader
from phaodai.territory import selectors as territory

TEAMS_LISTED = 500
TEAM_INSPECTIONS_LISTED = 50
FORM_PAGE = "inspections/team_form.html"


@login_required
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    rows = selectors.teams_visible_to(user).annotate(member_count=Count("members", distinct=True))
    context = {"rows": list(rows[:TEAMS_LISTED]), "can_add": has_perm(user, Perm.MANAGE_TEAMS)}
    return render(request, "inspections/teams.html", context)


@login_required
@require_GET
def team(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_reader(user)
    found = selectors.team_for(user, pk)
    context = {
        "team": found,
        "members": list(selectors.members_of(found)),
        "inspections": list(selectors.inspections_for(user).filter(team=found.pk)[:TEAM_INSPECTIONS_LISTED]),
        "listed_max": TEAM_INSPECTIONS_LISTED,
        "can_edit": covers(user, found.path, Perm.MANAGE_TEAMS),
    }
    return render(request, "inspections/team.html", context)


# Choices: where a team may be set up, and which units may form its area -----------------------------


def _home_units(user: Any) -> list[Any]:
    units = [territory.unit_by_path(path) for path in paths_of(user, Perm.MANAGE_TEAMS)]
    return sorted((u for u in units if u is not None), key=lambda u: u.path)


def _area_units(homes: list[Any]) -> list[Any]:
    found: dict[str, Any] = {}
    for home in homes:
        found[home.code] = home
        for child in territory.children_of(home).select_related("parent"):
            found[child.code] = child
    return sorted(found.values(), key=lambda u: u.path)


def _area_label(unit: Any) -> str:
    return (
        f"{unit.full_name} ({unit.parent.full_name})"
        if unit.level == "ward" and unit.parent
        else unit.full_name
    )


def _team_form(data: Any, homes: list[Any], areas: list[Any], **kwargs: Any) -> TeamForm:
    return TeamForm(
        data,
        home_units=[(u.code, u.full_name) for u in homes],
        area_units=[(u.code, _area_label(u)) for u in areas],
        **kwargs,
    )


def _members(formset: Any) -> list[services.MemberSpec] | None:
    """The filled rows as members; None, with the reasons beside the rows, when a user name is wrong."""
    specs = []
    for form, row in formset.filled():
        user = None
        username = (row.get("username") or "").strip()
        if username:
            user = user_by_username(username)
            if user is None:
                form.add_error("username", _("No user has this user name."))
                continue
            if not selectors.may_join_team(user):
                form.add_error(
                    "username", _("This user is not an inspector: link only inspectors' accounts.")
                )
                continue
        specs.append(services.MemberSpec(row["name"], row.get("title") or "", row["role"], user=user))
    return None if formset.total_error_count() else specs


def _form_page(
    request: HttpRequest, form: TeamForm, formset: Any, team: InspectionTeam | None = None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "formset": formset, "team": team}
    return render(request, FORM_PAGE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_add(request: HttpRequest) -> HttpResponse:
    """Set up a team by its decision, with its members and area of work."""
    user = request.user
    require_perm(user, Perm.MANAGE_TEAMS)
    homes = _home_units(user)
    areas = _area_units(homes)
    if request.method == "GET":
        initial = {"home_unit": homes[0].code, "level": "city" if homes[0].level == "city" else "district"}
        return _form_page(
            request, _team_form(None, homes, areas, initial=initial), MemberFormSet(prefix="members")
        )
    form = _team_form(request.POST, homes, areas)
    formset = MemberFormSet(request.POST, prefix="members")
    if not (form.is_valid() and formset.is_valid()):
        return _form_page(request, form, formset, status=422)
    members = _members(formset)
    if members is None:
        return _form_page(request, form, formset, status=422)
    data = form.cleaned_data
    by_code = {u.code: u for u in areas}
    try:
        created = services.create_team(
            by=user,
            name=data["name"],
            level=data["level"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            home_unit=next(u for u in homes if u.code == data["home_unit"]),
            area_units=[by_code[code] for code in data["area_units"]],
            members=members,
            active_from=data["active_from"],
            active_until=data["active_until"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return _form_page(request, form, formset, status=error.status)
    messages.success(request, _("Team %(name)s set up.") % {"name": created.name})
    return redirect("inspections:team", pk=created.pk)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the team's decision details, area of work and members (not its level or home unit)."""
    user = request.user
    require_reader(user)
    current = selectors.team_for(user, pk)
    if not covers(user, current.path, Perm.MANAGE_TEAMS):
        raise NotPermitted(_("Only the unit that set up the team changes it."))
    homes = [current.home_unit]
    areas = _area_units(homes)
    editing = {"editing": True, "initial": _initial(current)}
    if request.method == "GET":
        rows = [
            {"name": m.name, "title": m.title, "role": m.role, "username": m.user.username if m.user else ""}
            for m in selectors.members_of(current)
        ]
        formset = MemberFormSet(prefix="members", initial=rows)
        return _form_page(request, _team_form(None, homes, areas, **editing), formset, current)
    form = _team_form(request.POST, homes, areas, **editing)
    formset = MemberFormSet(request.POST, prefix="members")
    if not (form.is_valid() and formset.is_valid()):
        return _form_page(request, form, formset, current, status=422)
    members = _members(formset)
    if members is None:
        return _form_page(request, form, formset, current, status=422)
    data = form.cleaned_data
    by_code = {u.code: u for u in areas}
    try:
        services.update_team(
            by=user,
            team=current,
            seen=data["seen"],
            name=data["name"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            area_units=[by_code[code] for code in data["area_units"]],
            members=members,
            active_from=data["active_from"],
            active_until=data["active_until"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return _form_page(request, form, formset, current, status=error.status)
    messages.success(request, _("Team %(name)s changed.") % {"name": data["name"]})
    return redirect("inspections:team", pk=pk)


def _initial(team: InspectionTeam) -> dict[str, Any]:
    return {
        "name": team.name,
        "level": team.level,
        "home_unit": team.home_unit.code,
        "decision_number": team.decision_number,
        "decision_date": team.decision_date,
        "area_units": [u.code for u in team.area_units.all()],
        "active_from": timezone.localtime(team.active_from),
        "active_until": timezone.localtime(team.active_until) if team.active_until else None,
        "seen": team.updated_at.isoformat(),
    }
