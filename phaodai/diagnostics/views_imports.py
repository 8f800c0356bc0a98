"""Pages of lab result imports: upload, the job with its polled progress, its report, my unit's jobs,
and the queue of results whose person was not found (a ward matches or dismisses them)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.bulk.files import ImportFileError, size_limit_text, too_large
from phaodai.core.bulk.uploads import FORM_OVERHEAD_BYTES, SizeCapUploadHandler, declared_length, import_limit
from phaodai.core.errors import DomainError
from phaodai.core.models import ImportJob
from phaodai.diagnostics import services_imports
from phaodai.diagnostics.api_imports import report_response
from phaodai.diagnostics.lab_import import COLUMNS

JOBS_SHOWN = 50
QUEUE_SHOWN = 100


class ResultFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Results file (CSV UTF-8 or Excel .xlsx)"))


class MatchForm(forms.Form):
    cccd = forms.CharField(label=gettext_lazy("Citizen ID (CCCD) of the person"), max_length=20)
    lab_cccd_wrong = forms.BooleanField(
        required=False, label=gettext_lazy("The laboratory's CCCD was wrong: the result is this person's")
    )


@login_required
@require_GET
def imports(request: HttpRequest) -> HttpResponse:
    """The latest imports of my unit."""
    require_perm(request.user, Perm.IMPORT_RESULTS)
    jobs = services_imports.jobs_visible_to(request.user).select_related("uploaded_by")
    rows = [
        (job, services_imports.progress_of(job)) for job in jobs.order_by("-created_at", "-pk")[:JOBS_SHOWN]
    ]
    return render(request, "diagnostics/imports/list.html", {"rows": rows})


@csrf_exempt  # the CSRF check is made by _upload, after the size guard is in place
@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload a results file; an oversized one is refused before its body is read or stored."""
    require_perm(request.user, Perm.IMPORT_RESULTS)
    limit = import_limit()
    if request.method == "POST" and declared_length(request) > limit + FORM_OVERHEAD_BYTES:
        return _upload_page(request, ResultFileForm(), too_large(limit), status=413)
    guard = SizeCapUploadHandler(request, limit)
    if request.method == "POST":
        # Must be first, and set before anything reads request.POST (hence the CSRF exemption above).
        request.upload_handlers = [guard, *request.upload_handlers]
    return _upload(request, guard)


@csrf_protect
def _upload(request: HttpRequest, guard: SizeCapUploadHandler) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, ResultFileForm())
    form = ResultFileForm(request.POST, request.FILES)
    if guard.exceeded:
        return _upload_page(request, form, too_large(guard.limit), status=413)
    if not form.is_valid():
        return _upload_page(request, form, status=422)
    try:
        job = services_imports.start_import(by=request.user, upload=form.cleaned_data["file"])
    except ImportFileError as error:
        return _upload_page(request, form, error, status=error.status)
    return redirect("diagnostics:import_detail", job_id=job.pk)


def _upload_page(
    request: HttpRequest, form: ResultFileForm, error: DomainError | None = None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "error": error, "limit": size_limit_text(import_limit()), "columns": COLUMNS}
    return render(request, "diagnostics/imports/new.html", context, status=status)


@login_required
@require_GET
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job: status, a progress bar polled by htmx while it runs, counts, the report."""
    require_perm(request.user, Perm.IMPORT_RESULTS)
    job = services_imports.job_for(request.user, job_id)
    context = {"job": job, "progress": services_imports.progress_of(job), "live": _live(job)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "diagnostics/imports/_progress.html", context)
    return render(request, "diagnostics/imports/detail.html", context)


def _live(job: ImportJob) -> bool:
    return job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


@login_required
@require_GET
def import_report(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    """The rejected rows as CSV."""
    require_perm(request.user, Perm.IMPORT_RESULTS)
    return report_response(services_imports.job_for(request.user, job_id))


# The matching queue ---------------------------------------------------------------------------------


@login_required
@require_GET
def unmatched(request: HttpRequest) -> HttpResponse:
    """Results whose person was not found, oldest first, each with a match and a dismiss form."""
    require_perm(request.user, Perm.SAMPLE)
    waiting = list(services_imports.unmatched_visible_to(request.user)[:QUEUE_SHOWN])
    return render(request, "diagnostics/imports/unmatched.html", {"waiting": waiting, "form": MatchForm()})


@login_required
@require_POST
def unmatched_match(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, Perm.SAMPLE)
    item = services_imports.unmatched_for(request.user, pk)
    form = MatchForm(request.POST)
    if form.is_valid():
        try:
            services_imports.match_unmatched(
                by=request.user,
                unmatched=item,
                cccd=form.cleaned_data["cccd"],
                lab_cccd_wrong=form.cleaned_data["lab_cccd_wrong"],
            )
        except DomainError as error:
            messages.error(
                request, _("%(code)s: %(message)s") % {"code": item.sample_code, "message": error.detail}
            )
        else:
            messages.success(request, _("%(code)s was matched.") % {"code": item.sample_code})
    else:
        messages.error(request, _("%(code)s: enter the CCCD.") % {"code": item.sample_code})
    return redirect("diagnostics:unmatched")


@login_required
@require_POST
def unmatched_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, Perm.SAMPLE)
    item = services_imports.unmatched_for(request.user, pk)
    try:
        services_imports.dismiss_unmatched(by=request.user, unmatched=item)
    except DomainError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("%(code)s was dismissed.") % {"code": item.sample_code})
    return redirect("diagnostics:unmatched")
