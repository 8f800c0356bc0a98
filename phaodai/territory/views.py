"""Territory pages: the public browser of units and areas, and the ward's area editing and import."""

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.core.errors import DomainError
from phaodai.territory import imports, selectors, services
from phaodai.territory.forms import AreaCreateForm, AreaEditForm, AreaImportForm
from phaodai.territory.models import Area, Unit
from phaodai.territory.rules import AREA_COLUMNS, HEADER_ALIASES, CellError
from phaodai.territory.units import CITY_CODE
from phaodai.territory.uploads import SizeCapUploadHandler, declared_length
from phaodai.territory.validation import COLUMN_LABELS

# Room for the multipart envelope and the other form fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024
ERRORS_SHOWN = 200
_SESSION_KEY = "territory.import.%s"


@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    """The city with its districts, and a search of units by name without diacritics."""
    query = request.GET.get("q", "").strip()
    results = selectors.search_units(query) if query else []
    context = {"query": query, "results": results}
    if request.htmx and "q" in request.GET:  # type: ignore[attr-defined]
        return render(request, "territory/_search_results.html", context)
    city = selectors.city()
    districts = selectors.districts_with_ward_counts(city)
    return render(request, "territory/browse.html", {**context, "city": city, "districts": districts})


@require_GET
def unit(request: HttpRequest, code: str) -> HttpResponse:
    """A district with its wards, or a ward with its areas."""
    if code == CITY_CODE:
        return redirect("territory:browse")
    current = get_object_or_404(Unit.objects.select_related("parent"), code=code)
    context: dict[str, Any] = {"unit": current, "ancestors": selectors.ancestors_of(current)}
    if current.level == Unit.Level.DISTRICT:
        context["wards"] = selectors.wards_with_area_totals(current)
        return render(request, "territory/district.html", context)
    areas = list(selectors.areas_of(current))
    context.update(
        areas=areas,
        population=sum(a.population for a in areas),
        households=sum(a.households for a in areas),
        can_change=selectors.can_change_areas(request.user, current),
    )
    return render(request, "territory/ward.html", context)


def _crumbs(ward: Unit) -> list[Unit]:
    return [*selectors.ancestors_of(ward), ward]


@login_required
@require_http_methods(["GET", "POST"])
def area_add(request: HttpRequest, code: str) -> HttpResponse:
    ward = selectors.ward_for_change(request.user, code)
    form = AreaCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.create_area(ward=ward, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Area “%(name)s” added.") % {"name": area.name})
            return redirect("territory:unit", code=ward.code)
    context = {"ward": ward, "crumbs": _crumbs(ward), "form": form, "title": _("Add an area")}
    return render(request, "territory/area_form.html", context)


def _area_in_ward(request: HttpRequest, code: str, local_code: str) -> Area:
    return selectors.area_for_change(request.user, f"{code}-{local_code}")


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, code: str, local_code: str) -> HttpResponse:
    area = _area_in_ward(request, code, local_code)
    initial = {f: getattr(area, f) for f in ("name", "kind", "population", "households", "shared_sanitation")}
    form = AreaEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.update_area(area=area, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Area “%(name)s” saved.") % {"name": area.name})
            return redirect("territory:unit", code=area.ward.code)
    context = {
        "ward": area.ward,
        "area": area,
        "crumbs": _crumbs(area.ward),
        "form": form,
        "title": _("Edit area %(code)s") % {"code": area.local_code},
    }
    return render(request, "territory/area_form.html", context)


@login_required
@require_POST
def area_deactivate(request: HttpRequest, code: str, local_code: str) -> HttpResponse:
    area = services.deactivate_area(area=_area_in_ward(request, code, local_code), by=request.user)
    messages.success(request, _("Area “%(name)s” deactivated.") % {"name": area.name})
    return redirect("territory:unit", code=area.ward.code)


@csrf_exempt  # the CSRF check is made by _import_upload, after the size guard is in place
@login_required
@require_http_methods(["GET", "POST"])
def area_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a ward's areas; an oversized file is refused before its body is read or stored."""
    ward = selectors.ward_for_change(request.user, code)
    limit = settings.PHAODAI_MAX_UPLOAD_BYTES
    if request.method == "POST" and declared_length(request) > limit + FORM_OVERHEAD_BYTES:
        return _import_page(request, ward, AreaImportForm(), imports.too_large(limit), status=413)
    guard = SizeCapUploadHandler(request, limit)
    if request.method == "POST":
        # Must be first, and set before anything reads request.POST (hence the CSRF exemption above).
        request.upload_handlers = [guard, *request.upload_handlers]
    return _import_upload(request, ward, guard)


@csrf_protect
def _import_upload(request: HttpRequest, ward: Unit, guard: SizeCapUploadHandler) -> HttpResponse:
    if request.method != "POST":
        return _import_page(request, ward, AreaImportForm())
    form = AreaImportForm(request.POST, request.FILES)
    if guard.exceeded:
        return _import_page(request, ward, form, imports.too_large(guard.limit), status=413)
    if not form.is_valid():
        return _import_page(request, ward, form)
    upload = form.cleaned_data["file"]
    try:
        result = services.import_area_file(ward=ward, by=request.user, upload=upload)
    except imports.ImportFileError as error:
        return _import_page(request, ward, form, error, status=error.status)
    request.session[_SESSION_KEY % ward.code] = {
        "file": upload.name,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "blank_rows": result.blank_rows,
        "notes": [str(note) for note in result.notes],
        "errors": [[e.row, e.column, e.reason, e.value] for e in result.errors],
    }
    return redirect("territory:import_result", code=ward.code)


def _import_page(
    request: HttpRequest,
    ward: Unit,
    form: AreaImportForm,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "ward": ward,
        "crumbs": _crumbs(ward),
        "form": form,
        "error": error,
        "limit": imports.size_limit_text(settings.PHAODAI_MAX_UPLOAD_BYTES),
        "columns": [(c, COLUMN_LABELS[c], HEADER_ALIASES[c]) for c in AREA_COLUMNS],
        "kinds": Area.Kind.choices,
    }
    return render(request, "territory/import.html", context, status=status)


def _stored_report(request: HttpRequest, ward: Unit) -> dict[str, Any] | None:
    return request.session.get(_SESSION_KEY % ward.code)


@login_required
@require_GET
def import_result(request: HttpRequest, code: str) -> HttpResponse:
    ward = selectors.ward_for_change(request.user, code)
    report = _stored_report(request, ward)
    if report is None:
        return redirect("territory:area_import", code=ward.code)
    errors = [CellError(*item) for item in report["errors"]]
    shown = [
        {"row": e.row, "column": str(COLUMN_LABELS.get(e.column, e.column)), "reason": e.reason}
        for e in errors[:ERRORS_SHOWN]
    ]
    context = {
        "ward": ward,
        "crumbs": _crumbs(ward),
        "report": report,
        "errors": shown,
        "error_count": len(errors),
        "refused_rows": len({e.row for e in errors}),
    }
    return render(request, "territory/import_result.html", context)


def _safe_cell(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula when the report is opened in Excel.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@login_required
@require_GET
def import_report(request: HttpRequest, code: str) -> HttpResponse:
    """The last import's refused rows as CSV (UTF-8 with BOM, so Excel shows the diacritics)."""
    ward = selectors.ward_for_change(request.user, code)
    report = _stored_report(request, ward)
    if report is None:
        return redirect("territory:area_import", code=ward.code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-report-{ward.code}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("row"), _("column"), _("reason"), _("value")])
    for row, column, reason, value in report["errors"]:
        writer.writerow([row, column, _safe_cell(reason), _safe_cell(value)])
    return response
