"""The accountability page (S31): a unit's inspections, violations, fines, closures and overdue follow-ups.

The unit is one of the user's (or directly below one); any unit outside their jurisdiction answers 404
and the attempt is logged. The period is typed dd/mm/yyyy, this month by default.
"""

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from phaodai.core.clock import local_date, local_day_bounds, now
from phaodai.core.jurisdiction import log_out_of_scope, paths_of
from phaodai.core.language import localized
from phaodai.inspections import selectors
from phaodai.inspections.forms import PeriodForm
from phaodai.inspections.models import Violation
from phaodai.inspections.views_common import require_reader
from phaodai.territory import selectors as territory


def _reader_units(user: Any) -> list[Any]:
    paths = {path for perm in selectors.READER_PERMS for path in paths_of(user, perm)}
    units = [territory.unit_by_path(path) for path in sorted(paths)]
    return [u for u in units if u is not None]


def _choices(homes: list[Any]) -> list[Any]:
    """The user's units and those directly below them (a district's wards, the city's districts)."""
    found = {u.code: u for u in homes}
    for home in homes:
        found.update((child.code, child) for child in territory.children_of(home))
    return sorted(found.values(), key=lambda u: u.path)


def _unit(user: Any, code: str, homes: list[Any]) -> Any:
    if not code:
        return territory.widest_unit([u.path for u in homes])
    found = territory.unit_by_code(code)
    if found is None:
        raise Http404
    if not any(found.path.startswith(home.path) for home in homes):
        log_out_of_scope(user, "territory.unit", found.pk, found.path)
        raise Http404
    return found


def _figures(unit: Any, start: date, end: date) -> dict[str, Any]:
    begins, _end = local_day_bounds(start)
    _start, ends = local_day_bounds(end)
    figures = selectors.accountability(unit, begins, ends)
    kinds = {k.code: k for k in selectors.violation_kinds()}
    by_kind = [
        {
            "code": code,
            "label": localized(kinds[code], "description") if code in kinds else code,
            "legal_basis": kinds[code].legal_basis if code in kinds else "",
            "count": total.count,
            "fines": total.fines,
        }
        for code, total in figures.by_kind.items()
    ]
    overdue: list[Any] = list(
        Violation.objects.filter(pk__in=figures.overdue)
        .select_related("kind", "inspection", "inspection__team")
        .order_by("reinspect_by", "pk")
    )
    for violation in overdue:
        violation.kind_label = localized(violation.kind, "description")
    codes = set(figures.repeat_units) | {r.unit for r in figures.repeat_offenders}
    names = {u.code: u.full_name for u in territory.within(unit).filter(code__in=codes)}
    return {
        "figures": figures,
        "by_kind": by_kind,
        "overdue": overdue,
        "repeat_units": [(names.get(code, code), count) for code, count in figures.repeat_units.items()],
        "repeat_offenders": [(r, names.get(r.unit, r.unit)) for r in figures.repeat_offenders],
    }


@login_required
@require_GET
def accountability(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    homes = _reader_units(user)
    form = PeriodForm(request.GET, today=local_date(now()))
    valid = form.is_valid()
    unit = _unit(user, (request.GET.get("unit") or "").strip(), homes)
    context: dict[str, Any] = {"form": form, "unit": unit, "units": _choices(homes)}
    if valid:
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        context.update(_figures(unit, start, end), start=start, end=end)
    status = 200 if valid else 422
    if getattr(request, "htmx", False):
        return render(request, "inspections/_accountability_figures.html", context, status=status)
    return render(request, "inspections/accountability.html", context, status=status)
