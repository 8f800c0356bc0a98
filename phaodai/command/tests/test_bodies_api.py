"""The committees, duty, hotlines and commendations API: the same rules as the pages, as JSON."""

from datetime import date

import pytest

from phaodai.command.models import Commendation, Committee, Hotline
from phaodai.command.tests.test_bodies_services import both_bodies, commend, hotline, new_body

pytestmark = pytest.mark.django_db
API = "/api/v1/command"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_unit_s_bodies_are_read_with_members_and_completeness(client, unit, ward_officer_bo_de):
    both_bodies(ward_officer_bo_de, unit("00139"))
    client.force_login(ward_officer_bo_de)
    bodies = client.get(f"{API}/units/00139/committees").json()
    assert [(b["kind"], b["complete"], b["problem"]) for b in bodies] == [
        ("steering", True, None),
        ("command_center", True, None),
    ]
    assert bodies[0]["members"][0] | {"id": 0} == {
        "id": 0, "full_name": "Nguyễn Văn An", "title": "Bí thư Đảng ủy phường", "position": "head",
        "phone": "0912345678", "user": None, "order": 10,
    }  # fmt: skip


def test_a_body_is_created_then_a_second_of_its_kind_conflicts(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    body = {"kind": "steering", "established_on": "2021-09-06", "decision_number": "12-QĐ/ĐU",
            "decision_date": "2021-09-06"}  # fmt: skip
    created = post(client, f"{API}/units/00139/committees", body)
    assert created.status_code == 201
    assert created.json()["problem"] == "missing_leader"  # recorded, with the warning
    again = post(client, f"{API}/units/00139/committees", body)
    assert again.status_code == 409
    assert again.json()["code"] == "committee_exists" and again.json()["field"] == "kind"
    bad = post(client, f"{API}/units/00139/committees", {**body, "kind": "command_center", "decision": 999})
    assert bad.status_code == 422 and bad.json()["field"] == "decision"
    assert post(client, f"{API}/units/00139/committees", {**body, "extra": 1}).status_code == 422


def test_members_are_added_with_their_phone_checked(client, unit, ward_officer_bo_de):
    steering = new_body(ward_officer_bo_de, unit("00139"))
    client.force_login(ward_officer_bo_de)
    url = f"{API}/committees/{steering.pk}/members"
    body = {
        "full_name": "Nguyễn Văn An",
        "title": "Bí thư Đảng ủy phường",
        "position": "head",
        "phone": "09123",
    }
    refused = post(client, url, body)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_phone"
    assert post(client, url, {**body, "position": "chief", "phone": ""}).json()["field"] == "position"
    assert post(client, url, {**body, "phone": "", "user": "nobody"}).json()["field"] == "user"
    seated = post(client, url, {**body, "phone": "+84912345678", "user": "ward-00139"})
    assert seated.status_code == 201 and (seated.json()["phone"], seated.json()["user"]) == (
        "0912345678",
        "ward-00139",
    )


def test_units_outside_the_jurisdiction_answer_404_and_roles_without_the_permission_403(
    client, unit, ward_officer_bo_de, ward_officer_phuc_xa, health_worker_bo_de
):
    steering = new_body(ward_officer_bo_de, unit("00139"))
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"{API}/units/00139/committees").status_code == 404
    assert client.get(f"{API}/units/00139/duty").status_code == 404
    body = {"full_name": "A", "title": "B", "position": "member"}
    assert post(client, f"{API}/committees/{steering.pk}/members", body).status_code == 404
    client.force_login(health_worker_bo_de)
    # Members' phones are for officials with command work only (not health workers, labs, police...).
    assert client.get(f"{API}/units/00139/committees").status_code == 403
    assert post(client, f"{API}/committees/{steering.pk}/members", body).json()["code"] == "not_permitted"
    client.logout()
    assert client.get(f"{API}/units/00139/committees").status_code == 401


def test_duty_now_and_overlapping_shifts(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    shift = {"full_name": "Trần Văn Bình", "phone": "024 3999 0004",
             "starts_at": "2021-09-06T07:00:00+07:00", "ends_at": "2021-09-06T19:00:00+07:00"}  # fmt: skip
    created = post(client, f"{API}/units/004/duty", shift)
    assert created.status_code == 201 and created.json()["phone"] == "02439990004"
    clash = post(client, f"{API}/units/004/duty", {**shift, "starts_at": "2021-09-06T18:00:00+07:00",
                                                    "ends_at": "2021-09-07T06:00:00+07:00"})  # fmt: skip
    assert clash.status_code == 409 and clash.json()["code"] == "duty_clash"
    assert f"(shift no. {created.json()['id']})" in clash.json()["message"]
    backwards = post(client, f"{API}/units/004/duty", {**shift, "ends_at": "2021-09-06T06:00:00+07:00"})
    assert backwards.status_code == 422 and backwards.json()["field"] == "ends_at"
    naive = post(client, f"{API}/units/004/duty", {**shift, "starts_at": "2021-09-08T07:00:00"})
    assert naive.status_code == 422 and naive.json()["field"] == "starts_at"
    assert post(client, f"{API}/units/004/duty", {**shift, "member": 999}).json()["field"] == "member"
    now = client.get(f"{API}/units/004/duty", {"at": "2021-09-06T12:00:00+07:00"}).json()
    assert [s["full_name"] for s in now["on_duty"]] == ["Trần Văn Bình"]
    assert client.get(f"{API}/units/004/duty", {"at": "2021-09-06T19:00:00+07:00"}).json()["on_duty"] == []


def test_hotlines_crud_with_bad_numbers_refused(client, unit, ward_officer_bo_de, ward_officer_phuc_xa):
    client.force_login(ward_officer_bo_de)
    body = {"label": "Đường dây nóng", "label_en": "Hotline", "number": "024 3999 0139"}
    created = post(client, f"{API}/units/00139/hotlines", body)
    assert created.status_code == 201 and created.json()["display"] == "024 3999 0139"
    bad = post(client, f"{API}/units/00139/hotlines", {**body, "number": "0243999"})
    assert bad.status_code == 422 and bad.json() | {"message": ""} == {"code": "invalid_input", "message": "",
                                                                          "field": "number"}  # fmt: skip
    assert post(client, f"{API}/units/00139/hotlines", body).json()["code"] == "hotline_number_taken"
    pk = created.json()["id"]
    changed = client.put(
        f"{API}/hotlines/{pk}", {**body, "published": False}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["published"] is False
    assert [h["number"] for h in client.get(f"{API}/units/00139/hotlines").json()] == ["02439990139"]
    client.force_login(ward_officer_phuc_xa)
    assert client.delete(f"{API}/hotlines/{pk}").status_code == 404
    client.force_login(ward_officer_bo_de)
    assert client.delete(f"{API}/hotlines/{pk}").status_code == 204
    assert not Hotline.objects.exists()


def test_commendations_are_listed_registered_and_published(
    client, unit, district_officer_long_bien, ward_officer_bo_de
):
    client.force_login(district_officer_long_bien)
    body = {
        "unit": "00139", "recipient_kind": "model", "recipient": "Tổ Covid cộng đồng tổ dân phố 5",
        "reason": "Hỗ trợ F0.", "decision_number": "4120/QĐ-UBND", "decision_date": "2021-09-30",
    }  # fmt: skip
    created = post(client, f"{API}/commendations", body)
    assert created.status_code == 201 and created.json()["published"] is False
    assert post(client, f"{API}/commendations", {**body, "decision_date": "2999-01-01", "recipient": "X"}
                ).json()["field"] == "decision_date"  # fmt: skip
    assert post(client, f"{API}/commendations", {**body, "unit": "00001"}).status_code == 404
    pk = created.json()["id"]
    published = post(client, f"{API}/commendations/{pk}/publish", {"published": True})
    assert published.status_code == 200 and published.json()["published"] is True
    assert [c["id"] for c in client.get(f"{API}/commendations", {"year": 2021}).json()] == [pk]
    assert client.get(f"{API}/commendations", {"year": 2020}).json() == []
    assert client.get(f"{API}/commendations", {"year": 20}).status_code == 422
    client.force_login(ward_officer_bo_de)
    assert [c["id"] for c in client.get(f"{API}/commendations").json()] == [pk]  # Bồ Đề's own register
    assert post(client, f"{API}/commendations/{pk}/publish", {"published": False}).status_code == 200
    assert not Commendation.objects.get().published


def test_the_api_and_the_pages_share_one_rule(client, unit, ward_officer_bo_de):
    # A body recorded through the service is the one the API refuses to duplicate.
    both_bodies(ward_officer_bo_de, unit("00139"), date(2021, 9, 6))
    commend(ward_officer_bo_de, unit("00139"))
    hotline(ward_officer_bo_de, unit("00139"))
    client.force_login(ward_officer_bo_de)
    body = {"kind": "command_center", "established_on": "2021-09-07"}
    assert post(client, f"{API}/units/00139/committees", body).status_code == 409
    assert Committee.objects.count() == 2
