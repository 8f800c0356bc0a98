"""Printing a tổ dân phố's market-pass sheet (issue #8, acceptance) in Chromium.

A ward officer of Bồ Đề opens the scheme "every 3 days" from the schemes list, runs the allocation,
sees the run (passes, the household left out for want of a representative) and prints Tổ dân phố
1's sheet: the PDF downloads, holds one card (with its QR) per pass of the area's households, and the
passes are now signed `PD1:` codes, kept by the next allocation run.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from phaodai.markets.models import MarketPass
from phaodai.markets.tests.registry_world import build_registry_world


@pytest.fixture
def world(city_commander: Any, ward_officer_bo_de: Any) -> Any:
    return build_registry_world(city=city_commander, ward_officer=ward_officer_bo_de, households=3)


def test_a_ward_officer_allocates_and_prints_a_to_dan_pho_sheet(
    world: Any, ward_officer_bo_de: Any, sign_in: Any, tmp_path: Path
) -> None:
    page = sign_in(ward_officer_bo_de)
    page.goto("/markets/schemes/")
    page.get_by_role("link", name=world.scheme.name).click()
    expect(page.locator("h1")).to_have_text(world.scheme.name)

    page.locator("form[action$='/allocate/'] button[type=submit]").click()
    run = page.locator("#allocation-run")
    expect(run).to_be_visible()
    expect(run.locator("summary")).to_contain_text("1")  # the household without a representative

    passes = MarketPass.objects.filter(scheme=world.scheme, area=world.area)
    expected = passes.count()
    assert expected > 0 and set(passes.values_list("household_id", flat=True)) == {
        world.households[0].pk,
        world.households[1].pk,
    }
    with page.expect_download() as download_info:
        run.locator("button[data-area='00139-TDP01']").click()
    download = download_info.value
    assert download.suggested_filename.endswith("00139-TDP01.pdf")
    saved = tmp_path / "sheet.pdf"
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Subtype /Image") == expected  # one card, with its QR, per pass
    assert not passes.filter(pass_code="").exists()
    assert all(code.startswith("PD1:") for code in passes.values_list("pass_code", flat=True))

    page.reload()
    expect(page.locator("#allocation-run")).to_contain_text(str(expected))
