"""Background work of diagnostics, through Django's task API (the django-tasks backport).

`run_import` runs (or resumes) one lab-result import; `resume_imports` takes up the failed ones and
those whose worker died (enqueue it every few minutes, or after a database restart).
"""

from django_tasks import task

from phaodai.diagnostics import services_imports


@task()
def run_import(job_id: int) -> dict[str, object]:
    """Run a lab-result import to its end, resuming after its last committed batch."""
    job = services_imports.run_import(job_id)
    if job is None:
        return {"job": job_id, "status": "held elsewhere"}
    return {"job": job.pk, "status": job.status, "rows": job.rows}


@task()
def resume_imports() -> dict[str, object]:
    """Queue again every lab-result import that failed or whose worker went silent."""
    ids = services_imports.resumable()
    for job_id in ids:
        run_import.enqueue(job_id)
    return {"resumed": ids}
