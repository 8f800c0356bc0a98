"""Acceptance (issue #3): "can I eat in a restaurant in Bồ Đề on 10/9/2021?" — no, in every area of it."""

import re

from django.utils import translation

from phaodai.demo.scenarios import BO_DE


def dine_in_row(response) -> str:
    page = re.sub(r"\s+", " ", response.content.decode())
    match = re.search(r'<li id="activity-dine_in" data-status="(\w+)">(.*?)</li>', page)
    assert match, "the page has no dine-in row"
    return match.group(1) + " " + match.group(2)


def test_the_api_says_dine_in_is_forbidden_in_every_bo_de_area_on_10_september(client, scenario, bo_de_areas):
    assert len(bo_de_areas) > 1
    levels = set()
    for area in bo_de_areas:
        body = client.get(f"/api/v1/public/areas/{area.code}/regime", {"at": "2021-09-10"}).json()
        dine_in = next(a for a in body["activities"] if a["code"] == "dine_in")
        assert dine_in["status"] == "forbidden", (area.code, body["regime"])
        assert dine_in["basis"]
        levels.add(body["level"])
    assert levels == {"KV1", "KV2", "KV3"}  # whatever the area's level


def test_the_page_says_dine_in_is_not_allowed_in_every_bo_de_area_on_10_september(
    client, scenario, bo_de_areas
):
    for area in bo_de_areas:
        row = dine_in_row(client.get(f"/public/areas/{area.code}/", {"date": "2021-09-10"}))
        assert row.startswith("forbidden ")
        assert "Not allowed" in row


def test_in_vietnamese_the_ward_and_an_area_say_not_allowed(vietnamese_client, scenario):
    with translation.override("vi"):
        not_allowed = translation.gettext("Not allowed")
    ward = vietnamese_client.get(f"/public/units/{BO_DE}/", {"at": "2021-09-10"})
    area = vietnamese_client.get(f"/public/areas/{scenario.changed_area}/", {"at": "2021-09-10T19:30"})

    for response in (ward, area):
        assert response.status_code == 200
        assert not_allowed in dine_in_row(response)
