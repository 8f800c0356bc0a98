"""The dose import API (/api/v1/vaccination/imports).

`POST /imports` (multipart, the file as `file`, CSV or XLSX) answers 202 with the job: the file was stored
and checked as a whole (413 `upload_too_large`, 422 `unreadable_encoding`, `unsupported_file`,
`xlsx_zip_bomb`), its rows are imported in the background. `GET /imports/{id}` gives its status, progress
(percent of the file read), counts and the report's URL; `GET /imports/{id}/report` the rejected rows as
CSV (row, column, reason, message; never a value from the file). Only those who record doses, and only
the jobs of their units: 403 without the permission, 404 for another unit's job (logged).
"""

from contextlib import suppress
from datetime import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.bulk.files import too_large
from phaodai.core.bulk.report import rejection_report
from phaodai.core.bulk.uploads import FORM_OVERHEAD_BYTES, SizeCapUploadHandler, declared_length, import_limit
from phaodai.core.errors import InvalidInput
from phaodai.core.models import ImportJob
from phaodai.vaccination import services_imports

router = Router(tags=["vaccination"])


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


def job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "file_name": job.original_name,
        "size_bytes": job.size_bytes,
        "progress": services_imports.progress_of(job),
        "counts": {name: getattr(job, name) for name in Counts.model_fields},
        "error": job.error,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "report_url": reverse("api-v1:vaccination_import_report", args=[job.pk]),
    }


@router.post("/imports", response={202: ImportOut}, url_name="vaccination_import_create")
def create_import(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    """Upload a file of dose records (CSV or XLSX, as `file`); the import runs in the background."""
    require_perm(request.user, Perm.VACCINATE)
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
        raise InvalidInput(_("Attach the doses file (CSV or XLSX) as the form field “file”."), field="file")
    job = services_imports.start_import(by=request.user, upload=upload)
    return 202, job_out(job)


@router.get("/imports", response=list[ImportOut], url_name="vaccination_import_list")
def list_imports(request: HttpRequest, limit: int = 50) -> list[dict[str, Any]]:
    """The latest dose imports of the caller's units, newest first (at most 100)."""
    require_perm(request.user, Perm.VACCINATE)
    jobs = services_imports.jobs_visible_to(request.user).order_by("-created_at", "-pk")
    return [job_out(job) for job in jobs[: max(1, min(limit, 100))]]


@router.get("/imports/{job_id}", response=ImportOut, url_name="vaccination_import_detail")
def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """A dose import's status, progress and counts."""
    require_perm(request.user, Perm.VACCINATE)
    return job_out(services_imports.job_for(request.user, job_id))


@router.get("/imports/{job_id}/report", url_name="vaccination_import_report")
def get_report(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    """The rejected rows as CSV: row, column, reason, message."""
    require_perm(request.user, Perm.VACCINATE)
    return report_response(services_imports.job_for(request.user, job_id))


def report_response(job: ImportJob) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rejection_report(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dose-import-{job.pk}-rejections.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
