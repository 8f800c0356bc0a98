"""The API of home visits, teams, sites, invitations, bookings and check-in."""

from datetime import date

import pytest
import time_machine

from phaodai.core.clock import hanoi
from phaodai.vaccination.tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


SITE = {
    "unit": "00139", "name": "Trường THCS Bồ Đề", "address": "Phố Nguyễn Văn Cừ", "hourly_capacity": 1,
    "opens_at": "07:00", "closes_at": "17:00", "incident_contact": "BS. Nguyễn Thị Lan",
    "incident_phone": "0912345678", "nearest_hospital": "Bệnh viện Đa khoa Đức Giang",
    "severe_reaction_plan": "Xử trí phản vệ theo phác đồ; gọi 115.",
}  # fmt: skip


def test_a_home_visit_is_requested_scheduled_and_recorded(client, ward_officer_bo_de, resident):
    an = resident(1, disability_immobile=True)
    client.force_login(ward_officer_bo_de)
    requested = post(client, f"/api/v1/vaccination/people/{an.pk}/home-visit")
    assert requested.status_code == 201 and requested.json()["reason"] == "immobile"
    assert post(client, f"/api/v1/vaccination/people/{an.pk}/home-visit").status_code == 200
    team = post(
        client, "/api/v1/vaccination/teams", {"unit": "00139", "name": "Tổ lưu động 1", "daily_capacity": 1}
    )
    assert team.status_code == 201
    visit = requested.json()
    url = f"/api/v1/vaccination/home-visits/{visit['id']}/schedule"
    scheduled = post(client, url, {"team": team.json()["id"], "day": "2021-10-15", "version": 1})
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    stale = post(client, url, {"team": team.json()["id"], "day": "2021-10-15", "version": 1})
    assert stale.status_code == 409
    listed = client.get("/api/v1/vaccination/home-visits?ward=00139").json()
    assert [v["id"] for v in listed] == [visit["id"]]
    done = post(
        client,
        f"/api/v1/vaccination/home-visits/{visit['id']}/dose",
        {"product": "pfizer", "dose_number": 1, "lot": "FF-1", "vaccinator": "Lê Thị Hoa"},
    )
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["dose"]


def test_a_full_team_day_is_409(client, ward_officer_bo_de, resident):
    client.force_login(ward_officer_bo_de)
    team = post(
        client, "/api/v1/vaccination/teams", {"unit": "00139", "name": "Tổ 2", "daily_capacity": 1}
    ).json()
    ids = [
        post(
            client, f"/api/v1/vaccination/people/{resident(n, disability_immobile=True).pk}/home-visit"
        ).json()["id"]
        for n in (1, 2)
    ]
    first = post(
        client,
        f"/api/v1/vaccination/home-visits/{ids[0]}/schedule",
        {"team": team["id"], "day": "2021-10-16"},
    )
    second = post(
        client,
        f"/api/v1/vaccination/home-visits/{ids[1]}/schedule",
        {"team": team["id"], "day": "2021-10-16"},
    )
    assert first.status_code == 200
    assert second.status_code == 409 and second.json()["code"] == "team_full"


def test_a_site_is_booked_and_checked_in(client, ward_officer_bo_de, resident):
    old = resident(1, born=date(1940, 1, 1))
    other = resident(2)
    client.force_login(ward_officer_bo_de)
    site = post(client, "/api/v1/vaccination/sites", SITE)
    assert site.status_code == 201 and site.json()["incident_plan"]["nearest_hospital"].startswith(
        "Bệnh viện"
    )
    pk = site.json()["id"]
    invited = post(
        client, f"/api/v1/vaccination/sites/{pk}/invitations", {"group": "elderly_65", "day": "2021-10-16"}
    )
    assert invited.json() == {"invited": 1}
    body = {"person": str(old.pk), "starts_at": "2021-10-16T08:00"}
    booked = post(client, f"/api/v1/vaccination/sites/{pk}/bookings", body)
    assert booked.status_code == 201 and booked.json()["priority_group"] == "elderly_65"
    assert post(client, f"/api/v1/vaccination/sites/{pk}/bookings", body).status_code == 200
    full = post(client, f"/api/v1/vaccination/sites/{pk}/bookings", {**body, "person": str(other.pk)})
    assert full.status_code == 409 and full.json()["code"] == "hour_full"
    hours = client.get(f"/api/v1/vaccination/sites/{pk}?day=2021-10-16").json()["hours"]
    assert [(h["capacity"], h["booked"]) for h in hours] == [(1, 1)]
    early = post(client, f"/api/v1/vaccination/bookings/{booked.json()['id']}/check-in")
    assert early.status_code == 422 and early.json()["code"] == "not_booked_today"
    with time_machine.travel(hanoi(2021, 10, 16, 7, 55), tick=False):
        checked = post(client, f"/api/v1/vaccination/bookings/{booked.json()['id']}/check-in")
        assert checked.status_code == 200 and checked.json()["status"] == "checked_in"
        again = post(client, f"/api/v1/vaccination/bookings/{booked.json()['id']}/check-in")
        assert again.status_code == 409


def test_sites_and_visits_elsewhere_are_404(
    client, ward_officer_bo_de, ward_officer_phuc_xa, health_worker_bo_de
):
    client.force_login(ward_officer_bo_de)
    pk = post(client, "/api/v1/vaccination/sites", SITE).json()["id"]
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/api/v1/vaccination/sites/{pk}").status_code == 404
    assert post(client, "/api/v1/vaccination/sites", {**SITE, "name": "Khác"}).status_code == 404
    client.force_login(health_worker_bo_de)
    assert client.get(f"/api/v1/vaccination/sites/{pk}").status_code == 200
    assert (
        post(
            client, "/api/v1/vaccination/teams", {"unit": "00139", "name": "X", "daily_capacity": 1}
        ).status_code
        == 403
    )
