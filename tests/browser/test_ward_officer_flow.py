"""The ward officer's day in a real browser: their ward's areas and persons, and nothing beyond."""

from datetime import date

import pytest
from django.utils import translation
from playwright.sync_api import expect

from phaodai.people import services as people
from phaodai.territory import services as territory
from phaodai.territory.rules import AreaRow


def in_vietnamese(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


@pytest.fixture
def two_wards(unit, city_commander):
    """Bồ Đề (Long Biên) and Phúc Xá (Ba Đình), each with an area and a resident."""
    bo_de_area = territory.bulk_create_areas(
        ward=unit("00139"), rows=[AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310)]
    )[0]
    phuc_xa_area = territory.bulk_create_areas(
        ward=unit("00001"), rows=[AreaRow("TDP01", "Tổ 1 Phúc Xá", "to_dan_pho", 500, 120)]
    )[0]
    an = people.register_person(
        by=city_commander, cccd="001085012345", full_name="Nguyễn Văn An", birth_date=date(1985, 3, 2),
        sex="M", phone="0912345678", residence_area=bo_de_area,
    )  # fmt: skip
    binh = people.register_person(
        by=city_commander, cccd="001190054321", full_name="Trần Thị Bình", birth_date=date(1990, 7, 15),
        sex="F", phone="0987654321", residence_area=phuc_xa_area,
    )  # fmt: skip
    return {"an": an, "binh": binh}


def test_ward_officer_works_in_their_ward_and_nowhere_else(page, sign_in, ward_officer_bo_de, two_wards):
    sign_in(ward_officer_bo_de)

    # browses city → Long Biên → Bồ Đề and finds the ward's area, editable
    page.goto("/territory/")
    page.get_by_role("link", name="Long Biên", exact=True).click()
    page.get_by_role("link", name="Bồ Đề", exact=True).click()
    expect(page.locator("main h1")).to_have_text("Phường Bồ Đề")
    area_row = page.locator("tr", has_text="Tổ dân phố 1")
    expect(area_row).to_contain_text("1.200")
    area_row.get_by_role("link", name=in_vietnamese("Edit")).click()

    # corrects the area's population through the form
    page.locator("input[name=population]").fill("1250")
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Save")).click()
    expect(page.locator("tr", has_text="Tổ dân phố 1")).to_contain_text("1.250")

    # finds a resident of the ward by name typed without diacritics
    page.locator("header nav").get_by_role("link", name=in_vietnamese("Persons")).click()
    page.locator("#id_q").fill("nguyen van an")
    result = page.locator("#results").get_by_role("link", name="Nguyễn Văn An")
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("main")).to_contain_text("Nguyễn Văn An")
    expect(page.locator("main")).not_to_contain_text("001085012345")

    # a resident of another ward does not show up in a search…
    page.goto("/people/")
    page.locator("#id_q").fill("tran thi binh")
    nobody = in_vietnamese("No person in your area matches this name.")
    expect(page.locator("#results")).to_contain_text(nobody)

    # …nor by opening their page directly
    response = page.goto(f"/people/{two_wards['binh'].pk}/")
    assert response is not None and response.status == 404

    # another ward's areas are public to read, but offer no editing, and editing by URL is refused
    page.goto("/territory/00001/")
    expect(page.locator("main")).to_contain_text("Tổ 1 Phúc Xá")
    expect(page.locator("main").get_by_role("link", name=in_vietnamese("Edit"))).to_have_count(0)
    response = page.goto("/territory/00001/areas/TDP01/edit/")
    assert response is not None and response.status == 404
