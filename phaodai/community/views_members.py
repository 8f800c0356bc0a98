"""Pages of party members' households (S35): the ward's members and their households, "my households"
for a member, one household's page with its commitment and visits.

The ward (Perm.MANAGE_COMMUNITY) assigns; a member sees only their own households (another household
answers 404, logged). A member signs the commitment and logs visits for their households there.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts import selectors as accounts
from phaodai.community import selectors, services
from phaodai.community.models import Visit
from phaodai.community.pages import field_errors, form_date, form_moment, new_token, posted
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError, InvalidInput, NotPermitted


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    """The members of a ward with their households' count; assign an area's households to one."""
    user = request.user
    selectors.require_manager(user)
    wards = selectors.managed_wards(user, limit=50)
    code = (request.POST.get("ward") or request.GET.get("ward", ""))[:5]
    ward = selectors.unit_in_reach(user, code) if code else (wards[0] if len(wards) == 1 else None)
    values = posted(request, "member", "area", "households")
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and ward is not None:
        try:
            changed = _assign(user, ward, posted(request, "member", "area", "households"))
            messages.success(request, _("%(n)s households assigned.") % {"n": changed})
            return redirect(f"{request.path}?ward={ward.code}")
        except DomainError as error:
            errors, status = field_errors(error), error.status
    context = {
        "wards": wards,
        "ward": ward,
        "rows": selectors.members_of_ward(ward) if ward else [],
        "values": values,
        "errors": errors,
    }
    return render(request, "community/members.html", context, status=status)


@login_required
@require_POST
def unassign(request: HttpRequest) -> HttpResponse:
    """The ward takes a household back from its party member (say, one who lost their role)."""
    user = request.user
    selectors.require_manager(user)
    ward = selectors.unit_in_reach(user, request.POST.get("ward", "")[:5])
    try:
        values = posted(request, "area", "household", limit=48)
        area = selectors.area_in_reach(user, values["area"])
        if area.ward_id != ward.pk:
            raise InvalidInput(_("This residential area is not in the ward."), field="area")
        household = selectors.household_in_area(area, values["household"])
        if services.unassign_household(by=user, household=household):
            messages.success(request, _("Household %(code)s is taken back.") % {"code": household.code})
        else:
            messages.info(request, _("Household %(code)s had no party member.") % {"code": household.code})
    except DomainError as error:
        messages.error(request, str(error.detail))
    return redirect(f"{reverse('community:members')}?ward={ward.code}")


def _assign(user: Any, ward: Any, values: dict[str, str]) -> int:
    member = accounts.user_by_username(values["member"].strip()[:150])
    if member is None:
        raise InvalidInput(_("There is no active login with this user name."), field="member")
    area = selectors.area_in_reach(user, values["area"][:40])
    if area.ward_id != ward.pk:
        raise InvalidInput(_("This residential area is not in the ward."), field="area")
    wanted = values["households"].replace(",", " ").split()
    if wanted:
        households = [selectors.household_in_area(area, code) for code in wanted[:500]]
    else:
        households = [row.household for row in selectors.households_of_area(None, area)]
    return services.assign_households(by=user, member=member, households=households)


@login_required
@require_GET
def my_households(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.is_member(user):
        raise NotPermitted()
    return render(request, "community/my_households.html", {"rows": selectors.my_households(user)})


def _household_page(
    request: HttpRequest, household: Any, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "household": household,
        "commitment": selectors.commitment_of(household),
        "campaign": selectors.current_campaign(household.path),
        "visits": selectors.visits_of(household),
        "kinds": Visit.Kind.choices,
        "errors": errors or {},
        "values": posted(request, "kind", "note", "visited_at", "signer_name", "signed_on"),
        "token": new_token(),
        "today": local_date(now()).isoformat(),
    }
    return render(request, "community/my_household.html", context, status=status)


@login_required
@require_GET
def my_household(request: HttpRequest, household: int) -> HttpResponse:
    return _household_page(request, selectors.my_household(request.user, household))


@login_required
@require_POST
def my_visit(request: HttpRequest, household: int) -> HttpResponse:
    found = selectors.my_household(request.user, household)
    try:
        values = posted(request, "kind", "note", "visited_at", "token", limit=2000)
        services.log_visit(
            by=request.user,
            household=found,
            kind=values["kind"][:16],
            note=values["note"],
            visited_at=form_moment(values["visited_at"][:20]),
            idempotency_key=values["token"][:80],
        )
    except DomainError as error:
        return _household_page(request, found, field_errors(error), error.status)
    messages.success(request, _("The visit is logged."))
    return redirect("community:my_household", household=found.pk)


@login_required
@require_POST
def my_sign(request: HttpRequest, household: int) -> HttpResponse:
    found = selectors.my_household(request.user, household)
    campaign = selectors.current_campaign(found.path)
    if campaign is None:
        raise Http404
    try:
        values = posted(request, "signer_name", "signed_on", limit=300)
        _row, created = services.sign_commitment(
            by=request.user,
            campaign=campaign,
            household=found,
            signer_name=values["signer_name"],
            signed_on=form_date(values["signed_on"][:10]) or None,
        )
    except DomainError as error:
        return _household_page(request, found, field_errors(error), error.status)
    if created:
        messages.success(request, _("The commitment is recorded."))
    return redirect("community:my_household", household=found.pk)
