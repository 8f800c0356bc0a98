"""Planning pages: an inspection (planned or surprise) of a business or another place, and a re-inspection.

The teams offered are those the user acts for; the businesses and wards offered lie in their areas of
work. Whether a team may inspect a target is the service's call, and its refusal (a target outside the
team's area, a team not active then) is shown beside the field it concerns. Each form carries a token
made when it is shown, passed to the service as the idempotency key: a double click, or the page sent
again, plans one inspection and shows it.
"""

import functools
import operator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from phaodai.business import rules as business_rules
from phaodai.business import selectors as business_selectors
from phaodai.core.errors import DomainError, InvalidInput, NotPermitted
from phaodai.inspections import selectors, services
from phaodai.inspections.forms import PlanForm, ReinspectForm
from phaodai.inspections.models import InspectionTeam, TargetKind
from phaodai.inspections.views import inspection_page
from phaodai.inspections.views_common import chosen, require_reader, team_choices
from phaodai.territory import selectors as territory

BUSINESSES_LISTED = 300
NO_TEAM = gettext_lazy("You are not a member of an active team, nor an inspector of a unit that set one up.")


class Scope:
    """What the user may plan: their teams, and the businesses and wards in those teams' areas of work."""

    def __init__(self, user: Any) -> None:
        self.teams = selectors.teams_acted_for(user)
        units = {unit.pk: unit for team in self.teams for unit in team.area_units.all()}.values()
        self.businesses = self._businesses(list(units))
        self.wards = self._wards(list(units))

    @staticmethod
    def _businesses(units: list[Any]) -> list[Any]:
        if not units:
            return []
        found = functools.reduce(operator.or_, (business_selectors.businesses_affected_by(u) for u in units))
        return list(found.order_by("name", "pk")[:BUSINESSES_LISTED])

    @staticmethod
    def _wards(units: list[Any]) -> list[Any]:
        if not units:
            return []
        found = functools.reduce(operator.or_, (territory.within(u).filter(level="ward") for u in units))
        return list(found.select_related("parent").order_by("path"))

    def form(self, data: Any = None, initial: dict[str, Any] | None = None) -> PlanForm:
        return PlanForm(
            data,
            initial=initial,
            teams=team_choices(self.teams),
            businesses=[(str(b.pk), f"{b.name} ({b.tax_code}) — {b.unit.name}") for b in self.businesses],
            wards=[(w.code, f"{w.full_name}, {w.parent.full_name}") for w in self.wards],
        )

    def target(self, data: dict[str, Any]) -> dict[str, Any]:
        """The service's target arguments from the form: a business, or a ward (and area) with a label."""
        if data["target_kind"] == TargetKind.BUSINESS:
            return {"business": self._business(data)}
        ward = next(w for w in self.wards if w.code == data["unit"])
        area = None
        if data["area"]:
            area = territory.area_by_code(data["area"].strip())
            if area is None:
                raise InvalidInput(_("No residential area has this code."), field="area")
        return {"unit": ward, "area": area, "label": data["target_label"]}

    def _business(self, data: dict[str, Any]) -> Any:
        if data["business"]:
            return next(b for b in self.businesses if str(b.pk) == data["business"])
        raw = data["tax_code"]
        if business_rules.tax_code_problem(raw) is not None:
            raise InvalidInput(
                _("A tax code has 10 digits, or 13 for a branch (0100112437-001)."), field="tax_code"
            )
        found = business_selectors.business_by_tax_code(raw)
        if found is None:
            raise InvalidInput(_("No business is registered with this tax code."), field="tax_code")
        return found


def _plan_page(request: HttpRequest, scope: Scope, form: PlanForm | None, status: int = 200) -> HttpResponse:
    context = {"form": form, "scope": scope, "listed_max": BUSINESSES_LISTED}
    return render(request, "inspections/plan.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest) -> HttpResponse:
    """Plan an inspection by one of the user's teams; a page sent twice plans it once."""
    user = request.user
    require_reader(user)
    scope = Scope(user)
    if not scope.teams:
        if request.method == "POST":
            raise NotPermitted(NO_TEAM)
        return _plan_page(request, scope, None)
    if request.method == "GET":
        initial: dict[str, Any] = {"team": str(scope.teams[0].pk)}
        wanted = request.GET.get("business", "")
        if any(str(b.pk) == wanted for b in scope.businesses):
            initial["business"] = wanted
        return _plan_page(request, scope, scope.form(initial=initial))
    form = scope.form(request.POST)
    if not form.is_valid():
        return _plan_page(request, scope, form, status=422)
    data = form.cleaned_data
    try:
        planned = services.plan_inspection(
            by=user,
            team=chosen(scope.teams, data["team"]),
            target_kind=data["target_kind"],
            surprise=data["mode"] == "surprise",
            scheduled_at=data["scheduled_at"],
            idempotency_key=data["token"],
            **scope.target(data),
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return _plan_page(request, scope, form, status=error.status)
    if planned.created_now:
        messages.success(request, _("Inspection planned: %(target)s.") % {"target": planned.target_label})
    else:
        messages.info(request, _("This inspection was already planned."))
    return redirect("inspections:inspection", pk=planned.pk)


@login_required
@require_POST
def reinspect(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan the follow-up of a failed inspection; a page sent twice plans it once."""
    user = request.user
    require_reader(user)
    current = selectors.inspection_for(user, pk)
    teams: list[InspectionTeam] = selectors.teams_acted_for(user)
    if not teams:
        raise NotPermitted(NO_TEAM)
    form = ReinspectForm(request.POST, teams=team_choices(teams), auto_id="id_reinspect_%s")
    if not form.is_valid():
        return inspection_page(request, current, posted={"reinspect": form}, status=422)
    data = form.cleaned_data
    try:
        again = services.plan_reinspection(
            by=user,
            team=chosen(teams, data["team"], default=current.team),
            of=current,
            surprise=data["mode"] == "surprise",
            scheduled_at=data["scheduled_at"],
            idempotency_key=data["token"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        if error.field in form.fields:
            form.add_domain_error(error)
            return inspection_page(request, current, posted={"reinspect": form}, status=error.status)
        return inspection_page(request, current, posted={"reinspect": form}, error=error, status=error.status)
    if again.created_now:
        messages.success(request, _("Re-inspection planned."))
    else:
        messages.info(request, _("This re-inspection was already planned."))
    return redirect("inspections:inspection", pk=again.pk)
