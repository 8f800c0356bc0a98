"""Pages that cancel bookings and home visits and edit teams and sites."""

from datetime import date, time

import pytest
import time_machine

from phaodai.vaccination import home, sites
from phaodai.vaccination.models import Booking, HomeVisit, MobileTeam, Site
from phaodai.vaccination.tests.conftest import CLOCK, NOW
from phaodai.vaccination.tests.test_sites import EIGHT, site_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site(unit, ward_officer_bo_de):
    return sites.register_site(by=ward_officer_bo_de, unit=unit("00139"), clock=CLOCK, **site_fields())


def test_a_booking_is_cancelled_from_the_site_page(client, health_worker_bo_de, resident, site):
    booking, _ = sites.book_hour(by=health_worker_bo_de, site=site, person=resident(1), starts_at=EIGHT)
    client.force_login(health_worker_bo_de)
    page = client.get(f"/vaccination/sites/{site.pk}/?day=2021-10-16").content.decode()
    assert f'action="/vaccination/bookings/{booking.pk}/cancel/"' in page
    no_reason = client.post(f"/vaccination/bookings/{booking.pk}/cancel/", {"reason": ""}, follow=True)
    assert "This field is required." in no_reason.content.decode()
    assert Booking.objects.get().status == "booked"
    done = client.post(f"/vaccination/bookings/{booking.pk}/cancel/", {"reason": "Đi công tác"})
    assert done.status_code == 302 and done["Location"].endswith("?day=2021-10-16")
    assert Booking.objects.get().cancel_reason == "Đi công tác"


def test_a_home_visit_is_cancelled_from_the_wards_list(client, ward_officer_bo_de, resident):
    visit, _ = home.request_home_visit(by=ward_officer_bo_de, person=resident(1, disability_immobile=True))
    client.force_login(ward_officer_bo_de)
    page = client.get("/vaccination/home-visits/?ward=00139").content.decode()
    assert f'action="/vaccination/home-visits/{visit.pk}/cancel/"' in page
    response = client.post(
        f"/vaccination/home-visits/{visit.pk}/cancel/", {"reason": "Gia đình từ chối", "version": "1"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?ward=00139")
    assert HomeVisit.objects.get().status == "cancelled"


def test_a_team_is_edited_and_a_capacity_below_its_visits_shown_beside_the_field(
    client, ward_officer_bo_de, resident, unit
):
    team = home.register_team(by=ward_officer_bo_de, unit=unit("00139"), name="Tổ 1", daily_capacity=1)
    visit, _ = home.request_home_visit(by=ward_officer_bo_de, person=resident(1, disability_immobile=True))
    home.schedule_home_visit(by=ward_officer_bo_de, visit=visit, team=team, day=date(2021, 10, 16))
    client.force_login(ward_officer_bo_de)
    assert f'href="/vaccination/teams/{team.pk}/"' in client.get("/vaccination/teams/").content.decode()
    form = {"name": "Tổ 1", "daily_capacity": "1", "version": "1"}  # "active" unticked: retire
    refused = client.post(f"/vaccination/teams/{team.pk}/", form)
    assert refused.status_code == 422 and "cancel or move them before retiring" in refused.content.decode()
    saved = client.post(f"/vaccination/teams/{team.pk}/", {**form, "active": "on", "daily_capacity": "3"})
    assert saved.status_code == 302
    assert MobileTeam.objects.values_list("daily_capacity", "version").get() == (3, 2)
    stale = client.post(f"/vaccination/teams/{team.pk}/", {**form, "active": "on"})
    assert stale.status_code == 409 and "changed this team meanwhile" in stale.content.decode()


def test_a_site_is_edited_by_its_planner_only(
    client, ward_officer_bo_de, health_worker_bo_de, district_officer_long_bien, unit, site
):
    client.force_login(health_worker_bo_de)
    assert client.get(f"/vaccination/sites/{site.pk}/edit/").status_code == 403
    client.force_login(ward_officer_bo_de)
    page = client.get(f"/vaccination/sites/{site.pk}/edit/")
    assert page.status_code == 200 and 'value="Trường THCS Bồ Đề"' in page.content.decode()
    form = {
        **{k: v for k, v in site_fields().items() if k not in ("opens_at", "closes_at")},
        "opens_at": "07:00", "closes_at": "12:00", "hourly_capacity": "30", "version": "1",
    }  # fmt: skip
    assert client.post(f"/vaccination/sites/{site.pk}/edit/", form).status_code == 302
    assert Site.objects.values_list("hourly_capacity", "closes_at").get() == (30, time(12))
    district_site = sites.register_site(
        by=district_officer_long_bien, unit=unit("004"), clock=CLOCK, **site_fields(name="Cung thể thao")
    )
    assert client.get(f"/vaccination/sites/{district_site.pk}/edit/").status_code == 403
