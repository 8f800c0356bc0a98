"""Urgent reports ("đột xuất", S10): sent at once to the level above, which acknowledges them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.errors import DomainError, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers
from phaodai.sitreps import selectors, services
from phaodai.sitreps.forms import UrgentForm, new_token
from phaodai.sitreps.views_common import own_units

LIST_LIMIT = 200


@login_required
@require_http_methods(["GET", "POST"])
def urgent_new(request: HttpRequest) -> HttpResponse:
    """A reporter writes an urgent report; a resubmitted form (same token) stays one report."""
    require_perm(request.user, Perm.SUBMIT_REPORTS)
    units = [u for u in own_units(request.user) if u.parent_id is not None]
    if not units:
        raise NotPermitted()
    if request.method != "POST":
        form = UrgentForm(units=units, initial={"token": new_token()})
        return render(request, "sitreps/urgent_new.html", {"form": form})
    form = UrgentForm(request.POST, units=units)
    if form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in units if u.code == data["unit"]), units[0])
        try:
            report, created = services.report_urgent(
                by=request.user,
                unit=unit,
                severity=data["severity"],
                subject=data["subject"],
                body=data["body"],
                idempotency_key=data["token"] or None,
            )
        except (NotPermitted, OutOfScope):
            raise
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if created:
                messages.success(
                    request, _("Urgent report sent to %(unit)s.") % {"unit": report.receiver.full_name}
                )
            else:
                messages.info(request, _("This urgent report had already been sent."))
            return redirect("sitreps:urgent", pk=report.pk)
    return render(request, "sitreps/urgent_new.html", {"form": form}, status=422)


@login_required
@require_GET
def urgent_list(request: HttpRequest) -> HttpResponse:
    """Urgent reports the user's units sent or received, newest first."""
    reports = list(selectors.urgent_reports_for(request.user)[:LIST_LIMIT])
    context = {"reports": reports, "can_report": bool(own_units(request.user))}
    return render(request, "sitreps/urgent_list.html", context)


@login_required
@require_GET
def urgent(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.urgent_report_for(request.user, pk)
    can_acknowledge = report.acknowledged_at is None and covers(
        request.user, report.receiver_path, Perm.REVIEW_REPORTS
    )
    return render(request, "sitreps/urgent.html", {"report": report, "can_acknowledge": can_acknowledge})


@login_required
@require_POST
def urgent_ack(request: HttpRequest, pk: int) -> HttpResponse:
    """The receiving level has read it and taken it up (the first acknowledgement stands)."""
    report = selectors.urgent_report_for(request.user, pk)
    already = report.acknowledged_at is not None
    services.acknowledge_urgent(by=request.user, report=report)
    if already:
        messages.info(request, _("This urgent report had already been acknowledged."))
    else:
        messages.success(request, _("Urgent report acknowledged."))
    return redirect("sitreps:urgent", pk=pk)
