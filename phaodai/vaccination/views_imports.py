"""Pages of dose imports: upload, the job with its polled progress, its report, my units' jobs, and the
queue of doses whose person was not found (a ward matches them to a person or dismisses them)."""

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
from phaodai.vaccination import services_imports
from phaodai.vaccination.api_imports import report_response
from phaodai.vaccination.dose_import import COLUMNS

JOBS_SHOWN = 50
QUEUE_SHOWN = 100


class DoseFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Dose records (CSV UTF-8 or Excel .xlsx)"))


class MatchForm(forms.Form):
    cccd = forms.CharField(
        label=gettext_lazy("Citizen ID (CCCD) of the person (empty: the one in the file)"),
        max_length=20,
        required=False,
    )
    file_cccd_wrong = forms.BooleanField(
        label=gettext_lazy("The file's CCCD was wrong (this is the person's)"), required=False
    )


@login_required
@require_GET
def imports(request: HttpRequest) -> HttpResponse:
    """The latest dose imports of my units."""
    require_perm(request.user, Perm.VACCINATE)
    jobs = services_imports.jobs_visible_to(request.user).select_related("uploaded_by")
    rows = [
        (job, services_imports.progress_of(job)) for job in jobs.order_by("-created_at", "-pk")[:JOBS_SHOWN]
    ]
    return render(request, "vaccination/imports/list.html", {"rows": rows})


@csrf_exempt  # the CSRF check is made by _upload, after the size guard is in place
@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload a file of doses; an oversized one is refused before its body is read or stored."""
    require_perm(request.user, Perm.VACCINATE)
    limit = import_limit()
    if request.method == "POST" and declared_length(request) > limit + FORM_OVERHEAD_BYTES:
        return _upload_page(request, DoseFileForm(), too_large(limit), status=413)
    guard = SizeCapUploadHandler(request, limit)
    if request.method == "POST":
        # Must be first, and set before anything reads request.POST (hence the CSRF exemption above).
        request.upload_handlers = [guard, *request.upload_handlers]
    return _upload(request, guard)


@csrf_protect
def _upload(request: HttpRequest, guard: SizeCapUploadHandler) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, DoseFileForm())
    form = DoseFileForm(request.POST, request.FILES)
    if guard.exceeded:
        return _upload_page(request, form, too_large(guard.limit), status=413)
    if not form.is_valid():
        return _upload_page(request, form, status=422)
    try:
        job = services_imports.start_import(by=request.user, upload=form.cleaned_data["file"])
    except ImportFileError as error:
        return _upload_page(request, form, error, status=error.status)
    return redirect("vaccination:import_detail", job_id=job.pk)


def _upload_page(
    request: HttpRequest, form: DoseFileForm, error: DomainError | None = None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "error": error, "limit": size_limit_text(import_limit()), "columns": COLUMNS}
    return render(request, "vaccination/imports/new.html", context, status=status)


@login_required
@require_GET
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job: status, a progress bar polled by htmx while it runs, counts, the report."""
    require_perm(request.user, Perm.VACCINATE)
    job = services_imports.job_for(request.user, job_id)
    live = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    context = {"job": job, "progress": services_imports.progress_of(job), "live": live}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "vaccination/imports/_progress.html", context)
    return render(request, "vaccination/imports/detail.html", context)


@login_required
@require_GET
def import_report(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    """The rejected rows as CSV."""
    require_perm(request.user, Perm.VACCINATE)
    return report_response(services_imports.job_for(request.user, job_id))


# The matching queue ------------------------------------------------------------------------------------


@login_required
@require_GET
def unmatched(request: HttpRequest) -> HttpResponse:
    """Doses whose person was not found, oldest first, each with a match and a dismiss form."""
    require_perm(request.user, Perm.VACCINATE)
    waiting = list(services_imports.unmatched_visible_to(request.user)[:QUEUE_SHOWN])
    return render(request, "vaccination/imports/unmatched.html", {"waiting": waiting, "form": MatchForm()})


@login_required
@require_POST
def unmatched_match(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, Perm.VACCINATE)
    item = services_imports.unmatched_for(request.user, pk)
    form = MatchForm(request.POST)
    label = _("Import %(job)s, row %(row)s") % {"job": item.import_job_id, "row": item.row_number}
    if not form.is_valid():
        messages.error(request, _("%(item)s: the CCCD is too long.") % {"item": label})
        return redirect("vaccination:unmatched")
    try:
        count = services_imports.match_unmatched(
            by=request.user,
            unmatched=item,
            cccd=form.cleaned_data["cccd"],
            file_cccd_wrong=form.cleaned_data["file_cccd_wrong"],
        )
    except DomainError as error:
        messages.error(request, _("%(item)s: %(message)s") % {"item": label, "message": error.detail})
    else:
        messages.success(request, _("%(item)s: %(count)s doses recorded.") % {"item": label, "count": count})
    return redirect("vaccination:unmatched")


@login_required
@require_POST
def unmatched_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, Perm.VACCINATE)
    item = services_imports.unmatched_for(request.user, pk)
    try:
        services_imports.dismiss_unmatched(by=request.user, unmatched=item)
    except DomainError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(
            request,
            _("Import %(job)s, row %(row)s was dismissed.")
            % {"job": item.import_job_id, "row": item.row_number},
        )
    return redirect("vaccination:unmatched")
