"""The import API and pages: upload, status, report, scope, size and encoding refusals, the matching queue."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.core.models import ImportJob
from phaodai.diagnostics import lab_import
from phaodai.diagnostics.models import Sample, UnmatchedResult
from phaodai.diagnostics.tests.conftest import resident_cccd
from phaodai.diagnostics.tests.test_import_support import counts, csv_bytes, import_file, row, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any) -> None:
    monkeypatch.setattr(lab_import, "announce", lambda ids, *, clock: None)
    settings.VAR_DIR = tmp_path
    # The job is queued on commit; tests run it themselves.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def upload(client: Any, data: bytes, name: str = "kq.csv", url: str = "/api/v1/diagnostics/imports") -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_api_upload_answers_202_with_the_job_then_its_counts_and_report(
    client: Any, lab_tech_cdc: Any, resident: Any, lab_cdc: Any
) -> None:
    resident(0)
    client.force_login(lab_tech_cdc)
    data = csv_bytes([row("HN-0001", resident_cccd(0)), row("HN-0002", "1.2E+11")])
    answer = upload(client, data)
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "queued" and body["file_name"] == "kq.csv"
    run(ImportJob.objects.get(pk=body["id"]))
    status = client.get(f"/api/v1/diagnostics/imports/{body['id']}").json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["counts"] == {
        "rows": 2,
        "accepted": 1,
        "duplicates": 0,
        "corrected": 0,
        "rejected": 1,
        "unmatched": 0,
    }
    report = client.get(status["report_url"])
    assert report["Content-Type"].startswith("text/csv")
    text = b"".join(report.streaming_content).decode()
    assert "3,cccd,cccd_scientific" in text and "1.2E+11" not in text
    listed = client.get("/api/v1/diagnostics/imports").json()
    assert [job["id"] for job in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("ward_officer_bo_de", 403), ("district_officer_long_bien", 403), ("city_commander", 403)],
)
def test_only_those_who_import_results_may_upload(
    client: Any, request: Any, persona: str, status: int
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert upload(client, csv_bytes([])).status_code == status


def test_anonymous_is_401(client: Any) -> None:
    assert upload(client, csv_bytes([])).status_code == 401


def test_bad_files_are_refused_at_upload_with_a_clear_code(
    client: Any, lab_tech_cdc: Any, settings: Any
) -> None:
    client.force_login(lab_tech_cdc)
    answer = upload(client, "sample_code,cccd\r\nA1,Hà Đông\r\n".encode("cp1258"))
    assert (answer.status_code, answer.json()["code"]) == (422, "unreadable_encoding")
    answer = upload(client, "sample_code\r\n".encode("utf-16"))
    assert (answer.status_code, answer.json()["code"]) == (422, "unreadable_encoding")
    settings.PHAODAI_MAX_IMPORT_BYTES = 1000
    answer = upload(client, b"sample_code,cccd\r\n" + b"HN-0001,001080123456\r\n" * 200)
    assert (answer.status_code, answer.json()["code"]) == (413, "upload_too_large")
    assert not ImportJob.objects.exists()


def test_an_oversized_upload_is_refused_before_its_body_is_read(client: Any, lab_tech_cdc: Any) -> None:
    client.force_login(lab_tech_cdc)
    two_gb = str(2 * 1024**3)
    answer = client.post(
        "/api/v1/diagnostics/imports", {"file": SimpleUploadedFile("x.csv", b"a")}, CONTENT_LENGTH=two_gb
    )
    assert answer.status_code == 413
    page = client.post(
        "/diagnostics/imports/new/", {"file": SimpleUploadedFile("x.csv", b"a")}, CONTENT_LENGTH=two_gb
    )
    assert page.status_code == 413 and b"larger than the limit" in page.content


def test_a_missing_file_field_is_422(client: Any, lab_tech_cdc: Any) -> None:
    client.force_login(lab_tech_cdc)
    answer = client.post("/api/v1/diagnostics/imports", {"other": "x"})
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_input")


def test_a_job_of_another_unit_is_404(client: Any, lab_tech_cdc: Any, lab_cdc: Any) -> None:
    from phaodai.accounts import services as accounts
    from phaodai.accounts.roles import Role
    from phaodai.territory.models import Unit

    other = accounts.create_user(
        username="lab-hd", password="x" * 12, role=Role.LAB_TECHNICIAN, unit=Unit.objects.get(code="268")
    )
    job = import_file(lab_tech_cdc, csv_bytes([row("HN-0001", "001080123456")]))
    client.force_login(other)
    assert client.get(f"/api/v1/diagnostics/imports/{job.pk}").status_code == 404
    assert client.get(f"/api/v1/diagnostics/imports/{job.pk}/report").status_code == 404
    assert client.get(f"/diagnostics/imports/{job.pk}/").status_code == 404


def test_pages_upload_then_show_progress_and_the_report(client: Any, lab_tech_cdc: Any, lab_cdc: Any) -> None:
    client.force_login(lab_tech_cdc)
    assert client.get("/diagnostics/imports/new/").status_code == 200
    answer = upload(
        client, csv_bytes([row("HN-0001", "001080123456"), row("X", "")]), url="/diagnostics/imports/new/"
    )
    assert answer.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(answer["Location"])
    assert b'hx-trigger="every 2s"' in page.content and b'data-status="queued"' in page.content
    run(job)
    partial = client.get(answer["Location"], headers={"HX-Request": "true"})
    assert b"hx-trigger" not in partial.content and b'data-count="unmatched">1<' in partial.content
    assert b"<html" not in partial.content
    report = client.get(f"/diagnostics/imports/{job.pk}/report.csv")
    assert b"3,sample_code,sample_code_format" in b"".join(report.streaming_content)
    listing = client.get("/diagnostics/imports/")
    assert b"kq.csv" in listing.content


def test_upload_page_shows_a_file_level_refusal(client: Any, lab_tech_cdc: Any) -> None:
    client.force_login(lab_tech_cdc)
    answer = upload(client, b"%PDF-1.4", name="x.csv", url="/diagnostics/imports/new/")
    assert answer.status_code == 422 and b"not a CSV" in answer.content


def test_the_city_matches_an_unmatched_result_to_a_resident_a_ward_never_sees_it(
    client: Any, lab_tech_cdc: Any, ward_officer_bo_de: Any, city_commander: Any, resident: Any, lab_cdc: Any
) -> None:
    job = import_file(lab_tech_cdc, csv_bytes([row("HN-0001", "001080999999", result="negative")]))
    assert counts(job)["unmatched"] == 1
    person = resident(3)
    item = UnmatchedResult.objects.get()
    # Waiting under the CDC (the city): nothing tells a ward the person is theirs.
    client.force_login(ward_officer_bo_de)
    assert b"HN-0001" not in client.get("/diagnostics/unmatched/").content
    assert (
        client.post(f"/diagnostics/unmatched/{item.pk}/match/", {"cccd": resident_cccd(3)}).status_code == 404
    )
    client.force_login(city_commander)
    page = client.get("/diagnostics/unmatched/")
    assert b"HN-0001" in page.content
    answer = client.post(f"/diagnostics/unmatched/{item.pk}/match/", {"cccd": "001080111111"})
    assert answer.status_code == 302 and not Sample.objects.exists()
    # The laboratory sent another CCCD: matching needs the officer to say the laboratory's was wrong.
    client.post(f"/diagnostics/unmatched/{item.pk}/match/", {"cccd": resident_cccd(3)})
    assert not Sample.objects.exists()
    confirmed = {"cccd": resident_cccd(3), "lab_cccd_wrong": "on"}
    client.post(f"/diagnostics/unmatched/{item.pk}/match/", confirmed)
    sample = Sample.objects.get(code="HN-0001")
    assert sample.person_id == person.pk and sample.path == person.unit_path
    item.refresh_from_db()
    assert item.status == "matched" and item.sample_id == sample.pk
    assert f'id="unmatched-{item.pk}"'.encode() not in client.get("/diagnostics/unmatched/").content


def test_the_city_dismisses_an_unmatched_result_once(
    client: Any, lab_tech_cdc: Any, city_commander: Any, lab_cdc: Any
) -> None:
    import_file(lab_tech_cdc, csv_bytes([row("HN-0001", "")]))
    item = UnmatchedResult.objects.get()
    client.force_login(city_commander)
    client.post(f"/diagnostics/unmatched/{item.pk}/dismiss/")
    item.refresh_from_db()
    assert item.status == "dismissed"
    again = client.post(f"/diagnostics/unmatched/{item.pk}/dismiss/", follow=True)
    assert b"already been matched or dismissed" in again.content


def test_the_queue_is_not_for_lab_technicians_or_other_cities(client: Any, lab_tech_cdc: Any) -> None:
    client.force_login(lab_tech_cdc)
    assert client.get("/diagnostics/unmatched/").status_code == 403


def test_the_queue_page_issues_a_bounded_number_of_queries(
    client: Any, lab_tech_cdc: Any, city_commander: Any, lab_cdc: Any, django_assert_max_num_queries: Any
) -> None:
    import_file(lab_tech_cdc, csv_bytes([row(f"HN-{n:04d}", "") for n in range(30)]))
    client.force_login(city_commander)
    with django_assert_max_num_queries(12):
        assert client.get("/diagnostics/unmatched/").status_code == 200


def test_a_job_of_another_kind_is_404_through_the_lab_import_pages_and_api(
    client: Any, lab_tech_cdc: Any
) -> None:
    """The pages and API are shared with the dose import (core.bulk): each answers for its own kind only."""
    job = import_file(lab_tech_cdc, csv_bytes([row("HN-0001", "001080123456")]))
    client.force_login(lab_tech_cdc)
    urls = (f"/api/v1/diagnostics/imports/{job.pk}", f"/api/v1/diagnostics/imports/{job.pk}/report",
            f"/diagnostics/imports/{job.pk}/")  # fmt: skip
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    assert job.pk in [entry["id"] for entry in client.get("/api/v1/diagnostics/imports").json()]
    ImportJob.objects.filter(pk=job.pk).update(kind=ImportJob.Kind.DOSES)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert job.pk not in [entry["id"] for entry in client.get("/api/v1/diagnostics/imports").json()]
