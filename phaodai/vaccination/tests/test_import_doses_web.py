"""Dose imports through the API, the pages (upload, polled progress, report, the queue of doses to match),
the import_doses command with its progress bar, and the background tasks."""

from datetime import date
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from phaodai.core.models import ImportJob
from phaodai.vaccination import tasks
from phaodai.vaccination.models import Dose, UnmatchedDose
from phaodai.vaccination.tests.conftest import cccd_for
from phaodai.vaccination.tests.test_import_support import (
    counts,
    csv_bytes,
    expect,
    import_file,
    row,
    run,
    start,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/vaccination/imports"


@pytest.fixture(autouse=True)
def quiet(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    # The job is queued on commit; tests run it themselves.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def cccd(serial: int) -> str:
    return cccd_for("M", date(1985, 3, 2), serial)


def upload(client: Any, data: bytes, name: str = "mui.csv", url: str = API) -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_api_upload_answers_202_then_progress_counts_and_report(
    client: Any, health_worker_bo_de: Any, resident: Any
) -> None:
    resident(1)
    client.force_login(health_worker_bo_de)
    answer = upload(client, csv_bytes([row(cccd(1)), row("1.2E+11")]))
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "queued" and body["file_name"] == "mui.csv"
    run(ImportJob.objects.get(pk=body["id"]))
    status = client.get(f"{API}/{body['id']}").json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["counts"] == expect(rows=2, accepted=1, rejected=1)
    report = client.get(status["report_url"])
    assert report["Content-Type"].startswith("text/csv")
    text = b"".join(report.streaming_content).decode()
    assert "3,cccd,cccd_scientific" in text and "1.2E+11" not in text
    assert [job["id"] for job in client.get(API).json()] == [body["id"]]


@pytest.mark.parametrize("persona", ["lab_tech_cdc", "welfare_officer_bo_de", "checkpoint_officer_ql6"])
def test_only_those_who_record_doses_may_import_them(client: Any, request: Any, persona: str) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert upload(client, csv_bytes([])).status_code == 403
    assert client.get("/vaccination/imports/").status_code == 403
    assert client.get("/vaccination/unmatched/").status_code == 403


def test_anonymous_is_401(client: Any) -> None:
    assert upload(client, csv_bytes([])).status_code == 401


def test_bad_files_are_refused_at_upload_with_a_clear_code(
    client: Any, health_worker_bo_de: Any, settings: Any
) -> None:
    client.force_login(health_worker_bo_de)
    answer = upload(client, "cccd,full_name\r\n001085000001,Hà Đông\r\n".encode("cp1258"))
    assert (answer.status_code, answer.json()["code"]) == (422, "unreadable_encoding")
    settings.PHAODAI_MAX_IMPORT_BYTES = 1000
    answer = upload(client, b"cccd\r\n" + b"001085000001\r\n" * 200)
    assert (answer.status_code, answer.json()["code"]) == (413, "upload_too_large")
    page = client.post(
        "/vaccination/imports/new/",
        {"file": SimpleUploadedFile("x.csv", b"a")},
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert page.status_code == 413
    assert not ImportJob.objects.exists()


def test_a_file_without_the_columns_fails_its_job_with_the_reason(
    client: Any, health_worker_bo_de: Any
) -> None:
    job = import_file(health_worker_bo_de, b"cccd,name\r\n001085000001,An\r\n")
    assert job.status == "failed" and "lacks the columns" in job.error


def test_a_job_of_another_unit_is_404(
    client: Any, health_worker_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    job = import_file(health_worker_bo_de, csv_bytes([row(cccd(1))]))
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"{API}/{job.pk}").status_code == 404
    assert client.get(f"{API}/{job.pk}/report").status_code == 404
    assert client.get(f"/vaccination/imports/{job.pk}/").status_code == 404
    assert client.get(f"/vaccination/imports/{job.pk}/report.csv").status_code == 404


def test_pages_upload_then_poll_progress_and_download_the_report(
    client: Any, health_worker_bo_de: Any, resident: Any
) -> None:
    client.force_login(health_worker_bo_de)
    assert client.get("/vaccination/imports/new/").status_code == 200
    answer = upload(
        client, csv_bytes([row(cccd(7)), row(cccd(1), given="x")]), url="/vaccination/imports/new/"
    )
    assert answer.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(answer["Location"])
    assert b'hx-trigger="every 2s"' in page.content and b'data-status="queued"' in page.content
    run(job)
    partial = client.get(answer["Location"], headers={"HX-Request": "true"})
    assert b"hx-trigger" not in partial.content and b'data-count="unmatched">1<' in partial.content
    assert b"<html" not in partial.content
    report = client.get(f"/vaccination/imports/{job.pk}/report.csv")
    assert b"3,given_on,given_on_format" in b"".join(report.streaming_content)
    assert b"mui.csv" in client.get("/vaccination/imports/").content


def test_a_ward_matches_waiting_doses_to_a_resident_registered_since(
    client: Any, health_worker_bo_de: Any, ward_officer_phuc_xa: Any, resident: Any
) -> None:
    import_file(
        health_worker_bo_de,
        csv_bytes([row(cccd(9), given="02/08/2021"), row(cccd(9), number=2, given="30/08/2021")]),
    )
    first = UnmatchedDose.objects.get(dose_number=1)
    # Waiting under Bồ Đề: another ward neither sees nor reaches it.
    client.force_login(ward_officer_phuc_xa)
    assert f'id="unmatched-{first.pk}"'.encode() not in client.get("/vaccination/unmatched/").content
    assert client.post(f"/vaccination/unmatched/{first.pk}/match/", {"cccd": ""}).status_code == 404
    client.force_login(health_worker_bo_de)
    page = client.get("/vaccination/unmatched/")
    assert f'id="unmatched-{first.pk}"'.encode() in page.content
    refused = client.post(f"/vaccination/unmatched/{first.pk}/match/", {"cccd": ""}, follow=True)
    assert "No person with this CCCD" in refused.content.decode() and not Dose.objects.exists()
    person = resident(9)
    client.post(f"/vaccination/unmatched/{first.pk}/match/", {"cccd": ""})
    assert Dose.objects.filter(person=person).count() == 2
    assert not UnmatchedDose.objects.filter(status="open").exists()


def test_a_waiting_dose_is_dismissed_once(client: Any, health_worker_bo_de: Any) -> None:
    import_file(health_worker_bo_de, csv_bytes([row(cccd(9))]))
    item = UnmatchedDose.objects.get()
    client.force_login(health_worker_bo_de)
    client.post(f"/vaccination/unmatched/{item.pk}/dismiss/")
    item.refresh_from_db()
    assert item.status == "dismissed"
    again = client.post(f"/vaccination/unmatched/{item.pk}/dismiss/", follow=True)
    assert "already been matched or dismissed" in again.content.decode()


def test_the_queue_page_issues_a_bounded_number_of_queries(
    client: Any, health_worker_bo_de: Any, django_assert_max_num_queries: Any
) -> None:
    import_file(health_worker_bo_de, csv_bytes([row(cccd(100 + n)) for n in range(30)]))
    client.force_login(health_worker_bo_de)
    with django_assert_max_num_queries(12):
        assert client.get("/vaccination/unmatched/").status_code == 200


def test_the_command_imports_a_file_with_a_progress_bar(
    health_worker_bo_de: Any, resident: Any, tmp_path: Path
) -> None:
    resident(1)
    source = tmp_path / "mui.csv"
    source.write_bytes(csv_bytes([row(cccd(1)), row("1.2E+11")]))
    out, err = StringIO(), StringIO()
    call_command("import_doses", str(source), user=health_worker_bo_de.username, stdout=out, stderr=err)
    assert "accepted=1" in out.getvalue() and "rejected=1" in out.getvalue()
    assert "100%" in err.getvalue() and "[####" in err.getvalue()
    with pytest.raises(CommandError, match="no user"):
        call_command("import_doses", str(source), user="nobody")
    with pytest.raises(CommandError, match="--resume"):
        call_command("import_doses")


def test_the_command_resumes_a_job_and_every_stale_one(health_worker_bo_de: Any, resident: Any) -> None:
    resident(1)
    job = start(health_worker_bo_de, csv_bytes([row(cccd(1))]))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED)
    call_command("import_doses", resume=job.pk, stdout=StringIO(), stderr=StringIO())
    job.refresh_from_db()
    assert counts(job)["accepted"] == 1 and job.status == "done"
    with pytest.raises(CommandError, match="already done"):
        call_command("import_doses", resume=job.pk, stderr=StringIO())
    failed = start(health_worker_bo_de, csv_bytes([row(cccd(1), number=2, given="30/09/2021")]))
    ImportJob.objects.filter(pk=failed.pk).update(status=ImportJob.Status.FAILED, committed_rows=1)
    out = StringIO()
    call_command("import_doses", resume_stale=True, stdout=out, stderr=StringIO())
    assert f"job {failed.pk}: done" in out.getvalue()


def test_tasks_run_a_job_and_requeue_failed_ones(
    health_worker_bo_de: Any, resident: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident(1)
    job = start(health_worker_bo_de, csv_bytes([row(cccd(1))]))
    assert tasks.run_import.func(job.pk) == {"job": job.pk, "status": "done", "rows": 1}
    failed = start(health_worker_bo_de, csv_bytes([row(cccd(2))]))
    ImportJob.objects.filter(pk=failed.pk).update(status=ImportJob.Status.FAILED, committed_rows=1)
    queued: list[int] = []
    monkeypatch.setattr(tasks, "run_import", SimpleNamespace(enqueue=queued.append))
    assert tasks.resume_imports.func() == {"resumed": [failed.pk]}
    assert queued == [failed.pk]
