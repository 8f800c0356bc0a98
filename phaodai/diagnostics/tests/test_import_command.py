"""The import_results command (progress on stderr, resume by job id) and the background tasks."""

from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from phaodai.core.models import ImportJob
from phaodai.diagnostics import lab_import, tasks
from phaodai.diagnostics.models import Sample
from phaodai.diagnostics.tests.conftest import resident_cccd
from phaodai.diagnostics.tests.test_import_support import counts, csv_bytes, row, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    monkeypatch.setattr(lab_import, "announce", lambda ids, *, clock: None)
    settings.VAR_DIR = tmp_path / "var"


def test_the_command_imports_a_file_with_a_progress_bar(
    lab_tech_cdc: Any, resident: Any, lab_cdc: Any, tmp_path: Path
) -> None:
    resident(0)
    source = tmp_path / "kq.csv"
    source.write_bytes(csv_bytes([row("HN-0001", resident_cccd(0)), row("HN-0002", "1.2E+11")]))
    out, err = StringIO(), StringIO()
    call_command("import_results", str(source), user=lab_tech_cdc.username, stdout=out, stderr=err)
    assert "accepted=1" in out.getvalue() and "rejected=1" in out.getvalue()
    assert "100%" in err.getvalue() and "[####" in err.getvalue()


def test_the_command_refuses_a_bad_file_or_user(lab_tech_cdc: Any, tmp_path: Path) -> None:
    source = tmp_path / "kq.csv"
    source.write_bytes("sample_code\r\nHà Đông\r\n".encode("cp1258"))
    with pytest.raises(CommandError, match="Windows-1258"):
        call_command("import_results", str(source), user=lab_tech_cdc.username)
    with pytest.raises(CommandError, match="no user"):
        call_command("import_results", str(source), user="nobody")
    with pytest.raises(CommandError, match="--resume"):
        call_command("import_results")


def test_the_command_resumes_a_failed_job(lab_tech_cdc: Any, resident: Any, lab_cdc: Any) -> None:
    resident(0)
    job = start(lab_tech_cdc, csv_bytes([row(f"HN-{n:04d}", resident_cccd(0)) for n in range(5)]))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED)
    out = StringIO()
    call_command("import_results", resume=job.pk, stdout=out, stderr=StringIO())
    job.refresh_from_db()
    assert counts(job)["accepted"] == 5 and job.status == "done"
    with pytest.raises(CommandError, match="already done"):
        call_command("import_results", resume=job.pk, stderr=StringIO())


def test_the_command_resumes_every_stale_job_from_cron(
    lab_tech_cdc: Any, resident: Any, lab_cdc: Any
) -> None:
    resident(0)
    failed = start(lab_tech_cdc, csv_bytes([row(f"HN-{n:04d}", resident_cccd(0)) for n in range(3)]))
    never_started = start(lab_tech_cdc, csv_bytes([row("HN-0100", resident_cccd(0))]))
    ImportJob.objects.filter(pk=failed.pk).update(status=ImportJob.Status.FAILED, committed_rows=1)
    out = StringIO()
    call_command("import_results", resume_stale=True, stdout=out, stderr=StringIO())
    failed.refresh_from_db()
    never_started.refresh_from_db()
    assert failed.status == "done" and f"job {failed.pk}: done" in out.getvalue()
    # A queued job belongs to the worker it was enqueued for; a job that failed before its first
    # batch (a file refused whole) has nothing to resume.
    assert never_started.status == "queued"


def test_tasks_run_a_job_and_requeue_failed_ones(
    lab_tech_cdc: Any, resident: Any, lab_cdc: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident(0)
    job = start(lab_tech_cdc, csv_bytes([row("HN-0001", resident_cccd(0))]))
    assert tasks.run_import.func(job.pk) == {"job": job.pk, "status": "done", "rows": 1}
    assert Sample.objects.count() == 1
    failed = start(lab_tech_cdc, csv_bytes([row("HN-0002", resident_cccd(0))]))
    ImportJob.objects.filter(pk=failed.pk).update(status=ImportJob.Status.FAILED, committed_rows=1)
    queued: list[int] = []
    monkeypatch.setattr(tasks, "run_import", SimpleNamespace(enqueue=queued.append))
    assert tasks.resume_imports.func() == {"resumed": [failed.pk]}
    assert queued == [failed.pk]
