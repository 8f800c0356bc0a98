"""Pages of street-vending reports (S27): the public report form, and the ward's list and handling.

Anyone may report on the public page (limited per device: 429 keeps what was typed); officers who
manage markets record, list and handle the reports of their units.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.jurisdiction import paths_of
from phaodai.core.ratelimit import client_of
from phaodai.markets import reports
from phaodai.markets.forms_prices import MoveReportForm, OfficerVendingForm, PublicVendingForm, ward_choices
from phaodai.markets.models import VendingReport
from phaodai.territory import selectors as territory


def _private(response: HttpResponse) -> HttpResponse:
    """A resident's report may carry their phone: never cached."""
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def vending_public(request: HttpRequest) -> HttpResponse:
    """A resident reports a temporary market or street vending; anonymous, limited per device."""
    posted = request.method == "POST"
    form = PublicVendingForm(request.POST if posted else None, wards=ward_choices())
    status = 422 if posted else 200
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            report, created = reports.report_vending_publicly(
                ward_code=data["ward"],
                data=form.vending_input(),
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                token=data["token"],
                client=client_of(request),
            )
        except DomainError as error:
            form.add_domain_error(error)
            status = error.status
        else:
            context = {"report": report, "created": created}
            return _private(render(request, "markets/vending_thanks.html", context))
    return _private(render(request, "markets/vending_public.html", {"form": form}, status=status))


def _require_handler(request: HttpRequest) -> None:
    if not reports.is_handler(request.user):
        raise NotPermitted()


@login_required
@require_GET
def vending_list(request: HttpRequest) -> HttpResponse:
    """Open reports of the officer's units (or one ward or district of them), oldest first."""
    _require_handler(request)
    unit_code = request.GET.get("unit", "")[:5]
    rows = reports.open_reports(request.user, unit_code=unit_code)
    context = {"rows": rows, "unit_code": unit_code}
    return render(request, "markets/vending_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def vending_new(request: HttpRequest) -> HttpResponse:
    """An officer records a spot seen in a ward they manage."""
    _require_handler(request)
    user = request.user
    posted = request.method == "POST"
    form = OfficerVendingForm(
        request.POST if posted else None, wards=ward_choices(paths_of(user, Perm.MANAGE_MARKETS))
    )
    if posted and form.is_valid():
        ward = territory.unit_by_code(str(form.cleaned_data["ward"]).strip())
        try:
            report, created = reports.record_vending(
                by=user, ward=ward, data=form.vending_input(), idempotency_key=form.cleaned_data["token"]
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
        else:
            if created:
                messages.success(request, _("Report recorded."))
            return redirect("markets:vending_detail", pk=report.pk)
    context = {"form": form, "title": _("Record a temporary market or street vending")}
    return render(request, "markets/vending_form.html", context, status=422 if posted else 200)


def _detail(
    request: HttpRequest, report: VendingReport, form: MoveReportForm, status: int = 200
) -> HttpResponse:
    context = {"report": report, "form": form, "open": report.status in reports.OPEN}
    return render(request, "markets/vending_detail.html", context, status=status)


@login_required
@require_GET
def vending_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = reports.report_for(request.user, pk)
    return _detail(request, report, MoveReportForm(initial={"version": report.version}))


@login_required
@require_POST
def vending_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Handling, cleared or not found there; of two officers at once, the second gets 409."""
    report = reports.report_for(request.user, pk)
    form = MoveReportForm(request.POST)
    if not form.is_valid():
        return _detail(request, report, form, status=422)
    try:
        reports.move_report(
            by=request.user,
            report=report,
            to=form.cleaned_data["status"],
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        report.refresh_from_db()
        return _detail(request, report, form, status=error.status)
    messages.success(request, _("Report updated."))
    return redirect("markets:vending_detail", pk=pk)
