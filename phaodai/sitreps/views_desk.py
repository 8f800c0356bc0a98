"""Reading pages: the report desk, timeliness per slot and its trend, a slot's table (and XLSX), charts."""

from datetime import time, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.core.clock import at_local, local_date, now, to_local
from phaodai.core.errors import InvalidInput
from phaodai.sitreps import charts, exports, selectors
from phaodai.sitreps.models import Schedule
from phaodai.sitreps.rules import NUMERIC_KINDS
from phaodai.sitreps.views_common import (
    home_unit,
    own_units,
    parse_day,
    schedule_or_404,
    slot_instance,
    unit_filter,
)
from phaodai.territory import selectors as territory

RECENT_URGENT = 5
TREND_WEEKS = 6
TREND_MAX_UNITS = 60  # a trend of the city's 579 wards is unreadable: choose a district first
MAX_DAYS = 92
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The desk ---------------------------------------------------------------------------------------------


def _desk_row(
    request: HttpRequest, schedule: Schedule, units: list[Any], today: Any
) -> dict[str, Any] | None:
    mine = [u for u in units if selectors.is_reporter(schedule, u)]
    receiving = selectors.receives_reports(request.user, schedule)
    if not mine and not receiving:
        return None
    current = selectors.current_instance(schedule)
    moment = now()
    reported = [(u, selectors.submission_at(schedule, u, current) if current else None) for u in mine]
    # Slots a unit missed still take late reports until they lock: offered ahead of the next one.
    missed = [
        (u, instance, to_local(instance.timing.locks_at))
        for u in mine
        for instance in selectors.missed_instances(schedule, u, clock=lambda: moment)
    ]
    return {
        "schedule": schedule,
        "name": selectors.localized(schedule, "name"),
        "current": current,
        "missed": missed,
        "state": current.timing.state(moment) if current else None,
        "deadline": to_local(current.timing.deadline_at) if current else None,
        "mine": reported,
        "today": selectors.timeliness(schedule, today, request.user) if receiving else None,
    }


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Schedules the user reports on or receives: the slot to fill now, today's timeliness, urgents."""
    user = request.user
    selectors.require_reader(user)
    today = local_date(now())
    units = own_units(user)
    rows = [row for s in selectors.schedules() if (row := _desk_row(request, s, units, today)) is not None]
    context = {
        "rows": rows,
        "today": today,
        "urgent": list(selectors.urgent_reports_for(user)[:RECENT_URGENT]),
        "can_report_urgent": has_perm(user, Perm.SUBMIT_REPORTS),
    }
    return render(request, "sitreps/home.html", context)


# Timeliness -------------------------------------------------------------------------------------------


def _filter_choices(user: Any, schedule: Schedule) -> list[Any]:
    """Units to narrow a page to: the districts for the city, a district's wards for the district."""
    units = selectors.units_in_view(schedule, user)
    parents = {u.parent_id: u.parent for u in units if u.parent is not None}
    if len(parents) > 1:
        return sorted(parents.values(), key=lambda u: u.code)
    return units if len(units) > 1 else []


def _rate_class(rate: float | None) -> str:
    if rate is None:
        return "rate-none"
    return "rate-good" if rate >= 90 else "rate-fair" if rate >= 70 else "rate-poor"


@login_required
@require_GET
def timeliness(request: HttpRequest, schedule_code: str) -> HttpResponse:
    """Per slot of a day: expected, on time, late, missing (listed); below, the on-time trend by week."""
    user = request.user
    schedule = schedule_or_404(schedule_code)
    selectors.require_reader(user)
    within = unit_filter(user, request.GET.get("unit"))
    context: dict[str, Any] = {
        "schedule": schedule,
        "schedule_name": selectors.localized(schedule, "name"),
        "within": within,
        "choices": _filter_choices(user, schedule),
        "date_text": request.GET.get("date", ""),
    }
    try:
        day = parse_day(request.GET.get("date"))
    except InvalidInput as error:
        context["error"] = error
        return render(request, "sitreps/timeliness.html", context, status=error.status)
    # The trend ends with the day shown (or now, for today), so a past day reads its own weeks.
    end = min(now(), at_local(day + timedelta(days=1), time(0)) - timedelta(seconds=1))
    slots = selectors.timeliness(schedule, day, user, within=within)
    units_count = slots[0].expected if slots else 0
    trend = None
    if units_count <= TREND_MAX_UNITS:
        trend = [
            (unit, [(week, _rate_class(week.rate)) for week in weeks])
            for unit, weeks in selectors.timeliness_trend(
                schedule, user, weeks=TREND_WEEKS, within=within, clock=lambda: end
            )
        ]
    context.update(
        day=day,
        slots=[
            {
                "report": report,
                "deadline": to_local(report.instance.timing.deadline_at),
                "late": [(u, to_local(report.submissions[u.pk].submitted_at)) for u in report.late],
            }
            for report in slots
        ],
        trend=trend,
        weeks=[w for w, _c in trend[0][1]] if trend else [],
        trend_too_wide=trend is None,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )
    context["date_text"] = day.isoformat()
    return render(request, "sitreps/timeliness.html", context)


# A slot's table ---------------------------------------------------------------------------------------


def _slot_table(request: HttpRequest, schedule_code: str, slot: str) -> tuple[Schedule, Any, Any]:
    user = request.user
    schedule = schedule_or_404(schedule_code)
    selectors.require_reader(user)
    within = unit_filter(user, request.GET.get("unit"))
    instance = slot_instance(schedule, slot)
    return schedule, within, selectors.slot_table(schedule, instance, user, within=within)


@login_required
@require_GET
def slot_page(request: HttpRequest, schedule_code: str, slot: str) -> HttpResponse:
    """Each reporting unit in view with its values, and the total rolled up per the form."""
    schedule, within, table = _slot_table(request, schedule_code, slot)
    numeric = [f for f in table.fields if f.kind in NUMERIC_KINDS]
    texts = [f for f in table.fields if f.kind not in NUMERIC_KINDS]
    rows = []
    for unit, submission in table.rows:
        values = submission.values if submission else {}
        rows.append(
            {
                "unit": unit,
                "submission": submission,
                "numbers": [values.get(f.code) for f in numeric],
                "texts": [
                    (selectors.localized(f, "label"), values.get(f.code)) for f in texts if values.get(f.code)
                ],
            }
        )
    context = {
        "schedule": schedule,
        "schedule_name": selectors.localized(schedule, "name"),
        "instance": table.instance,
        "within": within,
        "columns": [(selectors.localized(f, "label"), selectors.localized(f, "unit_label")) for f in numeric],
        "rows": rows,
        "total": [table.total.get(f.code) for f in numeric],
        "total_texts": [(selectors.localized(f, "label"), table.total.get(f.code)) for f in texts],
        "reported": sum(1 for _u, s in table.rows if s is not None),
        "choices": _filter_choices(request.user, schedule),
    }
    return render(request, "sitreps/slot.html", context)


@login_required
@require_GET
def slot_xlsx(request: HttpRequest, schedule_code: str, slot: str) -> HttpResponse:
    """The same table as a printable workbook."""
    schedule, within, table = _slot_table(request, schedule_code, slot)
    title_unit = (within or home_unit(request.user)).full_name
    response = HttpResponse(exports.slot_workbook(table, schedule, title_unit=title_unit), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{exports.slot_filename(schedule, table)}"'
    return response


# Charts -----------------------------------------------------------------------------------------------


def _days(text: str | None) -> int:
    if not text:
        return 14
    text = text.strip()
    # isascii: "²" is a digit to str.isdigit() but not to int()
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or not 1 <= int(text) <= MAX_DAYS:
        raise InvalidInput(
            _("Choose between 1 and %(max)s days.") % {"max": MAX_DAYS},
            field="days",
        )
    return int(text)


@login_required
@require_GET
def charts_page(request: HttpRequest, schedule_code: str) -> HttpResponse:
    """The form's main indicators per day as SVG charts, with the numbers in a table beneath."""
    user = request.user
    schedule = schedule_or_404(schedule_code)
    selectors.require_reader(user)
    unit = unit_filter(user, request.GET.get("unit")) or home_unit(user)
    context: dict[str, Any] = {
        "schedule": schedule,
        "schedule_name": selectors.localized(schedule, "name"),
        "unit": unit,
        "days": request.GET.get("days", "14"),
        "choices": _chart_units(user),
    }
    try:
        days = _days(request.GET.get("days"))
    except InvalidInput as error:
        context["error"] = error
        return render(request, "sitreps/charts.html", context, status=error.status)
    series = selectors.daily_series(schedule, unit, days=days)
    charted = []
    for item in series:
        label = selectors.localized(item.field, "label")
        unit_label = selectors.localized(item.field, "unit_label")
        title = f"{label} ({unit_label})" if unit_label else label
        svg = charts.chart_svg(item.points, title=title)
        charted.append({"title": title, "svg": mark_safe(svg)})  # noqa: S308 - built and escaped by charts
    calendar = [day for day, _v in series[0].points] if series else []
    context.update(
        days=days,
        charts=charted,
        headers=[c["title"] for c in charted],
        table=[(day, [s.points[i][1] for s in series]) for i, day in enumerate(calendar)],
    )
    return render(request, "sitreps/charts.html", context)


def _chart_units(user: Any) -> list[Any]:
    """The user's widest unit and the units just below it."""
    top = home_unit(user)
    return [top, *territory.children_of(top)] if top.level != "ward" else [top]
