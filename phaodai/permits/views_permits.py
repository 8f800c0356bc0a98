"""Pages of one permit: the officer's view, its PDF, revoking it; the organisation's printable list;
and the holder's phone page (reached through its unguessable link, no sign-in)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from phaodai.core.clock import now
from phaodai.core.errors import DomainError
from phaodai.core.qr import qr_svg
from phaodai.permits import printing, selectors, services
from phaodai.permits.forms import RevokeForm
from phaodai.permits.models import Permit
from phaodai.permits.views import require_officer, require_reader


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _context(permit: Permit) -> dict[str, object]:
    entry = permit.entry
    return {
        "permit": permit,
        "entry": entry,
        "group": selectors.group_of(entry),
        "qr": qr_svg(permit.code, scale=5, title=permit.pass_id)
        if permit.status == Permit.Status.ACTIVE
        else "",
        "expired": permit.valid_to <= now(),
    }


@login_required
@require_GET
def permit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_reader(user)
    permit = selectors.permit_for(user, pk)
    context = {
        **_context(permit),
        "officer": selectors.may_issue_at(user, permit.path),
        "form": RevokeForm(),
    }
    return render(request, "permits/permit.html", context)


@login_required
@require_GET
def permit_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_reader(user)
    permit = selectors.permit_for(user, pk)
    return _pdf(printing.permits_pdf([permit], title=permit.pass_id), f"{permit.pass_id}.pdf")


@login_required
@require_POST
def permit_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_officer(user)
    permit = selectors.permit_for(user, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_permit(by=user, permit=permit, reason=form.cleaned_data["reason"])
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
        else:
            messages.success(request, _("Permit revoked."))
            return redirect("permits:permit", pk=permit.pk)
    status = 409 if form.errors and not form.has_error("reason") else 422
    context = {**_context(permit), "officer": True, "form": form}
    return render(request, "permits/permit.html", context, status=status)


@login_required
@require_GET
def organisation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Every valid permit of an organisation, one per page, to print and hand back."""
    user = request.user
    require_reader(user)
    org = selectors.organisation_for(user, pk)
    permits = selectors.active_permits_of(org)
    return _pdf(printing.permits_pdf(permits, title=org.name), f"giay-di-duong-{org.pk}.pdf")


@never_cache
@require_GET
def holder_view(request: HttpRequest, token: str) -> HttpResponse:
    """The permit on the holder's phone: the QR large, name, masked CCCD, validity; revoked says so."""
    permit = selectors.permit_by_token(token)
    response = render(request, "permits/holder.html", _context(permit))
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_GET
def holder_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The holder's permit to print (the same link, no sign-in); a revoked one prints as revoked."""
    permit = selectors.permit_by_token(token)
    response = _pdf(printing.permits_pdf([permit], title=permit.pass_id), f"{permit.pass_id}.pdf")
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
