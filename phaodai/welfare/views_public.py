"""Public transparency pages (S33, no sign-in): each ward's approved beneficiaries with masked names
("Nguyễn V. A., 1978"), programme and amount, and the totals per programme and district.

Only what the selectors make public is shown: masked names, never a CCCD, an address or a phone.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from phaodai.welfare import selectors


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    wards = selectors.public_wards()
    totals = selectors.public_totals()
    context = {
        "wards": wards,
        "totals": totals,
        "count": sum(row.count for row in totals),
        "amount": sum(row.total for row in totals),
    }
    return _public(render(request, "welfare/public.html", context))


@require_GET
def public_ward(request: HttpRequest, code: str) -> HttpResponse:
    programme = request.GET.get("programme", "")[:32]
    found = selectors.public_ward_list(code[:5], programme=programme)
    context = {"found": found, "programme": programme, "limit": selectors.PUBLIC_LIST_MAX}
    return _public(render(request, "welfare/public_ward.html", context))
