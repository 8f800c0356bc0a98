"""The API of an import kind (`/imports` under an app's prefix), built from what the app declares.

`POST /imports` (multipart, the file as `file`, CSV or XLSX) answers 202 with the job: the file was stored
and checked as a whole (413 `upload_too_large`, 422 `unreadable_encoding`, `unsupported_file`,
`xlsx_zip_bomb`), its rows are imported in the background. `GET /imports/{id}` gives its status, progress
(percent of the file read), counts and the report's URL; `GET /imports/{id}/report` the rejected rows as
CSV (row, column, reason, message; never a value from the file). Only those with the app's permission, and
only the jobs of their units: 403 without it, 404 for another unit's job (logged).
"""

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.functional import Promise
from ninja import Router, Schema

from phaodai.core.bulk.files import Upload, too_large
from phaodai.core.bulk.report import rejection_report
from phaodai.core.bulk.uploads import FORM_OVERHEAD_BYTES, SizeCapUploadHandler, declared_length, import_limit
from phaodai.core.errors import InvalidInput
from phaodai.core.models import ImportJob

REPORT_DOC = "The rejected rows as CSV: row, column, reason, message."


class Counts(Schema):
    rows: int
    accepted: int
    duplicates: int
    corrected: int
    rejected: int
    unmatched: int


class ImportOut(Schema):
    id: int
    status: str
    file_name: str
    size_bytes: int
    progress: int
    counts: Counts
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    report_url: str


class JobServices(Protocol):
    """What an app's import services offer the API and the pages (its services_imports module)."""

    def start_import(self, *, by: Any, upload: Upload) -> ImportJob: ...

    def jobs_visible_to(self, user: Any) -> Any: ...

    def job_for(self, user: Any, job_id: int) -> ImportJob: ...

    def progress_of(self, job: ImportJob) -> int: ...


@dataclass(frozen=True)
class ImportApi:
    """An app's import API: its name (tag, URL names, operation ids), permission check and texts."""

    app: str
    require: Callable[[Any], None]  # raises NotPermitted without the permission to import
    # The app's services module, read at each request (tests replace its functions).
    services: JobServices
    missing_file: str | Promise  # the 422 message when no file was sent
    report_name: str  # the report's file name, with {pk}
    create_doc: str
    list_doc: str
    detail_doc: str

    def job_out(self, job: ImportJob) -> dict[str, Any]:
        return {
            "id": job.pk,
            "status": job.status,
            "file_name": job.original_name,
            "size_bytes": job.size_bytes,
            "progress": self.services.progress_of(job),
            "counts": {name: getattr(job, name) for name in Counts.model_fields},
            "error": job.error,
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "report_url": reverse(f"api-v1:{self.app}_import_report", args=[job.pk]),
        }

    def create(self, request: HttpRequest) -> tuple[int, dict[str, Any]]:
        self.require(request.user)
        limit = import_limit()
        if declared_length(request) > limit + FORM_OVERHEAD_BYTES:
            raise too_large(limit)  # refused before the body is read
        guard = SizeCapUploadHandler(request, limit)
        # When a CSRF check has parsed the body already, the declared size above was the guard.
        with suppress(AttributeError):
            request.upload_handlers = [guard, *request.upload_handlers]
        upload = request.FILES.get("file")
        if guard.exceeded:
            raise too_large(limit)
        if upload is None:
            raise InvalidInput(str(self.missing_file), field="file")
        job = self.services.start_import(by=request.user, upload=upload)
        return 202, self.job_out(job)

    def listing(self, request: HttpRequest, limit: int) -> list[dict[str, Any]]:
        self.require(request.user)
        jobs = self.services.jobs_visible_to(request.user).order_by("-created_at", "-pk")
        return [self.job_out(job) for job in jobs[: max(1, min(limit, 100))]]

    def detail(self, request: HttpRequest, job_id: int) -> dict[str, Any]:
        self.require(request.user)
        return self.job_out(self.services.job_for(request.user, job_id))

    def report(self, request: HttpRequest, job_id: int) -> StreamingHttpResponse:
        self.require(request.user)
        return report_response(self.services.job_for(request.user, job_id), self.report_name)

    def router(self) -> Router:
        """The four endpoints, named and documented as the app's own."""
        router = Router(tags=[self.app])
        operation = f"phaodai_{self.app}_api_imports"

        @router.post(
            "/imports", response={202: ImportOut}, url_name=f"{self.app}_import_create",
            operation_id=f"{operation}_create_import", description=self.create_doc,
        )  # fmt: skip
        def create_import(request: HttpRequest) -> tuple[int, dict[str, Any]]:
            return self.create(request)

        @router.get(
            "/imports", response=list[ImportOut], url_name=f"{self.app}_import_list",
            operation_id=f"{operation}_list_imports", description=self.list_doc,
        )  # fmt: skip
        def list_imports(request: HttpRequest, limit: int = 50) -> list[dict[str, Any]]:
            return self.listing(request, limit)

        @router.get(
            "/imports/{job_id}", response=ImportOut, url_name=f"{self.app}_import_detail",
            operation_id=f"{operation}_get_import", description=self.detail_doc,
        )  # fmt: skip
        def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
            return self.detail(request, job_id)

        @router.get(
            "/imports/{job_id}/report", url_name=f"{self.app}_import_report",
            operation_id=f"{operation}_get_report", description=REPORT_DOC,
        )  # fmt: skip
        def get_report(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
            return self.report(request, job_id)

        return router


def report_response(job: ImportJob, name: str) -> StreamingHttpResponse:
    """The job's rejected rows as a CSV download, named `name` (with {pk})."""
    response = StreamingHttpResponse(rejection_report(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name.format(pk=job.pk)}"'
    response["Cache-Control"] = "private, no-store"
    return response
