"""The KPI board: a ward's or a district's day of tracing and isolation, with its wards (or the city's
districts) side by side. The same few queries whatever the number of units shown."""

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from phaodai.cases import kpis
from phaodai.cases import selectors as cases_selectors
from phaodai.cases.forms_lockdowns import BoardForm
from phaodai.core.clock import local_date, now
from phaodai.core.jurisdiction import log_out_of_scope, paths_of
from phaodai.territory import selectors as territory


def _paths(user: Any) -> set[str]:
    return {path for perm in cases_selectors.READER_PERMS for path in paths_of(user, perm)}


def _unit(user: Any, code: str) -> Any:
    """The unit asked for (default: the widest the user reads); 404, logged, outside their units."""
    paths = _paths(user)
    if not code:
        unit = territory.widest_unit(sorted(paths))
        if unit is None:
            raise Http404
        return unit
    unit = territory.unit_by_code(code)
    if unit is None:
        raise Http404
    if not any(unit.path.startswith(path) for path in paths):
        log_out_of_scope(user, "territory.unit", code, unit.path)
        raise Http404
    return unit


@login_required
@require_GET
def kpis_board(request: HttpRequest) -> HttpResponse:
    user = request.user
    cases_selectors.require_tracer(user)
    form = BoardForm(request.GET)
    form.is_valid()  # a bad day is shown beside its field; the valid fields still count
    chosen = form.cleaned_data
    today = local_date(now())
    day = chosen.get("day") or today
    unit = _unit(user, chosen.get("unit") or "")
    below = list(territory.children_of(unit)) if unit.level != "ward" else []
    rows = kpis.daily([unit, *below], day)
    context = {
        "form": form,
        "unit": unit,
        "day": day,
        "today": today,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1) if day < today else None,
        "parent": unit.parent if unit.parent_id and _covers_parent(user, unit) else None,
        "total": rows[0],
        "rows": rows[1:],
        "occupancy": kpis.facility_occupancy(user, unit, day),
        "golden_hours": kpis.GOLDEN_HOURS,
    }
    return render(request, "cases/kpis/board.html", context)


def _covers_parent(user: Any, unit: Any) -> bool:
    parent_path = unit.path[: unit.path.rstrip("/").rfind("/") + 1]
    return any(parent_path.startswith(path) for path in _paths(user))
