"""Public pages about businesses: "May this business operate now?" and the published sector conditions.

No sign-in. The answer names the business and its ward, says yes or no and why, with the sector's
conditions in force; never the address, workforce, representatives, or the plan's responsible person.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from phaodai.business import selectors as business
from phaodai.core.clock import now
from phaodai.zoning import selectors as zoning

QUERY_MAX = 100


@require_GET
def business_lookup(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    moment = now()
    answers = business.public_answer(query, moment) if query else []
    context = {"query": query, "answers": answers, "now": moment}
    if request.htmx and "q" in request.GET:  # type: ignore[attr-defined]
        return render(request, "portal/_business_answers.html", context)
    return render(request, "portal/business.html", context)


@require_GET
def sector_conditions(request: HttpRequest) -> HttpResponse:
    """Each sector's conditions in force, and those published to start later (S29)."""
    moment = now()
    names = {a.code: zoning.localized(a, "name") for a in zoning.activities()}
    rows = [
        (names.get(c.sector, c.sector), c, zoning.localized(c, "title"), zoning.localized(c, "criteria"))
        for c in business.published_conditions(moment)
    ]
    return render(request, "portal/sector_conditions.html", {"rows": rows, "now": moment})
