"""A resident asks, without signing in: can I eat in a restaurant in Bồ Đề on 10/9/2021?"""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from phaodai.demo.scenarios import long_bien_2021_09
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning

from .conftest import PHONE


def in_vietnamese(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


@pytest.fixture
def long_bien(page):
    """The Long Biên scenario of September 2021, written for the live server."""
    return long_bien_2021_09(write=lambda _line: None)


def test_a_resident_finds_an_area_of_bo_de_and_reads_that_dine_in_is_not_allowed(page, long_bien):
    area = territory.area_by_code(long_bien.changed_area)
    assert area is not None

    # searches the public page for "bo de", typed without diacritics
    page.goto("/public/")
    page.locator("#place-search").fill("bo de")
    page.locator("#results").get_by_role("link", name="Phường Bồ Đề", exact=True).click()
    expect(page.locator("main h1")).to_have_text("Phường Bồ Đề")

    # opens one of the ward's areas
    page.locator("main table").get_by_role("link", name=area.name, exact=True).click()
    expect(page.locator("main h1")).to_contain_text(area.name)

    # sets the date to 10/09/2021
    page.locator("#id_date").fill("2021-09-10")
    page.locator("#id_time").fill("12:00")
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Show")).click()
    expect(page.locator("#in-force")).to_contain_text("10/09/2021")

    # and reads that eating in a restaurant is not allowed
    dine_in = page.locator("#activity-dine_in")
    expect(dine_in).to_contain_text(in_vietnamese("Not allowed"))
    expect(dine_in).to_have_attribute("data-status", "forbidden")


def test_the_map_on_a_phone_links_each_ward_tile_to_its_page(new_page, long_bien):
    phone = new_page(viewport=PHONE)
    phone.goto("/public/map/?at=2021-09-10")

    table = zoning.published_table("LB-2021-09")
    assert table is not None
    kv1 = zoning.levels_of(table).get(code="KV1")
    tile = phone.locator('a.wtile[data-ward="00139"]')
    expect(tile).to_have_attribute("aria-label", f"Bồ Đề: {kv1.name}")  # its riskiest area is at KV1
    expect(tile).to_have_text("KV1")
    expect(phone.locator("a.wtile")).to_have_count(579)
    tile.click()
    expect(phone.locator("main h1")).to_have_text("Phường Bồ Đề")
    assert "at=2021-09-10T12:00" in phone.url
