"""Pages of one report: reading it, correcting it, accepting and reopening it.

Thin over the services: each action posts to its own URL and the service decides; a refusal is shown
beside the field it concerns (everything typed is kept), a conflict (409) with the report as it now is.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from phaodai.core.clock import local_date, now, to_local
from phaodai.core.errors import Conflict, DomainError
from phaodai.sitreps import selectors, services
from phaodai.sitreps.forms import CorrectionForm, ReopenForm, VersionForm, initial_values, new_token
from phaodai.sitreps.models import Submission
from phaodai.sitreps.rules import NUMERIC_KINDS, corrections
from phaodai.sitreps.views_common import ACCESS

SUBMISSION_PAGE = "sitreps/submission.html"


def _value_rows(fields: list[Any], submission: Submission) -> list[tuple[str, list[dict[str, Any]]]]:
    changed = corrections(submission.prefilled, submission.values)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for field in fields:
        grouped.setdefault(selectors.localized(field, "section"), []).append(
            {
                "field": field,
                "label": selectors.localized(field, "label"),
                "unit_label": selectors.localized(field, "unit_label"),
                "numeric": field.kind in NUMERIC_KINDS,
                "value": submission.values.get(field.code),
                "prefilled": submission.prefilled.get(field.code),
                "has_prefilled": field.code in submission.prefilled,
                "corrected": field.code in changed,
            }
        )
    return list(grouped.items())


def _history(fields: list[Any], revisions: list[Any]) -> list[dict[str, Any]]:
    """Each revision with the fields it changed from the one before."""
    labels = {f.code: selectors.localized(f, "label") for f in fields}
    history = []
    previous: dict[str, Any] = {}
    for revision in revisions:
        changes = [
            (labels.get(code, code), previous.get(code), revision.values.get(code))
            for code in labels
            if revision.number > 1 and previous.get(code) != revision.values.get(code)
        ]
        history.append({"revision": revision, "changes": changes})
        previous = revision.values
    return history


def _submission_context(
    request: HttpRequest,
    submission: Submission,
    *,
    correction_form: CorrectionForm | None = None,
    reopen_form: ReopenForm | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    user = request.user
    schedule = submission.schedule
    fields = selectors.form_fields(schedule)
    instance = selectors.instance_of(schedule, submission.slot, local_date(submission.slot_at))
    state = instance.timing.state(now())
    is_reporter = selectors.may_submit_for(user, submission.unit)
    is_receiver = selectors.may_review(user, submission)
    submitted = submission.status == Submission.Status.SUBMITTED
    can_correct = is_reporter and submitted and state != "closed"
    if can_correct and correction_form is None:
        correction_form = CorrectionForm(
            initial={
                "token": new_token(),
                "version": submission.version,
                **initial_values(submission.values),
            },
            fields=fields,
            prefilled=submission.prefilled,
        )
    if is_receiver and not submitted and reopen_form is None:
        reopen_form = ReopenForm(initial={"version": submission.version})
    return {
        "submission": submission,
        "schedule": schedule,
        "schedule_name": selectors.localized(schedule, "name"),
        "instance": instance,
        "state": state,
        "sections": _value_rows(fields, submission),
        "corrected_count": len(corrections(submission.prefilled, submission.values)),
        "history": _history(fields, selectors.revisions_of(submission)),
        "reopenings": selectors.reopenings_of(submission),
        "is_reporter": is_reporter,
        "is_receiver": is_receiver,
        "can_correct": can_correct,
        "correction_form": correction_form,
        "can_accept": is_receiver and submitted,
        "reopen_form": reopen_form,
        "error": error,
        "locks_at": to_local(instance.timing.locks_at),
    }


def _submission_page(
    request: HttpRequest, submission: Submission, status: int = 200, **kw: Any
) -> HttpResponse:
    return render(request, SUBMISSION_PAGE, _submission_context(request, submission, **kw), status=status)


@login_required
@require_GET
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    return _submission_page(request, selectors.submission_for(request.user, pk))


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporting unit sends a new revision with a reason (refused once accepted or locked)."""
    current = selectors.submission_for(request.user, pk)
    form = CorrectionForm(
        request.POST, fields=selectors.form_fields(current.schedule), prefilled=current.prefilled
    )
    form.is_valid()
    data = form.cleaned_data
    try:
        _updated, created = services.correct_report(
            by=request.user,
            submission=current,
            values=form.raw_values(),
            reason=data.get("reason", ""),
            version=data.get("version"),
            idempotency_key=data.get("token") or None,
        )
    except ACCESS:
        raise
    except Conflict as error:  # accepted, locked or changed meanwhile: show the report as it now is
        return _decision_conflict(request, pk, error)
    except DomainError as error:
        form.add_domain_error(error)
        return _submission_page(request, current, status=error.status, correction_form=form)
    if created:
        messages.success(request, _("Correction saved as a new revision."))
    else:
        messages.info(request, _("This correction had already been saved."))
    return redirect("sitreps:submission", pk=pk)


def _decision_conflict(request: HttpRequest, pk: int, error: DomainError) -> HttpResponse:
    """Someone acted first: say so and show the report as it now is."""
    fresh = selectors.submission_for(request.user, pk)
    return _submission_page(request, fresh, status=error.status, error=error)


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The receiving level accepts the version it read; of two concurrent accepts one wins."""
    current = selectors.submission_for(request.user, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.accept_report(by=request.user, submission=current, version=version)
    except ACCESS:
        raise
    except DomainError as error:
        return _decision_conflict(request, pk, error)
    messages.success(request, _("Report accepted: it is locked until reopened."))
    return redirect("sitreps:submission", pk=pk)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """The receiving level reopens an accepted report, with a reason, so the unit can correct it."""
    current = selectors.submission_for(request.user, pk)
    form = ReopenForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.reopen_report(
            by=request.user, submission=current, reason=data.get("reason", ""), version=data.get("version")
        )
    except ACCESS:
        raise
    except Conflict as error:
        return _decision_conflict(request, pk, error)
    except DomainError as error:
        form.add_domain_error(error)
        return _submission_page(request, current, status=error.status, reopen_form=form)
    messages.success(request, _("Report reopened: the unit has been told and may correct it."))
    return redirect("sitreps:submission", pk=pk)
