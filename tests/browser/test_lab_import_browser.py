"""A lab technician imports a results file in a real browser: the job page polls its progress until
the import is done, shows the counts, and the rejected rows download as CSV."""

import functools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from phaodai.core.bulk import runner
from phaodai.diagnostics import lab_import, services_imports
from phaodai.diagnostics.models import Lab
from phaodai.territory.models import Unit

HEADER = "sample_code,cccd,full_name,collected_at,resulted_at,method,result,lab\r\n"


def results_file(rows: int) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        cccd = "1.08012E+11" if n % 50 == 49 else f"001080{n:06d}"
        lines.append(
            f"HN-{n:05d},{cccd},Nguyễn Văn An,10/09/2021 08:00,11/09/2021 09:30,pcr,âm tính,CDC-HN\r\n"
        )
    return "".join(lines).encode()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> Iterator[list[int]]:
    """Uploads are queued here instead of the task queue; the test runs them itself."""
    settings.VAR_DIR = tmp_path
    jobs: list[int] = []
    monkeypatch.setattr(
        services_imports,
        "start_import",
        functools.partial(services_imports.start_import, enqueue=jobs.append),
    )
    monkeypatch.setattr(lab_import, "announce", lambda ids, *, clock: None)
    yield jobs


def test_a_lab_technician_watches_an_import_finish_and_downloads_its_report(
    page: Any, sign_in: Any, lab_tech_cdc: Any, queued: list[int], tmp_path: Path
) -> None:
    city = Unit.objects.get(code="01")
    Lab.objects.create(code="CDC-HN", name="CDC Hà Nội", unit=city, path=city.path)
    sign_in(lab_tech_cdc)

    # uploads a file of 400 results, 8 of them with a CCCD Excel turned into 1.23457E+11
    page.goto("/diagnostics/imports/new/")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "ket-qua.csv", "mimeType": "text/csv", "buffer": results_file(400)}],
    )
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    progress = page.locator("#import-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    expect(progress).to_have_attribute("hx-trigger", "every 2s")

    # the import runs in the background; the page polls until it is done
    worker = threading.Thread(
        target=runner.run, args=(queued[0], lab_import.LabResultImport()), kwargs={"batch_size": 50}
    )
    worker.start()
    worker.join(timeout=60)
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "done", timeout=20_000)
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")
    expect(page.locator("[data-count=rows]")).to_have_text("400")
    expect(page.locator("[data-count=unmatched]")).to_have_text("392")
    expect(page.locator("[data-count=rejected]")).to_have_text("8")
    expect(page.locator("#import-progress")).not_to_have_attribute("hx-trigger", "every 2s")

    # downloads the report: row, column and reason of each rejected row, never the value
    with page.expect_download() as download:
        page.locator("#report-link").click()
    saved = tmp_path / "report.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,column,reason,message"
    assert [line.split(",")[:3] for line in lines[1:]] == [
        [str(n + 2), "cccd", "cccd_scientific"] for n in range(49, 400, 50)
    ]
    assert "1.08012" not in saved.read_text(encoding="utf-8-sig")
