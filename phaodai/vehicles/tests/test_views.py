"""The vehicle pages: lists (bounded queries, htmx), forms with messages beside fields, decisions, card."""

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.core.clock import hanoi
from phaodai.vehicles import services
from phaodai.vehicles.models import GreenLane, Shipper, TransitTrip
from phaodai.vehicles.tests.conftest import CLOCK, NOW, shipper_fields, transit_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def green_form(**overrides: Any) -> dict[str, Any]:
    values = {
        "unit": "004", "plate": "29C-123.45", "operator": "Công ty CP Vận tải Hà Nội", "cargo": "Rau củ",
        "route": "QL6 → Long Biên", "valid_from": "14/09/2021", "valid_to": "30/09/2021", "token": "tok-1",
    }  # fmt: skip
    values.update(overrides)
    return values


def test_the_green_lane_list_is_scoped_and_bounded(
    client: Any, register: Any, district_officer_long_bien: Any, checkpoint_officer_ql6: Any,
    ward_officer_bo_de: Any, django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    for n in range(30):
        register(plate=f"29C-{10000 + n}")
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(12):
        page = client.get("/vehicles/?q=")
    assert page.status_code == 200 and page.content.decode().count("LX-") == 30
    htmx = client.get("/vehicles/?q=29C10005", headers={"HX-Request": "true"})
    assert (
        htmx.status_code == 200
        and "<html" not in htmx.content.decode()
        and "29C-100.05" in htmx.content.decode()
    )
    assert client.get("/vehicles/?before=%C2%B2").status_code == 200  # "²": no cursor, not a crash
    client.force_login(checkpoint_officer_ql6)
    assert "LX-" not in client.get("/vehicles/").content.decode()
    client.force_login(ward_officer_bo_de)
    assert client.get("/vehicles/").status_code == 403


def test_registering_shows_errors_beside_fields_and_a_double_submit_registers_once(
    client: Any, district_officer_long_bien: Any
) -> None:
    client.force_login(district_officer_long_bien)
    assert client.get("/vehicles/green-lane/new/").status_code == 200
    bad = client.post("/vehicles/green-lane/new/", green_form(plate="ABC"))
    assert (
        bad.status_code == 422
        and "29C-123.45" in bad.content.decode()
        and 'id="id_plate-errors"' in bad.content.decode()
    )
    far = client.post("/vehicles/green-lane/new/", green_form(valid_from="14/12/2021", valid_to="10/01/2022"))
    assert far.status_code == 422 and 'id="id_valid_from-errors"' in far.content.decode()
    assert "within 90 days" in far.content.decode()
    first = client.post("/vehicles/green-lane/new/", green_form())
    second = client.post("/vehicles/green-lane/new/", green_form())
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert GreenLane.objects.count() == 1


def test_approve_then_print_the_card_then_revoke(
    client: Any, register: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    registration = register()
    client.force_login(district_officer_long_bien)
    url = f"/vehicles/green-lane/{registration.pk}/"
    assert "Approve" in client.get(url).content.decode()
    assert client.get(url + "card.pdf").status_code == 302  # not approved yet: no card
    client.post(url + "decide/", {"action": "approve", "version": 1})
    page = client.get(url).content.decode()
    assert "<svg" in page and "Approved" in page
    card = client.get(url + "card.pdf")
    assert (
        card.status_code == 200 and card["Content-Type"] == "application/pdf" and card.content[:4] == b"%PDF"
    )
    stale = client.post(url + "revoke/", {"version": 1, "note": "x"}, follow=True)
    assert "changed by someone else" in stale.content.decode()
    client.post(url + "revoke/", {"version": 2, "note": "Hết hạn hợp đồng"})
    registration.refresh_from_db()
    assert registration.status == "revoked"


def test_a_fleet_upload_lists_the_rows_not_registered(client: Any, district_officer_long_bien: Any) -> None:
    client.force_login(district_officer_long_bien)
    content = (
        "Biển số,Hàng hóa,Lộ trình,Từ ngày,Đến ngày\n"
        "29C-123.45,Gạo,QL1,14/09/2021,30/09/2021\n"
        "XYZ,Gạo,QL1,14/09/2021,30/09/2021\n"
    )
    upload = SimpleUploadedFile("doi-xe.csv", content.encode(), content_type="text/csv")
    page = client.post(
        "/vehicles/green-lane/import/", {"unit": "004", "operator": "Công ty A", "file": upload}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "1 vehicle registered" in text and "not a Vietnamese plate" in text
    assert GreenLane.objects.get().batch == "doi-xe.csv"


def test_transit_pages_show_the_overdue_vehicle_and_where_it_entered(
    client: Any, district_officer_long_bien: Any, unit: Any, signing_key: Any, gateway: Any, cross: Any
) -> None:
    client.force_login(district_officer_long_bien)
    form = {
        "unit": "004", "plate": "51D-678.90", "from_province": "Hòa Bình", "to_province": "Bắc Ninh",
        "entry_checkpoint": "CN-06", "valid_from": "2021-09-14T06:00", "valid_to": "2021-09-15T06:00",
        "expected_hours": "2", "token": "t1",
    }  # fmt: skip
    created = client.post("/vehicles/transit/new/", form)
    assert created.status_code == 302
    bad = client.post("/vehicles/transit/new/", {**form, "entry_checkpoint": "XX-99", "token": "t2"})
    assert bad.status_code == 422 and "No checkpoint has this code" in bad.content.decode()
    cross(gateway, "51D-678.90", hanoi(2021, 9, 14, 6, 30), "in")
    overdue = client.get("/vehicles/transit/overdue/").content.decode()
    assert "51D-678.90" in overdue and "Chốt cửa ngõ QL6 Yên Nghĩa" in overdue
    trip = TransitTrip.objects.get()
    detail = client.get(f"/vehicles/transit/{trip.pk}/").content.decode()
    assert "Overdue" in detail and "<svg" in detail
    assert client.get("/vehicles/transit/?q=51D").status_code == 200


def test_shipper_pages_never_show_the_full_cccd(
    client: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    client.force_login(district_officer_long_bien)
    form = {
        **shipper_fields(),
        "unit": "004",
        "valid_from": "10/09/2021",
        "valid_to": "09/10/2021",
        "token": "s",
    }
    created = client.post("/vehicles/shippers/new/", form)
    assert created.status_code == 302
    shipper = Shipper.objects.get()
    page = client.get(f"/vehicles/shippers/{shipper.pk}/").content.decode()
    assert "001095012345" not in page and "*********345" in page and "06:00–18:00" in page
    assert "Phạm Minh Tuấn" in client.get("/vehicles/shippers/").content.decode()
    bad = client.post("/vehicles/shippers/new/", {**form, "hours_start": "25:00"})
    assert bad.status_code == 422 and "HH:MM" in bad.content.decode()


def test_the_check_page_answers_for_a_checkpoint_the_officer_reaches(
    client: Any,
    checkpoint_officer_ql6: Any,
    district_officer_long_bien: Any,
    register: Any,
    signing_key: Any,
    gateway: Any,
    exit_gateway: Any,
) -> None:
    services.approve_green_lane(by=district_officer_long_bien, registration=register(), clock=CLOCK)
    client.force_login(checkpoint_officer_ql6)
    answer = client.get(
        f"/vehicles/check/?plate=29C-123.45&checkpoint={gateway.pk}", headers={"HX-Request": "true"}
    )
    assert (
        answer.status_code == 200
        and "Allowed" in answer.content.decode()
        and "<html" not in answer.content.decode()
    )
    denied = client.get(f"/vehicles/check/?plate=30A-111.11&checkpoint={gateway.pk}").content.decode()
    assert "Unknown vehicle" in denied
    # Long Biên's gateway is out of the reach of Hà Đông's officer
    assert client.get(f"/vehicles/check/?plate=29C-123.45&checkpoint={exit_gateway.pk}").status_code == 404
    assert client.get("/vehicles/check/?plate=29C-123.45&checkpoint=x").status_code == 422
    assert client.get("/vehicles/check/?plate=29C-123.45&checkpoint=%C2%B2").status_code == 422  # "²"


def test_pages_are_vietnamese_first(vietnamese_client: Any, district_officer_long_bien: Any) -> None:
    vietnamese_client.force_login(district_officer_long_bien)
    response = vietnamese_client.get("/vehicles/transit/overdue/")
    assert response.status_code == 200 and response["Content-Language"] == "vi"


def test_transit_registration_is_idempotent_on_the_form_token(
    client: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    client.force_login(district_officer_long_bien)
    form = {
        **transit_fields(),
        "unit": "004",
        "valid_from": "2021-09-14T06:00",
        "valid_to": "2021-09-15T06:00",
        "token": "same",
    }
    client.post("/vehicles/transit/new/", form)
    client.post("/vehicles/transit/new/", form)
    assert TransitTrip.objects.count() == 1


def test_transit_pages_issue_a_bounded_number_of_queries(
    client: Any, district_officer_long_bien: Any, unit: Any, gateway: Any, django_assert_max_num_queries: Any
) -> None:
    TransitTrip.objects.bulk_create(
        TransitTrip(
            unit=unit("004"),
            unit_path="/01/004/",
            plate=f"29C{20000 + n}",
            from_province="Hòa Bình",
            to_province="Bắc Ninh",
            entry_checkpoint=gateway,
            valid_from=hanoi(2021, 9, 14, 0),
            valid_to=hanoi(2021, 9, 15, 0),
            expected_hours=4,
            status="approved",
            created_by=district_officer_long_bien,
        )
        for n in range(40)
    )
    client.force_login(district_officer_long_bien)
    for url in ("/vehicles/transit/", "/vehicles/transit/overdue/", "/vehicles/shippers/"):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
