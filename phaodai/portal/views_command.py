"""Public pages of the command app: published hotlines by district and ward, published commendations.

No sign-in; only what an officer published is shown, and never a member's or duty officer's phone.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from phaodai.command import selectors as command
from phaodai.command.rules import year_of
from phaodai.territory import selectors as territory

QUERY_MAX = 100


def _districts() -> list[Any]:
    return list(territory.children_of(territory.city()))


@require_GET
def hotlines(request: HttpRequest) -> HttpResponse:
    """Published hotlines: the city's and districts', a district with its wards, or a search by name."""
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    district = request.GET.get("district", "").strip()[:5]
    groups = command.hotline_directory(query=query, district="" if query else district)
    context = {"groups": groups, "query": query, "district": district, "districts": _districts()}
    if request.htmx and "q" in request.GET:  # type: ignore[attr-defined]
        return render(request, "portal/_hotline_groups.html", context)
    return render(request, "portal/hotlines.html", context)


@require_GET
def commendations(request: HttpRequest) -> HttpResponse:
    """Published commendations, filtered by district and year."""
    districts = _districts()
    code = request.GET.get("district", "").strip()
    chosen = next((d for d in districts if d.code == code), None)
    year = year_of(request.GET.get("year", ""))
    context = {
        "commendations": command.published_commendations(district=chosen, year=year),
        "districts": districts,
        "district": chosen,
        "year": year,
        "years": command.commendation_years(),
    }
    return render(request, "portal/commendations.html", context)
