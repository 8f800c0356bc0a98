"""Public pages (no sign-in): find a place and see what is allowed there; tables, decisions, the map."""

from typing import Any

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from phaodai.core.errors import DomainError
from phaodai.portal import criteria, lookups, maps, placements
from phaodai.portal.forms import DryRunForm, Moment, moment_of
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning

DECISIONS_PER_PAGE = 50
# Instants worth a click in the shipped Hà Nội data (S2–S5): the city under 17/CT-UBND, Long Biên's
# areas in force, CT22 from 21/9.
QUICK_MOMENTS = [
    ("2021-07-25", "25/07/2021"),
    ("2021-09-10", "10/09/2021"),
    ("2021-09-22", "22/09/2021"),
]


def _number(text: str) -> int | None:
    """A small whole number typed in an address, or None (then treated as any other bad value)."""
    # isascii: "²" is a digit to str.isdigit() but not to int(); a thousand digits is no id either.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _page(
    request: HttpRequest, template: str, moment: Moment | None, context: dict[str, Any]
) -> HttpResponse:
    base = {"moment": moment, "quick_moments": QUICK_MOMENTS}
    status = 400 if moment is not None and moment.error is not None else 200
    return render(request, template, {**base, **context}, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Search a ward or an area by name (diacritics ignored) and pick the instant."""
    moment = moment_of(request.GET)
    query = request.GET.get("q", "").strip()[:100]
    units, areas = zoning.search_places(query) if query else ([], [])
    context = {"query": query, "units": units, "areas": areas}
    if request.htmx and "q" in request.GET:  # type: ignore[attr-defined]
        return render(request, "portal/_results.html", {**context, "moment": moment})
    return _page(request, "portal/index.html", moment, context)


def _crumbs(unit: Any) -> list[Any]:
    return [u for u in territory.ancestors_of(unit) if u.level != "city"] + (
        [unit] if unit.level != "city" else []
    )


@require_GET
def area(request: HttpRequest, code: str) -> HttpResponse:
    place = lookups.area_or_404(code)
    moment = moment_of(request.GET)
    context: dict[str, Any] = {"area": place, "crumbs": _crumbs(place.ward)}
    if moment.error is None:
        context["answer"] = lookups.area_answer(place, moment.at)
    return _page(request, "portal/area.html", moment, context)


@require_GET
def unit(request: HttpRequest, code: str) -> HttpResponse:
    """A ward, district or the city: its own placement, and its areas (or wards, districts) at the instant."""
    place = lookups.unit_or_404(code)
    moment = moment_of(request.GET)
    context: dict[str, Any] = {"unit": place, "crumbs": _crumbs(place)[:-1]}
    if moment.error is None:
        snapshot = placements.Snapshot(place.path, moment.at)
        areas = placements.areas_placed(place, moment.at, snapshot)
        if place.level == "ward":
            children: list[tuple[Any, placements.Placed | None]] = [(a, a.placed) for a in areas]
        else:
            units = list(territory.children_of(place))
            worst = placements.worst_by_unit(areas, units, snapshot)
            children = [(u, worst[u.code]) for u in units]
        context.update(
            answer=lookups.answer(zoning.placement_of_unit(place, moment.at), moment.at),
            children=children,
            counts=_counts(areas),
            area_total=len(areas),
        )
    return _page(request, "portal/unit.html", moment, context)


def _counts(areas: list[placements.AreaPlace]) -> list[tuple[placements.Placed | None, int]]:
    """(placement, number of areas) per level, riskiest first."""
    first: dict[str, placements.Placed | None] = {}
    for item in areas:
        first.setdefault(item.placed.key if item.placed else "none", item.placed)
    counts = placements.level_counts(areas)
    ranked = sorted(first.items(), key=lambda kv: kv[1].rank if kv[1] else (-1, 0), reverse=True)
    return [(placed, counts[key]) for key, placed in ranked]


@require_GET
def criteria_list(request: HttpRequest) -> HttpResponse:
    tables = zoning.published_tables().order_by("code", "-version")
    return _page(request, "portal/criteria_list.html", None, {"tables": tables})


@require_GET
def criteria_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = request.GET.get("version", "")
    table = criteria.table_or_404(code, _number(version))
    view = criteria.describe(table)
    form = DryRunForm(indicators=view.indicators, auto_id="dry-%s")
    versions = (
        zoning.published_tables().filter(code=code).order_by("-version").values_list("version", flat=True)
    )
    context = {"view": view, "form": form, "versions": list(versions)}
    return _page(request, "portal/criteria_detail.html", None, context)


@require_http_methods(["POST"])
def criteria_evaluate(request: HttpRequest, code: str) -> HttpResponse:
    """The dry run: the level this table gives for the values entered (nothing is stored)."""
    table = criteria.table_or_404(code)
    view = criteria.describe(table)
    form = DryRunForm(request.POST, indicators=view.indicators, auto_id="dry-%s")
    context: dict[str, Any] = {"view": view, "form": form}
    status = 200
    try:
        context["result"] = criteria.evaluate(
            table, form.values(), request.POST.get("previous_level") or None
        )
    except DomainError as error:
        context["error"], status = error, 422
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "portal/_dry_run_result.html", context, status=status)
    versions = [table.version]
    return render(request, "portal/criteria_detail.html", {**context, "versions": versions}, status=status)


@require_GET
def decisions(request: HttpRequest) -> HttpResponse:
    """Decisions, latest effect first; `before` (the last id shown) pages on without counting."""
    found = zoning.decisions().order_by("-effective_at", "-pk")
    before = request.GET.get("before", "")
    if before:
        number = _number(before)
        last = zoning.decision_by_pk(number) if number is not None else None
        if last is None:
            raise BadRequest("before")
        found = found.filter(effective_at__lte=last.effective_at).exclude(
            effective_at=last.effective_at, pk__gte=last.pk
        )
    page = list(found[: DECISIONS_PER_PAGE + 1])
    more = len(page) > DECISIONS_PER_PAGE
    page = page[:DECISIONS_PER_PAGE]
    context = {"decisions": page, "next_before": page[-1].pk if more else None}
    return _page(request, "portal/decisions.html", None, context)


@require_GET
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    found = zoning.decision_by_pk(pk)
    if found is None:
        raise Http404
    assignments = list(zoning.assignments_of(found))
    return _page(request, "portal/decision.html", None, {"decision": found, "assignments": assignments})


@require_GET
def regimes(request: HttpRequest) -> HttpResponse:
    return _page(request, "portal/regimes.html", None, {"regimes": list(zoning.regimes())})


@require_GET
def regime(request: HttpRequest, code: str) -> HttpResponse:
    found = lookups.regime_or_404(code)
    context = {"regime": found, "groups": lookups.grouped(lookups.regime_rules(found))}
    return _page(request, "portal/regime.html", None, context)


@require_GET
def map_view(request: HttpRequest) -> HttpResponse:
    """Wards (and areas with outlines) coloured by the riskiest level in force at the instant."""
    moment = moment_of(request.GET)
    context: dict[str, Any] = {}
    if moment.error is None:
        context["map"] = maps.build(moment.at, moment.query)
    return _page(request, "portal/map.html", moment, context)
