"""The page where a ward (or its district) starts keeping its cases in phaodai (recording.py).

Readers are those who trace (Perm.TRACE); each ward of theirs is listed with the day it records from,
and those not recording yet have the form to start. Thin over recording.start_recording: a refusal
shows beside its field (422, 409).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from phaodai.cases import recording
from phaodai.cases.forms_recording import StartRecordingForm
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError, NotPermitted

PAGE = "cases/recording/wards.html"


def _recorder(request: HttpRequest) -> Any:
    if not recording.may_start(request.user):
        raise NotPermitted()
    return request.user


def _page(request: HttpRequest, *, failed: Any = None, form: Any = None, status: int = 200) -> HttpResponse:
    user = request.user
    today = local_date(now())
    found = recording.recordings_for(user)
    rows = []
    for ward in recording.wards_of(user):
        current = found.get(ward.pk)
        ward_form = form if failed is not None and ward.pk == failed.pk else None
        if current is None and ward_form is None:
            ward_form = StartRecordingForm(initial={"since": today}, prefix=ward.code)
        rows.append({"ward": ward, "recording": current, "form": ward_form})
    context = {"rows": rows, "today": today}
    return render(request, PAGE, context, status=status)


@login_required
@require_GET
def wards(request: HttpRequest) -> HttpResponse:
    """The user's wards: recording since when, or the form to start."""
    _recorder(request)
    return _page(request)


@login_required
@require_POST
def start(request: HttpRequest, code: str) -> HttpResponse:
    """Start recording for one ward (the same day again changes nothing)."""
    user = _recorder(request)
    ward = recording.ward_to_record(user, code)
    form = StartRecordingForm(request.POST, prefix=ward.code)
    if form.is_valid():
        try:
            made, created = recording.start_recording(by=user, ward=ward, since=form.cleaned_data["since"])
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            return _page(request, failed=ward, form=form, status=error.status)
        params = {"ward": ward.full_name, "since": f"{made.since:%d/%m/%Y}"}
        if created:
            messages.success(request, _("%(ward)s keeps its cases here from %(since)s.") % params)
        else:
            messages.info(request, _("%(ward)s already keeps its cases here from %(since)s.") % params)
        return redirect("cases:recording")
    return _page(request, failed=ward, form=form, status=422)
