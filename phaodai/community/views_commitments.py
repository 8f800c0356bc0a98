"""Pages of household commitments (S35): campaigns, the coverage board, an area's households and signing.

Readers and writers: Perm.MANAGE_COMMUNITY over the ward (a ward, its district, the city); 403
without it, 404 (logged) outside. A party member signs on their own household's page (views_members).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.community import selectors, services
from phaodai.community.pages import field_errors, form_date, posted
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError, InvalidInput


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.is_manager(user):
        if selectors.is_member(user):
            return redirect("community:my_households")
        if selectors.is_team_user(user):
            return redirect("community:teams")
    selectors.require_manager(user)
    return render(request, "community/home.html", {"wards": selectors.managed_wards(user, limit=50)})


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_manager(user)
    values = posted(request, "unit", "code", "name_vi", "name_en", "starts_on")
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            values = posted(request, "unit", "code", "name_vi", "name_en", "starts_on")
            unit = selectors.unit_in_reach(user, values["unit"][:5])
            campaign, created = services.create_campaign(
                by=user,
                unit=unit,
                code=values["code"],
                name_vi=values["name_vi"],
                name_en=values["name_en"],
                starts_on=form_date(values["starts_on"]),
            )
            if created:
                messages.success(request, _("The campaign is open."))
            return redirect("community:campaign", code=campaign.code)
        except DomainError as error:
            errors, status = field_errors(error), error.status
    context = {
        "campaigns": list(selectors.campaigns_visible_to(user)[:100]),
        "values": values,
        "errors": errors,
        "wards": selectors.managed_wards(user, limit=50),
    }
    return render(request, "community/campaigns.html", context, status=status)


@login_required
@require_GET
def campaign(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    found = selectors.campaign_for(user, code)
    chosen = request.GET.get("unit", "")[:5]
    unit = selectors.unit_in_reach(user, chosen) if chosen else selectors.default_unit(user)
    rows, total = selectors.coverage_board(found, unit)
    context = {"campaign": found, "unit": unit, "rows": rows, "total": total}
    return render(request, "community/campaign.html", context)


def _area_page(
    request: HttpRequest, code: str, area_code: str, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    found = selectors.campaign_for(user, code)
    area = selectors.area_in_reach(user, area_code)
    rows = selectors.households_of_area(found, area)
    context = {
        "campaign": found,
        "area": area,
        "rows": rows,
        "errors": errors or {},
        "today": local_date(now()).isoformat(),
        "failed": request.POST.get("household", "").replace("\x00", "")[:48],
    }
    return render(request, "community/campaign_area.html", context, status=status)


@login_required
@require_GET
def campaign_area(request: HttpRequest, code: str, area_code: str) -> HttpResponse:
    return _area_page(request, code, area_code)


@login_required
@require_POST
def sign(request: HttpRequest, code: str, area_code: str) -> HttpResponse:
    user = request.user
    found = selectors.campaign_for(user, code)
    area = selectors.area_in_reach(user, area_code)
    try:
        values = posted(request, "household", "signer", "signer_name", "signed_on", limit=300)
    except DomainError as error:
        return _area_page(request, code, area_code, field_errors(error), error.status)
    household = selectors.household_in_area(area, values["household"][:48])
    signer_id = values["signer"].strip()
    signer = None
    if signer_id:
        signer = next(
            (p for p in selectors.household_members(user, household) if str(p.pk) == signer_id), None
        )
    try:
        if signer_id and signer is None:
            raise InvalidInput(_("The person who signed must be a member of this household."), field="signer")
        _row, created = services.sign_commitment(
            by=user,
            campaign=found,
            household=household,
            signer=signer,
            signer_name=values["signer_name"],
            signed_on=form_date(values["signed_on"][:10]) or None,
        )
    except DomainError as error:
        return _area_page(request, code, area_code, field_errors(error), error.status)
    if created:
        messages.success(
            request, _("The commitment of household %(code)s is recorded.") % {"code": household.code}
        )
    else:
        messages.info(request, _("Household %(code)s had already signed.") % {"code": household.code})
    return redirect(reverse("community:campaign_area", args=[found.code, area.code]))
