"""Officials' pages: a unit's bodies and duty, members, the roster, hotlines and commendations."""

from datetime import date

import pytest
import time_machine

from phaodai.command import services
from phaodai.command.models import Commendation, Committee, DutyShift, Hotline, Member
from phaodai.command.tests.test_bodies_services import both_bodies, commend, hotline, new_body, seat
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_bien_wards(unit, district_officer_long_bien):
    """Both bodies in 13 of Long Biên's 14 wards by 07/9; Phúc Lợi (00136) only on 08/9."""
    for ward in unit("004").children.order_by("code"):
        both_bodies(
            district_officer_long_bien, ward, date(2021, 9, 8) if ward.code == "00136" else date(2021, 9, 6)
        )


def test_the_district_page_lists_the_wards_missing_a_body_by_the_deadline(
    client, district_officer_long_bien, long_bien_wards, django_assert_max_num_queries
):
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(14):
        page = client.get("/command/committees/?unit=004&by=07/09/2021")
    text = page.content.decode()
    assert page.status_code == 200
    assert "13 of 14 had both bodies established by 07/09/2021." in text
    assert 'Missing: <a href="#u-00136">Phúc Lợi</a>.' in text
    assert "08/09/2021" in text  # Phúc Lợi's dates are shown
    later = client.get("/command/committees/?unit=004&by=2021-09-08").content.decode()
    assert "14 of 14 had both bodies established by 08/09/2021." in later


def test_a_bad_date_is_said_and_today_used(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    page = client.get("/command/committees/?unit=004&by=7 Sept")
    assert page.status_code == 200 and "Give the date as dd/mm/yyyy." in page.content.decode()


def test_a_ward_page_shows_its_bodies_and_warns_when_the_head_is_missing(client, unit, ward_officer_bo_de):
    steering = new_body(ward_officer_bo_de, unit("00139"))
    seat(ward_officer_bo_de, steering, "deputy")
    client.force_login(ward_officer_bo_de)
    text = client.get("/command/committees/").content.decode()  # the officer's own ward by default
    assert "Ban Chỉ đạo phòng, chống dịch phường Bồ Đề" in text
    assert "does not count as established until its head (the party secretary) is seated" in text
    assert "Nobody is on duty right now" in text
    assert "/command/committees/add/?unit=00139" in text


def test_only_officers_with_command_work_read_the_bodies_and_their_phones(
    client, unit, ward_officer_bo_de, district_officer_long_bien, health_worker_bo_de
):
    steering, _center = both_bodies(ward_officer_bo_de, unit("00139"))
    client.force_login(district_officer_long_bien)
    page = client.get(f"/command/committees/{steering.pk}/")
    assert page.status_code == 200 and "Nguyễn Văn An" in page.content.decode()
    client.force_login(health_worker_bo_de)
    assert client.get(f"/command/committees/{steering.pk}/").status_code == 403
    assert client.get("/command/committees/?unit=00139").status_code == 403
    assert client.get(f"/command/committees/{steering.pk}/members/add/").status_code == 403


def test_a_unit_outside_the_jurisdiction_is_not_found_and_logged(
    client, unit, ward_officer_bo_de, ward_officer_phuc_xa, business_rep_bo_de
):
    steering, _center = both_bodies(ward_officer_bo_de, unit("00139"))
    client.force_login(ward_officer_phuc_xa)
    assert client.get("/command/committees/?unit=00139").status_code == 404
    assert client.get(f"/command/committees/{steering.pk}/").status_code == 404
    assert client.get("/command/duty/?unit=00139").status_code == 404
    assert AuditEntry.objects.filter(action="scope.denied", object_type="command.committee").exists()
    # Not an official: committee members' phones are not theirs to read.
    client.force_login(business_rep_bo_de)
    assert client.get("/command/committees/?unit=00139").status_code == 403
    assert client.get("/command/committees/").status_code == 403


def test_recording_a_body_twice_shows_the_refusal_beside_the_kind(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    form = {"kind": "steering", "decision_number": "12-QĐ/ĐU", "decision_date": "06/09/2021",
            "established_on": "06/09/2021"}  # fmt: skip
    first = client.post("/command/committees/add/?unit=00139", form)
    created = Committee.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/command/committees/{created.pk}/"
    again = client.post("/command/committees/add/?unit=00139", form)
    assert again.status_code == 422
    assert "already has a standing body of this kind" in again.content.decode()
    assert Committee.objects.count() == 1


def test_a_member_with_a_bad_phone_is_refused_and_a_good_one_seated(client, unit, ward_officer_bo_de):
    steering = new_body(ward_officer_bo_de, unit("00139"))
    client.force_login(ward_officer_bo_de)
    url = f"/command/committees/{steering.pk}/members/add/"
    form = {
        "full_name": "Nguyễn Văn An",
        "title": "Bí thư Đảng ủy phường",
        "position": "head",
        "phone": "012345",
    }
    refused = client.post(url, form)
    assert refused.status_code == 422 and "A mobile number has 10 digits" in refused.content.decode()
    chief = client.post(url, {**form, "phone": "0912 345 678", "position": "chief"})
    assert chief.status_code == 422  # a steering committee has no chief: the choice is not offered
    assert client.post(url, {**form, "phone": "0912 345 678", "username": "nobody"}).status_code == 422
    seated = client.post(url, {**form, "phone": "0912 345 678", "username": "ward-00139"})
    assert seated.status_code == 302
    member = Member.objects.get()
    assert (member.phone, member.user, member.position) == ("0912345678", ward_officer_bo_de, "head")
    page = client.get(f"/command/committees/{steering.pk}/").content.decode()
    assert "0912 345 678" in page and "established" in page


def test_a_member_is_edited_and_removed(client, unit, ward_officer_bo_de):
    steering = new_body(ward_officer_bo_de, unit("00139"))
    member = seat(ward_officer_bo_de, steering, "head")
    client.force_login(ward_officer_bo_de)
    assert client.get(f"/command/members/{member.pk}/edit/").status_code == 200
    form = {"full_name": "Nguyễn Văn Ân", "title": "Bí thư", "position": "deputy", "phone": "", "order": "3"}
    assert client.post(f"/command/members/{member.pk}/edit/", form).status_code == 302
    assert Member.objects.get().full_name == "Nguyễn Văn Ân"
    assert client.post(f"/command/members/{member.pk}/remove/").status_code == 302
    assert not Member.objects.get().active


@time_machine.travel(hanoi(2021, 9, 6, 10), tick=False)
def test_the_roster_shows_who_is_on_duty_now_and_refuses_overlapping_shifts(
    client, unit, district_officer_long_bien
):
    services.add_duty_shift(
        by=district_officer_long_bien, unit=unit("004"), full_name="Trần Văn Bình", phone="024 3999 0004",
        starts_at=hanoi(2021, 9, 6, 7), ends_at=hanoi(2021, 9, 6, 19),
    )  # fmt: skip
    client.force_login(district_officer_long_bien)
    page = client.get("/command/duty/?unit=004").content.decode()
    assert "On duty now" in page and "Trần Văn Bình" in page and "024 3999 0004" in page
    assert "06/09/2021 07:00" in page
    assert "Trần Văn Bình" in client.get("/command/committees/?unit=004").content.decode()
    form = {"full_name": "Trần Văn Bình", "starts_at": "06/09/2021 18:00", "ends_at": "07/09/2021 06:00"}
    clash = client.post("/command/duty/add/?unit=004", form)
    assert clash.status_code == 422
    assert "is already on duty from 06/09/2021 07:00 to 06/09/2021 19:00" in clash.content.decode()
    backwards = client.post("/command/duty/add/?unit=004", {**form, "starts_at": "07/09/2021 19:00"})
    assert (
        backwards.status_code == 422 and "The shift must end after it starts." in backwards.content.decode()
    )
    added = client.post("/command/duty/add/?unit=004", {**form, "starts_at": "06/09/2021 19:00"})
    assert added.status_code == 302 and added["Location"] == "/command/duty/?unit=004&day=06/09/2021"
    assert DutyShift.objects.count() == 2


def test_hotlines_are_added_edited_and_bad_numbers_refused(client, unit, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    form = {"label": "Đường dây nóng", "number": "024 3999", "always_open": "on", "published": "on"}
    refused = client.post("/command/hotlines/add/?unit=00139", form)
    assert refused.status_code == 422 and "A landline number has 11 digits" in refused.content.decode()
    assert (
        client.post("/command/hotlines/add/?unit=00139", {**form, "number": "024 3999 0139"}).status_code
        == 302
    )
    line = Hotline.objects.get()
    page = client.get("/command/hotlines/?unit=00139").content.decode()
    assert "024 3999 0139" in page and "published" in page
    edit = client.post(f"/command/hotlines/{line.pk}/edit/", {**form, "number": "1022", "always_open": ""})
    assert edit.status_code == 422 and "Say when the line is staffed" in edit.content.decode()
    saved = client.post(f"/command/hotlines/{line.pk}/edit/", {**form, "number": "1022", "published": ""})
    assert saved.status_code == 302
    assert (Hotline.objects.get().number, Hotline.objects.get().published) == ("1022", False)


def test_commendations_are_registered_and_published_by_an_officer_within_scope(
    client, unit, district_officer_long_bien, ward_officer_phuc_xa
):
    client.force_login(district_officer_long_bien)
    form = {
        "recipient_kind": "model", "recipient": "Tổ Covid cộng đồng tổ dân phố 5", "reason": "Hỗ trợ F0.",
        "decision_number": "4120/QĐ-UBND", "decision_date": "30/09/2021", "award": "Giấy khen",
    }  # fmt: skip
    assert client.post("/command/commendations/add/?unit=00139", form).status_code == 302
    found = Commendation.objects.get()
    assert not found.published
    assert "Tổ Covid cộng đồng" in client.get("/command/commendations/?unit=004&year=2021").content.decode()
    assert client.post(f"/command/commendations/{found.pk}/publish/", {"published": "1"}).status_code == 302
    assert Commendation.objects.get().published
    assert (
        client.post(f"/command/commendations/{found.pk}/publish/", {"published": "maybe"}).status_code == 422
    )
    client.force_login(ward_officer_phuc_xa)
    assert client.post(f"/command/commendations/{found.pk}/publish/", {"published": "0"}).status_code == 404
    assert Commendation.objects.get().published


def test_the_pages_read_in_vietnamese_first(vietnamese_client, unit, ward_officer_bo_de):
    hotline(ward_officer_bo_de, unit("00139"))
    commend(ward_officer_bo_de, unit("00139"))
    vietnamese_client.force_login(ward_officer_bo_de)
    for url in ("/command/committees/", "/command/duty/", "/command/hotlines/", "/command/commendations/"):
        page = vietnamese_client.get(url)
        assert page.status_code == 200 and page["Content-Language"] == "vi"
