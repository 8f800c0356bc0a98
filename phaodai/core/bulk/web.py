"""The pages of an import kind, built from what the app declares: upload, the job with its polled
progress, its report, the latest jobs of my units, and the queue of imported rows whose person was not
found (matched to a person or dismissed). Templates are the app's `<app>/imports/*.html`, most of them
extending the shared ones under core/imports/."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.functional import Promise
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.core.bulk.api import JobServices, report_response
from phaodai.core.bulk.files import ImportFileError, size_limit_text, too_large
from phaodai.core.bulk.jobs import is_live
from phaodai.core.bulk.uploads import FORM_OVERHEAD_BYTES, SizeCapUploadHandler, declared_length, import_limit
from phaodai.core.errors import DomainError

JOBS_SHOWN = 50
QUEUE_SHOWN = 100
# Each page: its route under the app's prefix, its name (and the ImportPages method), its HTTP methods.
ROUTES = [
    ("imports/", "imports", require_GET),
    ("imports/new/", "import_new", require_http_methods(["GET", "POST"])),
    ("imports/<int:job_id>/", "import_detail", require_GET),
    ("imports/<int:job_id>/report.csv", "import_report", require_GET),
    ("unmatched/", "unmatched", require_GET),
    ("unmatched/<int:pk>/match/", "unmatched_match", require_POST),
    ("unmatched/<int:pk>/dismiss/", "unmatched_dismiss", require_POST),
]


class ImportFileForm(forms.Form):
    file = forms.FileField()

    def __init__(self, *args: Any, label: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = label


class PageServices(JobServices, Protocol):
    """The app's services the pages use besides the jobs': its matching queue."""

    def unmatched_visible_to(self, user: Any) -> Any: ...

    def unmatched_for(self, user: Any, pk: int) -> Any: ...

    def dismiss_unmatched(self, *, by: Any, unmatched: Any) -> None: ...


class QueueActions(Protocol):
    """How an app's queue matches an entry, and what its pages say about an entry."""

    @property
    def form(self) -> type[forms.Form]: ...

    def match(self, *, by: Any, item: Any, data: Mapping[str, Any]) -> Any: ...

    def matched(self, item: Any, outcome: Any) -> str: ...

    def refused(self, item: Any, error: DomainError) -> str: ...

    def invalid(self, item: Any) -> str: ...

    def dismissed(self, item: Any) -> str: ...


@dataclass(frozen=True)
class ImportPages:
    """An app's import pages: its URL namespace (`app`), who may import and who may match, its texts."""

    app: str
    require: Callable[[Any], None]  # raises NotPermitted without the permission to import
    require_queue: Callable[[Any], None]  # the same for the matching queue
    # The app's services module, read at each request (tests replace its functions).
    services: PageServices
    queue: QueueActions
    file_label: str | Promise
    columns: Sequence[str]
    report_name: str  # the report's file name, with {pk}

    def url(self, name: str) -> str:
        return f"{self.app}:{name}"

    def render(
        self, request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        context = {**context, "urls": {name: self.url(name) for _route, name, _methods in ROUTES}}
        return render(request, f"{self.app}/imports/{template}", context, status=status)

    def imports(self, request: HttpRequest) -> HttpResponse:
        """The latest imports of my units."""
        self.require(request.user)
        jobs = self.services.jobs_visible_to(request.user).select_related("uploaded_by")
        latest = jobs.order_by("-created_at", "-pk")[:JOBS_SHOWN]
        rows = [(job, self.services.progress_of(job)) for job in latest]
        return self.render(request, "list.html", {"rows": rows})

    def import_new(self, request: HttpRequest) -> HttpResponse:
        """Upload a file; an oversized one is refused before its body is read or stored."""
        self.require(request.user)
        limit = import_limit()
        if request.method == "POST" and declared_length(request) > limit + FORM_OVERHEAD_BYTES:
            return self.upload_page(request, self.form(), too_large(limit), status=413)
        guard = SizeCapUploadHandler(request, limit)
        if request.method == "POST":
            # Must be first, and set before anything reads request.POST (hence the CSRF exemption).
            request.upload_handlers = [guard, *request.upload_handlers]
        upload: Callable[[HttpRequest, SizeCapUploadHandler], HttpResponse] = csrf_protect(self.upload)
        return upload(request, guard)

    def upload(self, request: HttpRequest, guard: SizeCapUploadHandler) -> HttpResponse:
        """The upload itself, behind the CSRF check made once the size guard is in place."""
        if request.method != "POST":
            return self.upload_page(request, self.form())
        form = self.form(request.POST, request.FILES)
        if guard.exceeded:
            return self.upload_page(request, form, too_large(guard.limit), status=413)
        if not form.is_valid():
            return self.upload_page(request, form, status=422)
        try:
            job = self.services.start_import(by=request.user, upload=form.cleaned_data["file"])
        except ImportFileError as error:
            return self.upload_page(request, form, error, status=error.status)
        return redirect(self.url("import_detail"), job_id=job.pk)

    def form(self, *args: Any) -> ImportFileForm:
        return ImportFileForm(*args, label=self.file_label)

    def upload_page(
        self, request: HttpRequest, form: ImportFileForm, error: DomainError | None = None, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "error": error,
            "limit": size_limit_text(import_limit()),
            "columns": self.columns,
        }
        return self.render(request, "new.html", context, status=status)

    def import_detail(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """The job: status, a progress bar polled by htmx while it runs, counts, the report."""
        self.require(request.user)
        job = self.services.job_for(request.user, job_id)
        context = {"job": job, "progress": self.services.progress_of(job), "live": is_live(job)}
        template = "_progress.html" if request.htmx else "detail.html"  # type: ignore[attr-defined]
        return self.render(request, template, context)

    def import_report(self, request: HttpRequest, job_id: int) -> StreamingHttpResponse:
        """The rejected rows as CSV."""
        self.require(request.user)
        return report_response(self.services.job_for(request.user, job_id), self.report_name)

    def unmatched(self, request: HttpRequest) -> HttpResponse:
        """Entries whose person was not found, oldest first, each with a match and a dismiss form."""
        self.require_queue(request.user)
        waiting = list(self.services.unmatched_visible_to(request.user)[:QUEUE_SHOWN])
        return self.render(request, "unmatched.html", {"waiting": waiting, "form": self.queue.form()})

    def unmatched_match(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.require_queue(request.user)
        item = self.services.unmatched_for(request.user, pk)
        form = self.queue.form(request.POST)
        if not form.is_valid():
            messages.error(request, self.queue.invalid(item))
            return redirect(self.url("unmatched"))
        try:
            outcome = self.queue.match(by=request.user, item=item, data=form.cleaned_data)
        except DomainError as error:
            messages.error(request, self.queue.refused(item, error))
        else:
            messages.success(request, self.queue.matched(item, outcome))
        return redirect(self.url("unmatched"))

    def unmatched_dismiss(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.require_queue(request.user)
        item = self.services.unmatched_for(request.user, pk)
        try:
            self.services.dismiss_unmatched(by=request.user, unmatched=item)
        except DomainError as error:
            messages.error(request, str(error.detail))
        else:
            messages.success(request, self.queue.dismissed(item))
        return redirect(self.url("unmatched"))

    def urlpatterns(self) -> list[URLPattern]:
        """The pages under the app's prefix, in the app's namespace."""
        patterns = []
        for route, name, methods in ROUTES:
            view = login_required(methods(getattr(self, name)))
            if name == "import_new":
                # `upload` makes the CSRF check, once the size guard is in place.
                view = csrf_exempt(view)
            patterns.append(path(route, view, name=name))
        return patterns
