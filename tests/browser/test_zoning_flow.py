"""A ward officer proposes levels for the ward's areas; the district officer decides (S4, S5)."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from phaodai.zoning import selectors
from phaodai.zoning.models import Proposal
from phaodai.zoning.tests.test_services import (
    DISTRICT_REASON,
    WARD_REASON,
    assigned,
    build_scene,
    from_now,
)


def in_vietnamese(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


def status_label(status: str) -> str:
    with translation.override("vi"):
        return str(Proposal.Status(status).label)


@pytest.fixture
def scene(unit, ward_officer_bo_de, district_officer_long_bien):
    """Long Biên asks its wards to classify under LB-2021-09; Bồ Đề has observed its areas."""
    return build_scene(unit, ward_officer_bo_de, district_officer_long_bien, from_now())


def test_a_ward_proposes_and_the_district_decides(page, new_page, sign_in, scene):
    # the ward officer of Bồ Đề opens the ward's proposal from the zoning desk
    sign_in(scene.ward)
    page.goto("/zoning/")
    page.locator("#proposals").get_by_role("link", name="Phường Bồ Đề").click()
    expect(page.locator("main h1")).to_contain_text("Phường Bồ Đề")

    # classifies: each area gets the table's suggestion with the row that matched and the values read
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Classify"), exact=True).click()
    expect(page.locator("#item-00139-TDP01")).to_contain_text("KV1-1")
    expect(page.locator("#item-00139-TDP01 .why")).to_contain_text("lockdown_active = True")
    row = page.locator("#item-00139-TDP03")
    expect(row.locator("select")).to_have_value("KV3")

    # raising an area without a justification is refused in its row; with one, it is saved in place
    row.locator("select").select_option("KV2")
    row.get_by_role("button", name=in_vietnamese("Save")).click()
    expect(page.locator("#item-00139-TDP03 .errorlist")).to_be_visible()
    expect(page.locator("#item-00139-TDP03 select")).to_have_value("KV2")
    page.locator("#item-00139-TDP03 textarea").fill(WARD_REASON)
    page.locator("#item-00139-TDP03").get_by_role("button", name=in_vietnamese("Save")).click()
    expect(page.locator("#item-00139-TDP03 .saved")).to_be_visible()
    expect(page.locator("#item-00139-TDP03")).to_have_class("changed")

    # submits the version on screen (kept current by the row's save)
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Submit to the district")).click()
    expect(page.locator("#summary")).to_contain_text(status_label("submitted"))
    expect(page.locator("#items select")).to_have_count(0)

    # the district officer of Long Biên sees Bồ Đề submitted in the round
    district = new_page()
    sign_in(scene.district, on=district)
    district.goto("/zoning/")
    district.locator("#rounds").get_by_role("link", name=scene.round.title).click()
    bo_de = district.locator("#wards tr[data-ward='00139']")
    expect(bo_de).to_contain_text(status_label("submitted"))
    bo_de.get_by_role("link", name="Phường Bồ Đề").click()

    # reads the ward's justification, raises another area with a reason and decides
    expect(district.locator("#item-00139-TDP03 .justification")).to_contain_text(WARD_REASON)
    district.locator("select[name='level__00139-TDP02']").select_option("KV1")
    district.locator("input[name='reason__00139-TDP02']").fill(DISTRICT_REASON)
    district.locator("#id_number").fill("2451/QĐ-UBND")
    district.locator("#id_signatory").fill("Chủ tịch UBND quận Long Biên")
    with district.expect_navigation():
        district.get_by_role("button", name=in_vietnamese("Issue the decision")).click()

    # the page shows the decision, and the proposal is locked
    expect(district.locator("#decision")).to_contain_text("2451/QĐ-UBND")
    expect(district.locator("#decision")).to_contain_text("Chủ tịch UBND quận Long Biên")
    expect(district.locator("#item-00139-TDP02 .decided")).to_contain_text("KV1")
    expect(district.locator("#item-00139-TDP02 .decided")).to_contain_text(DISTRICT_REASON)
    expect(district.locator("#items select")).to_have_count(0)
    expect(district.get_by_role("button", name=in_vietnamese("Issue the decision"))).to_have_count(0)
    expect(district.get_by_role("button", name=in_vietnamese("Return to the ward"))).to_have_count(0)
    page.reload()
    expect(page.locator("#decision")).to_contain_text("2451/QĐ-UBND")
    expect(page.get_by_role("button", name=in_vietnamese("Classify again"))).to_have_count(0)

    decision = selectors.decision_of(scene.refresh())
    assert decision is not None and decision.effective_at == scene.round.effective_at
    levels = {code: level for code, (level, _regime, _reason) in assigned(decision).items()}
    assert levels == {"TDP01": "KV1", "TDP02": "KV1", "TDP03": "KV2", "CC01": "KV3"}
