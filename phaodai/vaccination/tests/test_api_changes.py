"""The API that changes what is planned: cancel bookings and home visits, edit teams and sites."""

from datetime import date

import pytest
import time_machine

from phaodai.vaccination import home, sites
from phaodai.vaccination.models import SiteHour, TeamDay
from phaodai.vaccination.tests.conftest import CLOCK, NOW
from phaodai.vaccination.tests.test_sites import EIGHT, site_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def send(client, method, url, body):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def site(unit, ward_officer_bo_de):
    return sites.register_site(by=ward_officer_bo_de, unit=unit("00139"), clock=CLOCK, **site_fields())


def test_a_booking_is_cancelled_with_its_reason(client, health_worker_bo_de, resident, site):
    booking, _ = sites.book_hour(by=health_worker_bo_de, site=site, person=resident(1), starts_at=EIGHT)
    client.force_login(health_worker_bo_de)
    url = f"/api/v1/vaccination/bookings/{booking.pk}/cancel"
    missing = send(client, "post", url, {})
    assert missing.status_code == 422
    cancelled = send(client, "post", url, {"reason": "Sốt, hẹn lại"})
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "Sốt, hẹn lại")
    assert SiteHour.objects.get().booked == 0
    assert send(client, "post", url, {"reason": "Sốt, hẹn lại"}).status_code == 200  # a retry


def test_a_home_visit_is_cancelled_and_a_stale_version_refused(client, ward_officer_bo_de, resident, unit):
    team = home.register_team(by=ward_officer_bo_de, unit=unit("00139"), name="Tổ 1", daily_capacity=1)
    visit, _ = home.request_home_visit(by=ward_officer_bo_de, person=resident(1, disability_immobile=True))
    home.schedule_home_visit(by=ward_officer_bo_de, visit=visit, team=team, day=date(2021, 10, 16))
    client.force_login(ward_officer_bo_de)
    url = f"/api/v1/vaccination/home-visits/{visit.pk}/cancel"
    stale = send(client, "post", url, {"reason": "Đã mất", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "visit_changed"
    cancelled = send(client, "post", url, {"reason": "Đã mất", "version": 2})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert TeamDay.objects.get().booked == 0


def test_a_team_is_patched_never_below_its_planned_visits(client, ward_officer_bo_de, resident, unit):
    team = home.register_team(by=ward_officer_bo_de, unit=unit("00139"), name="Tổ 1", daily_capacity=2)
    for serial in (1, 2):
        visit, _ = home.request_home_visit(
            by=ward_officer_bo_de, person=resident(serial, disability_immobile=True)
        )
        home.schedule_home_visit(by=ward_officer_bo_de, visit=visit, team=team, day=date(2021, 10, 16))
    client.force_login(ward_officer_bo_de)
    url = f"/api/v1/vaccination/teams/{team.pk}"
    lower = send(client, "patch", url, {"daily_capacity": 1})
    assert lower.status_code == 422 and lower.json()["code"] == "capacity_below_booked"
    assert "16/10/2021" in lower.json()["message"]
    renamed = send(client, "patch", url, {"name": "Tổ lưu động Bồ Đề", "daily_capacity": 4})
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["daily_capacity"], renamed.json()["version"]) == (
        "Tổ lưu động Bồ Đề",
        4,
        2,
    )
    stale = send(client, "patch", url, {"daily_capacity": 5, "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "team_changed"
    assert send(client, "patch", url, {"unknown": 1}).status_code == 422


def test_a_site_is_patched_and_a_ward_cannot_change_its_districts(
    client, ward_officer_bo_de, district_officer_long_bien, health_worker_bo_de, resident, unit, site
):
    sites.book_hour(by=health_worker_bo_de, site=site, person=resident(1), starts_at=EIGHT)
    client.force_login(ward_officer_bo_de)
    url = f"/api/v1/vaccination/sites/{site.pk}"
    closed = send(client, "patch", url, {"opens_at": "09:00"})
    assert closed.status_code == 422 and closed.json()["code"] == "booked_outside_hours"
    changed = send(client, "patch", url, {"hourly_capacity": 4, "nearest_hospital": "Bệnh viện Việt Đức"})
    assert changed.status_code == 200
    assert changed.json()["incident_plan"]["nearest_hospital"] == "Bệnh viện Việt Đức"
    assert (changed.json()["hourly_capacity"], changed.json()["version"]) == (4, 2)
    district_site = sites.register_site(
        by=district_officer_long_bien, unit=unit("004"), clock=CLOCK, **site_fields(name="Cung thể thao")
    )
    refused = send(client, "patch", f"/api/v1/vaccination/sites/{district_site.pk}", {"hourly_capacity": 9})
    assert refused.status_code == 403  # the ward books there, the district plans it


def test_check_in_on_another_day_says_when(client, health_worker_bo_de, resident, site):
    booking, _ = sites.book_hour(by=health_worker_bo_de, site=site, person=resident(1), starts_at=EIGHT)
    client.force_login(health_worker_bo_de)
    early = client.post(f"/api/v1/vaccination/bookings/{booking.pk}/check-in")
    assert early.status_code == 422 and early.json()["code"] == "not_booked_today"
    assert "08:00 16/10/2021" in early.json()["message"]
