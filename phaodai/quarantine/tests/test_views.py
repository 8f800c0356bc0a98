"""The quarantine pages: the board, the list, a facility, registering, readiness, admitting by CCCD,
discharging and transferring — all without JavaScript."""

from datetime import date
from typing import Any

import pytest
import time_machine

from phaodai.quarantine.models import Admission, Facility
from phaodai.quarantine.tests.conftest import NOW, admit, cccd_for

pytestmark = pytest.mark.django_db

AN_CCCD = cccd_for("M", 1985, 1)


@pytest.fixture(autouse=True)
def _tenth_of_september():
    with time_machine.travel(NOW, tick=False):
        yield


def facility_form(**overrides: Any) -> dict[str, Any]:
    fields = {
        "name": "Trường THCS Ngọc Lâm",
        "name_en": "",
        "address": "Phố Ngọc Lâm, Long Biên",
        "unit": "004",
        "kind": "school",
        "beds_male": "40",
        "beds_female": "40",
        "beds_family": "0",
        "is_school": "on",
        "return_due": "2021-10-04",
        "notes": "",
    }
    fields.update(overrides)
    return fields


# The board and the list ----------------------------------------------------------------------------


def test_the_board_shows_free_beds_by_district_and_the_schools_to_hand_back(
    client, district_officer_long_bien, facility_of, dorm, an
):
    facility_of("Trường THCS Ngọc Lâm", kind="school", is_school=True, return_due=date(2021, 9, 20))
    admit(district_officer_long_bien, dorm, an)
    client.force_login(district_officer_long_bien)
    response = client.get("/quarantine/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-unit="004"' in html and "Ký túc xá Long Biên" in html
    assert 'id="schools"' in html and "to hand back on 20/09/2021" in html
    assert [row.facility.name for row in response.context["schools"]] == ["Trường THCS Ngọc Lâm"]


def test_the_board_reads_a_bounded_number_of_queries(
    client, district_officer_long_bien, facility_of, django_assert_max_num_queries
):
    for number in range(8):
        facility_of(f"Trường số {number}", is_school=number % 2 == 0, return_due=None)
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(8):
        response = client.get("/quarantine/")
    assert sum(len(g.facilities) for g in response.context["groups"]) == 8
    with django_assert_max_num_queries(8):
        assert client.get("/quarantine/?day=05/09/2021").status_code == 200


def test_the_board_at_the_end_of_a_past_day(client, district_officer_long_bien, dorm, an):
    from phaodai.core.clock import hanoi

    admit(district_officer_long_bien, dorm, an, admitted_at=hanoi(2021, 9, 8, 10))
    client.force_login(district_officer_long_bien)
    earlier = client.get("/quarantine/?day=2021-09-07").context["groups"][0].facilities[0]
    later = client.get("/quarantine/?day=08/09/2021").context["groups"][0].facilities[0]
    assert (earlier.used.male, later.used.male) == (0, 1)


def test_roles_without_a_quarantine_capability_get_403(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    assert client.get("/quarantine/").status_code == 403
    assert client.get("/quarantine/facilities/").status_code == 403


def test_the_list_finds_by_name_and_reads_a_bounded_number_of_queries(
    client, district_officer_long_bien, facility_of, django_assert_max_num_queries
):
    for number in range(6):
        facility_of(f"Khách sạn số {number}", kind="hotel")
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(8):
        response = client.get("/quarantine/facilities/")
    assert len(response.context["rows"]) == 6
    found = client.get("/quarantine/facilities/?q=khach+san+so+3")
    assert [f.name for f in found.context["rows"]] == ["Khách sạn số 3"]
    partial = client.get("/quarantine/facilities/?q=so+3", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and "Khách sạn số 3" in partial.content.decode()


def test_a_facility_of_another_district_is_not_found(client, district_officer_ba_dinh, dorm):
    client.force_login(district_officer_ba_dinh)
    assert client.get(f"/quarantine/facilities/{dorm.pk}/").status_code == 404


# Registering and editing ---------------------------------------------------------------------------


def test_a_district_officer_registers_a_school_as_a_facility(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    assert client.get("/quarantine/facilities/add/").status_code == 200
    response = client.post("/quarantine/facilities/add/", facility_form())
    facility = Facility.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/quarantine/facilities/{facility.pk}/"
    assert (facility.readiness, facility.is_school, facility.return_due) == (
        "preparing",
        True,
        date(2021, 10, 4),
    )


def test_a_bad_registration_says_why_beside_the_field(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    response = client.post("/quarantine/facilities/add/", facility_form(is_school="", beds_male="-3"))
    assert response.status_code == 422
    assert response.context["form"].errors["beds_male"]
    response = client.post("/quarantine/facilities/add/", facility_form(is_school=""))
    assert response.status_code == 422
    assert "Only a school or university has a date" in response.context["form"].errors["return_due"][0]
    assert not Facility.objects.exists()


def test_edit_saves_with_the_version_seen(client, district_officer_long_bien, dorm):
    client.force_login(district_officer_long_bien)
    page = client.get(f"/quarantine/facilities/{dorm.pk}/edit/")
    assert page.status_code == 200
    fields = facility_form(
        name=dorm.name, kind="dormitory", is_school="", return_due="", version=str(dorm.version)
    )
    del fields["unit"]
    assert client.post(f"/quarantine/facilities/{dorm.pk}/edit/", fields).status_code == 302
    assert Facility.objects.get(pk=dorm.pk).beds_male == 40
    stale = client.post(f"/quarantine/facilities/{dorm.pk}/edit/", {**fields, "beds_male": "50"})
    assert stale.status_code == 409
    assert "Someone changed this facility meanwhile" in stale.content.decode()


def test_a_health_worker_reads_but_does_not_edit(client, health_worker_bo_de, dorm):
    client.force_login(health_worker_bo_de)
    page = client.get(f"/quarantine/facilities/{dorm.pk}/")
    assert page.status_code == 200 and page.context["manages"] is False and page.context["admits"] is True
    assert client.get(f"/quarantine/facilities/{dorm.pk}/edit/").status_code == 403


def test_closing_a_facility_with_people_inside_is_refused_on_the_page(
    client, district_officer_long_bien, dorm, an
):
    admit(district_officer_long_bien, dorm, an)
    client.force_login(district_officer_long_bien)
    response = client.post(
        f"/quarantine/facilities/{dorm.pk}/readiness/", {"readiness": "closed", "version": dorm.version}
    )
    assert response.status_code == 409
    assert "1 person is still admitted to Ký túc xá Long Biên" in response.content.decode()
    assert Facility.objects.get(pk=dorm.pk).state == "ready"


def test_setting_readiness(client, district_officer_long_bien, facility_of):
    school = facility_of("Trường THCS Ngọc Lâm", readiness="preparing")
    client.force_login(district_officer_long_bien)
    response = client.post(
        f"/quarantine/facilities/{school.pk}/readiness/", {"readiness": "ready", "version": school.version}
    )
    assert response.status_code == 302
    assert Facility.objects.get(pk=school.pk).readiness == "ready"


# Admitting, discharging, transferring -------------------------------------------------------------


def admit_form(**overrides: Any) -> dict[str, Any]:
    fields = {"cccd": AN_CCCD, "room_kind": "", "admitted_at": "", "planned_release": "", "order_ref": "QĐ 1"}
    fields["token"] = "form-token-1"
    fields.update(overrides)
    return fields


def test_a_person_is_admitted_by_cccd_typed_in_the_form(client, health_worker_bo_de, dorm, an):
    client.force_login(health_worker_bo_de)
    assert client.get(f"/quarantine/facilities/{dorm.pk}/admit/").status_code == 200
    response = client.post(f"/quarantine/facilities/{dorm.pk}/admit/", admit_form())
    assert response.status_code == 302
    assert AN_CCCD not in response["Location"]
    stay = Admission.objects.get()
    assert (stay.person_id, stay.room_kind, stay.order_ref) == (an.pk, "male", "QĐ 1")
    page = client.get(response["Location"]).content.decode()
    assert "Nguyễn V. A." in page and AN_CCCD not in page and "Nguyễn Văn An" not in page


def test_a_double_submit_admits_once(client, health_worker_bo_de, dorm, an):
    client.force_login(health_worker_bo_de)
    for _ in range(2):
        assert client.post(f"/quarantine/facilities/{dorm.pk}/admit/", admit_form()).status_code == 302
    assert Admission.objects.count() == 1


def test_a_full_facility_says_where_beds_are_free(
    client, district_officer_long_bien, facility_of, resident, an
):
    small = facility_of("Ký túc xá A", male=1)
    facility_of("Trường B", male=5)
    admit(district_officer_long_bien, small, resident(7))
    client.force_login(district_officer_long_bien)
    response = client.post(f"/quarantine/facilities/{small.pk}/admit/", admit_form())
    assert response.status_code == 409
    assert "5 male beds are free elsewhere in Quận Long Biên: Trường B (5)" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"cccd": "0010850000"}, 422, "12 digits"),
        ({"cccd": cccd_for("M", 1985, 99)}, 422, "No person with this CCCD is registered where you work"),
        ({"room_kind": "female"}, 422, "goes to male rooms or to a family room"),
        ({"admitted_at": "2021-09-11T09:00"}, 422, "is still in the future"),
    ],
)
def test_bad_admissions_say_why(client, health_worker_bo_de, dorm, an, fields, status, message):
    client.force_login(health_worker_bo_de)
    response = client.post(f"/quarantine/facilities/{dorm.pk}/admit/", admit_form(**fields))
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Admission.objects.exists()


def test_a_closed_facility_refuses_on_the_page(client, district_officer_long_bien, facility_of, an):
    closed = facility_of("Khách sạn Long Biên", readiness="closed")
    client.force_login(district_officer_long_bien)
    response = client.post(f"/quarantine/facilities/{closed.pk}/admit/", admit_form())
    assert response.status_code == 409
    assert "This facility is closed" in response.content.decode()


def test_discharge_then_a_second_discharge_is_a_conflict(client, health_worker_bo_de, dorm, an):
    stay = admit(health_worker_bo_de, dorm, an)
    client.force_login(health_worker_bo_de)
    assert client.get(f"/quarantine/admissions/{stay.pk}/").status_code == 200
    form = {"reason": "released", "discharged_at": "", "note": ""}
    response = client.post(f"/quarantine/admissions/{stay.pk}/discharge/", form)
    assert response.status_code == 302 and response["Location"] == f"/quarantine/facilities/{dorm.pk}/"
    again = client.post(f"/quarantine/admissions/{stay.pk}/discharge/", form)
    assert again.status_code == 409
    assert "already ended at 09:00 10/09/2021" in again.content.decode()


def test_a_discharge_before_the_admission_is_refused_on_the_page(client, health_worker_bo_de, dorm, an):
    stay = admit(health_worker_bo_de, dorm, an)
    client.force_login(health_worker_bo_de)
    response = client.post(
        f"/quarantine/admissions/{stay.pk}/discharge/",
        {"reason": "released", "discharged_at": "2021-09-10T08:00", "note": ""},
    )
    assert response.status_code == 422
    assert "the discharge cannot come before" in response.content.decode()
    assert Admission.objects.get().is_open


def test_a_transfer_from_the_page(client, district_officer_long_bien, dorm, facility_of, an):
    other = facility_of("Trường B")
    stay = admit(district_officer_long_bien, dorm, an)
    client.force_login(district_officer_long_bien)
    response = client.post(
        f"/quarantine/admissions/{stay.pk}/transfer/",
        {"facility": other.pk, "room_kind": "", "at": "", "note": ""},
    )
    assert response.status_code == 302 and response["Location"] == f"/quarantine/facilities/{other.pk}/"
    assert Admission.objects.get(discharged_at__isnull=True).facility_id == other.pk


def test_another_districts_officer_cannot_open_a_stay(
    client, district_officer_ba_dinh, district_officer_long_bien, dorm, an
):
    stay = admit(district_officer_long_bien, dorm, an)
    client.force_login(district_officer_ba_dinh)
    assert client.get(f"/quarantine/admissions/{stay.pk}/").status_code == 404
