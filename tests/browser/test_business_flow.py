"""A business submits its COVID-safety plan in a real browser; the district approves it with conditions."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from phaodai.business import services


def in_vietnamese(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


@pytest.fixture
def factory(unit, ward_officer_bo_de, business_rep_bo_de):
    """A Bồ Đề garment factory, registered by the ward, represented by business_rep_bo_de."""
    business = services.register_business(
        by=ward_officer_bo_de,
        tax_code="0100112437",
        name="Công ty May Bồ Đề",
        kind="factory",
        sector="factory",
        address="Số 1 phố Bồ Đề",
        unit=unit("00139"),
        workforce=150,
    )
    services.add_representative(by=ward_officer_bo_de, business=business, user=business_rep_bo_de)
    return business


def test_a_business_submits_its_plan_and_the_district_approves_it(
    page, new_page, sign_in, business_rep_bo_de, district_officer_long_bien, factory
):
    # the representative signs in and lands on their businesses
    sign_in(business_rep_bo_de)
    expect(page).to_have_url(re.compile(r"/business/mine/$"))
    card = page.locator(f"[data-business='{factory.tax_code}']")
    expect(card).to_contain_text("Công ty May Bồ Đề")
    with page.expect_navigation():
        card.get_by_role("link", name="Công ty May Bồ Đề").click()

    # drafts the plan: 120 people on site, "3 on site"
    with page.expect_navigation():
        page.locator("#plans").get_by_role("link", name=in_vietnamese("Draft a plan")).click()
    page.locator("#id_mode").select_option("3_tai_cho")
    page.locator("#id_people_on_site").fill("120")
    page.locator("#id_shifts").fill("2")
    page.locator("#id_measures").fill("Ăn, nghỉ tại chỗ; xét nghiệm 7 ngày/lần; khai báo y tế bằng mã QR.")
    page.locator("#id_responsible_person").fill("Trần Thị Bình")
    page.locator("#id_responsible_phone").fill("0912 345 678")
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Save the draft")).click()
    expect(page.locator("#summary [data-status]")).to_have_attribute("data-status", "draft")

    # and submits it: Long Biên decides a plan for 120 people
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Submit for approval")).click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Long Biên")
    expect(page.locator("#summary [data-status]")).to_have_attribute("data-status", "submitted")

    # the district officer finds it on the desk and approves it with conditions
    district = new_page()
    sign_in(district_officer_long_bien, on=district)
    district.goto("/business/plans/desk/")
    row = district.locator("#desk tr[data-plan]")
    expect(row).to_have_count(1)
    with district.expect_navigation():
        row.get_by_role("link", name="Công ty May Bồ Đề").click()
    approve = district.locator("#decide-approve")
    approve.locator("#id_approve_conditions").fill(
        "Tối đa 100 người tại chỗ; xét nghiệm toàn bộ công nhân 7 ngày/lần."
    )
    with district.expect_navigation():
        approve.get_by_role("button").click()
    expect(district.locator("#summary [data-status]")).to_have_attribute("data-status", "approved")
    expect(district.locator("#conditions")).to_contain_text("Tối đa 100 người tại chỗ")

    # the representative reads the approval and its conditions
    page.reload()
    expect(page.locator("#summary [data-status]")).to_have_attribute("data-status", "approved")
    expect(page.locator("#conditions")).to_contain_text("Tối đa 100 người tại chỗ")
    expect(page.locator("#timeline li[data-to]")).to_have_count(3)
