"""Pages of samples and results: registering a swab, finding a sample or pool by code, entering a result
(a sample's, or a pool's for all its members), the retests owed, positives to confirm as cases, and
turnaround. Thin over services and selectors; a CCCD only ever travels in a POST body."""

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm
from phaodai.core.clock import local_date, now, to_local
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.jurisdiction import covers
from phaodai.core.text import mask_name
from phaodai.diagnostics import selectors, services, turnaround
from phaodai.diagnostics.forms_testing import DATETIME_LOCAL, FindCodeForm, PeriodForm, ResultForm, SampleForm
from phaodai.diagnostics.models import Outcome, Pool, Sample
from phaodai.diagnostics.views_testing import _cursor

TURNAROUND_DAYS = 7


def _labs() -> list[tuple[str, str]]:
    return [(lab.code, f"{lab.name} ({lab.code})") for lab in selectors.labs()]


def _minute(moment: datetime) -> str:
    return to_local(moment).strftime(DATETIME_LOCAL)


# Registering a sample ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sample_new(request: HttpRequest) -> HttpResponse:
    """Register a swab, in a session (?session=) or on its own; the person is found by CCCD."""
    user = request.user
    require_perm(user, Perm.SAMPLE)
    session_id = _cursor(request.GET.get("session"))
    session = selectors.session_for(user, session_id) if session_id else None
    initial = {
        "collected_at": _minute(now()),
        "place": session.place if session else "",
        "team": session.team if session else "",
    }
    posted = request.method == "POST"
    form = SampleForm(
        request.POST if posted else None, initial=initial, labs=_labs(), in_session=session is not None
    )
    status = 422 if posted else 200
    if posted and form.is_valid():
        try:
            sample, created = services.register_sample(by=user, data=form.sample_input(), session=session)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            status = error.status
        else:
            if created:
                messages.success(request, _("Sample %(code)s registered.") % {"code": sample.code})
            else:
                messages.info(request, _("Sample %(code)s was already registered.") % {"code": sample.code})
            if session is not None:
                return redirect(f"{request.path}?session={session.pk}")
            return redirect("diagnostics:sample", pk=sample.pk)
    return render(request, "diagnostics/sample_new.html", {"form": form, "session": session}, status=status)


# Results -----------------------------------------------------------------------------------------------


def _require_result_reader(user: Any) -> None:
    if not selectors.is_result_reader(user):
        raise NotPermitted()


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """Find a sample or a pool by its code to enter its result."""
    user = request.user
    _require_result_reader(user)
    form = FindCodeForm(request.GET or None)
    missing = False
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        sample = selectors.sample_by_code(user, code)
        if sample is not None:
            return redirect("diagnostics:sample", pk=sample.pk)
        pool = selectors.pool_by_code(user, code)
        if pool is not None:
            return redirect("diagnostics:pool", pk=pool.pk)
        missing = True
    return render(
        request,
        "diagnostics/results.html",
        {"form": form, "missing": missing},
        status=404 if missing else 200,
    )


def _sample_page(
    request: HttpRequest, sample: Sample, form: ResultForm | None = None, status: int = 200, **extra: Any
) -> HttpResponse:
    user = request.user
    may_enter = sample.pool_id is None and services.may_enter_result(user, sample)
    if form is None and may_enter:
        initial = {
            "outcome": sample.outcome if sample.outcome != Outcome.PENDING else "",
            "resulted_at": _minute(sample.resulted_at or now()),
            "lab": sample.lab.code if sample.lab else "",
            "version": sample.version,
        }
        form = ResultForm(initial=initial, labs=_labs())
    context = {
        "sample": sample,
        "name": mask_name(sample.person.full_name),
        "form": form if may_enter else None,
        "corrections": selectors.corrections_of(sample),
        "case_link": sample.outcome == Outcome.POSITIVE and has_perm(user, Perm.TRACE),
        **extra,
    }
    return render(request, "diagnostics/sample.html", context, status=status)


@login_required
@require_GET
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_result_reader(request.user)
    return _sample_page(request, selectors.sample_for(request.user, pk))


@login_required
@require_POST
def sample_result(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_result_reader(user)
    sample = selectors.sample_for(user, pk)
    form = ResultForm(request.POST, labs=_labs())
    if not form.is_valid():
        return _sample_page(request, sample, form, 422)
    data = form.cleaned_data
    try:
        change = services.record_result(
            by=user,
            sample=sample,
            outcome=data["outcome"],
            resulted_at=data["resulted_at"],
            lab_code=data["lab"],
            version=data["version"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        fresh = selectors.sample_for(user, pk)
        return _sample_page(request, fresh, form, error.status)
    notes = {
        services.Change.RESULT: _("Result recorded."),
        services.Change.UNCHANGED: _("This result was already recorded: nothing changed."),
        services.Change.CORRECTED: _("Result corrected; the earlier one is kept in the history."),
    }
    messages.success(request, notes[change])
    return redirect("diagnostics:sample", pk=pk)


def _pool_page(
    request: HttpRequest, pool: Pool, form: ResultForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    may_enter = covers(user, pool.path, Perm.IMPORT_RESULTS)
    if form is None and may_enter:
        initial = {
            "resulted_at": _minute(pool.resulted_at or now()),
            "lab": pool.lab.code if pool.lab else "",
        }
        form = ResultForm(initial=initial, labs=_labs())
    members = [(member, mask_name(member.person.full_name)) for member in selectors.pool_members(pool)]
    context = {"pool": pool, "members": members, "form": form if may_enter else None}
    return render(request, "diagnostics/pool.html", context, status=status)


@login_required
@require_GET
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_result_reader(request.user)
    return _pool_page(request, selectors.pool_for(request.user, pk))


@login_required
@require_POST
def pool_result(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_result_reader(user)
    pool = selectors.pool_for(user, pk)
    form = ResultForm(request.POST, labs=_labs())
    if not form.is_valid():
        return _pool_page(request, pool, form, 422)
    data = form.cleaned_data
    try:
        result = services.record_pool_result(
            by=user, pool=pool, outcome=data["outcome"], resulted_at=data["resulted_at"], lab_code=data["lab"]
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return _pool_page(request, selectors.pool_for(user, pk), form, error.status)
    if result.change == services.Change.UNCHANGED:
        messages.info(request, _("This result was already recorded: nothing changed."))
    else:
        messages.success(
            request,
            _("Pool result recorded for %(n)d samples; %(r)d individual retests requested.")
            % {"n": result.members_changed, "r": result.retests_requested},
        )
    return redirect("diagnostics:pool", pk=pk)


# Worklists ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def retests(request: HttpRequest) -> HttpResponse:
    """Members of positive pools to sample again individually, oldest first."""
    user = request.user
    require_perm(user, Perm.SAMPLE)
    page = selectors.open_retests(user, _cursor(request.GET.get("after")))
    rows = [(retest, mask_name(retest.sample.person.full_name)) for retest in page.items]
    return render(request, "diagnostics/retests.html", {"rows": rows, "page": page})


@login_required
@require_GET
def positives(request: HttpRequest) -> HttpResponse:
    """Positive results of my area whose person has no case for them yet: record the case."""
    user = request.user
    require_perm(user, Perm.TRACE)
    page = selectors.positives_to_confirm(user, _cursor(request.GET.get("after")))
    rows = [(sample, mask_name(sample.person.full_name)) for sample in page.items]
    return render(request, "diagnostics/positives.html", {"rows": rows, "page": page})


# Turnaround --------------------------------------------------------------------------------------------


def _waiting_cursor(raw: str | None) -> tuple[datetime, int] | None:
    if not raw or "|" not in raw:
        return None
    moment, _sep, pk = raw.partition("|")
    try:
        return datetime.fromisoformat(moment), int(pk)
    except ValueError:
        raise Http404 from None


@login_required
@require_GET
def turnaround_page(request: HttpRequest) -> HttpResponse:
    """Results within 24 h per laboratory and per district over a period (S18), and samples still waiting."""
    user = request.user
    _require_result_reader(user)
    today = local_date(now())
    form = PeriodForm(
        request.GET or None, initial={"first": today - timedelta(days=TURNAROUND_DAYS - 1), "last": today}
    )
    first, last = today - timedelta(days=TURNAROUND_DAYS - 1), today
    status = 200
    if form.is_bound:
        if form.is_valid():
            first, last = form.cleaned_data["first"], form.cleaned_data["last"]
        else:
            status = 422
    deadline = now() - timedelta(hours=turnaround.DEADLINE_HOURS)
    waiting = selectors.waiting_since(user, deadline, _waiting_cursor(request.GET.get("after")))
    query = {"first": first.isoformat(), "last": last.isoformat()}
    context = {
        "form": form,
        "first": first,
        "last": last,
        "labs": turnaround.by_lab(user, first, last),
        "districts": turnaround.by_district(user, first, last),
        "waiting": waiting,
        "next_query": urlencode({**query, "after": waiting.next_after}) if waiting.next_after else "",
    }
    return render(request, "diagnostics/turnaround.html", context, status=status)
