"""Pages of shift rosters: a checkpoint's week, adding a shift or people to it, removing a shift, and
copying last week. Readers see the roster; only the focal unit's managers change it."""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.checkpoints import rules, selectors, services
from phaodai.checkpoints.forms import ShiftForm, StaffForm
from phaodai.checkpoints.models import Checkpoint, Shift
from phaodai.checkpoints.views import require_reader
from phaodai.core.clock import local_date, now, read_local_date
from phaodai.core.errors import DomainError


def _week(raw: str | None) -> date:
    day = read_local_date(raw or "") if raw else None
    return rules.week_start(day or local_date(now()))


def _roster_url(checkpoint: Checkpoint, monday: date) -> str:
    return f"{reverse('checkpoints:roster', args=[checkpoint.pk])}?{urlencode({'week': monday.isoformat()})}"


def roster_page(
    request: HttpRequest,
    checkpoint: Checkpoint,
    monday: date,
    *,
    shift_form: ShiftForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manages = selectors.may_manage(request.user, checkpoint)
    users = selectors.eligible_users(checkpoint) if manages else []
    context = {
        "checkpoint": checkpoint,
        "monday": monday,
        "previous": monday - rules.WEEK,
        "next": monday + rules.WEEK,
        "days": selectors.roster_week(checkpoint, monday),
        "manages": manages,
        "shift_form": shift_form or (ShiftForm(users=users) if manages else None),
        "staff_form": StaffForm(users=users) if manages else None,
    }
    return render(request, "checkpoints/roster.html", context, status=status)


@login_required
@require_GET
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    """The checkpoint's shifts of a week (Monday to Sunday, Hà Nội time) with their named staff."""
    require_reader(request.user)
    checkpoint = selectors.checkpoint_for(request.user, pk)
    return roster_page(request, checkpoint, _week(request.GET.get("week", "")[:20]))


def _manager(request: HttpRequest, pk: int) -> Checkpoint:
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    checkpoint = selectors.checkpoint_for(user, pk)
    services.require_manager(user, checkpoint)
    return checkpoint


@login_required
@require_POST
def shift_add(request: HttpRequest, pk: int) -> HttpResponse:
    checkpoint = _manager(request, pk)
    form = ShiftForm(request.POST, users=selectors.eligible_users(checkpoint))
    monday = _week(request.POST.get("week", "")[:20])
    if not form.is_valid():
        return roster_page(request, checkpoint, monday, shift_form=form, status=422)
    try:
        shift = services.add_shift(
            by=request.user,
            checkpoint=checkpoint,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            staff=form.staff(),
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return roster_page(request, checkpoint, monday, shift_form=form, status=error.status)
    messages.success(request, _("Shift saved."))
    return redirect(_roster_url(checkpoint, rules.week_start(local_date(shift.starts_at))))


def _shift_for_manager(request: HttpRequest, pk: int) -> Shift:
    user = request.user
    require_perm(user, Perm.MANAGE_CHECKPOINTS)
    shift = selectors.shift_for(user, pk)
    services.require_manager(user, shift.checkpoint)
    return shift


@login_required
@require_POST
def shift_staff_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add people to a shift; a refusal (a clash, a person without a role here) is shown on the roster."""
    shift = _shift_for_manager(request, pk)
    checkpoint = shift.checkpoint
    form = StaffForm(request.POST, users=selectors.eligible_users(checkpoint))
    monday = rules.week_start(local_date(shift.starts_at))
    if form.is_valid():
        try:
            services.add_to_shift(by=request.user, shift=shift, staff=form.staff())
        except DomainError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, str(error.detail))
            return roster_page(request, checkpoint, monday, status=error.status)
        messages.success(request, _("Shift saved."))
        return redirect(_roster_url(checkpoint, monday))
    for problems in form.errors.values():
        for problem in problems:
            messages.error(request, str(problem))
    return roster_page(request, checkpoint, monday, status=422)


@login_required
@require_POST
def shift_remove(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift_for_manager(request, pk)
    monday = rules.week_start(local_date(shift.starts_at))
    try:
        services.remove_shift(by=request.user, shift=shift)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
        return redirect(_roster_url(shift.checkpoint, monday))
    messages.success(request, _("Shift removed."))
    return redirect(_roster_url(shift.checkpoint, monday))


@login_required
@require_POST
def roster_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy the week before into this week; what could not be copied is listed."""
    checkpoint = _manager(request, pk)
    monday = _week(request.POST.get("week", "")[:20])
    result = services.copy_previous_week(by=request.user, checkpoint=checkpoint, monday=monday)
    messages.success(
        request,
        ngettext(
            "%(shifts)s shift copied (%(posts)s people).",
            "%(shifts)s shifts copied (%(posts)s people).",
            result.shifts,
        )
        % {"shifts": result.shifts, "posts": result.posts},
    )
    for line in result.skipped[:20]:
        messages.warning(request, line)
    return redirect(_roster_url(checkpoint, monday))
