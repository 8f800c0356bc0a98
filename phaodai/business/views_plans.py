"""Pages of COVID-safety plans: draft, edit and submit for the business; the desk and decisions for officials.

Every step posts the version the user saw: of two people acting on the same plan one wins, the other
reads the plan again with a conflict message (409).
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.business import selectors, services
from phaodai.business.forms import ApproveForm, AttachmentForm, NoteForm, PlanForm, ReasonForm, VersionForm
from phaodai.business.models import SafetyPlan
from phaodai.core.clock import now
from phaodai.core.errors import Conflict, DomainError, InvalidInput, NotPermitted

Status = SafetyPlan.Status
PLAN_PAGE = "business/plan.html"


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """Plans awaiting our units' decision, overdue first."""
    require_perm(request.user, Perm.APPROVE_PLANS)
    moment = now()
    return render(request, "business/desk.html", {"rows": selectors.plans_awaiting(request.user, moment)})


# The business's side ---------------------------------------------------------------------------------


def _require_acting(user: Any, business: Any) -> None:
    if not (selectors.represents(user, business) or selectors.may_manage(user, business)):
        raise NotPermitted(_("Only the business's representative or an officer of its ward can do this."))


def _plan_form_page(
    request: HttpRequest, form: PlanForm, business: Any, plan: Any = None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "business": business, "plan": plan}
    return render(request, "business/plan_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the business's plan: its representative, or an officer on its behalf (a draft only)."""
    user = request.user
    selectors.require_reader(user)
    business = selectors.business_for(user, pk)
    _require_acting(user, business)
    posted = request.method == "POST"
    form = PlanForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            plan = services.draft_plan(by=user, business=business, **form.plan_fields())
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            return _plan_form_page(request, form, business, status=error.status)
        messages.success(request, _("Draft saved. Check it, then submit it for approval."))
        return redirect("business:plan", pk=plan.pk)
    return _plan_form_page(request, form, business, status=422 if posted else 200)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    selectors.require_reader(user)
    plan = selectors.plan_for(user, pk)
    _require_acting(user, plan.business)
    if request.method == "GET":
        if plan.status not in (Status.DRAFT, Status.RETURNED):
            messages.info(request, _("This plan can no longer be changed."))
            return redirect("business:plan", pk=pk)
        fields = ("mode", "people_on_site", "shifts", "measures", "responsible_person", "responsible_phone")
        initial = {name: getattr(plan, name) for name in fields} | {"version": plan.version}
        return _plan_form_page(request, PlanForm(initial=initial), plan.business, plan)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.update_draft(
                by=user, plan=plan, version=form.cleaned_data["version"], **form.plan_fields()
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            return _plan_form_page(request, form, plan.business, plan, status=error.status)
        messages.success(request, _("Plan saved."))
        return redirect("business:plan", pk=pk)
    return _plan_form_page(request, form, plan.business, plan, status=422)


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The representative sends the plan to the unit that decides it."""
    user = request.user
    selectors.require_reader(user)
    plan = selectors.plan_for(user, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        missing = InvalidInput(_("The form lacks the plan's version; reload the page and try again."))
        return plan_page(request, plan, error=missing, status=422)
    try:
        submitted = services.submit_plan(by=user, plan=plan, version=form.cleaned_data["version"])
    except DomainError as error:
        if error.status in (403, 404):
            raise
        return plan_page(request, selectors.plan_for(user, pk), error=error, status=error.status)
    messages.success(
        request,
        _("Plan submitted to %(unit)s for approval.") % {"unit": submitted.approving_unit.full_name},
    )
    return redirect("business:plan", pk=pk)


# The plan and its decisions --------------------------------------------------------------------------


class Action:
    """A decision on the plan page: its form, the service step, the button and the confirmation."""

    def __init__(
        self, form: type, step: Callable[..., Any], label: Any, done: Any, fields: tuple[str, ...]
    ) -> None:
        self.form, self.step, self.label, self.done, self.fields = form, step, label, done, fields


ACTIONS: dict[str, Action] = {
    "approve": Action(
        ApproveForm,
        services.approve_plan,
        gettext_lazy("Approve"),
        gettext_lazy("Plan approved."),
        ("conditions", "valid_from", "valid_until"),
    ),
    "return": Action(
        ReasonForm,
        services.return_plan,
        gettext_lazy("Return for changes"),
        gettext_lazy("Plan returned to the business."),
        ("reason",),
    ),
    "reject": Action(
        ReasonForm,
        services.reject_plan,
        gettext_lazy("Reject"),
        gettext_lazy("Plan rejected."),
        ("reason",),
    ),
    "suspend": Action(
        ReasonForm,
        services.suspend_plan,
        gettext_lazy("Suspend"),
        gettext_lazy("Plan suspended."),
        ("reason",),
    ),
    "reinstate": Action(
        NoteForm,
        services.reinstate_plan,
        gettext_lazy("Reinstate"),
        gettext_lazy("Plan reinstated."),
        ("note",),
    ),
    "revoke": Action(
        ReasonForm,
        services.revoke_plan,
        gettext_lazy("Revoke"),
        gettext_lazy("Plan revoked."),
        ("reason",),
    ),
}
OPEN_ACTIONS: dict[str, tuple[str, ...]] = {
    Status.SUBMITTED: ("approve", "return", "reject"),
    Status.APPROVED: ("suspend", "revoke"),
    Status.SUSPENDED: ("reinstate", "revoke"),
}


def plan_page(
    request: HttpRequest,
    plan: SafetyPlan,
    *,
    posted: tuple[str, Any] | None = None,
    error: DomainError | None = None,
    attachment_form: AttachmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    business = plan.business
    decides = selectors.may_decide(user, plan)
    decisions = []
    for name in OPEN_ACTIONS.get(plan.status, ()) if decides else ():
        action = ACTIONS[name]
        given = posted[1] if posted and posted[0] == name else None
        fresh = action.form(initial={"version": plan.version}, auto_id=f"id_{name}_%s")
        decisions.append((name, action.label, given or fresh))
    representative = selectors.represents(user, business)
    editable = plan.status in (Status.DRAFT, Status.RETURNED)
    context = {
        "plan": plan,
        "business": business,
        "events": selectors.labelled_events(plan),
        "error": error,
        "decisions": decisions,
        "can_edit": editable and (representative or selectors.may_manage(user, business)),
        "can_submit": editable and representative,
        "submit_form": VersionForm(initial={"version": plan.version}),
        "attachments": selectors.attachments_of(plan),
        "attachment_form": attachment_form or AttachmentForm(),
        "decided_elsewhere": plan.status == Status.SUBMITTED and not decides,
    }
    return render(request, PLAN_PAGE, context, status=status)


@login_required
@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_reader(request.user)
    return plan_page(request, selectors.plan_for(request.user, pk))


@login_required
@require_POST
def plan_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve, return, reject, suspend, reinstate or revoke, at the version the official saw."""
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404
    user = request.user
    require_perm(user, Perm.APPROVE_PLANS)
    current = selectors.plan_for(user, pk)
    # Each decision's form has its own element ids: the page shows several at once.
    form = chosen.form(request.POST, auto_id=f"id_{action}_%s")
    if not form.is_valid():
        return plan_page(request, current, posted=(action, form), status=422)
    data = form.cleaned_data
    try:
        chosen.step(by=user, plan=current, version=data["version"], **{f: data[f] for f in chosen.fields})
    except Conflict as error:
        return plan_page(request, selectors.plan_for(user, pk), error=error, status=error.status)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return plan_page(request, current, posted=(action, form), status=error.status)
    messages.success(request, str(chosen.done))
    return redirect("business:plan", pk=pk)
