"""Pages of the crossing log: a checkpoint's crossings (keyset-paged), its day by hour, and a district's
day. Read by those who read the checkpoints; crossings are written only by devices (the API)."""

from datetime import date, datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from phaodai.checkpoints import rules, selectors, stats
from phaodai.checkpoints.views import require_reader
from phaodai.core.clock import local_date, now, plausible, read_local_date


def _after(raw: str | None) -> tuple[datetime, int] | None:
    if not raw or "|" not in raw:
        return None
    moment, _sep, pk = raw.partition("|")
    try:
        after, key = datetime.fromisoformat(moment), int(pk)
    except ValueError:
        raise Http404 from None
    # Year 1 in UTC+7 has no UTC instant and a huge id no database integer: no cursor of ours either.
    if timezone.is_naive(after) or not plausible(after) or not 0 < key < 2**63:
        raise Http404
    return after, key


def _day(raw: str | None) -> date:
    day = read_local_date(raw or "") if raw else None
    return day or local_date(now())


@login_required
@require_GET
def crossings(request: HttpRequest, pk: int) -> HttpResponse:
    """The checkpoint's crossings, newest first; denied only on request. htmx loads the next page."""
    user = request.user
    require_reader(user)
    checkpoint = selectors.checkpoint_for(user, pk)
    decision = request.GET.get("decision", "")[:8]
    decision = decision if decision in rules.DECISIONS else ""
    page = selectors.crossings_at(
        checkpoint, decision=decision, after=_after(request.GET.get("after", "")[:64])
    )
    context = {
        "checkpoint": checkpoint,
        "page": page,
        "decision": decision,
        "next_query": urlencode({"decision": decision, "after": page.next_after}) if page.next_after else "",
    }
    if getattr(request, "htmx", False) and request.GET.get("after"):
        return render(request, "checkpoints/_crossing_rows.html", context)
    return render(request, "checkpoints/crossings.html", context)


@login_required
@require_GET
def checkpoint_stats(request: HttpRequest, pk: int) -> HttpResponse:
    """A checkpoint's day hour by hour: crossings, denials, the peak, and denials by failed rule."""
    user = request.user
    require_reader(user)
    checkpoint = selectors.checkpoint_for(user, pk)
    day = _day(request.GET.get("day", "")[:20])
    context = {"checkpoint": checkpoint, "day": day, "stats": stats.checkpoint_day(checkpoint, day)}
    return render(request, "checkpoints/stats.html", context)


@login_required
@require_GET
def district_stats(request: HttpRequest) -> HttpResponse:
    """A district's day: all its checkpoints together, then each with its total, denials and peak hour."""
    user = request.user
    require_reader(user)
    district = selectors.district_for(user, request.GET.get("district", "")[:5])
    day = _day(request.GET.get("day", "")[:20])
    checkpoints = selectors.search_checkpoints(user, district=district.code)
    overall, rows = stats.unit_day(checkpoints, district.path, day)
    context = {
        "district": district,
        "districts": selectors.districts_of(user),
        "day": day,
        "overall": overall,
        "rows": rows,
    }
    return render(request, "checkpoints/district_stats.html", context)
