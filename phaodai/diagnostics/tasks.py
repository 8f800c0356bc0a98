"""Background work of diagnostics, through Django's task API (the django-tasks backport).

`run_import` runs (or resumes) one lab-result import; `resume_imports` takes up the failed ones and
those whose worker died (enqueue it every few minutes, or after a database restart).
"""

from django_tasks import task

from phaodai.core.bulk import runner
from phaodai.core.models import ImportJob
from phaodai.diagnostics.lab_import import LabResultImport


@task()
def run_import(job_id: int) -> dict[str, object]:
    """Run a lab-result import to its end, resuming after its last committed batch."""
    job = runner.run(job_id, LabResultImport())
    if job is None:
        return {"job": job_id, "status": "held elsewhere"}
    return {"job": job.pk, "status": job.status, "rows": job.rows}


@task()
def resume_imports() -> dict[str, object]:
    """Queue again every lab-result import that failed or whose worker went silent."""
    ids = runner.resumable(kind=ImportJob.Kind.LAB_RESULTS)
    for job_id in ids:
        run_import.enqueue(job_id)
    return {"resumed": ids}
