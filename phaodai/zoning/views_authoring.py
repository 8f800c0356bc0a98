"""Pages for authoring criteria tables (districts and the city) and entering a ward's indicators."""

import csv
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import next_local_time, now
from phaodai.core.errors import DomainError
from phaodai.territory import selectors as territory
from phaodai.territory.imports import ImportFileError, size_limit_text, too_large
from phaodai.territory.uploads import SizeCapUploadHandler, declared_length
from phaodai.zoning import indicator_import, indicators, selectors
from phaodai.zoning.authoring import IndicatorEntry, enter_indicators, publish_table, save_draft_table
from phaodai.zoning.forms_authoring import (
    BLANK_LEVELS,
    BLANK_ROWS,
    ENTERABLE_ORDER,
    MORE,
    IndicatorImportForm,
    IndicatorsForm,
    LevelFormSet,
    RowFormSet,
    TableForm,
    filled,
    indicator_label,
    level_initial,
    row_initial,
    rows_of,
    show_value,
    table_initial,
    with_blank_lines,
)
from phaodai.zoning.models import CriteriaTable

FORM_OVERHEAD_BYTES = 64 * 1024
ERRORS_SHOWN = 200


# Criteria tables ------------------------------------------------------------------------------


def _author_table(request: HttpRequest, pk: int) -> CriteriaTable:
    # 403 for a role that never authors tables; 404 (logged) for a table of another unit.
    require_perm(request.user, Perm.AUTHOR_CRITERIA)
    return selectors.table_for(request.user, pk)


@login_required
@require_GET
def tables(request: HttpRequest) -> HttpResponse:
    """The tables the user may author (drafts and published), then those published by other units."""
    require_perm(request.user, Perm.AUTHOR_CRITERIA)
    mine = list(selectors.tables_visible_to(request.user).order_by("code", "-version"))
    others = selectors.published_tables().exclude(pk__in=[t.pk for t in mine]).order_by("code", "-version")
    return render(request, "zoning/authoring/tables.html", {"mine": mine, "others": list(others)})


@login_required
@require_http_methods(["GET", "POST"])
def table_new(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.AUTHOR_CRITERIA)
    return _table_form(request, issuers=selectors.authoring_units(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    table = _author_table(request, pk)
    if table.status != CriteriaTable.Status.DRAFT:
        messages.info(request, _("A published table cannot be changed; make a new version of it."))
        return redirect("zoning:table_detail", pk=table.pk)
    return _table_form(request, issuers=[table.issued_by], base=table, editing=table)


@login_required
@require_http_methods(["GET", "POST"])
def table_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft version of a published table, prefilled with its content."""
    source = _author_table(request, pk)
    if source.status == CriteriaTable.Status.DRAFT:
        return redirect("zoning:table_edit", pk=source.pk)
    return _table_form(request, issuers=[source.issued_by], base=source)


def _table_form(
    request: HttpRequest,
    *,
    issuers: list[Any],
    base: CriteriaTable | None = None,
    editing: CriteriaTable | None = None,
) -> HttpResponse:
    fixed = base is not None
    regimes = [(r.code, f"{r.short_name} ({r.code})") for r in selectors.regimes()]
    if request.method == "POST":
        data = request.POST.copy()
        adding = data.get("add") in ("levels", "rows")
        if adding:
            key = f"{data['add']}-TOTAL_FORMS"
            count = str(data.get(key) or "0").strip()
            # isascii: "²" is a digit to str.isdigit() but not to int(); the formset caps the count.
            fine = count.isascii() and count.isdigit() and len(count) <= 9
            data[key] = str((int(count) if fine else 0) + MORE)
        form = TableForm(data, issuers=issuers, fixed=fixed, initial=table_initial(base) if base else None)
        levels = LevelFormSet(data, prefix="levels", form_kwargs={"regimes": regimes})
        rows = RowFormSet(data, prefix="rows")
        if not adding and _all_valid(form, levels, rows):
            try:
                table = _save(request, form, levels, rows, issuers, editing)
            except DomainError as error:
                _place_error(error, form, levels, rows)
            else:
                messages.success(request, _("The draft %(table)s has been saved.") % {"table": table})
                return redirect("zoning:table_detail", pk=table.pk)
    else:
        form, levels, rows = _unbound_forms(issuers, base, editing, regimes)
    show_errors = request.method == "POST" and not request.POST.get("add")
    context = {
        "form": form,
        "levels": levels,
        "rows": rows,
        "base": base,
        "editing": editing,
        "show_errors": show_errors,
        "has_errors": show_errors
        and bool(form.errors or levels.total_error_count() or rows.total_error_count()),
        "level_codes": [code for code in (f["code"].value() for f in levels.forms) if code],
    }
    return render(request, "zoning/authoring/table_form.html", context)


def _unbound_forms(
    issuers: list[Any],
    base: CriteriaTable | None,
    editing: CriteriaTable | None,
    regimes: list[tuple[str, str]],
) -> tuple[TableForm, Any, Any]:
    if base is None:
        initial: dict[str, Any] = {"valid_from": next_local_time(now())}
        level_lines, row_lines = with_blank_lines([], 3), with_blank_lines([], 5)
    else:
        initial = table_initial(base)
        if editing is None:  # a new version starts at the next 06:00, open-ended
            initial.update(valid_from=next_local_time(now()), valid_until=None)
        level_lines = with_blank_lines(level_initial(list(selectors.levels_of(base))), BLANK_LEVELS)
        row_lines = with_blank_lines(row_initial(rows_of(base)), BLANK_ROWS)
    form = TableForm(issuers=issuers, fixed=base is not None, initial=initial)
    levels = LevelFormSet(prefix="levels", initial=level_lines, form_kwargs={"regimes": regimes})
    rows = RowFormSet(prefix="rows", initial=row_lines)
    return form, levels, rows


def _all_valid(*forms: Any) -> bool:
    return all([form.is_valid() for form in forms])  # a list, so every form shows its errors


def _save(
    request: HttpRequest,
    form: TableForm,
    levels: Any,
    rows: Any,
    issuers: list[Any],
    editing: CriteriaTable | None,
) -> CriteriaTable:
    data = form.cleaned_data
    issuer = next(unit for unit in issuers if unit.code == data["issued_by"])
    return save_draft_table(
        by=request.user,
        issuer=issuer,
        code=editing.code if editing else data["code"],
        name=data["name"],
        name_en=data["name_en"],
        basis=data["basis"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        levels=[line.as_input() for line in filled(levels)],
        rows=[line.as_input() for line in filled(rows)],
        modifiers=form.modifiers(),
        table=editing,
    )


def _place_error(error: DomainError, form: TableForm, levels: Any, rows: Any) -> None:
    """Put a service's refusal beside the level or row it names, else beside the table's field."""
    for formset, key, param in ((rows, "label", "row"), (levels, "code", "level")):
        named = str(error.params.get(param) or "")
        # The last line of that name: a repeated level code or row label is refused at its repetition.
        lines = [f for f in filled(formset) if named and f.cleaned_data.get(key, "").strip() == named]
        line = lines[-1] if lines else None
        if line is not None:
            line.add_error(error.field if error.field in line.fields else None, str(error.detail))
            return
    if error.field == "modifiers":
        form.add_error("no_downgrade", str(error.detail))
        return
    form.add_domain_error(error)


@login_required
@require_GET
def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _author_table(request, pk))


def _detail(
    request: HttpRequest, table: CriteriaTable, error: DomainError | None = None, status: int = 200
) -> Any:
    context = {
        "table": table,
        "levels": list(selectors.levels_of(table)),
        "rows": rows_of(table),
        "no_downgrade": bool(table.modifiers),
        "error": error,
    }
    return render(request, "zoning/authoring/table_detail.html", context, status=status)


@login_required
@require_POST
def table_publish(request: HttpRequest, pk: int) -> HttpResponse:
    table = _author_table(request, pk)
    try:
        table = publish_table(table=table, by=request.user)
    except DomainError as error:
        return _detail(request, table, error=error, status=error.status)
    messages.success(request, _("%(table)s is published.") % {"table": table})
    return redirect("zoning:table_detail", pk=table.pk)


# Indicators -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def indicators_page(request: HttpRequest, code: str) -> HttpResponse:
    """The ward's areas with their latest values, and a grid to enter new ones observed at one time."""
    ward = selectors.ward_for_indicators(request.user, code)
    areas = list(territory.areas_of(ward))
    moment = now().replace(second=0, microsecond=0)
    form = IndicatorsForm(request.POST or None, areas=areas, initial={"as_of": moment})
    if request.method == "POST" and form.is_valid():
        entries = [IndicatorEntry(area, name, value) for area, name, value in form.cleaned_data["entries"]]
        try:
            saved = enter_indicators(by=request.user, entries=entries, as_of=form.cleaned_data["as_of"])
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(n)d values saved.") % {"n": len(saved)})
            return redirect("zoning:indicators", code=ward.code)
    latest = indicators.entered_values([area.pk for area in areas], moment)
    grid = [
        (
            area,
            [
                (form[form.cell(area, name)], show_value(name, latest.get(area.pk, {}).get(name)))
                for name in ENTERABLE_ORDER
            ],
        )
        for area in areas
    ]
    context = {
        "ward": ward,
        "form": form,
        "grid": grid,
        "columns": [(name, indicator_label(name)) for name in ENTERABLE_ORDER],
    }
    return render(request, "zoning/authoring/indicators.html", context)


@csrf_exempt  # the CSRF check is made by _import_upload, after the size guard is in place
@login_required
@require_http_methods(["GET", "POST"])
def indicators_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a ward's indicator sheet; an oversized file is refused before its body is read."""
    ward = selectors.ward_for_indicators(request.user, code)
    limit = settings.PHAODAI_MAX_UPLOAD_BYTES
    if request.method == "POST" and declared_length(request) > limit + FORM_OVERHEAD_BYTES:
        return _import_page(request, ward, IndicatorImportForm(), too_large(limit), status=413)
    guard = SizeCapUploadHandler(request, limit)
    if request.method == "POST":
        # Must be first, and set before anything reads request.POST (hence the CSRF exemption above).
        request.upload_handlers = [guard, *request.upload_handlers]
    return _import_upload(request, ward, guard)


@csrf_protect
def _import_upload(request: HttpRequest, ward: Any, guard: SizeCapUploadHandler) -> HttpResponse:
    if request.method != "POST":
        return _import_page(request, ward, IndicatorImportForm())
    form = IndicatorImportForm(request.POST, request.FILES)
    if guard.exceeded:
        return _import_page(request, ward, form, too_large(guard.limit), status=413)
    if not form.is_valid():
        return _import_page(request, ward, form)
    try:
        report = indicator_import.import_indicator_file(
            ward=ward,
            by=request.user,
            upload=form.cleaned_data["file"],
            default_as_of=form.cleaned_data["as_of"],
        )
    except ImportFileError as error:
        return _import_page(request, ward, form, error, status=error.status)
    errors = [
        {
            "row": e.row,
            "column": indicator_import.column_label(e.column),
            "reason": e.reason,
            "value": e.value,
        }
        for e in report.errors[:ERRORS_SHOWN]
    ]
    context = {"ward": ward, "report": report, "errors": errors, "file": form.cleaned_data["file"].name}
    return render(request, "zoning/authoring/indicators_import_result.html", context)


def _import_page(
    request: HttpRequest,
    ward: Any,
    form: IndicatorImportForm,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    columns = [
        (column, indicator_import.column_label(column), aliases)
        for column, aliases in indicator_import.COLUMN_ALIASES.items()
    ]
    context = {
        "ward": ward,
        "form": form,
        "error": error,
        "columns": columns,
        "limit": size_limit_text(settings.PHAODAI_MAX_UPLOAD_BYTES),
    }
    return render(request, "zoning/authoring/indicators_import.html", context, status=status)


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula when the file is opened in Excel.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_GET
def indicators_template(request: HttpRequest, code: str) -> HttpResponse:
    """A CSV to fill in: the ward's areas, one column per indicator, the observation time."""
    ward = selectors.ward_for_indicators(request.user, code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="indicators-{ward.code}.csv"'
    response.write("\ufeff")  # so Excel reads the diacritics as UTF-8
    writer = csv.writer(response)
    moment: datetime = now()
    for line in indicator_import.template_rows(list(territory.areas_of(ward)), moment):
        writer.writerow([_safe_cell(cell) for cell in line])
    return response
