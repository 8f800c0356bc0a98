"""Public pages and API: published hotlines by district and ward, published commendations; nothing private."""

import pytest

from phaodai.command import services
from phaodai.command.tests.test_bodies_services import both_bodies, commend, hotline
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db
MEMBER_PHONE = "0912345678"  # both_bodies seats members with this mobile
DUTY_PHONE = "0987654321"


@pytest.fixture
def published(unit, city_commander, district_officer_long_bien, ward_officer_bo_de, ward_officer_phuc_xa):
    """Hotlines of the city, Long Biên, Bồ Đề (one unpublished), Phúc Xá; Bồ Đề's bodies and a duty shift."""
    hotline(city_commander, unit("01"), number="024 3999 0001", label="Đường dây nóng Thành phố",
            label_en="City hotline")  # fmt: skip
    hotline(
        district_officer_long_bien, unit("004"), number="024 3999 0004", label="Đường dây nóng quận Long Biên"
    )
    hotline(ward_officer_bo_de, unit("00139"), number="024 3999 0139", label="Đường dây nóng phường Bồ Đề")
    hotline(ward_officer_bo_de, unit("00139"), number="024 3999 9999", label="Nội bộ", published=False)
    hotline(
        ward_officer_phuc_xa, unit("00001"), number="024 3999 0011", label="Đường dây nóng phường Phúc Xá"
    )
    both_bodies(ward_officer_bo_de, unit("00139"))
    services.add_duty_shift(
        by=ward_officer_bo_de, unit=unit("00139"), full_name="Lê Thị Duyên", phone=DUTY_PHONE,
        starts_at=hanoi(2021, 9, 6, 7), ends_at=hanoi(2021, 9, 6, 19),
    )  # fmt: skip


def assert_nothing_private(text):
    for private in ("024 3999 9999", "02439999999", "Nội bộ", MEMBER_PHONE, "0912 345 678", DUTY_PHONE,
                    "0987 654 321", "Lê Thị Duyên"):  # fmt: skip
        assert private not in text


def test_the_hotline_page_lists_the_city_and_districts_to_anyone(
    client, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        page = client.get("/public/hotlines/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "024 3999 0001" in text and "City hotline" in text and "024 3999 0004" in text
    assert "024 3999 0139" not in text  # wards show once a district is chosen or a name searched
    assert_nothing_private(text)


def test_a_search_without_diacritics_finds_the_ward_and_the_units_above_it(
    client, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        text = client.get("/public/hotlines/", {"q": "bo de"}).content.decode()
    assert text.index('id="h-01"') < text.index('id="h-004"') < text.index('id="h-00139"')  # city first
    assert "024 3999 0139" in text and "024 3999 0004" in text and "024 3999 0001" in text
    assert "024 3999 0011" not in text  # Phúc Xá is another district's ward
    assert_nothing_private(text)
    assert "No published hotline for “xyz”." in client.get("/public/hotlines/", {"q": "xyz"}).content.decode()


def test_a_district_shows_its_wards_and_htmx_gets_only_the_results(
    client, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        text = client.get("/public/hotlines/", {"district": "004"}).content.decode()
    assert "024 3999 0139" in text and "024 3999 0011" not in text
    partial = client.get(
        "/public/hotlines/", {"q": "phuc xa"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.startswith('<div id="hotline-groups">') and "024 3999 0011" in partial
    assert client.get("/public/hotlines/", {"district": "999"}).status_code == 200


def test_the_public_unit_and_area_pages_show_the_places_hotlines(client, unit, published, city_commander):
    from phaodai.territory import services as territory
    from phaodai.territory.rules import AreaRow

    ward_page = client.get("/public/units/00139/").content.decode()
    assert "024 3999 0139" in ward_page and "024 3999 0004" in ward_page and "024 3999 0001" in ward_page
    assert_nothing_private(ward_page)
    district_page = client.get("/public/units/004/").content.decode()
    assert "024 3999 0004" in district_page and "024 3999 0139" not in district_page
    territory.bulk_create_areas(
        ward=unit("00139"), rows=[AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 900, 250)]
    )
    area_page = client.get("/public/areas/00139-TDP01/").content.decode()
    assert "024 3999 0139" in area_page and "024 3999 0004" in area_page
    assert_nothing_private(area_page)


def test_the_public_hotline_api_returns_the_unit_and_its_ancestors_published_lines(client, published):
    found = client.get("/api/v1/public/hotlines", {"unit": "00139"})
    assert found.status_code == 200
    assert [(h["unit"], h["display"]) for h in found.json()] == [
        ("00139", "024 3999 0139"), ("004", "024 3999 0004"), ("01", "024 3999 0001"),
    ]  # fmt: skip
    assert found.json()[0] == {
        "unit": "00139", "unit_name": "Phường Bồ Đề", "label": "Đường dây nóng phường Bồ Đề", "label_en": "",
        "number": "02439990139", "display": "024 3999 0139", "always_open": True, "hours": "",
    }  # fmt: skip
    assert_nothing_private(found.content.decode())
    assert client.get("/api/v1/public/hotlines", {"unit": "99999"}).status_code == 404
    assert client.get("/api/v1/public/hotlines").status_code == 422


def test_only_published_commendations_are_public_filtered_by_district_and_year(
    client, unit, district_officer_long_bien, ward_officer_phuc_xa
):
    shown = commend(district_officer_long_bien, unit("00139"), published=True)
    commend(district_officer_long_bien, unit("00133"), recipient="Trạm Y tế phường Ngọc Lâm")  # not published
    commend(ward_officer_phuc_xa, unit("00001"), recipient="Công an phường Phúc Xá", published=True)
    text = client.get("/public/commendations/").content.decode()
    assert "Tổ Covid cộng đồng tổ dân phố 5" in text and "Công an phường Phúc Xá" in text
    assert "Trạm Y tế phường Ngọc Lâm" not in text
    long_bien = client.get("/public/commendations/", {"district": "004", "year": "2021"}).content.decode()
    assert "Tổ Covid cộng đồng" in long_bien and "Phúc Xá" not in long_bien
    assert "Tổ Covid" not in client.get("/public/commendations/", {"year": "2020"}).content.decode()
    api = client.get("/api/v1/public/commendations", {"district": "004"}).json()
    assert [c["id"] for c in api] == [shown.pk] and api[0]["decision_date"] == "2021-09-30"
    assert len(client.get("/api/v1/public/commendations").json()) == 2
    assert client.get("/api/v1/public/commendations", {"district": "999"}).status_code == 404
    assert client.get("/api/v1/public/commendations", {"year": 99999}).status_code == 422
