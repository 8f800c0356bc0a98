"""The submit page: a unit's report for a slot, prefilled, optionally rolled up from its wards, idempotent.

Thin over services.submit_report: the form carries what was typed, a random token (so a double click or
a resubmitted page stays one report) and, signed, what the system prefilled and which wards were added
up; the service's refusals are shown beside their fields with everything typed kept.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import now, to_local
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.sitreps import selectors, services
from phaodai.sitreps.forms import ReportValuesForm, initial_values, new_token, sign, unsign
from phaodai.sitreps.models import Schedule, Submission
from phaodai.sitreps.selectors import SlotInstance
from phaodai.sitreps.views_common import ACCESS, own_units, schedule_or_404, slot_instance

SUBMIT_PAGE = "sitreps/submit.html"
SUBMIT_FORM = "sitreps/_report_form.html"


def _reporting_unit(request: HttpRequest, schedule: Schedule) -> Any:
    """?unit= (one of the user's own units), or the user's reporting unit on this schedule."""
    code = (request.POST.get("unit") or request.GET.get("unit") or "").strip()
    if code:
        unit = selectors.unit_in_view(request.user, code)
        if not selectors.may_submit_for(request.user, unit):
            raise NotPermitted(
                _("Reports of %(unit)s are submitted by its own officials.") % {"unit": unit.full_name}
            )
        return unit
    units = own_units(request.user, schedule)
    if not units:
        raise NotPermitted(_("None of your units reports on this schedule."))
    return units[0]


def _timeliness_message(submission: Submission) -> str:
    times = {
        "at": f"{to_local(submission.submitted_at):%H:%M %d/%m/%Y}",
        "deadline": f"{to_local(submission.deadline_at):%H:%M %d/%m/%Y}",
    }
    if submission.on_time:
        return _("Report received on time (%(at)s, deadline %(deadline)s).") % times
    return _("Report received late (%(at)s, deadline %(deadline)s).") % times


def _submit_context(
    request: HttpRequest,
    schedule: Schedule,
    unit: Any,
    instance: SlotInstance,
    *,
    form: ReportValuesForm | None = None,
    rollup: bool = False,
) -> dict[str, Any]:
    existing = selectors.submission_at(schedule, unit, instance)
    draft = None
    if form is None:
        fields = selectors.form_fields(schedule)
        prefilled = selectors.prefilled_values(schedule, unit, instance)
        initial: dict[str, Any] = {
            "token": new_token(),
            "slot": instance.iso,
            "unit": unit.code,
            "prefilled": sign(prefilled, "prefilled"),
            **initial_values(prefilled),
        }
        if rollup and schedule.source_id is not None:
            draft = selectors.rollup_draft(schedule, unit, instance)
        if draft is not None:
            initial.update(initial_values(draft.values))
            initial["rolled_up_from"] = sign([child.code for child, _s in draft.sources], "rollup")
        form = ReportValuesForm(initial=initial, fields=fields, prefilled=prefilled)
    return {
        "schedule": schedule,
        "schedule_name": selectors.localized(schedule, "name"),
        "unit": unit,
        "instance": instance,
        "state": instance.timing.state(now()),
        "opens_at": to_local(instance.timing.opens_at),
        "deadline_at": to_local(instance.timing.deadline_at),
        "locks_at": to_local(instance.timing.locks_at),
        "existing": existing,
        "form": form,
        "draft": draft,
        "can_roll_up": schedule.source_id is not None and unit.level == "district",
        "other_units": [u for u in own_units(request.user, schedule) if u.pk != unit.pk],
    }


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, schedule_code: str) -> HttpResponse:
    """The unit's report for a slot (the current one by default), prefilled with what the system knows."""
    schedule = schedule_or_404(schedule_code)
    require_perm(request.user, Perm.SUBMIT_REPORTS)
    unit = _reporting_unit(request, schedule)
    source = request.POST if request.method == "POST" else request.GET
    instance = slot_instance(schedule, source.get("slot"), unit)
    if request.method == "POST":
        return _post_report(request, schedule, unit, instance)
    rollup = bool(request.GET.get("rollup"))
    context = _submit_context(request, schedule, unit, instance, rollup=rollup)
    if rollup and request.htmx:  # type: ignore[attr-defined]
        return render(request, SUBMIT_FORM, context)
    return render(request, SUBMIT_PAGE, context)


def _post_report(request: HttpRequest, schedule: Schedule, unit: Any, instance: SlotInstance) -> HttpResponse:
    fields = selectors.form_fields(schedule)
    form = ReportValuesForm(request.POST, fields=fields)
    form.is_valid()  # only shapes: the hidden fields' lengths; the values are the service's to judge
    data = form.cleaned_data
    prefilled = unsign(data.get("prefilled", ""), "prefilled")
    if prefilled is None:  # absent or altered: what the system knows now
        prefilled = selectors.prefilled_values(schedule, unit, instance)
    form.known = prefilled
    rolled_up_from = unsign(data.get("rolled_up_from", ""), "rollup") or []
    try:
        submission, created = services.submit_report(
            by=request.user,
            schedule=schedule,
            unit=unit,
            instance=instance,
            values=form.raw_values(),
            prefilled=prefilled,
            rolled_up_from=rolled_up_from,
            idempotency_key=data.get("token") or None,
        )
    except ACCESS:
        raise
    except DomainError as error:
        form.add_domain_error(error)
        context = _submit_context(request, schedule, unit, instance, form=form)
        return render(request, SUBMIT_PAGE, context, status=error.status)
    if created:
        (messages.success if submission.on_time else messages.warning)(
            request, _timeliness_message(submission)
        )
    else:
        messages.info(request, _("This report had already been received; nothing was sent twice."))
    return redirect("sitreps:submission", pk=submission.pk)
